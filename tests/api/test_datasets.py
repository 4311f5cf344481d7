"""Datasets over the REST API: versions, tags, diffs, grants, quotas, bad input."""

from __future__ import annotations

import threading

import httpx
from sqlalchemy import func, select

from tests.api.datasets_helpers import PACK, entries, key, pack, push, unpack
from tests.conftest import World

ML = "/api/v1/groups/ml/datasets"


def _create(world: World, name: str = "scans") -> None:
    r = world.bob.post(ML, json={"name": name, "description": "CT scans"})
    assert r.status_code == 201, r.text


def _version_count(hub) -> int:  # type: ignore[no-untyped-def]
    from atrium.server.store.tables import DatasetVersionRow

    with hub.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(DatasetVersionRow)) or 0)


def test_push_versions_and_read_them_back(world: World) -> None:
    _create(world)
    v1 = push(world.bob, "ml/scans", {"a.txt": b"alpha", "dir/b.bin": b"\x00" * 100}, "first")
    assert v1.status_code == 201, v1.text
    assert v1.json()["name"] == "v1" and v1.json()["summary"] == {
        "files": 2,
        "bytes": 105,
        "added": 2,
        "removed": 0,
        "changed": 0,
    }
    v2 = push(world.bob, "ml/scans", {"a.txt": b"alpha2", "c.txt": b"new"}, "second")
    assert v2.json()["summary"] == {"files": 2, "bytes": 9, "added": 1, "removed": 1, "changed": 1}
    assert v2.json()["parent"] == "v1" and v2.json()["author"] == "bob"
    files = world.alice.get(f"{ML}/scans/versions/v1/files").json()["items"]
    assert [(f["path"], f["size"]) for f in files] == [("a.txt", 5), ("dir/b.bin", 100)]
    blob = world.alice.get(f"{ML}/scans/blobs/{key(b'alpha')}")
    assert blob.status_code == 200 and blob.content == b"alpha"
    got = world.alice.post(
        f"{ML}/scans/blobs/unpack", json={"hashes": [key(b"alpha2"), key(b"new")]}
    )
    assert unpack(got.content) == {key(b"alpha2"): b"alpha2", key(b"new"): b"new"}
    listed = world.bob.get(ML).json()["items"]
    assert listed[0]["latest"] == "v2" and listed[0]["version_count"] == 2


def test_refs_tags_and_diff(world: World) -> None:
    _create(world)
    push(world.bob, "ml/scans", {"a": b"1", "b": b"2"})
    push(world.bob, "ml/scans", {"a": b"1", "b": b"22", "c": b"3"})
    assert world.bob.put(f"{ML}/scans/tags/golden", json={"version": "v1"}).json() == {
        "tag": "golden",
        "version": "v1",
    }
    assert world.bob.get(f"{ML}/scans/versions/golden").json()["number"] == 1
    assert world.bob.get(f"{ML}/scans/versions/latest").json()["number"] == 2
    assert world.bob.get(f"{ML}/scans/versions/2").json()["tags"] == []
    tags = world.bob.get(f"{ML}/scans/tags").json()
    assert tags == {
        "items": [{"tag": "latest", "version": "v2"}, {"tag": "golden", "version": "v1"}],
        "next_cursor": None,
    }
    diff = world.bob.get(f"{ML}/scans/diff", params={"from": "golden", "to": "latest"}).json()
    assert [(c["path"], c["change"]) for c in diff["items"]] == [("b", "modified"), ("c", "added")]
    assert diff["items"][0]["old"]["size"] == 1 and diff["items"][1]["old"] is None
    assert diff["summary"] == {
        "added": 1,
        "removed": 0,
        "modified": 1,
        "bytes_added": 2,
        "bytes_removed": 0,
    }
    assert world.bob.put(f"{ML}/scans/tags/latest", json={"version": "v1"}).status_code == 422
    assert world.bob.put(f"{ML}/scans/tags/golden", json={"version": "v9"}).status_code == 404
    moved = world.bob.put(f"{ML}/scans/tags/golden", json={"version": "v2"})
    assert moved.json()["version"] == "v2"
    events = world.admin.get("/api/v1/audit", params={"action": "dataset.tag"}).json()["items"]
    assert events[0]["details"] == {"tag": "golden", "from": "v1", "to": "v2"}


def test_parent_guards_against_lost_updates(world: World) -> None:
    _create(world)
    push(world.bob, "ml/scans", {"a": b"1"})
    push(world.alice, "ml/scans", {"a": b"2"})
    stale = push(world.bob, "ml/scans", {"a": b"3"}, parent="v1")
    assert stale.status_code == 409 and "v2" in stale.json()["error"]["message"]
    fresh = push(world.bob, "ml/scans", {"a": b"3"}, parent="v2")
    assert fresh.status_code == 201 and fresh.json()["name"] == "v3"


def test_concurrent_pushes_without_parent_all_land_in_turn(world: World) -> None:
    """Without --parent nobody loses: racing commits become successive versions."""
    _create(world)
    pushers = [world.bob, world.alice] * 2
    barrier = threading.Barrier(len(pushers))
    results: list[httpx.Response] = []

    def commit(i: int) -> None:
        barrier.wait()
        results.append(push(pushers[i], "ml/scans", {f"f{i}": b"%d" % i}, f"push {i}"))

    threads = [threading.Thread(target=commit, args=(i,)) for i in range(len(pushers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [201] * len(pushers), [r.text for r in results]
    versions = world.bob.get(f"{ML}/scans/versions").json()["items"]
    assert [v["number"] for v in versions] == [4, 3, 2, 1]
    assert sorted(v["message"] for v in versions) == [f"push {i}" for i in range(4)]
    assert [v["parent"] for v in versions] == ["v3", "v2", "v1", None]


def test_read_only_grant(world: World) -> None:
    _create(world)
    push(world.bob, "ml/scans", {"a": b"v1 data"})
    assert world.carol.get(f"{ML}/scans").status_code == 404
    assert world.bob.put(f"{ML}/scans/grants/bio", json={"access": "read"}).status_code == 403
    grant = world.alice.put(f"{ML}/scans/grants/bio", json={"access": "read"})
    assert grant.status_code == 200 and grant.json()["access"] == "read"
    shared = world.carol.get("/api/v1/groups/bio/datasets").json()["items"]
    assert [(d["name"], d["shared_from"], d["access"]) for d in shared] == [("scans", "ml", "read")]
    assert world.carol.get(f"{ML}/scans/blobs/{key(b'v1 data')}").content == b"v1 data"
    # Owner pushes v2 while the grantee keeps reading v1.
    push(world.bob, "ml/scans", {"a": b"v2 data"})
    v1_files = world.carol.get(f"{ML}/scans/versions/v1/files").json()["items"]
    assert v1_files[0]["hash"] == key(b"v1 data")
    pk = world.carol.post(
        f"{ML}/scans/blobs/pack", content=pack({key(b"x"): b"x"}), headers={"Content-Type": PACK}
    )
    assert pk.status_code == 403
    commit = world.carol.post(f"{ML}/scans/versions", json={"files": entries({"a": b"v1 data"})})
    assert commit.status_code == 403
    assert world.carol.delete(f"{ML}/scans").status_code == 403
    assert world.carol.get(f"{ML}/scans/grants").status_code == 404
    assert world.alice.delete(f"{ML}/scans/grants/bio").status_code == 204
    assert world.carol.get(f"{ML}/scans").status_code == 404


def test_write_grant_allows_push(world: World) -> None:
    _create(world)
    world.alice.put(f"{ML}/scans/grants/bio", json={"access": "write"})
    r = push(world.carol, "ml/scans", {"from-bio": b"hello"})
    assert r.status_code == 201 and r.json()["author"] == "carol"


def test_blobs_outside_the_dataset_are_invisible(world: World) -> None:
    _create(world)
    _create(world, "other")
    push(world.bob, "ml/other", {"secret": b"other dataset bytes"})
    r = world.bob.get(f"{ML}/scans/blobs/{key(b'other dataset bytes')}")
    assert r.status_code == 404


def test_storage_quota_refuses_up_front(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    _create(world)
    world.admin.patch("/api/v1/groups/ml/quota", json={"storage_bytes": 1000})
    assert push(world.bob, "ml/scans", {"a": b"x" * 600}).status_code == 201
    # The same bytes again cost nothing: storage counts unique bytes.
    assert push(world.bob, "ml/scans", {"a": b"x" * 600, "copy": b"x" * 600}).status_code == 201
    plan = world.bob.post(f"{ML}/scans/versions/plan", json={"files": entries({"b": b"y" * 600})})
    assert plan.status_code == 409 and plan.json()["error"]["code"] == "quota_exceeded"
    before = _version_count(hub)
    over = push(world.bob, "ml/scans", {"b": b"y" * 600})
    assert over.status_code == 409
    assert _version_count(hub) == before
    usage = world.bob.get("/api/v1/groups/ml/usage").json()["resources"]["storage_bytes"]
    assert usage == {"used": 600, "limit": 1000}


def test_bad_manifests_change_nothing(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    _create(world)
    bad_paths = [
        "../escape",
        "/abs",
        "a/../b",
        "nul\x00byte",
        "ctl\x07",
        "a//b",
        "./a",
        "a\\b",
        "x" * 1025,
        "cafe\u0301",
    ]
    for path in bad_paths:
        r = push(world.bob, "ml/scans", {path: b"data"})
        assert r.status_code == 422, (path, r.text)
    dup = world.bob.post(
        f"{ML}/scans/versions", json={"files": entries({"a": b"1"}) + entries({"a": b"2"})}
    )
    assert dup.status_code == 422
    ghost = {"path": "ghost", "size": 3, "hash": key(b"never uploaded"), "mode": 420}
    r = world.bob.post(f"{ML}/scans/versions", json={"files": [ghost]})
    assert r.status_code == 422 and "never uploaded" in r.json()["error"]["message"]
    assert _version_count(hub) == 0


def test_bad_dataset_names_and_bodies_change_nothing(world: World) -> None:
    bad_bodies = [
        {"name": "x" * 64},
        {"name": "a/b"},
        {"name": "../up"},
        {"name": "nul\x00"},
        {"name": "tab\tname"},
        {"name": "ok", "owner": "someone-else"},
    ]
    for body in bad_bodies:
        r = world.bob.post(ML, json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", body
    broken = world.bob.post(ML, content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["message"]
    assert world.bob.get(ML).json()["items"] == []


def test_a_version_that_does_not_exist_is_404(world: World) -> None:
    _create(world)
    push(world.bob, "ml/scans", {"a": b"1"})
    for ref in ("v9", "9", "no-such-tag"):
        r = world.bob.get(f"{ML}/scans/versions/{ref}/files")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", ref
    diff = world.bob.get(f"{ML}/scans/diff", params={"from": "v1", "to": "v9"})
    assert diff.status_code == 404


def test_corrupt_blob_is_refused(world: World) -> None:
    _create(world)
    wrong = key(b"the real bytes")
    r = world.bob.put(f"{ML}/scans/blobs/{wrong}", content=b"other bytes")
    assert r.status_code == 422 and r.json()["error"]["code"] == "hash_mismatch"
    missing = world.bob.post(f"{ML}/scans/blobs/missing", json={"hashes": [wrong]}).json()
    assert missing == {"missing": [wrong]}
    bad_pack = pack({wrong: b"other bytes"})
    r = world.bob.post(f"{ML}/scans/blobs/pack", content=bad_pack, headers={"Content-Type": PACK})
    assert r.status_code == 422
    truncated = world.bob.post(
        f"{ML}/scans/blobs/pack", content=b"\x01" * 20, headers={"Content-Type": PACK}
    )
    assert truncated.status_code == 422


def test_delete_version_and_gc(world: World) -> None:
    _create(world)
    push(world.bob, "ml/scans", {"a": b"only in v1"})
    push(world.bob, "ml/scans", {"a": b"in v2"})
    assert world.bob.delete(f"{ML}/scans/versions/v1").status_code == 403
    assert world.alice.delete(f"{ML}/scans/versions/v1").status_code == 204
    assert world.bob.get(f"{ML}/scans/versions/v1").status_code == 404
    dry = world.admin.post("/api/v1/admin/gc", json={"dry_run": True, "grace_seconds": 0}).json()
    assert dry == {"dry_run": True, "blobs": 1, "bytes": 10, "kept_recent": 0, "metric_points": 0}
    young = world.admin.post("/api/v1/admin/gc", json={"dry_run": True}).json()
    assert young["blobs"] == 0 and young["kept_recent"] == 1
    done = world.admin.post("/api/v1/admin/gc", json={"dry_run": False, "grace_seconds": 0})
    assert done.json()["blobs"] == 1
    assert world.bob.post(
        f"{ML}/scans/blobs/missing", json={"hashes": [key(b"only in v1"), key(b"in v2")]}
    ).json() == {"missing": [key(b"only in v1")]}
    assert world.bob.post("/api/v1/admin/gc", json={"dry_run": True}).status_code == 403


def test_gc_between_upload_and_commit_keeps_the_pushed_blobs(world: World) -> None:
    """A push uploads, then commits: a GC in between (default grace) must not break it."""
    _create(world)
    files = {"a": b"uploaded, not yet committed"}
    body = pack({key(files["a"]): files["a"]})
    r = world.bob.post(f"{ML}/scans/blobs/pack", content=body, headers={"Content-Type": PACK})
    assert r.status_code == 200
    done = world.admin.post("/api/v1/admin/gc", json={"dry_run": False}).json()
    assert done["kept_recent"] >= 1
    commit = world.bob.post(f"{ML}/scans/versions", json={"files": entries(files)})
    assert commit.status_code == 201, commit.text
    got = world.bob.get(f"{ML}/scans/blobs/{key(files['a'])}")
    assert got.content == files["a"]


def test_every_dataset_mutation_is_audited(world: World) -> None:
    _create(world)
    push(world.bob, "ml/scans", {"a": b"audited 1"})
    push(world.bob, "ml/scans", {"a": b"audited 2"})
    world.bob.patch(f"{ML}/scans", json={"description": "new"})
    world.bob.put(f"{ML}/scans/tags/golden", json={"version": "v1"})
    world.bob.delete(f"{ML}/scans/tags/golden")
    world.alice.put(f"{ML}/scans/grants/bio", json={"access": "read"})
    world.alice.delete(f"{ML}/scans/grants/bio")
    world.alice.delete(f"{ML}/scans/versions/v1")
    world.alice.delete(f"{ML}/scans")
    world.admin.post("/api/v1/admin/gc", json={"dry_run": False, "grace_seconds": 0})
    events = world.admin.get("/api/v1/audit", params={"limit": 50}).json()["items"]
    actions = [e["action"] for e in events if e["action"].startswith(("dataset.", "blob."))]
    assert actions[::-1] == [
        "dataset.create",
        "dataset.push",
        "dataset.push",
        "dataset.update",
        "dataset.tag",
        "dataset.untag",
        "dataset.grant",
        "dataset.revoke",
        "dataset.version_delete",
        "dataset.delete",
        "blob.gc",
    ]
    ours = [e for e in events if e["action"].startswith("dataset.")]
    assert {(e["resource_id"], e["group"], e["outcome"]) for e in ours} == {
        ("ml/scans", "ml", "success")
    }


def test_verify_finds_damage(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    _create(world)
    push(world.bob, "ml/scans", {"a": b"good bytes", "b": b"doomed bytes"})
    ok = world.bob.post(f"{ML}/scans/versions/v1/verify").json()
    assert ok["checked"] == 2 and ok["damaged"] == []
    hub.blobs.delete(key(b"doomed bytes"))
    report = world.bob.post(f"{ML}/scans/versions/v1/verify").json()
    assert [d["path"] for d in report["damaged"]] == ["b"]


def test_materialize_is_read_only(world: World, hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from atrium.server.domain.model import Context, Principal, RequestMeta

    _create(world)
    push(
        world.bob,
        "ml/scans",
        {"x/y.txt": b"payload", "run.sh": b"#!/bin/sh\n"},
        modes={"run.sh": 0o755},
    )
    with hub.db.read() as s:
        from atrium.server.store import users

        bob = users.by_username(s, "bob")
    assert bob is not None
    ctx = Context(Principal(bob.id, "bob"), RequestMeta("t", None))
    version = hub.versions.materialize(ctx, "ml", "scans", "latest", tmp_path / "in")
    assert version.name == "v1"
    assert (tmp_path / "in/x/y.txt").read_bytes() == b"payload"
    assert (tmp_path / "in/x/y.txt").stat().st_mode & 0o222 == 0
    assert (tmp_path / "in/run.sh").stat().st_mode & 0o111
