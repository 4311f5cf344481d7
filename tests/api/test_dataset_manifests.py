"""Manifests sent as uploaded parts, and versions stored as their parent plus a difference."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from tests.api.datasets_helpers import PACK, entries, key, pack
from tests.conftest import World

ML = "/api/v1/groups/ml/datasets"
BASE = f"{ML}/scans"


def _upload(world: World, blobs: dict[str, bytes]) -> None:
    r = world.bob.post(f"{BASE}/blobs/pack", content=pack(blobs), headers={"Content-Type": PACK})
    assert r.status_code == 200, r.text


def _parts(world: World, *parts: list[dict[str, object]]) -> list[str]:
    """Upload each list of entries as one manifest part; return the parts' keys."""
    encoded = [json.dumps(part).encode() for part in parts]
    _upload(world, {key(data): data for data in encoded})
    return [key(data) for data in encoded]


def _commit(world: World, files: dict[str, bytes], modes: dict[str, int] | None = None) -> Any:
    _upload(world, {key(d): d for d in files.values()})
    listed = entries(files, modes)
    half = len(listed) // 2
    parts = _parts(world, listed[:half], listed[half:])
    plan = world.bob.post(f"{BASE}/versions/plan", json={"manifest": parts})
    assert plan.status_code == 200 and plan.json()["missing"] == [], plan.text
    r = world.bob.post(f"{BASE}/versions", json={"message": "m", "manifest": parts})
    assert r.status_code == 201, r.text
    return r.json()


def _files(world: World, version: str) -> list[tuple[str, int, str, int]]:
    items = world.bob.get(f"{BASE}/versions/{version}/files").json()["items"]
    return [(f["path"], f["size"], f["hash"], f["mode"]) for f in items]


def _blob_rows(hub: Any, number: int) -> dict[str, int]:
    from atrium.server.store.tables import DatasetVersionRow, VersionBlobRow

    stmt = (
        select(VersionBlobRow.hash, VersionBlobRow.size)
        .join(DatasetVersionRow, DatasetVersionRow.id == VersionBlobRow.version_id)
        .where(DatasetVersionRow.number == number)
    )
    with hub.db.read() as s:
        return {h: n for h, n in s.execute(stmt).tuples()}


def test_versions_store_their_parent_plus_the_difference(world: World, hub: Any) -> None:
    assert world.bob.post(ML, json={"name": "scans"}).status_code == 201
    base = {f"f{i:02}": f"content {i}".encode() for i in range(12)}
    v1 = _commit(world, base, {"f00": 0o755})
    assert v1["summary"]["files"] == 12
    v2 = _commit(world, base, {"f00": 0o755})  # unchanged content
    assert v2["summary"] == {**v1["summary"], "added": 0}
    assert _files(world, "v2") == _files(world, "v1")
    changed = {**base, "f01": b"changed", "new": b"added"}
    del changed["f02"]
    v3 = _commit(world, changed, {"f03": 0o700})  # f00 loses its executable bit
    assert v3["summary"] == {"files": 12, "bytes": v3["summary"]["bytes"], "added": 1,
                             "removed": 1, "changed": 1}  # fmt: skip
    expected = sorted(
        (p, len(d), key(d), 0o755 if p == "f03" else 0o644) for p, d in changed.items()
    )
    assert _files(world, "v3") == expected
    diff = world.bob.get(f"{BASE}/diff", params={"from": "v2", "to": "v3"}).json()
    modified = [c["path"] for c in diff["items"] if c["change"] == "modified"]
    assert modified == ["f00", "f01", "f03"]
    assert _blob_rows(hub, 3) == {key(d): len(d) for d in changed.values()}
    rewritten = {p: d + b"!" for p, d in changed.items()}  # most rows differ: no copy
    _commit(world, rewritten)
    assert _files(world, "v4") == sorted((p, len(d), key(d), 0o644) for p, d in rewritten.items())
    assert _blob_rows(hub, 4) == {key(d): len(d) for d in rewritten.values()}
    unique = {key(d): len(d) for v in (base, changed, rewritten) for d in v.values()}
    usage = world.bob.get("/api/v1/groups/ml/usage").json()["resources"]["storage_bytes"]
    assert usage["used"] == sum(unique.values())


def test_bad_manifest_references_change_nothing(world: World) -> None:
    assert world.bob.post(ML, json={"name": "scans"}).status_code == 201
    files = {"a": b"alpha"}
    _upload(world, {key(b"alpha"): b"alpha"})
    good = _parts(world, entries(files))
    not_a_list = _parts(world, {"path": "a"})  # type: ignore[arg-type]
    unsafe = _parts(world, entries({"../a": b"alpha"}))
    never = key(b"never uploaded")
    cases: list[dict[str, object]] = [
        {"manifest": good, "files": entries(files)},
        {"message": "neither"},
        {"manifest": [never]},
        {"manifest": not_a_list},
        {"manifest": unsafe},
        {"manifest": ["not-a-key"]},
    ]
    for body in cases:
        for route in ("versions/plan", "versions"):
            r = world.bob.post(f"{BASE}/{route}", json=body)
            assert r.status_code == 422, (body, route, r.text)
    r = world.bob.post(f"{BASE}/versions", json={"manifest": [never]})
    assert "never uploaded" in r.json()["error"]["message"]
    assert world.bob.get(f"{BASE}/versions").json()["items"] == []


def test_a_child_version_still_needs_its_new_blobs_uploaded(world: World) -> None:
    assert world.bob.post(ML, json={"name": "scans"}).status_code == 201
    _commit(world, {"a": b"alpha", "b": b"beta"})
    files = entries({"a": b"alpha", "b": b"beta", "c": b"never uploaded"})
    r = world.bob.post(f"{BASE}/versions", json={"message": "m", "files": files})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["missing"] == [key(b"never uploaded")]
    assert len(world.bob.get(f"{BASE}/versions").json()["items"]) == 1
