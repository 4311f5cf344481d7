"""``atrium models`` against the live server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.conftest import Cli
from tests.cli.test_commands import make_group

Unique = Callable[[str], str]
MLMODEL = b"flavors:\n  sklearn:\n    pickled_model: model.pkl\n"


def _run_with_model(admin_client: Any, group: str) -> str:
    run = admin_client.runs.create(group, experiment="cli", name="trainer", params={"lr": "0.1"})
    admin_client.runs.log_batch(
        group, run.id, metrics=[{"key": "acc", "steps": [0], "values": [0.9]}]
    )
    for path, data in {"model/MLmodel": MLMODEL, "model/model.pkl": b"pkl"}.items():
        admin_client.runs.upload_bytes(group, run.id, data, path)
    return str(run.id)


def test_register_alias_get_download_lineage_delete(
    cli: Cli, admin_client: Any, unique: Unique, tmp_path: Path
) -> None:
    group = make_group(cli, unique)
    run_id = _run_with_model(admin_client, group)
    made = cli.json("models", "register", group, "clf", "--run", run_id)
    assert (made["version"], made["status"], made["flavors"]) == (1, "ready", ["sklearn"])
    source = tmp_path / "src"
    source.mkdir()
    (source / "w.bin").write_bytes(b"weights")
    uploaded = cli.json("models", "register", group, "clf", "--dir", str(source))
    assert (uploaded["version"], uploaded["source"], uploaded["file_count"]) == (2, "upload", 1)

    listed = cli.json("models", "list", group)
    assert [(m["name"], m["latest_version"]) for m in listed] == [("clf", 2)]
    assert [v["version"] for v in cli.json("models", "versions", group, "clf")] == [2, 1]
    assert "sklearn" in cli("models", "versions", group, "clf").stdout

    moved = cli.json("models", "alias", group, "clf", "production", "1")
    assert (moved["alias"], moved["version"]) == ("production", 1)
    assert cli.json("models", "alias", group, "clf", "production")["version"] == 1
    assert cli.json("models", "get", group, "clf")["aliases"] == {"production": 1}
    by_ref = cli.json("models", "get", group, "models:/clf@production")
    assert by_ref["version"] == 1 and by_ref["metrics"] == {"acc": 0.9}
    assert "production=1" in cli("models", "get", group, "clf").stdout
    moves = cli.json("models", "history", group, "clf")
    assert [(m["from_version"], m["to_version"]) for m in moves] == [(None, 1)]

    out = tmp_path / "out"
    got = cli.json("models", "download", group, "models:/clf/1", "--dir", str(out))
    assert got == {"ref": "models:/clf/1", "directory": str(out), "files": 2}
    assert (out / "model.pkl").read_bytes() == b"pkl"

    found = cli.json("models", "lineage", group, "models:/clf@production")
    assert found["run"]["id"] == run_id and found["run"]["params"] == {"lr": "0.1"}
    assert "trainer" in cli("models", "lineage", group, "models:/clf/1").stdout

    gone = cli.json("models", "delete", group, "clf", "--version", "1", "--yes")
    assert gone == {"model": "clf", "version": 1, "deleted": True}
    assert cli.json("models", "get", group, "clf")["aliases"] == {}


def test_errors_are_readable(cli: Cli, admin_client: Any, unique: Unique) -> None:
    group = make_group(cli, unique)
    missing = cli("models", "get", group, "nope")
    assert missing.exit_code == 1 and "not found" in missing.stderr
    bad_ref = cli("models", "lineage", group, "clf@prod")
    assert bad_ref.exit_code != 0 and "models:/" in bad_ref.output
    both = cli("models", "register", group, "clf")
    assert both.exit_code == 2 and "--run or --dir" in both.output
    cli.json("models", "register", group, "clf", "--run", _run_with_model(admin_client, group))
    pending_alias = cli("models", "alias", group, "clf", "production", "7")
    assert pending_alias.exit_code == 1 and "version 7" in pending_alias.stderr
    reserved = cli("models", "alias", group, "clf", "latest", "1")
    assert reserved.exit_code == 1 and "latest" in reserved.stderr


def test_help_explains_refs(cli: Cli) -> None:
    shown = cli("models", "--help").stdout
    assert "models:/NAME@production" in shown
    for command in ("list", "get", "versions", "register", "alias", "download", "delete"):
        assert command in shown
    assert "--json" in cli("models", "lineage", "--help").stdout
