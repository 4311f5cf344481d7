"""SDK test fixtures: an isolated config dir and unique resource names."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never read the developer's own login or environment."""
    config_home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.delenv("ATRIUM_URL", raising=False)
    monkeypatch.delenv("ATRIUM_TOKEN", raising=False)
    return config_home / "atrium" / "config.json"


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Names that do not collide across tests sharing one server."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"
