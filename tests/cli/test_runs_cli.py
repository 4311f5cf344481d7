"""``atrium runs`` and ``atrium experiments`` against the live server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atrium.sdk import Client
from tests.cli.conftest import Cli
from tests.cli.test_commands import make_group

Unique = Callable[[str], str]


def _runs(admin_client: Client, group: str) -> list[str]:
    ids = []
    for i, lr in enumerate(("0.1", "0.01")):
        run = admin_client.runs.create(group, experiment="cli", name=f"r{i}", params={"lr": lr})
        series = {"key": "acc", "steps": [0, 1, 2], "values": [0.1, 0.2, 0.5 + i / 10]}
        admin_client.runs.log_batch(group, run.id, metrics=[series])
        ids.append(run.id)
    return ids


def test_list_get_compare_history_delete(cli: Cli, admin_client: Any, unique: Unique) -> None:
    group = make_group(cli, unique)
    first, second = _runs(admin_client, group)
    listed = cli.json("runs", "list", group, "--filter", "metrics.acc > 0.55")
    assert [r["name"] for r in listed] == ["r1"]
    ordered = cli.json("runs", "list", group, "--order-by", "metrics.acc", "-e", "cli")
    assert [r["name"] for r in ordered] == ["r0", "r1"]
    table = cli("runs", "list", group).stdout
    assert "r0" in table and "r1" in table and "running" in table

    shown = cli.json("runs", "get", group, first)
    assert shown["params"] == {"lr": "0.1"} and shown["metrics"]["acc"]["value"] == 0.5
    detail = cli("runs", "get", group, first).stdout
    assert "acc" in detail and "0.5" in detail and "lr" in detail

    compared = cli.json("runs", "compare", group, first, second)
    assert compared["params"]["lr"] == ["0.1", "0.01"] and compared["differing_params"] == ["lr"]
    assert "params.lr *" in cli("runs", "compare", group, first, second).stdout

    history = cli.json("runs", "history", group, second, "acc")
    assert history["steps"] == [0, 1, 2] and history["values"][-1] == 0.6
    assert "0.6" in cli("runs", "history", group, second, "acc", "--max-points", "10").stdout

    assert cli.json("runs", "delete", group, first, "--yes") == {"id": first, "deleted": True}
    gone = cli("runs", "get", group, first)
    assert gone.exit_code == 1 and "not found" in gone.stderr


def test_bad_filters_and_experiments(cli: Cli, unique: Unique) -> None:
    group = make_group(cli, unique)
    bad = cli("runs", "list", group, "--filter", "metrics.acc >")
    assert bad.exit_code == 1 and "at position 13" in bad.stderr
    made = cli.json("experiments", "create", group, "baseline", "--description", "first try")
    assert made["name"] == "baseline" and made["description"] == "first try"
    assert [e["name"] for e in cli.json("experiments", "list", group)] == ["baseline"]
    assert "baseline" in cli("experiments", "list", group).stdout
    again = cli("experiments", "create", group, "baseline")
    assert again.exit_code == 1 and "already exists" in again.stderr
