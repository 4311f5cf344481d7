"""Run artifacts: blob-store uploads, downloads, storage quota, and GC after run deletion."""

from __future__ import annotations

import os
from typing import Any

from blake3 import blake3

from tests.conftest import World

RUNS = "/api/v1/groups/ml/runs"


def new_run(world: World) -> str:
    r = world.alice.post(RUNS, json={"experiment": "art"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def put(world: World, run_id: str, path: str, data: bytes) -> Any:
    return world.alice.put(
        f"{RUNS}/{run_id}/artifacts/file",
        params={"path": path},
        content=data,
        headers={"content-type": "application/octet-stream"},
    )


def download(world: World, run_id: str, path: str) -> Any:
    return world.bob.get(f"{RUNS}/{run_id}/artifacts/file", params={"path": path})


def used_storage(world: World) -> int:
    usage = world.admin.get("/api/v1/groups/ml/usage").json()
    return int(usage["resources"]["storage_bytes"]["used"])


def test_upload_list_download_and_replace(world: World) -> None:
    run = new_run(world)
    data = os.urandom(17 * 2**20 + 5)  # more than one 16 MiB blob
    stored = put(world, run, "model/weights.bin", data)
    assert stored.status_code == 201, stored.text
    assert stored.json()["size"] == len(data)
    assert stored.json()["hash"] == blake3(data).hexdigest()
    assert put(world, run, "model/config.json", b'{"a": 1}').status_code == 201
    assert put(world, run, "notes.txt", b"hi").status_code == 201
    listed = world.bob.get(f"{RUNS}/{run}/artifacts", params={"prefix": "model/"}).json()
    assert [a["path"] for a in listed["items"]] == ["model/config.json", "model/weights.bin"]
    got = download(world, run, "model/weights.bin")
    assert got.status_code == 200 and got.content == data
    assert put(world, run, "notes.txt", b"hello again").status_code == 201
    assert download(world, run, "notes.txt").content == b"hello again"
    assert used_storage(world) == len(data) + len(b'{"a": 1}') + len(b"hello again")
    assert download(world, run, "nope.txt").status_code == 404


def test_bad_paths_and_other_peoples_runs_are_refused(world: World) -> None:
    run = new_run(world)
    for path in ("a/../../etc/passwd", "/abs", "a//b", "./x", "a/./b", "back\\slash", "nul\x00"):
        r = put(world, run, path, b"x")
        assert r.status_code == 422, (path, r.text)
    bobs = world.bob.put(f"{RUNS}/{run}/artifacts/file", params={"path": "x"}, content=b"x")
    assert bobs.status_code == 403
    outsider = world.carol.put(f"{RUNS}/{run}/artifacts/file", params={"path": "x"}, content=b"x")
    assert outsider.status_code == 404
    assert world.alice.get(f"{RUNS}/{run}/artifacts").json()["items"] == []


def test_uploads_count_against_the_storage_quota(world: World) -> None:
    run = new_run(world)
    quota = world.admin.patch("/api/v1/groups/ml/quota", json={"storage_bytes": 1000})
    assert quota.status_code == 200, quota.text
    assert put(world, run, "small.bin", b"x" * 600).status_code == 201
    over = put(world, run, "big.bin", b"y" * 600)
    assert over.status_code == 409 and over.json()["error"]["code"] == "quota_exceeded"
    names = [a["path"] for a in world.alice.get(f"{RUNS}/{run}/artifacts").json()["items"]]
    assert names == ["small.bin"]
    assert used_storage(world) == 600


def test_deleting_a_run_frees_its_blobs_at_the_next_gc(world: World, hub: Any) -> None:
    kept, dropped = new_run(world), new_run(world)
    put(world, kept, "keep.bin", b"keep me")
    put(world, dropped, "drop.bin", b"drop me")
    put(world, dropped, "shared.bin", b"keep me")  # the same blob as the kept run's
    assert world.alice.delete(f"{RUNS}/{dropped}").status_code == 204
    assert used_storage(world) == len(b"keep me")
    report = world.admin.post("/api/v1/admin/gc", json={"dry_run": False, "grace_seconds": 0})
    assert report.status_code == 200, report.text
    assert not hub.blobs.has(blake3(b"drop me").hexdigest())
    assert hub.blobs.has(blake3(b"keep me").hexdigest())
    assert download(world, kept, "keep.bin").content == b"keep me"


def test_gc_drops_the_metric_points_of_deleted_runs_only(world: World) -> None:
    kept, dropped = new_run(world), new_run(world)
    series = [{"key": "loss", "steps": list(range(700)), "values": [0.5] * 700}]
    for run in (kept, dropped):
        logged = world.alice.post(f"{RUNS}/{run}/log-batch", json={"metrics": series})
        assert logged.status_code == 200, logged.text
    assert world.alice.delete(f"{RUNS}/{dropped}").status_code == 204
    gc = "/api/v1/admin/gc"
    dry = world.admin.post(gc, json={"dry_run": True}).json()
    assert (dry["dry_run"], dry["metric_points"]) == (True, 700)
    assert world.admin.post(gc, json={"dry_run": True}).json()["metric_points"] == 700
    assert world.admin.post(gc, json={"dry_run": False}).json()["metric_points"] == 700
    assert world.admin.post(gc, json={"dry_run": True}).json()["metric_points"] == 0
    history = world.alice.get(f"{RUNS}/{kept}/metrics/history", params={"key": "loss"})
    assert len(history.json()["steps"]) == 700
    assert world.alice.post(gc, json={"dry_run": True}).status_code == 403
