"""Parsing and formatting helpers of the CLI, without a server."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import typer

from atrium.cli._common import bytes_input, parse_time
from atrium.cli._datasets_view import ProgressBars
from atrium.cli._output import fmt_bytes, to_jsonable
from atrium.cli.quota import _parse_limit, usage_bar
from atrium.sdk import Quota
from atrium.sdk.datasets import Progress


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


def test_progress_bars_show_phase_bytes_files_and_rate(capsys: pytest.CaptureFixture[str]) -> None:
    with ProgressBars(enabled=True) as bars:
        bars(Progress("hash", 0, 2, 512, 2048))
        bars(Progress("hash", 0, 2, 768, 2048))
        time.sleep(0.05)  # a rate needs two samples some time apart
        bars(Progress("hash", 1, 2, 1024, 2048))
        bars(Progress("upload", 2, 2, 4 * 2**20, 4 * 2**20))
    hashing, uploading = capsys.readouterr().err.splitlines()
    assert "Hashing" in hashing and "1.0/2.0 KiB" in hashing and "1/2 files" in hashing
    assert re.search(r"\d [kMG]?B/s", hashing), hashing  # the rate
    assert "Uploading" in uploading and "4.0/4.0 MiB" in uploading and "2/2 files" in uploading


def test_progress_bars_are_silent_when_disabled(capsys: pytest.CaptureFixture[str]) -> None:
    with ProgressBars(enabled=False) as bars:
        bars(Progress("download", 1, 1, 10, 10))
    assert capsys.readouterr() == ("", "")
