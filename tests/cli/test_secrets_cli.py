"""``atrium secrets`` and ``client.secrets`` against the live server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atrium.sdk import Client, Forbidden, ValidationError
from tests.cli.conftest import Cli
from tests.cli.test_commands import make_group

Unique = Callable[[str], str]


def test_set_list_show_delete_without_ever_printing_values(
    cli: Cli, unique: Unique, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = make_group(cli, unique)
    monkeypatch.setenv("MY_DB_PW", "from-env-value")
    assert cli.json("secrets", "set", group, "DB_PW", "--from-env", "MY_DB_PW") == {
        "name": "DB_PW",
        "group": group,
    }
    piped = cli("secrets", "set", group, "API_KEY", "--stdin", input="piped-value\n")
    assert piped.exit_code == 0, piped.output
    prompted = cli("secrets", "set", group, "API_KEY", input="prompted-value\n")  # an update
    assert prompted.exit_code == 0 and "prompted-value" not in prompted.output

    listed = cli.json("secrets", "list", group)
    assert [s["name"] for s in listed] == ["API_KEY", "DB_PW"]
    table = cli("secrets", "list", group).stdout
    assert "DB_PW" in table and "from-env-value" not in table and "piped-value" not in table
    assert cli.json("secrets", "show", group, "DB_PW")["created_by"] == "admin"

    assert cli.json("secrets", "delete", group, "DB_PW", "--yes")["deleted"] is True
    gone = cli("secrets", "show", group, "DB_PW")
    assert gone.exit_code == 1 and "not found" in gone.stderr


def test_bad_names_and_missing_env_explain_what_to_do(cli: Cli, unique: Unique) -> None:
    group = make_group(cli, unique)
    bad = cli("secrets", "set", group, "ATRIUM_TOKEN", "--stdin", input="x")
    assert bad.exit_code == 1 and "set by Atrium" in bad.stderr
    unset = cli("secrets", "set", group, "K", "--from-env", "NOPE_UNSET_1")
    assert unset.exit_code == 2 and "NOPE_UNSET_1 is not set" in unset.output
    assert cli.json("secrets", "list", group) == []


def test_sdk_members_read_names_but_cannot_write(
    live_server: Any, admin_client: Client, unique: Unique
) -> None:
    group, user = unique("g"), unique("u")
    admin_client.groups.create(group)
    admin_client.users.create(user, password="member-pass-1")
    admin_client.members.add(group, user)
    admin_client.secrets.create(group, "TOKEN", "t0ps3cret")
    member = Client(live_server.url)
    member.auth.login(user, "member-pass-1")
    assert [s.name for s in member.secrets.iter_all(group)] == ["TOKEN"]
    with pytest.raises(Forbidden):
        member.secrets.set(group, "TOKEN", "overwritten")
    with pytest.raises(ValidationError):
        admin_client.secrets.create(group, "bad-name", "v")
