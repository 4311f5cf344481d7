"""``atrium up``, ``atrium server`` and ``atrium db upgrade``: the operator's first commands."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from atrium.cli import serve
from atrium.cli.main import app

GENERATED = re.compile(r"Created platform admin 'admin' with password: (\S+)")
UNSET = ("ATRIUM_ADMIN_PASSWORD", "ATRIUM_DATABASE_URL", "ATRIUM_HOME", "ATRIUM_PORT")


def test_up_prints_a_generated_admin_password_once_and_it_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first start creates ``admin`` and shows its password; a restart shows nothing."""
    apps: list[Any] = []
    # Stop short of uvicorn: everything up to serving (migrate, bootstrap, print) runs.
    monkeypatch.setattr(serve, "_serve", lambda app, settings: apps.append(app))
    argv = ["up", "--home", str(tmp_path / "home"), "--port", "8431"]
    first = CliRunner().invoke(app, argv, env=dict.fromkeys(UNSET))
    assert first.exit_code == 0, first.output
    password = GENERATED.search(first.stdout)
    assert password is not None, first.stdout
    body = {"username": "admin", "password": password.group(1)}
    login = TestClient(apps[0]).post("/api/v1/auth/login", json=body)
    assert login.status_code == 200 and login.json()["token"]

    again = CliRunner().invoke(app, argv, env=dict.fromkeys(UNSET))
    assert again.exit_code == 0, again.output
    assert "Created platform admin" not in again.stdout
    assert password.group(1) not in again.stdout


def test_up_uses_the_admin_password_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps: list[Any] = []
    monkeypatch.setattr(serve, "_serve", lambda app, settings: apps.append(app))
    env = {**dict.fromkeys(UNSET), "ATRIUM_ADMIN_PASSWORD": "chosen-admin-pass"}
    result = CliRunner().invoke(app, ["up", "--home", str(tmp_path / "home")], env=env)
    assert result.exit_code == 0, result.output
    assert "with the password from ATRIUM_ADMIN_PASSWORD" in result.stdout
    assert "chosen-admin-pass" not in result.stdout
    body = {"username": "admin", "password": "chosen-admin-pass"}
    assert TestClient(apps[0]).post("/api/v1/auth/login", json=body).status_code == 200


def test_server_bootstraps_on_the_database_it_is_given(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``atrium server`` on a migrated PostgreSQL (and SQLite) database creates the admin."""
    apps: list[Any] = []
    monkeypatch.setattr(serve, "_serve", lambda app, settings: apps.append(app))
    env = {
        **dict.fromkeys(UNSET),
        "ATRIUM_HOME": str(tmp_path / "home"),
        "ATRIUM_ADMIN_PASSWORD": "team-admin-pass",
    }
    result = CliRunner().invoke(app, ["server", "--database-url", db_url], env=env)
    assert result.exit_code == 0, result.output
    assert "with the password from ATRIUM_ADMIN_PASSWORD" in result.stdout
    client = TestClient(apps[0])
    body = {"username": "admin", "password": "team-admin-pass"}
    token = client.post("/api/v1/auth/login", json=body).json()["token"]
    types = client.get("/api/v1/instance-types", headers={"Authorization": f"Bearer {token}"})
    assert [t["name"] for t in types.json()["items"]] == ["cpu-1"]


def test_db_upgrade_migrates_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'team.db'}"
    for _ in range(2):
        argv = ["db", "upgrade", "--database-url", url]
        result = CliRunner().invoke(app, argv, env=dict.fromkeys(UNSET))
        assert result.exit_code == 0, result.output
        assert "database is up to date" in result.stdout
    as_json = CliRunner().invoke(app, [*argv, "--json"], env=dict.fromkeys(UNSET))
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == {"up_to_date": True}
    with sqlite3.connect(tmp_path / "team.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone()


def test_server_needs_a_database_url() -> None:
    result = CliRunner().invoke(app, ["server"], env=dict.fromkeys(UNSET))
    assert result.exit_code == 2
    assert "--database-url" in result.output


@pytest.mark.parametrize("path", [("up",), ("server",), ("db",), ("db", "upgrade")])
def test_server_commands_and_their_options_have_help(path: tuple[str, ...]) -> None:
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    assert (command.help or "").strip(), path
    for param in command.params:
        assert (getattr(param, "help", None) or "").strip(), (path, param.name)
    assert CliRunner().invoke(app, [*path, "--help"]).exit_code == 0
