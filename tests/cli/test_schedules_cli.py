"""``atrium schedules`` against the live server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli.conftest import Cli
from tests.cli.test_commands import make_group

Unique = Callable[[str], str]


def create(cli: Cli, *args: str) -> Any:
    """``schedules create ARGS... --json -- COMMAND``: ``--json`` must come before ``--``."""
    split = args.index("--")
    result = cli("schedules", "create", *args[:split], "--json", *args[split:])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_create_inspect_retime_and_switch(cli: Cli, unique: Unique) -> None:
    group = make_group(cli, unique)
    made = create(
        cli, group, "nightly",
        "--cron", "0 2 * * *", "--tz", "Europe/Paris",
        "--env", "EPOCHS=3", "--env", "NOTE=a=b", "--timeout", "600",
        "--", "python", "-c", "print('trained')",
    )  # fmt: skip
    assert made["status"] == "active" and made["owner"] == "admin"
    assert made["job"]["command"] == ["python", "-c", "print('trained')"]
    assert made["job"]["env"] == {"EPOCHS": "3", "NOTE": "a=b"}
    assert made["job"]["name"] == "nightly" and made["job"]["timeout_seconds"] == 600
    assert all(t.endswith(("+01:00", "+02:00")) for t in made["next_runs"])

    listed = cli("schedules", "list", group)
    assert listed.exit_code == 0 and "nightly" in listed.stdout and "0 2 * * *" in listed.stdout
    shown = cli("schedules", "get", group, "nightly", "--next", "3")
    assert shown.exit_code == 0, shown.output
    assert "Europe/Paris" in shown.stdout and "02:00 +01:00" in shown.stdout
    assert len(cli.json("schedules", "get", group, "nightly", "--next", "3")["next_runs"]) == 3

    weekly = cli.json("schedules", "update", group, "nightly", "--preset", "weekly")
    assert (weekly["preset"], weekly["cron"], weekly["timezone"]) == (
        "weekly",
        "0 0 * * 0",
        "Europe/Paris",
    )
    assert cli.json("schedules", "disable", group, "nightly")["status"] == "disabled"
    assert cli.json("schedules", "enable", group, "nightly")["status"] == "active"
    assert cli.json("schedules", "delete", group, "nightly", "--yes")["deleted"] is True
    assert cli.json("schedules", "list", group) == []


def test_trigger_runs_the_job_now_and_history_shows_it(cli: Cli, unique: Unique) -> None:
    group = make_group(cli, unique)
    create(cli, group, "hourly", "--preset", "hourly", "--", "echo hi")
    run = cli.json("schedules", "trigger", group, "hourly")
    assert run["outcome"] == "submitted" and run["trigger"] == "manual"
    assert run["actor"] == "admin" and run["message"] == f"submitted job {run['job_id']}"
    history = cli.json("schedules", "history", group, "hourly")
    assert [h["job_id"] for h in history] == [run["job_id"]]
    table = cli("schedules", "history", group, "hourly")
    assert table.exit_code == 0 and f"submitted job {run['job_id']}" in table.stdout


def test_bad_input_says_what_is_wrong_and_creates_nothing(cli: Cli, unique: Unique) -> None:
    group = make_group(cli, unique)
    bad_cron = cli("schedules", "create", group, "x", "--cron", "0 25 * * *", "--", "true")
    assert bad_cron.exit_code == 1 and "bad hour" in bad_cron.stderr
    zone = cli(
        "schedules", "create", group, "x", "--preset", "daily", "--tz", "Mars/Base", "--", "true"
    )
    assert zone.exit_code == 1 and "unknown timezone" in zone.stderr
    both = cli(
        "schedules", "create", group, "x", "--preset", "daily", "--cron", "0 1 * * *", "--", "true"
    )
    assert both.exit_code == 1 and "either cron or preset" in both.stderr
    pair = cli(
        "schedules", "create", group, "x", "--preset", "daily", "--env", "NOVALUE", "--", "true"
    )
    assert pair.exit_code == 2 and "NAME=VALUE" in pair.output
    gpu = cli("schedules", "create", group, "x", "--preset", "daily", "-t", "gpu-404", "--", "true")
    assert gpu.exit_code == 1 and "gpu-404" in gpu.stderr
    assert cli.json("schedules", "list", group) == []
    missing = cli("schedules", "get", group, "nope")
    assert missing.exit_code == 1 and "not found" in missing.stderr
    empty = cli("schedules", "update", group, "nope")
    assert empty.exit_code == 2 and "--cron" in empty.output
