"""The server key for group secrets: configured, generated once, shared, or refused."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from atrium.server.services.secret_box import SecretBox, SecretKeyError, load_or_create_key


def test_generated_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "home" / "secret.key"
    first = load_or_create_key(None, path)
    assert len(first) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(None, path) == first
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no temp file left
    sealed = SecretBox(first).seal(1, "K", "v")
    assert SecretBox(load_or_create_key(None, path)).open(1, "K", sealed) == "v"


def test_configured_key_wins_over_the_file(tmp_path: Path) -> None:
    key = bytes(range(32))
    text = base64.urlsafe_b64encode(key).decode()
    assert load_or_create_key(text, tmp_path / "unused.key") == key
    assert not (tmp_path / "unused.key").exists()


@pytest.mark.parametrize("text", ["not base64!", base64.urlsafe_b64encode(b"short").decode()])
def test_malformed_keys_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(SecretKeyError):
        SecretBox(load_or_create_key(text, tmp_path / "k"))


def test_each_seal_uses_a_fresh_nonce() -> None:
    box = SecretBox(b"\x07" * 32)
    a, b = box.seal(1, "K", "same"), box.seal(1, "K", "same")
    assert a.nonce != b.nonce and a.ciphertext != b.ciphertext
    with pytest.raises(SecretKeyError):
        box.open(2, "K", a)  # another group's row
