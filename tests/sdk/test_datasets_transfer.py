"""Push, pull, open and status against an in-memory stand-in for the datasets routes.

The stand-in (datasets_fake.py) counts requests and blob bytes, so these tests assert what the
client sends and skips; the same flows run against the real server in test_datasets_live.py.
"""

from __future__ import annotations

import json
import os
import time
import unicodedata
from pathlib import Path

import httpx
import pytest
from blake3 import blake3

from atrium.sdk import Client, Conflict, NotFound, ServerError
from atrium.sdk.datasets import LocalDataError, Progress
from atrium.sdk.datasets import download as download_module
from atrium.sdk.datasets import hashing as hashing_module
from atrium.sdk.datasets import upload as upload_module
from atrium.sdk.datasets.scan import LocalFile
from tests.sdk.datasets_fake import FakeHub, error

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path.parent / f"{tmp_path.name}-cache"
    monkeypatch.setenv("ATRIUM_CACHE_DIR", str(home))
    return home


@pytest.fixture
def hub() -> FakeHub:
    return FakeHub()


@pytest.fixture
def client(hub: FakeHub) -> Client:
    c = hub.client()
    c.datasets.create("g/d")
    return c


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    """1 MiB chunks sent by PUT, so chunking is exercised with small files."""
    for module in (hashing_module, upload_module, download_module):
        monkeypatch.setattr(module, "CHUNK_SIZE", MiB)
    monkeypatch.setattr(upload_module, "PACK_MAX_BLOB", MiB // 2)
    monkeypatch.setattr(download_module, "UNPACK_MAX_BLOB", MiB // 2)
    return MiB


def settle(root: Path) -> None:
    old = time.time_ns() - 10**9
    for p in root.rglob("*"):
        if ".atrium" not in p.parts:
            os.utime(p, ns=(old, old), follow_symlinks=False)


def make_tree(root: Path) -> dict[str, bytes]:
    contents = {
        "a.txt": b"alpha\n",
        "empty": b"",
        "nested/deep/b.bin": os.urandom(10_000),
        "nested/copy-of-a.txt": b"alpha\n",
        unicodedata.normalize("NFC", "naïve/ü.txt"): "ü".encode(),
        "large.bin": os.urandom(5 * MiB + 7),  # above the pack limit: one PUT
        **{f"many/f{i:03d}": os.urandom(4096) for i in range(300)},
    }
    for name, data in contents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "a.txt").chmod(0o755)
    return contents


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (
            p.read_bytes(),
            0o755 if p.stat().st_mode & 0o111 else 0o644,
        )
        for p in root.rglob("*")
        if p.is_file() and ".atrium" not in p.relative_to(root).parts
    }


def unique_bytes(contents: dict[str, bytes]) -> int:
    return sum(len(d) for d in {blake3(d).hexdigest(): d for d in contents.values()}.values())


def test_push_then_pull_gives_back_the_same_files_and_modes(
    client: Client, hub: FakeHub, tmp_path: Path
) -> None:
    contents = make_tree(tmp_path / "src")
    result = client.datasets.push(tmp_path / "src", "g/d", message="first")
    assert (result.version.name, result.files, result.hashed_files) == (
        "v1",
        len(contents),
        len(contents),
    )
    assert result.uploaded_bytes == hub.received == unique_bytes(contents)
    assert hub.calls["PUT /blobs/{hash}"] == 1  # large.bin; the 305 small ones travel in packs
    assert hub.calls["POST /blobs/pack"] == 2  # the small files, and the manifest before
    assert hub.calls["POST /versions"] == 1
    assert hub.calls["POST /versions/{ref}"] == 1  # the plan: one request names what is missing

    pulled = client.datasets.pull("g/d@v1", tmp_path / "dst")
    assert (pulled.downloaded_files, pulled.skipped_files) == (len(contents), 0)
    assert tree(tmp_path / "dst") == tree(tmp_path / "src")
    assert tree(tmp_path / "dst")["a.txt"] == (b"alpha\n", 0o755)
    state = json.loads((tmp_path / "dst/.atrium/state.json").read_text())
    assert state == {"url": "http://fake.test", "group": "g", "dataset": "d", "version": "v1"}
    assert not (tmp_path / "dst/.atrium/tmp").exists()


def test_pushing_again_uploads_only_what_changed(
    client: Client, hub: FakeHub, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    contents = make_tree(src)
    client.datasets.push(src, "g/d", message="first")
    sent, packs = hub.received, hub.calls["POST /blobs/pack"]
    again = client.datasets.push(src, "g/d", message="same")
    assert (again.version.name, again.uploaded_blobs, hub.received) == ("v2", 0, sent)
    assert hub.calls["POST /blobs/pack"] == packs  # not even the manifest travels again

    (src / "many/f007").write_bytes(b"new content")
    third = client.datasets.push(src, "g/d", message="one file", parent="v2")
    assert (third.uploaded_blobs, hub.received - sent) == (1, len(b"new content"))
    assert third.version.parent == "v2"
    assert unique_bytes(contents) == sent


def test_an_interrupted_push_resumes_with_what_is_still_missing(
    client: Client, hub: FakeHub, tmp_path: Path, small_chunks: int
) -> None:
    data = os.urandom(6 * small_chunks)  # 6 chunks, each its own PUT
    (tmp_path / "big.bin").write_bytes(data)
    real = hub.do_put_blobs_hash
    calls = {"n": 0}

    def flaky(request: httpx.Request, *args: object) -> httpx.Response:
        calls["n"] += 1
        return real(request, *args) if calls["n"] <= 2 else error(500, "internal", "disk on fire")

    hub.do_put_blobs_hash = flaky  # type: ignore[method-assign]
    with pytest.raises(ServerError):
        client.datasets.push(tmp_path, "g/d", message="first", workers=1)
    assert hub.received == 2 * small_chunks
    assert not hub.datasets[("g", "d")].versions  # nothing committed

    hub.do_put_blobs_hash = real  # type: ignore[method-assign]
    result = client.datasets.push(tmp_path, "g/d", message="resumed")
    assert result.uploaded_blobs == 4
    assert hub.received == len(data)  # each byte sent once over both runs
    entry = hub.datasets[("g", "d")].versions[0]["files"][0]
    assert len(entry["chunks"]) == 6
    assert entry["hash"] == blake3(data).hexdigest()


def test_chunked_files_are_pulled_and_verified(
    client: Client, hub: FakeHub, tmp_path: Path, small_chunks: int
) -> None:
    data = os.urandom(3 * small_chunks + 1)
    (tmp_path / "src").mkdir()
    for name in ("big.bin", "twin.bin"):
        (tmp_path / "src" / name).write_bytes(data)
    client.datasets.push(tmp_path / "src", "g/d")
    client.datasets.pull("g/d", tmp_path / "dst")
    assert (tmp_path / "dst/big.bin").read_bytes() == data
    assert (tmp_path / "dst/twin.bin").read_bytes() == data
    assert hub.calls["GET /blobs/{hash}"] == 4  # the twin is copied, not fetched again


def test_pull_skips_files_already_present_and_repairs_the_rest(
    client: Client, hub: FakeHub, tmp_path: Path
) -> None:
    contents = make_tree(tmp_path / "src")
    client.datasets.push(tmp_path / "src", "g/d")
    dst = tmp_path / "dst"
    client.datasets.pull("g/d", dst)
    served = hub.served
    again = client.datasets.pull("g/d", dst)
    assert (again.downloaded_files, again.skipped_files, hub.served) == (0, len(contents), served)

    (dst / "nested/deep/b.bin").write_bytes(b"damaged")
    (dst / "many/f001").write_bytes(os.urandom(4096))  # same size, other bytes
    (dst / "a.txt").chmod(0o644)
    (dst / "extra.txt").write_text("mine")
    repaired = client.datasets.pull("g/d", dst)
    assert repaired.downloaded_files == 2
    assert hub.served - served == 10_000 + 4096
    assert tree(dst) == {**tree(tmp_path / "src"), "extra.txt": (b"mine", 0o644)}

    cleaned = client.datasets.pull("g/d", dst, delete=True)
    assert cleaned.deleted_files == 1
    assert tree(dst) == tree(tmp_path / "src")


@pytest.mark.parametrize("size", [10, 600 * 1024], ids=["unpacked", "streamed"])
def test_pull_verifies_what_it_receives(
    client: Client, hub: FakeHub, tmp_path: Path, small_chunks: int, size: int
) -> None:
    good = os.urandom(size)
    (tmp_path / "src").mkdir()
    (tmp_path / "src/f.txt").write_bytes(good)
    client.datasets.push(tmp_path / "src", "g/d")
    hub.blobs[blake3(good).hexdigest()] = bytes(size)  # same size, other bytes
    with pytest.raises(LocalDataError, match="do not match their hash") as caught:
        client.datasets.pull("g/d", tmp_path / "dst")
    assert caught.value.code == "hash_mismatch"
    assert not (tmp_path / "dst/f.txt").exists()


def test_an_interrupted_pull_is_finished_by_the_next(
    client: Client, hub: FakeHub, tmp_path: Path
) -> None:
    contents = make_tree(tmp_path / "src")
    client.datasets.push(tmp_path / "src", "g/d")
    real = hub.do_post_blobs_unpack

    def cut_short(request: httpx.Request, *args: object) -> httpx.Response:
        answer = real(request, *args)
        return httpx.Response(200, content=answer.content[: len(answer.content) // 2 + 7])

    hub.do_post_blobs_unpack = cut_short  # type: ignore[method-assign]
    with pytest.raises(LocalDataError):
        client.datasets.pull("g/d", tmp_path / "dst", workers=1)
    written = [p for p in (tmp_path / "dst").rglob("*") if p.is_file() and ".atrium" not in p.parts]
    assert 0 < len(written) < len(contents)  # the files written so far are in place
    hub.do_post_blobs_unpack = real  # type: ignore[method-assign]
    finished = client.datasets.pull("g/d", tmp_path / "dst")
    assert finished.skipped_files >= len(written)  # verified by hashing, not fetched again
    assert tree(tmp_path / "dst") == tree(tmp_path / "src")


def test_a_symlink_in_place_of_a_file_is_replaced_not_followed(
    client: Client, tmp_path: Path
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src/f.txt").write_bytes(b"from the dataset")
    client.datasets.push(tmp_path / "src", "g/d")
    (tmp_path / "dst").mkdir()
    (tmp_path / "dst/mine.txt").write_bytes(b"not the dataset's")
    (tmp_path / "dst/f.txt").symlink_to("mine.txt")  # (links leading out are refused)
    client.datasets.pull("g/d", tmp_path / "dst")
    assert not (tmp_path / "dst/f.txt").is_symlink()
    assert (tmp_path / "dst/f.txt").read_bytes() == b"from the dataset"
    assert (tmp_path / "dst/mine.txt").read_bytes() == b"not the dataset's"


@pytest.mark.parametrize("path", ["../escape.txt", "/etc/evil", ".atrium/state.json"])
def test_pull_refuses_manifests_that_would_write_elsewhere(
    client: Client, hub: FakeHub, tmp_path: Path, path: str
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src/f.txt").write_bytes(b"x")
    client.datasets.push(tmp_path / "src", "g/d")
    hub.datasets[("g", "d")].versions[0]["files"][0]["path"] = path
    with pytest.raises(LocalDataError, match="unsafe path"):
        client.datasets.pull("g/d", tmp_path / "dst")
    assert not (tmp_path / "escape.txt").exists()


def test_pull_refuses_to_write_through_a_symlink_leading_out(
    client: Client, tmp_path: Path
) -> None:
    (tmp_path / "src/sub").mkdir(parents=True)
    (tmp_path / "src/sub/f.txt").write_bytes(b"x")
    client.datasets.push(tmp_path / "src", "g/d")
    (tmp_path / "dst").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "dst/sub").symlink_to(tmp_path / "outside")
    with pytest.raises(LocalDataError, match="outside"):
        client.datasets.pull("g/d", tmp_path / "dst")
    assert list((tmp_path / "outside").iterdir()) == []


def test_open_streams_one_file(
    client: Client, hub: FakeHub, tmp_path: Path, small_chunks: int
) -> None:
    data = os.urandom(2 * small_chunks + 5)
    (tmp_path / "big.bin").write_bytes(data)
    (tmp_path / "small.txt").write_bytes(b"hello")
    client.datasets.push(tmp_path, "g/d")
    with client.datasets.open("g/d@v1", "small.txt") as stream:
        assert stream.read() == b"hello"
    served = hub.served
    with client.datasets.open("g/d", "big.bin") as stream:
        head = stream.read(10)
        assert head == data[:10]
        assert hub.served - served <= small_chunks  # one chunk fetched so far
        assert head + stream.read() == data
    with pytest.raises(NotFound):
        client.datasets.open("g/d", "small.tx")


def test_open_raises_when_the_bytes_are_wrong(client: Client, hub: FakeHub, tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"right")
    client.datasets.push(tmp_path, "g/d")
    hub.blobs[blake3(b"right").hexdigest()] = b"wrong"
    with client.datasets.open("g/d", "f") as stream, pytest.raises(LocalDataError):
        stream.read()


def test_status_reports_changes_against_the_pushed_version(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    contents = make_tree(src)
    settle(src)
    client.datasets.push(src, "g/d", message="first")
    reads: list[str] = []
    real = hashing_module._hash_one

    def counting(f: LocalFile, keep: bool) -> hashing_module.Digest:
        reads.append(f.path)
        return real(f, keep)

    monkeypatch.setattr(hashing_module, "_hash_one", counting)

    clean = client.datasets.status(src)
    assert (clean.clean, clean.unchanged, clean.version) == (True, len(contents), "v1")
    assert reads == []  # the cache vouched for every file

    (src / "many/f001").write_bytes(os.urandom(4096))  # same size, new bytes
    (src / "nested/deep/b.bin").write_bytes(b"shorter")
    (src / "many/f002").unlink()
    (src / "new.txt").write_text("new")
    (src / "empty").chmod(0o755)
    status = client.datasets.status(src)
    assert status.added == ["new.txt"]
    assert status.removed == ["many/f002"]
    assert status.modified == ["empty", "many/f001", "nested/deep/b.bin"]
    assert reads == ["many/f001"]  # size and mode changes need no reading


def test_status_of_a_directory_never_pushed(client: Client, tmp_path: Path) -> None:
    with pytest.raises(LocalDataError, match="never pushed or pulled") as caught:
        client.datasets.status(tmp_path)
    assert caught.value.code == "not_tracked"


def test_status_without_the_stored_manifest_asks_the_server(client: Client, tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    client.datasets.push(tmp_path, "g/d")
    (tmp_path / ".atrium/manifest.json").unlink()
    (tmp_path / "g").write_bytes(b"y")
    assert client.datasets.status(tmp_path).added == ["g"]


def test_progress_ends_with_everything_done(client: Client, tmp_path: Path) -> None:
    contents = make_tree(tmp_path)
    reports: list[Progress] = []
    client.datasets.push(tmp_path, "g/d", progress=reports.append)
    last = {r.phase: r for r in reports}
    assert set(last) == {"hash", "upload"}
    total = sum(len(d) for d in contents.values())
    assert (last["hash"].files_done, last["hash"].bytes_done) == (len(contents), total)
    upload = last["upload"]
    assert (upload.files_done, upload.files_total) == (len(contents), len(contents))
    assert upload.bytes_done == upload.bytes_total == unique_bytes(contents)

    pulled: list[Progress] = []
    client.datasets.pull("g/d", tmp_path.parent / "pulled", progress=pulled.append)
    done = [r for r in pulled if r.phase == "download"][-1]
    assert (done.files_done, done.bytes_done) == (len(contents), total)


def test_a_503_on_upload_is_retried(
    client: Client, hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "sleep", lambda _: None)
    (tmp_path / "big").write_bytes(os.urandom(5 * MiB))
    hub.fail_puts = 2
    assert client.datasets.push(tmp_path, "g/d").uploaded_blobs == 1
    assert hub.calls["PUT /blobs/{hash}"] == 3


def test_a_stale_parent_is_a_conflict(client: Client, tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    client.datasets.push(tmp_path, "g/d")
    client.datasets.push(tmp_path, "g/d")
    with pytest.raises(Conflict):
        client.datasets.push(tmp_path, "g/d", parent="v1")


def test_a_file_changed_behind_the_cache_is_caught_before_upload(
    client: Client, hub: FakeHub, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "f").write_bytes(b"original")
    settle(src)
    other = Client(http=hub.client()._core.http, token="t")  # fills the cache, pushes elsewhere
    other.datasets.create("g/other")
    other.datasets.push(src, "g/other")
    hub.blobs.clear()
    st = os.stat(src / "f")
    (src / "f").write_bytes(b"modified")  # same size ...
    os.utime(src / "f", ns=(st.st_atime_ns, st.st_mtime_ns))  # ... and mtime: the cache is fooled
    with pytest.raises(LocalDataError, match="changed") as caught:
        client.datasets.push(src, "g/d")
    assert caught.value.code == "file_changed"
