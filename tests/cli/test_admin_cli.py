"""``atrium admin gc`` against the live server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli.conftest import Cli
from tests.cli.test_commands import make_group

Unique = Callable[[str], str]


def test_gc_reports_then_applies(cli: Cli, admin_client: Any, unique: Unique) -> None:
    group = make_group(cli, unique)
    run = admin_client.runs.create(group, experiment="gc")
    series = {"key": "loss", "steps": [0, 1, 2], "values": [3.0, 2.0, 1.0]}
    admin_client.runs.log_batch(group, run.id, metrics=[series])
    admin_client.runs.delete(group, run.id)
    # The live server is shared: other tests' deleted runs may count too, never fewer.
    dry = cli.json("admin", "gc")
    assert dry["dry_run"] is True and dry["metric_points"] >= 3
    shown = cli("admin", "gc").stdout
    assert "Would free" in shown and "--apply" in shown
    applied = cli.json("admin", "gc", "--apply")
    assert applied["dry_run"] is False and applied["metric_points"] >= 3
    assert cli.json("admin", "gc")["metric_points"] == 0
    refused = cli("admin", "gc", "--grace", "-1")
    assert refused.exit_code == 2 and "greater than or equal to 0" in refused.output
