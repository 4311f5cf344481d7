"""``atrium usage report`` and ``client.usage`` against the live server."""

from __future__ import annotations

import csv
import io
from typing import Any

from atrium.sdk import Client
from tests.cli.conftest import Cli


def test_report_in_every_format(cli: Cli, admin_client: Client) -> None:
    sdk = admin_client.usage.report(month="2001-01")  # long before any test ran anything
    assert (sdk.month, sdk.lines, sdk.scope) == ("2001-01", [], "all")
    as_json = cli.json("usage", "report", "--month", "2001-01")
    assert as_json["month"] == "2001-01" and as_json["lines"] == []
    text = cli("usage", "report", "--month", "2001-01")
    assert text.exit_code == 0 and "No allocations in this month." in text.stdout
    as_csv = cli("usage", "report", "--month", "2001-01", "--csv")
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        ["group", "user", "cpu_core_hours", "memory_gb_hours", "gpu_hours", "attempts"]
    ]


def test_bad_month_says_what_to_type(cli: Cli, live_server: Any) -> None:
    bad = cli("usage", "report", "--month", "November")
    assert bad.exit_code == 1 and "month must look like 2026-11" in bad.stderr
