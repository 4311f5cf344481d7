"""The push manifest as content-addressed parts (client side; the server side is in tests/api)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from blake3 import blake3

from atrium.sdk import Client
from atrium.sdk.datasets import manifest
from atrium.sdk.datasets.models import FileEntry
from tests.sdk.datasets_fake import FakeHub


def entry(path: str) -> FileEntry:
    return FileEntry(path, 1, blake3(path.encode()).hexdigest(), 0o644, None)


def test_parts_fit_the_limit_and_keep_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifest, "PART_BYTES", 2000)
    entries = [entry(f"dir/{'x' * (i % 7) * 40}{i:04}") for i in range(300)]  # uneven sizes
    parts = manifest.parts(entries)
    assert len(parts) > 10
    assert all(len(data) <= 2000 for _, data in parts)
    assert all(blake3(data).hexdigest() == key for key, data in parts)
    decoded = [item for _, data in parts for item in json.loads(data)]
    assert decoded == [e.to_api() for e in entries]
    assert manifest.parts([]) == [(blake3(b"[]").hexdigest(), b"[]")]


def test_a_push_in_many_parts_sends_them_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATRIUM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(manifest, "PART_BYTES", 1000)
    hub = FakeHub()
    client: Client = hub.client()
    client.datasets.create("g/d")
    src = tmp_path / "src"
    src.mkdir()
    for i in range(40):
        (src / f"file{i:03}.txt").write_text(f"content {i}")
    client.datasets.push(src, "g/d", message="first")
    assert len(hub.manifest_parts) > 3
    assert [e["path"] for e in hub.datasets[("g", "d")].versions[0]["files"]] == sorted(
        f"file{i:03}.txt" for i in range(40)
    )
    packs = hub.calls["POST /blobs/pack"]
    client.datasets.push(src, "g/d", message="again")
    assert hub.calls["POST /blobs/pack"] == packs
