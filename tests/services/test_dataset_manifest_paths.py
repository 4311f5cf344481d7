"""The shortcut for plainly safe manifest paths accepts nothing the full rules refuse."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from atrium.server.domain import manifest
from atrium.server.domain.errors import InvalidInput

# Mostly the characters the rules are about, so that generated paths hit them.
PATHS = st.text(st.sampled_from("ab_-.:/\\\x00\x07\u0301é"), max_size=12) | st.text(max_size=12)


def _verdict(path: str) -> str | None:
    try:
        manifest.check_path(path)
    except InvalidInput as exc:
        return str(exc)
    return None


@given(PATHS)
@example("a/../b")
@example("x" * 1025)
@example("C:x")
@example("a/.")
@example("-/..")
def test_the_shortcut_agrees_with_the_full_rules(path: str) -> None:
    fast = _verdict(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest, "_PLAIN", lambda _: None)
        full = _verdict(path)
    assert fast == full
