"""Scanning a dataset directory: what becomes a manifest entry, and what is refused."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from atrium.sdk.datasets import LocalDataError, parse_ref
from atrium.sdk.datasets.scan import check_manifest_path, scan


def write(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_files_are_listed_sorted_with_posix_paths_sizes_and_modes(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", b"bb")
    write(tmp_path / "a" / "deep" / "c.bin", b"ccc")
    run = write(tmp_path / "run.sh", b"#!/bin/sh\n")
    run.chmod(0o750)
    (tmp_path / "empty-dir").mkdir()
    files = scan(tmp_path)
    assert [(f.path, f.size, f.mode) for f in files] == [
        ("a/deep/c.bin", 3, 0o644),
        ("b.txt", 2, 0o644),
        ("run.sh", 10, 0o755),
    ]
    st = os.stat(tmp_path / "b.txt")
    b = files[1]
    assert (b.mtime_ns, b.inode, b.abspath) == (st.st_mtime_ns, st.st_ino, str(tmp_path / "b.txt"))


def test_the_metadata_folder_is_skipped_only_at_the_top(tmp_path: Path) -> None:
    write(tmp_path / ".atrium" / "state.json")
    write(tmp_path / "sub" / ".atrium" / "kept.txt")
    assert [f.path for f in scan(tmp_path)] == ["sub/.atrium/kept.txt"]


def test_symlinks_inside_are_followed(tmp_path: Path) -> None:
    write(tmp_path / "data" / "real.txt", b"real")
    (tmp_path / "alias.txt").symlink_to("data/real.txt")
    (tmp_path / "linked").symlink_to("data", target_is_directory=True)
    files = {f.path: f.size for f in scan(tmp_path)}
    assert files == {"alias.txt": 4, "data/real.txt": 4, "linked/real.txt": 4}


@pytest.mark.parametrize("target_dir", [False, True])
def test_symlinks_leading_outside_are_refused(tmp_path: Path, target_dir: bool) -> None:
    outside = tmp_path / "outside"
    write(outside / "secret.txt")
    root = tmp_path / "root"
    write(root / "ok.txt")
    (root / "link").symlink_to(outside if target_dir else outside / "secret.txt")
    with pytest.raises(LocalDataError, match="outside the directory") as caught:
        scan(root)
    assert caught.value.code == "unsafe_symlink"


def test_symlink_loops_and_broken_links_are_refused(tmp_path: Path) -> None:
    write(tmp_path / "a" / "f.txt")
    (tmp_path / "a" / "up").symlink_to("..", target_is_directory=True)
    with pytest.raises(LocalDataError, match="loop"):
        scan(tmp_path)
    (tmp_path / "a" / "up").unlink()
    (tmp_path / "dangling").symlink_to("nowhere")
    with pytest.raises(LocalDataError, match="broken symlink"):
        scan(tmp_path)


@pytest.mark.parametrize("name", ["tab\there", "new\nline", "bell\x07", "del\x7f"])
def test_control_characters_are_refused(tmp_path: Path, name: str) -> None:
    write(tmp_path / "sub" / name)
    with pytest.raises(LocalDataError, match="control characters") as caught:
        scan(tmp_path)
    assert caught.value.code == "unsafe_path"


def test_names_are_normalised_to_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "café")
    write(tmp_path / nfd / "menu.txt")
    [entry] = scan(tmp_path)
    assert entry.path == "café/menu.txt"
    assert entry.path != f"{nfd}/menu.txt"
    assert Path(entry.abspath).read_bytes() == b"x"  # still read from its real name


def test_two_paths_equal_after_nfc_are_refused(tmp_path: Path) -> None:
    write(tmp_path / unicodedata.normalize("NFC", "é.txt"))
    write(tmp_path / unicodedata.normalize("NFD", "é.txt"))
    with pytest.raises(LocalDataError, match="normalised to NFC") as caught:
        scan(tmp_path)
    assert caught.value.code == "path_collision"


def test_names_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    os.close(
        os.open(os.path.join(os.fsencode(tmp_path), b"bad-\xff.txt"), os.O_CREAT | os.O_WRONLY)
    )
    with pytest.raises(LocalDataError, match="not valid UTF-8"):
        scan(tmp_path)


def test_fifos_are_refused_and_missing_roots_reported(tmp_path: Path) -> None:
    with pytest.raises(LocalDataError, match="not a directory"):
        scan(tmp_path / "missing")
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(LocalDataError, match="not a regular file"):
        scan(tmp_path)


@pytest.mark.parametrize(
    "path",
    ["", "/etc/passwd", "a//b", "../x", "a/../../x", "./a", "a/", ".atrium/state.json", "a\nb"],
)
def test_unsafe_manifest_paths_are_refused(path: str) -> None:
    with pytest.raises(LocalDataError):
        check_manifest_path(path)


@pytest.mark.parametrize("path", ["a", "a/b/c.txt", "sub/.atrium/x", "café/ü.txt", "..a/b.."])
def test_ordinary_manifest_paths_pass(path: str) -> None:
    check_manifest_path(path)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("vision/imagenet", ("vision", "imagenet", None, "latest")),
        ("vision/imagenet@v3", ("vision", "imagenet", "v3", "v3")),
        ("vision/imagenet@3", ("vision", "imagenet", "v3", "v3")),
        ("vision/imagenet:golden", ("vision", "imagenet", "golden", "golden")),
        ("vision/imagenet@latest", ("vision", "imagenet", "latest", "latest")),
    ],
)
def test_refs(spec: str, expected: tuple[str, str, str | None, str]) -> None:
    ref = parse_ref(spec)
    assert (ref.group, ref.name, ref.ref, ref.version) == expected
    assert ref.base == f"/groups/{expected[0]}/datasets/{expected[1]}"


@pytest.mark.parametrize("spec", ["imagenet", "a/b/c", "a/", "/b", "a/b@", "a b/c"])
def test_bad_refs(spec: str) -> None:
    with pytest.raises(ValueError, match="GROUP/NAME"):
        parse_ref(spec)
    with pytest.raises(ValueError):
        parse_ref("a/b@v1", allow_version=False)
