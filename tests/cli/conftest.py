"""CLI test fixtures: an isolated config dir, unique names and a runner bound to the server."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from atrium.cli import _output
from atrium.cli.main import app


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


@dataclass
class Cli:
    """Runs ``atrium`` in-process against the live server, as admin unless told otherwise."""

    url: str | None
    token: str | None

    def __call__(
        self, *args: str, input: str | None = None, env: Mapping[str, str | None] | None = None
    ) -> Result:
        """Run a command; ``env`` overrides (None unsets) ATRIUM_URL / ATRIUM_TOKEN."""
        full_env = {"ATRIUM_URL": self.url, "ATRIUM_TOKEN": self.token, **(env or {})}
        return CliRunner().invoke(app, list(args), input=input, env=full_env)

    def json(self, *args: str, **kwargs: Any) -> Any:
        """Run with ``--json``; the command must succeed and print JSON only."""
        result = self(*args, "--json", **kwargs)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(live_server: Any, admin_client: Any, monkeypatch: pytest.MonkeyPatch) -> Cli:
    # Wide enough that table cells are never wrapped, so tests can look for whole values.
    monkeypatch.setattr(_output.console, "width", 250)
    return Cli(url=live_server.url, token=admin_client.token)
