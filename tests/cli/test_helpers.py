"""Parsing and formatting helpers of the CLI, without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import typer

from atrium.cli._common import bytes_input, parse_time
from atrium.cli._output import fmt_bytes, to_jsonable
from atrium.cli.quota import _parse_limit, usage_bar
from atrium.sdk import Quota


@pytest.mark.parametrize(
    ("value", "text"),
    [(17179869184, "16Gi"), (512 * 2**20, "512Mi"), (1.5 * 2**30, "1.5Gi"), (100, "100B")],
)
def test_fmt_bytes(value: float, text: str) -> None:
    assert fmt_bytes(value) == text


def test_bytes_input_passes_suffixes_to_the_server() -> None:
    assert (bytes_input("1024"), bytes_input(" 16Gi ")) == (1024, "16Gi")


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("cpu", "0.5", 0.5),
        ("cpu", "8", 8),
        ("gpu", "2", 2),
        ("memory", "16Gi", "16Gi"),
        ("storage_bytes", "Unlimited", None),
        ("running_jobs", "none", None),
    ],
)
def test_parse_limit(key: str, raw: str, value: object) -> None:
    assert _parse_limit(key, raw) == value


def test_parse_limit_rejects_non_numbers() -> None:
    with pytest.raises(typer.BadParameter):
        _parse_limit("gpu", "1.5")


def test_parse_time_accepts_durations_and_iso() -> None:
    parsed = parse_time("2h")
    ago = datetime.now(UTC) - parsed
    assert timedelta(hours=2) <= ago < timedelta(hours=2, minutes=1)
    assert parse_time("2026-01-02T03:04:05+00:00") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("2026-01-02").tzinfo is not None
    with pytest.raises(typer.BadParameter):
        parse_time("last tuesday")


def test_usage_bar() -> None:
    assert usage_bar(5, 10).plain == "█" * 10 + "░" * 10 + " 50%"
    assert usage_bar(30, 10).plain.endswith("300%")
    assert usage_bar(1, None).plain == "no limit"


def test_to_jsonable_handles_dataclasses_and_datetimes() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    assert to_jsonable({"q": Quota(memory=1), "t": when}) == {
        "q": {
            "cpu": None,
            "memory": 1,
            "gpu": None,
            "running_jobs": None,
            "deployments": None,
            "storage_bytes": None,
        },
        "t": "2026-01-01T00:00:00+00:00",
    }
