"""``atrium jobs`` against the live server, whose scheduler runs jobs on the local executor."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli

Unique = Callable[[str], str]


def submit(cli: Cli, group: str, *args: str) -> dict[str, Any]:
    """``atrium jobs submit GROUP ARGS... --json``: the --json goes before the ``--``."""
    split = args.index("--")
    result = cli("jobs", "submit", group, *args[:split], "--json", *args[split:])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def group(cli: Cli, unique: Unique) -> str:
    name = unique("g")
    cli.json("groups", "create", name)
    return name


def test_submit_wait_logs_artifacts(cli: Cli, group: str, tmp_path: Path) -> None:
    job = submit(
        cli, group, "--name", "train", "-e", "LR=0.1", "--retries", "1",
        "--wait", "--", 'echo "lr=$LR"; echo w > $ATRIUM_ARTIFACTS_DIR/model.bin',
    )  # fmt: skip
    assert (job["status"], job["name"], job["env"], job["max_retries"]) == (
        "succeeded", "train", {"LR": "0.1"}, 1,
    )  # fmt: skip
    job_id = str(job["id"])
    assert cli("jobs", "logs", group, job_id).stdout == "lr=0.1\n"
    assert cli.json("jobs", "logs", group, job_id)["text"] == "lr=0.1\n"
    listed = cli.json("jobs", "artifacts", group, job_id)
    assert [(a["path"], a["size"]) for a in listed] == [("model.bin", 2)]
    saved = cli.json("jobs", "artifacts", group, job_id, "--download", str(tmp_path))
    assert saved == {"saved": [str(tmp_path / "model.bin")]}
    assert (tmp_path / "model.bin").read_text() == "w\n"
    table = cli("jobs", "get", group, job_id)
    assert table.exit_code == 0 and "succeeded" in table.stdout and "train" in table.stdout
    assert "train" in cli("jobs", "list", group).stdout


def test_argv_list_cancel_rerun_and_exit_codes(cli: Cli, group: str) -> None:
    sleeper = submit(cli, group, "--", "sleep", "300")
    assert sleeper["command"] == ["sleep", "300"]
    cancelled = cli.json("jobs", "cancel", group, str(sleeper["id"]))
    assert cancelled["cancel_requested"] or cancelled["status"] == "cancelled"
    waited = cli("jobs", "wait", group, str(sleeper["id"]), "--json")
    assert waited.exit_code == 1 and json.loads(waited.stdout)["status"] == "cancelled"
    failing = cli("jobs", "submit", group, "--wait", "--json", "--", "exit 4")
    assert failing.exit_code == 1 and json.loads(failing.stdout)["exit_code"] == 4
    ok = submit(cli, group, "--wait", "--", "true")
    again = cli.json("jobs", "rerun", group, str(ok["id"]))
    assert again["rerun_of"] == ok["id"]
    assert cli("jobs", "wait", group, str(again["id"])).exit_code == 0
    statuses = {j["status"] for j in cli.json("jobs", "list", group, "--status", "succeeded")}
    assert statuses == {"succeeded"}


def test_wait_timeout_exits_2(cli: Cli, group: str) -> None:
    job = submit(cli, group, "--", "sleep 300")
    result = cli("jobs", "wait", group, str(job["id"]), "--timeout", "0.3")
    assert result.exit_code == 2 and "still" in result.stderr
    cli.json("jobs", "cancel", group, str(job["id"]))


def test_logs_follow(cli: Cli, group: str) -> None:
    job = submit(cli, group, "--", "for i in 1 2; do echo step $i; sleep 0.2; done")
    assert cli("jobs", "logs", group, str(job["id"]), "-f").stdout == "step 1\nstep 2\n"


def test_bad_input_is_reported(cli: Cli, group: str) -> None:
    bad_env = cli("jobs", "submit", group, "-e", "NOEQUALS", "--", "true")
    assert bad_env.exit_code == 2 and "NAME=VALUE" in bad_env.output
    refused = cli("jobs", "submit", group, "-t", "no-such-type", "--", "true")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: instance type 'no-such-type' does not exist")
    missing = cli("jobs", "get", group, "999999")
    assert missing.exit_code == 1 and "not found" in missing.stderr
