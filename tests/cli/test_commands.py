"""Resource commands against the live server: JSON output, tables, confirmations, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from atrium.sdk import Client
from tests.cli.conftest import Cli

Unique = Callable[[str], str]
PASSWORD = "user-pass-123"


def make_group(cli: Cli, unique: Unique) -> str:
    name = unique("g")
    assert cli.json("groups", "create", name)["name"] == name
    return name


def make_user(cli: Cli, unique: Unique) -> str:
    username = unique("u")
    assert cli.json("users", "create", username, "--password", PASSWORD)["username"] == username
    return username


def test_users(cli: Cli, unique: Unique, live_server: Any) -> None:
    username = unique("u")
    created = cli.json(
        "users", "create", username, "-p", PASSWORD, "--email", f"{username}@example.org"
    )
    assert (created["username"], created["email"], created["enabled"]) == (
        username,
        f"{username}@example.org",
        True,
    )
    assert [u["username"] for u in cli.json("users", "list", "-q", username)] == [username]
    assert username in cli("users", "list").stdout  # the table
    disabled = cli.json("users", "update", username, "--disable", "--display-name", "Ann")
    assert (disabled["enabled"], disabled["display_name"]) == (False, "Ann")
    cli.json("users", "update", username, "--enable")

    assert cli.json("users", "set-password", username, "-p", "other-pass-456")["password_set"]
    Client(live_server.url).auth.login(username, "other-pass-456")

    declined = cli("users", "delete", username, input="n\n")
    assert declined.exit_code == 1
    assert cli.json("users", "get", username)["username"] == username
    assert cli.json("users", "delete", username, "--yes") == {"username": username, "deleted": True}
    gone = cli("users", "get", username)
    assert gone.exit_code == 1
    assert gone.stdout == ""
    assert gone.stderr.startswith(f"Error: user '{username}' not found (not_found, request id ")


def test_set_password_prompts_twice(cli: Cli, unique: Unique, live_server: Any) -> None:
    username = make_user(cli, unique)
    result = cli("users", "set-password", username, input="prompted-pass-1\nprompted-pass-1\n")
    assert result.exit_code == 0, result.output
    assert "prompted-pass-1" not in result.output
    Client(live_server.url).auth.login(username, "prompted-pass-1")


def test_update_without_changes_is_a_usage_error(cli: Cli, unique: Unique) -> None:
    result = cli("users", "update", unique("u"))
    assert result.exit_code == 2
    assert "nothing to change" in result.stderr


def test_validation_error_shows_fields(cli: Cli) -> None:
    result = cli("groups", "create", "Not A Valid Name")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "(validation_error, request id " in lines[0]
    assert any(line.strip().startswith("name:") for line in lines[1:])


def test_groups(cli: Cli, unique: Unique) -> None:
    name = unique("g")
    created = cli.json("groups", "create", name, "--display-name", "G", "--description", "d")
    assert (created["name"], created["display_name"], created["member_count"]) == (name, "G", 0)
    assert name in [g["name"] for g in cli.json("groups", "list")]
    assert cli.json("groups", "update", name, "--description", "new")["description"] == "new"
    assert cli.json("groups", "get", name)["description"] == "new"
    assert name in cli("groups", "get", name).stdout

    cli.json("invitations", "create", name)
    preview = cli.json("groups", "delete", name, "--preview")
    assert (preview["deleted"], preview["resources"]["invitations"]) == (False, 1)
    confirmed = cli("groups", "delete", name, "--json", input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "1 invitations" in confirmed.stderr  # the confirmation says what goes with it
    # CliRunner echoes the typed "y" onto stdout, where a terminal would have shown it.
    assert json.loads(confirmed.stdout[confirmed.stdout.index("{") :])["deleted"] is True
    assert cli("groups", "get", name).exit_code == 1


def test_members(cli: Cli, unique: Unique) -> None:
    group, username = make_group(cli, unique), make_user(cli, unique)
    added = cli.json("members", "add", group, username)
    assert (added["username"], added["role"]) == (username, "member")
    assert [m["username"] for m in cli.json("members", "list", group)] == [username]
    assert cli.json("members", "set-role", group, username, "admin")["role"] == "admin"
    assert cli("members", "set-role", group, username, "owner").exit_code == 2
    removed = cli.json("members", "remove", group, username, "--yes")
    assert removed == {"group": group, "username": username, "removed": True}
    assert cli.json("members", "list", group) == []


def test_quota_set_get_and_usage(cli: Cli, unique: Unique) -> None:
    group = make_group(cli, unique)
    quota = cli.json(
        "quota", "set", group, "--memory", "16Gi", "--cpu", "8", "--gpu", "2", "--storage", "10Gi"
    )
    assert quota["memory"] == 17179869184
    assert (quota["cpu"], quota["gpu"], quota["storage_bytes"]) == (8, 2, 10 * 2**30)
    assert cli.json("quota", "set", group, "--gpu", "none")["gpu"] is None
    assert cli.json("quota", "get", group)["memory"] == 17179869184
    table = cli("quota", "get", group).stdout
    assert "16Gi" in table
    assert "unlimited" in table

    usage = cli.json("quota", "usage", group)
    assert usage["resources"]["memory"] == {"used": 0, "limit": 17179869184}
    bars = cli("quota", "usage", group).stdout
    assert "Memory" in bars
    assert "0%" in bars


def test_quota_rejects_bad_values_as_usage_errors(cli: Cli, unique: Unique) -> None:
    group = make_group(cli, unique)
    bad = cli("quota", "set", group, "--gpu", "lots")
    assert bad.exit_code == 2
    assert "--gpu" in bad.stderr
    assert cli("quota", "set", group).exit_code == 2


def test_member_quota(cli: Cli, unique: Unique) -> None:
    group, username = make_group(cli, unique), make_user(cli, unique)
    cli.json("members", "add", group, username)
    cli.json("quota", "set", group, "--memory", "16Gi")
    member = cli.json("quota", "set", group, "--user", username, "--memory", "4Gi")
    assert member["memory"] == 4 * 2**30
    assert cli.json("quota", "get", group, "-u", username)["memory"] == 4 * 2**30


def test_instance_types(cli: Cli, unique: Unique) -> None:
    name, group = unique("it"), make_group(cli, unique)
    created = cli.json(
        "instance-types", "create", name, "--cpu", "4", "--memory", "16Gi", "--gpu", "1",
        "--no-global", "--group", group,
    )  # fmt: skip
    assert (created["cpu"], created["memory"], created["gpu"]) == (4, 16 * 2**30, 1)
    assert (created["is_global"], created["groups"]) == (False, [group])
    listed = cli.json("instance-types", "list", "--group", group)
    assert name in [i["name"] for i in listed]
    assert "16Gi" in cli("instance-types", "get", name).stdout
    assert cli.json("instance-types", "update", name, "--cpu", "8")["cpu"] == 8
    assert cli.json("instance-types", "delete", name, "-y") == {"name": name, "deleted": True}
    assert cli("instance-types", "get", name).exit_code == 1


def test_tokens(cli: Cli, live_server: Any) -> None:
    created = cli.json("tokens", "create", "cli-test", "--expires-in-days", "3")
    assert Client(live_server.url, created["token"]).me().username == "admin"
    assert created["id"] in [t["id"] for t in cli.json("tokens", "list")]
    plain = cli("tokens", "create", "cli-plain")
    assert plain.exit_code == 0
    assert "not shown again" in plain.stderr
    assert cli.json("tokens", "revoke", created["id"], "--yes")["revoked"] is True
    assert cli("whoami", env={"ATRIUM_TOKEN": created["token"]}).exit_code == 1


def test_invitations(cli: Cli, unique: Unique, live_server: Any, isolated_config: Path) -> None:
    group = make_group(cli, unique)
    invitation = cli.json("invitations", "create", group, "--role", "admin")
    preview = cli.json("invitations", "preview", invitation["token"])
    assert (preview["group"], preview["role"]) == (group, "admin")

    username = unique("joiner")
    accepted = cli.json(
        "invitations", "accept", invitation["token"], "-u", username, "-p", PASSWORD
    )
    assert (accepted["group"], accepted["user"]["username"]) == (group, username)
    assert accepted["logged_in"] is True
    stored = json.loads(isolated_config.read_text())
    assert Client(live_server.url, stored["token"]).me().username == username

    listed = cli.json("invitations", "list", group)
    assert [(i["id"], i["used_by"]) for i in listed] == [(invitation["id"], username)]
    second = cli.json("invitations", "create", group)
    assert cli.json("invitations", "revoke", second["id"], "--yes")["revoked"] is True
    assert cli("invitations", "preview", second["token"]).exit_code == 1


def test_audit(cli: Cli, unique: Unique) -> None:
    group = make_group(cli, unique)
    events = cli.json("audit", "list", "--group", group, "--action", "group.create")
    assert [(e["action"], e["resource_id"], e["actor"]) for e in events] == [
        ("group.create", group, "admin")
    ]
    assert cli.json("audit", "list", "--group", group, "--since", "1h")
    assert cli.json("audit", "list", "--group", group, "--until", "2000-01-01") == []
    make_group(cli, unique)
    limited = cli("audit", "list", "--action", "group.create", "--limit", "1", "--json")
    assert len(json.loads(limited.stdout)) == 1
    assert "--all" in limited.stderr
    assert len(cli.json("audit", "list", "--action", "group.create", "--all")) >= 2
    assert cli("audit", "list", "--since", "yesterday").exit_code == 2
