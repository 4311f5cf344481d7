"""login / logout / whoami, the stored config, global options and error reporting."""

from __future__ import annotations

import json
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

from atrium.sdk import Client, Unauthenticated
from tests.cli.conftest import Cli

SIGNED_OUT = {"ATRIUM_URL": None, "ATRIUM_TOKEN": None}


def login(cli: Cli, live_server: Any, *extra: str) -> Any:
    result = cli(
        "login",
        "--url",
        live_server.url,
        "--username",
        "admin",
        *extra,
        env=SIGNED_OUT,
        input=None if "--password" in extra else f"{live_server.admin_password}\n",
    )
    assert result.exit_code == 0, result.output
    return result


def test_login_stores_url_and_token_owner_only(
    cli: Cli, live_server: Any, isolated_config: Path
) -> None:
    result = login(cli, live_server, "--password", live_server.admin_password)
    assert f"Logged in to {live_server.url} as admin" in result.stdout
    assert stat.S_IMODE(isolated_config.stat().st_mode) == 0o600
    stored = json.loads(isolated_config.read_text())
    assert stored["url"] == live_server.url
    assert Client(live_server.url, stored["token"]).me().username == "admin"

    me = cli.json("whoami", env=SIGNED_OUT)  # no env: the stored login is used
    assert (me["username"], me["is_admin"]) == ("admin", True)


def test_login_prompts_for_a_hidden_password(
    cli: Cli, live_server: Any, isolated_config: Path
) -> None:
    result = login(cli, live_server)
    assert live_server.admin_password not in result.output
    assert json.loads(isolated_config.read_text())["token"]


def test_login_with_api_token(cli: Cli, live_server: Any, admin_client: Client) -> None:
    token = admin_client.tokens.create("cli-login").token
    result = cli("login", "--url", live_server.url, "--token", token, "--json", env=SIGNED_OUT)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["username"] == "admin"
    assert cli.json("whoami", env=SIGNED_OUT)["username"] == "admin"


def test_logout_revokes_the_session_and_keeps_the_url(
    cli: Cli, live_server: Any, isolated_config: Path
) -> None:
    login(cli, live_server, "--password", live_server.admin_password)
    token = json.loads(isolated_config.read_text())["token"]
    assert cli.json("logout", env=SIGNED_OUT) == {"logged_out": True, "session_revoked": True}
    assert json.loads(isolated_config.read_text()) == {"url": live_server.url}
    with pytest.raises(Unauthenticated):
        Client(live_server.url, token).me()
    failed = cli("whoami", env=SIGNED_OUT)
    assert failed.exit_code == 1
    assert "atrium login" in failed.stderr


def test_wrong_password_exits_1_with_message_code_request_id_and_hint(
    cli: Cli, live_server: Any, isolated_config: Path
) -> None:
    result = cli(
        "login", "-u", "admin", "-p", "wrong-password", "--url", live_server.url, env=SIGNED_OUT
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    first, *rest = result.stderr.splitlines()
    assert first.startswith("Error: ")
    assert "(unauthenticated, request id " in first
    assert any(line.startswith("Hint: ") for line in rest)
    assert not isolated_config.exists()


def test_unreachable_server_names_the_url(cli: Cli) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    result = cli("whoami", env={"ATRIUM_URL": url})
    assert result.exit_code == 1
    assert url in result.stderr
    assert "is the server running?" in result.stderr


def test_global_options_override_env(cli: Cli, live_server: Any) -> None:
    bogus = {"ATRIUM_URL": "http://127.0.0.1:9", "ATRIUM_TOKEN": "bogus"}
    assert cli.token is not None
    result = cli("--url", live_server.url, "--token", cli.token, "whoami", "--json", env=bogus)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["username"] == "admin"


def test_version_and_usage_errors(cli: Cli) -> None:
    assert cli("--version").stdout.startswith("atrium ")
    assert cli("users", "get").exit_code == 2  # missing argument
    assert cli("no-such-command").exit_code == 2
