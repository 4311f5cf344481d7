"""Datasets end to end against the real server over HTTP: push, pull, open, status, the rest."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from blake3 import blake3

from atrium.sdk import Client, Conflict, NotFound, ValidationError
from atrium.sdk.datasets import Progress
from atrium.sdk.datasets import hashing as hashing_module
from atrium.sdk.datasets.scan import LocalFile

Unique = Callable[[str], str]
MiB = 1024 * 1024
PASSWORD = "user-pass-123"


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path.parent / f"{tmp_path.name}-cache"
    monkeypatch.setenv("ATRIUM_CACHE_DIR", str(home))
    return home


@pytest.fixture
def dataset(admin_client: Client, unique: Unique) -> Iterator[str]:
    group = unique("dsg")
    admin_client.groups.create(group)
    name = f"{group}/{unique('ds')}"
    admin_client.datasets.create(name, description="test data")
    yield name


def make_tree(root: Path, files: int = 200) -> dict[str, bytes]:
    contents = {f"small/f{i:04d}.bin": os.urandom(4096) for i in range(files)}
    contents |= {
        "medium.bin": os.urandom(6 * MiB),
        "empty": b"",
        "dup.bin": contents["small/f0000.bin"],
    }
    contents["big.bin"] = os.urandom(64 * MiB + 4321)  # two chunks
    for name, data in contents.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "medium.bin").chmod(0o755)
    return contents


def read_tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".atrium" not in p.relative_to(root).parts
    }


def settle(root: Path) -> None:
    old = time.time_ns() - 10**9
    for p in root.rglob("*"):
        if ".atrium" not in p.parts:
            os.utime(p, ns=(old, old))


def test_push_pull_round_trip_and_resume(
    admin_client: Client, dataset: str, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    contents = make_tree(src)
    reports: list[Progress] = []
    pushed = admin_client.datasets.push(src, dataset, message="first", progress=reports.append)
    assert (pushed.version.name, pushed.files) == ("v1", len(contents))
    assert pushed.uploaded_bytes == sum(
        len(d) for d in {blake3(d).digest(): d for d in contents.values()}.values()
    )
    upload = [r for r in reports if r.phase == "upload"][-1]
    assert upload.bytes_done == upload.bytes_total == pushed.uploaded_bytes

    big = admin_client.datasets.files(f"{dataset}@v1", prefix="big.bin").items[0]
    assert big.chunks is not None and len(big.chunks) == 2
    assert big.hash == blake3(contents["big.bin"]).hexdigest()

    again = admin_client.datasets.push(src, dataset, message="again", parent="v1")
    assert (again.version.name, again.uploaded_blobs, again.version.parent) == ("v2", 0, "v1")
    with pytest.raises(Conflict):
        admin_client.datasets.push(src, dataset, message="stale", parent="v1")

    dst = tmp_path / "dst"
    pulled = admin_client.datasets.pull(f"{dataset}@v1", dst)
    assert read_tree(dst) == contents
    assert os.stat(dst / "medium.bin").st_mode & 0o111
    assert pulled.downloaded_files == len(contents)
    repeat = admin_client.datasets.pull(f"{dataset}@v1", dst)
    assert (repeat.downloaded_files, repeat.skipped_files) == (0, len(contents))


def test_open_reads_one_file_without_pulling(
    admin_client: Client, dataset: str, tmp_path: Path
) -> None:
    contents = make_tree(tmp_path, files=3)
    admin_client.datasets.push(tmp_path, dataset, message="m")
    with admin_client.datasets.open(dataset, "small/f0001.bin") as stream:
        assert stream.read() == contents["small/f0001.bin"]
    with admin_client.datasets.open(f"{dataset}@v1", "big.bin") as stream:
        assert stream.read(5) == contents["big.bin"][:5]
        assert stream.read() == contents["big.bin"][5:]
    with pytest.raises((NotFound, ValidationError)):  # the server answers 422 for now
        admin_client.datasets.open(dataset, "nope")


def test_status_is_offline_and_reads_nothing_unchanged(
    admin_client: Client, dataset: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").write_bytes(b"a" * 100)
    (tmp_path / "b").write_bytes(b"b" * 100)
    settle(tmp_path)
    admin_client.datasets.push(tmp_path, dataset, message="m")
    calls: list[str] = []
    real = hashing_module._hash_one

    def counting(f: LocalFile, keep: bool) -> hashing_module.Digest:
        calls.append(f.path)
        return real(f, keep)

    monkeypatch.setattr(hashing_module, "_hash_one", counting)
    assert admin_client.datasets.status(tmp_path).clean
    (tmp_path / "b").write_bytes(b"c" * 100)
    (tmp_path / "new").write_bytes(b"n")
    status = admin_client.datasets.status(tmp_path)
    assert (status.modified, status.added, calls) == (["b"], ["new"], ["b"])


def test_versions_tags_diff_and_verify(admin_client: Client, dataset: str, tmp_path: Path) -> None:
    ds = admin_client.datasets
    (tmp_path / "keep").write_bytes(b"keep")
    (tmp_path / "gone").write_bytes(b"gone")
    ds.push(tmp_path, dataset, message="one")
    (tmp_path / "gone").unlink()
    (tmp_path / "keep").write_bytes(b"changed")
    (tmp_path / "new").write_bytes(b"new")
    ds.push(tmp_path, dataset, message="two")

    assert [v.name for v in ds.iter_versions(dataset)] == ["v2", "v1"]
    assert ds.get(dataset).latest == "v2"
    diff = ds.diff(dataset, "v1", "v2")
    assert [e.path for e in diff.added] == ["new"]
    assert [e.path for e in diff.removed] == ["gone"]
    assert [c.path for c in diff.modified] == ["keep"]

    assert ds.set_tag(dataset, "golden", "v1").version == "v1"
    assert {t.tag: t.version for t in ds.list_tags(dataset)}["golden"] == "v1"
    assert ds.get_version(f"{dataset}:golden").name == "v1"
    ds.pull(f"{dataset}:golden", tmp_path / "golden")
    assert read_tree(tmp_path / "golden") == {"keep": b"keep", "gone": b"gone"}
    ds.delete_tag(dataset, "golden")
    assert "golden" not in {t.tag for t in ds.list_tags(dataset)}

    report = ds.verify(f"{dataset}@v2")
    assert (report.checked, report.damaged) == (2, [])


def test_grants_let_another_group_read(
    admin_client: Client, dataset: str, unique: Unique, live_server: Any, tmp_path: Path
) -> None:
    (tmp_path / "f").write_bytes(b"shared bytes")
    admin_client.datasets.push(tmp_path, dataset, message="m")
    other, user = unique("og"), unique("u")
    admin_client.groups.create(other)
    admin_client.users.create(user, PASSWORD)
    admin_client.members.add(other, user)
    reader = Client(live_server.url)
    reader.auth.login(user, PASSWORD)
    with pytest.raises(NotFound):
        reader.datasets.get(dataset)

    admin_client.datasets.set_grant(dataset, other, "read")
    assert [(g.group, g.access) for g in admin_client.datasets.list_grants(dataset)] == [
        (other, "read")
    ]
    shared = [d for d in reader.datasets.iter_all(other) if d.shared_from]
    assert [(d.name, d.access) for d in shared] == [(dataset.split("/")[1], "read")]
    reader.datasets.pull(dataset, tmp_path / "copy")
    assert (tmp_path / "copy/f").read_bytes() == b"shared bytes"

    admin_client.datasets.revoke_grant(dataset, other)
    with pytest.raises(NotFound):
        reader.datasets.get(dataset)
