"""``atrium datasets`` against the live server: JSON, tables, clean stdout, one-line errors."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import blake3
import pytest

from tests.cli.conftest import Cli

Unique = Callable[[str], str]


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path.parent / f"{tmp_path.name}-cache"
    monkeypatch.setenv("ATRIUM_CACHE_DIR", str(home))
    return home


@pytest.fixture
def dataset(cli: Cli, unique: Unique) -> str:
    group = unique("g")
    cli.json("groups", "create", group)
    name = f"{group}/{unique('d')}"
    created = cli.json("datasets", "create", name, "--description", "pictures")
    assert (created["name"], created["description"], created["latest"]) == (
        name.split("/")[1],
        "pictures",
        None,
    )
    return name


def fill(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def test_push_status_pull_round_trip(cli: Cli, dataset: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    alpha, changed = b"alpha " + os.urandom(8), b"ALPHA! " + os.urandom(8)  # unique contents
    fill(src, {"a.txt": alpha, "sub/b.bin": os.urandom(5000), "c": os.urandom(7)})
    pushed = cli.json("datasets", "push", str(src), dataset, "-m", "first")
    assert (pushed["version"]["name"], pushed["files"], pushed["uploaded_blobs"]) == ("v1", 3, 3)

    status = cli.json("datasets", "status", str(src))
    assert (status["version"], status["added"], status["modified"], status["unchanged"]) == (
        "v1",
        [],
        [],
        3,
    )
    (src / "a.txt").write_bytes(changed)
    (src / "new.txt").write_bytes(os.urandom(9))
    human = cli("datasets", "status", str(src))
    assert human.exit_code == 0
    assert "modified: a.txt" in human.stdout and "added:    new.txt" in human.stdout

    second = cli.json("datasets", "push", str(src), "-m", "second")  # dataset from .atrium/
    assert (second["dataset"], second["version"]["name"], second["uploaded_blobs"]) == (
        dataset,
        "v2",
        2,
    )

    dst = tmp_path / "dst"
    pulled = cli.json("datasets", "pull", f"{dataset}@v1", str(dst))
    assert (pulled["version"], pulled["downloaded_files"]) == ("v1", 3)
    assert (dst / "sub/b.bin").read_bytes() == (src / "sub/b.bin").read_bytes()
    assert (dst / "a.txt").read_bytes() == alpha
    latest = cli("datasets", "pull", dataset, str(dst))
    assert latest.exit_code == 0, latest.output
    assert "downloaded 2" in latest.stdout and "2 already present" in latest.stdout
    assert (dst / "a.txt").read_bytes() == changed


def test_browsing_versions_files_tags_and_diffs(cli: Cli, dataset: str, tmp_path: Path) -> None:
    fill(tmp_path, {"keep": b"k", "gone": b"g"})
    cli.json("datasets", "push", str(tmp_path), dataset, "-m", "one")
    (tmp_path / "gone").unlink()
    fill(tmp_path, {"keep": b"kk", "added": b"a"})
    cli.json("datasets", "push", str(tmp_path), dataset, "-m", "two")

    log = cli.json("datasets", "log", dataset)
    assert [(v["name"], v["message"]) for v in log] == [("v2", "two"), ("v1", "one")]
    assert "two" in cli("datasets", "log", dataset).stdout

    files = cli.json("datasets", "ls", f"{dataset}@v1")
    assert [(f["path"], f["size"]) for f in files] == [("gone", 1), ("keep", 1)]
    assert [f["path"] for f in cli.json("datasets", "ls", dataset, "ad")] == ["added"]

    diff = cli.json("datasets", "diff", dataset, "v1", "v2")
    assert [e["path"] for e in diff["added"]] == ["added"]
    assert [e["path"] for e in diff["removed"]] == ["gone"]
    assert [c["path"] for c in diff["modified"]] == ["keep"]
    assert "1 added, 1 removed, 1 modified" in cli("datasets", "diff", dataset, "v1").stdout

    assert cli.json("datasets", "tag", f"{dataset}@v1", "golden") == {
        "tag": "golden",
        "version": "v1",
    }
    assert cli.json("datasets", "tag", dataset, "newest")["version"] == "v2"
    shown = cli.json("datasets", "show", dataset)
    assert {t["tag"]: t["version"] for t in shown["tags"]}["golden"] == "v1"
    assert shown["latest"] == "v2" and shown["grants"] == []
    cli.json("datasets", "untag", dataset, "golden")
    assert "golden" not in {t["tag"] for t in cli.json("datasets", "show", dataset)["tags"]}

    cat = cli("datasets", "cat", f"{dataset}@v1", "gone")
    assert (cat.exit_code, cat.stdout) == (0, "g")
    blob = cli.json("datasets", "cat", dataset, "keep")
    assert base64.b64decode(blob["base64"]) == b"kk"

    verified = cli.json("datasets", "verify", f"{dataset}@v2")
    assert (verified["checked"], verified["damaged"]) == (2, [])
    assert "all sound" in cli("datasets", "verify", dataset).stdout


def test_verify_exits_1_and_names_the_damaged_file(
    cli: Cli, dataset: str, tmp_path: Path, live_server: Any
) -> None:
    big = os.urandom(5 * 2**20)  # above the pack limit: stored as a file of its own
    fill(tmp_path / "d", {"big.bin": big, "small": os.urandom(9)})
    cli.json("datasets", "push", str(tmp_path / "d"), dataset, "-m", "m")
    [stored] = [p for p in live_server.home.rglob(blake3.blake3(big).hexdigest()) if p.is_file()]
    stored.chmod(0o644)
    stored.write_bytes(b"rot" + big[3:])
    result = cli("datasets", "verify", dataset, "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert (report["checked"], [d["path"] for d in report["damaged"]]) == (2, ["big.bin"])


def test_grants_and_lists(cli: Cli, dataset: str, unique: Unique) -> None:
    other = unique("g")
    cli.json("groups", "create", other)
    granted = cli.json("datasets", "grant", dataset, other, "--access", "write")
    assert (granted["group"], granted["access"]) == (other, "write")
    assert [g["group"] for g in cli.json("datasets", "grants", dataset)] == [other]
    shared = cli.json("datasets", "list", other)
    assert [(d["shared_from"], d["access"]) for d in shared] == [(dataset.split("/")[0], "write")]
    assert cli.json("datasets", "revoke", dataset, other) == {"group": other, "revoked": True}
    assert cli.json("datasets", "list", other) == []
    owned = cli.json("datasets", "list", dataset.split("/")[0])
    assert [d["name"] for d in owned] == [dataset.split("/")[1]]


def test_lists_follow_pages_and_limit_cuts_them(
    cli: Cli, dataset: str, unique: Unique, tmp_path: Path
) -> None:
    many = {f"f{i:03d}": b"x" for i in range(120)}  # more than one page of 50
    fill(tmp_path, many)
    cli.json("datasets", "push", str(tmp_path), dataset, "-m", "one")
    for path in many:
        (tmp_path / path).write_bytes(b"changed")
    cli.json("datasets", "push", str(tmp_path), dataset, "-m", "two")
    tags = [f"t{i:02d}" for i in range(55)]
    for tag in tags:
        cli.json("datasets", "tag", f"{dataset}@v1", tag)
    others = sorted(unique("g") for _ in range(3))
    for other in others:
        cli.json("groups", "create", other)
        cli.json("datasets", "grant", dataset, other)

    assert [t["tag"] for t in cli.json("datasets", "tags", dataset)] == ["latest", *tags]
    cut = cli("datasets", "tags", dataset, "--limit", "3", "--json")
    assert [t["tag"] for t in json.loads(cut.stdout)] == ["latest", "t00", "t01"]
    assert "first 3 tags" in cut.stderr
    assert "t54" in cli("datasets", "tags", dataset).stdout
    assert [g["group"] for g in cli.json("datasets", "grants", dataset)] == others
    assert len(cli.json("datasets", "grants", dataset, "--limit", "2")) == 2
    assert len(cli.json("datasets", "ls", dataset)) == 120
    assert len(cli.json("datasets", "ls", dataset, "--limit", "7")) == 7
    assert len(cli.json("datasets", "log", dataset, "--limit", "1")) == 1
    assert len(cli.json("datasets", "list", dataset.split("/")[0], "--limit", "1")) == 1

    diff = cli.json("datasets", "diff", dataset, "v1", "v2")
    assert [c["path"] for c in diff["modified"]] == sorted(many)
    some = cli("datasets", "diff", dataset, "v1", "--limit", "10")
    assert some.exit_code == 0 and "first 10 changes" in some.stderr
    assert "0 added, 0 removed, 120 modified" in some.stdout and "f009" in some.stdout
    assert "f010" not in some.stdout
    short = cli.json("datasets", "diff", dataset, "v1", "--limit", "10")
    assert len(short["modified"]) == 10 and short["summary"]["modified"] == 120


def test_update_changes_the_description(cli: Cli, dataset: str) -> None:
    updated = cli.json("datasets", "update", dataset, "--description", "bed demand, weekly")
    assert updated["description"] == "bed demand, weekly"
    assert cli.json("datasets", "show", dataset)["description"] == "bed demand, weekly"
    missing = cli("datasets", "update", dataset)
    assert missing.exit_code == 2 and "--description" in missing.stderr


def test_delete_asks_first(cli: Cli, dataset: str) -> None:
    declined = cli("datasets", "delete", dataset, input="n\n")
    assert declined.exit_code == 1
    cli.json("datasets", "show", dataset)
    assert cli.json("datasets", "delete", dataset, "--yes") == {"dataset": dataset, "deleted": True}
    gone = cli("datasets", "show", dataset)
    assert gone.exit_code == 1 and gone.stderr.startswith("Error: ")


def test_delete_one_version_keeps_the_others(cli: Cli, dataset: str, tmp_path: Path) -> None:
    fill(tmp_path, {"f": b"one"})
    cli.json("datasets", "push", str(tmp_path), dataset, "-m", "one")
    fill(tmp_path, {"f": b"two"})
    cli.json("datasets", "push", str(tmp_path), dataset, "-m", "two")
    declined = cli("datasets", "delete", f"{dataset}@v1", input="n\n")
    assert declined.exit_code == 1
    assert [v["name"] for v in cli.json("datasets", "log", dataset)] == ["v2", "v1"]
    deleted = cli.json("datasets", "delete", f"{dataset}@1", "--yes")
    assert deleted == {"dataset": dataset, "version": "v1", "deleted": True}
    assert [v["name"] for v in cli.json("datasets", "log", dataset)] == ["v2"]
    assert cli.json("datasets", "show", dataset)["latest"] == "v2"


def test_pulling_a_version_that_does_not_exist_writes_nothing(
    cli: Cli, dataset: str, tmp_path: Path
) -> None:
    fill(tmp_path / "src", {"f": b"x"})
    cli.json("datasets", "push", str(tmp_path / "src"), dataset, "-m", "m")
    for ref in (f"{dataset}@v9", f"{dataset}:nope"):
        result = cli("datasets", "pull", ref, str(tmp_path / "dst"))
        assert result.exit_code == 1 and result.stderr.startswith("Error: "), result.output
        assert "(not_found" in result.stderr
        assert not (tmp_path / "dst").exists() or not any((tmp_path / "dst").iterdir())


def test_json_stdout_stays_clean_and_errors_are_one_line(
    cli: Cli, dataset: str, tmp_path: Path
) -> None:
    fill(tmp_path / "d", {"f": b"x" * 10})
    result = cli("datasets", "push", str(tmp_path / "d"), dataset, "-m", "m", "--json")
    assert result.exit_code == 0
    json.loads(result.stdout)  # nothing but the JSON document

    untracked = cli("datasets", "status", str(tmp_path))
    assert untracked.exit_code == 1
    assert untracked.stderr.startswith("Error: ") and "(not_tracked)" in untracked.stderr

    bad = cli("datasets", "pull", "no-slash", str(tmp_path / "x"))
    assert bad.exit_code == 2 and "GROUP/NAME" in bad.stderr

    (tmp_path / "d" / "link").symlink_to("/etc/hostname")
    unsafe = cli("datasets", "push", str(tmp_path / "d"), dataset)
    assert unsafe.exit_code == 1 and "outside the directory" in unsafe.stderr
