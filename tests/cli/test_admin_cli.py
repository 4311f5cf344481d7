"""``atrium admin gc`` against the live server."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import blake3
import httpx

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


def test_gc_frees_the_blobs_of_a_deleted_dataset_version(
    cli: Cli, unique: Unique, tmp_path: Path
) -> None:
    dataset = f"{make_group(cli, unique)}/{unique('d')}"
    cli.json("datasets", "create", dataset)
    only_v1 = os.urandom(3000)
    for content in (only_v1, os.urandom(10)):
        (tmp_path / "f").write_bytes(content)
        cli.json("datasets", "push", str(tmp_path), dataset, "-m", "m")
    cli.json("datasets", "delete", f"{dataset}@v1", "--yes")
    dry = cli.json("admin", "gc", "--grace", "0")
    assert dry["dry_run"] is True and dry["blobs"] >= 1 and dry["bytes"] >= len(only_v1)
    assert "Would free" in cli("admin", "gc", "--grace", "0").stdout
    digest = blake3.blake3(only_v1).hexdigest()
    base = f"{cli.url}/api/v1/groups/{dataset.replace('/', '/datasets/')}"

    def missing() -> list[str]:
        body = {"hashes": [digest]}
        headers = {"Authorization": f"Bearer {cli.token}"}
        found = httpx.post(f"{base}/blobs/missing", json=body, headers=headers).json()
        return list(found["missing"])

    assert missing() == []  # still stored: deleting a version frees nothing by itself
    applied = cli.json("admin", "gc", "--grace", "0", "--apply")
    assert applied["dry_run"] is False and applied["bytes"] >= len(only_v1)
    assert missing() == [digest]
    assert [v["name"] for v in cli.json("datasets", "log", dataset)] == ["v2"]
