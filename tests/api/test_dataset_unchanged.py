"""Pushing onto a parent (an unchanged manifest, a plan), and file pages encoded from rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from atrium.contracts.datasets import FilePage
from atrium.server.domain import manifest
from tests.api.datasets_helpers import PACK, entries, key, pack
from tests.conftest import World

ML = "/api/v1/groups/ml/datasets"
BASE = f"{ML}/scans"
FILES = {f"dir/f{i:02}": f"content {i}".encode() for i in range(12)}


def _upload(world: World, blobs: dict[str, bytes]) -> None:
    r = world.bob.post(f"{BASE}/blobs/pack", content=pack(blobs), headers={"Content-Type": PACK})
    assert r.status_code == 200, r.text


def _push(world: World, files: dict[str, bytes], **extra: object) -> Any:
    """Plan and commit ``files`` inline; return (plan, commit) responses."""
    _upload(world, {key(d): d for d in files.values()})
    body = {"message": "m", "files": entries(files), **extra}
    return world.bob.post(f"{BASE}/versions/plan", json=body), world.bob.post(
        f"{BASE}/versions", json=body
    )


def _files(world: World, version: str) -> list[dict[str, Any]]:
    r = world.bob.get(f"{BASE}/versions/{version}/files")
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def _rows(hub: Any, number: int) -> tuple[dict[str, int], str | None]:
    """(blob rows, manifest digest) of version ``number``."""
    from atrium.server.store.tables import DatasetVersionRow, VersionBlobRow

    with hub.db.read() as s:
        version = s.scalar(select(DatasetVersionRow).where(DatasetVersionRow.number == number))
        stmt = select(VersionBlobRow.hash, VersionBlobRow.size).where(
            VersionBlobRow.version_id == version.id
        )
        return dict(s.execute(stmt).tuples().all()), version.manifest_digest


@pytest.fixture
def scans(world: World) -> World:
    assert world.bob.post(ML, json={"name": "scans"}).status_code == 201
    return world


def test_an_unchanged_push_is_a_new_version_with_its_parents_files(scans: World, hub: Any) -> None:
    _, v1 = _push(scans, FILES)
    assert v1.status_code == 201, v1.text
    plan, v2 = _push(scans, FILES, parent="v1")
    assert plan.status_code == 200, plan.text
    assert (plan.json()["missing"], plan.json()["new_stored_bytes"]) == ([], 0)
    assert v2.status_code == 201, v2.text
    summary = v1.json()["summary"]
    assert (v2.json()["name"], v2.json()["parent"]) == ("v2", "v1")
    assert v2.json()["summary"] == {**summary, "added": 0, "removed": 0, "changed": 0}
    assert _files(scans, "v2") == _files(scans, "v1")
    assert _rows(hub, 2) == _rows(hub, 1)
    assert _rows(hub, 2)[1] is not None
    usage = scans.bob.get("/api/v1/groups/ml/usage").json()["resources"]["storage_bytes"]
    assert usage["used"] == sum(len(d) for d in FILES.values())
    # Unchanged or not, --parent still guards against a lost update.
    _, stale = _push(scans, FILES, parent="v1")
    assert stale.status_code == 409, stale.text


def test_a_plan_names_the_blobs_the_parent_lacks(scans: World) -> None:
    _push(scans, FILES)
    body = {"files": entries({**FILES, "new": b"never uploaded"})}
    plan = scans.bob.post(f"{BASE}/versions/plan", json=body).json()
    assert (plan["missing"], plan["upload_bytes"]) == ([key(b"never uploaded")], 14)
    assert plan["new_stored_bytes"] == 14


def test_a_mode_change_is_a_change(scans: World) -> None:
    _push(scans, FILES)
    body = {"files": entries(FILES, {"dir/f00": 0o755})}
    v2 = scans.bob.post(f"{BASE}/versions", json=body).json()
    assert v2["summary"]["changed"] == 0  # the content is the same; the stored mode is not
    assert _files(scans, "v2")[0]["mode"] == 0o755


def test_a_parent_without_a_digest_is_compared_row_by_row(scans: World, hub: Any) -> None:
    """Versions committed before migration 0009 have no digest."""
    from atrium.server.store.tables import DatasetVersionRow

    _push(scans, FILES)
    digest = _rows(hub, 1)[1]
    with hub.db.write() as s:
        s.execute(update(DatasetVersionRow).values(manifest_digest=None))
    _, v2 = _push(scans, FILES)
    assert v2.status_code == 201 and v2.json()["summary"]["added"] == 0, v2.text
    assert _rows(hub, 2) == (_rows(hub, 1)[0], digest)
    assert _files(scans, "v2") == _files(scans, "v1")


def test_an_unchanged_push_stores_nothing_so_a_lowered_quota_allows_it(scans: World) -> None:
    _push(scans, {"a": b"x" * 600})
    scans.admin.patch("/api/v1/groups/ml/quota", json={"storage_bytes": 100})
    plan, same = _push(scans, {"a": b"x" * 600})
    assert (plan.status_code, same.status_code) == (200, 201), (plan.text, same.text)
    plan, more = _push(scans, {"a": b"x" * 600, "b": b"y"})
    assert (plan.status_code, more.status_code) == (409, 409)


def test_a_file_page_is_the_models_encoding(scans: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Encoded from rows, a page is byte for byte what the FilePage model writes: chunks,
    non-ASCII and quoted paths, and the cursor."""
    monkeypatch.setattr(manifest, "CHUNK_SIZE", 4)
    big = b"0123456789"
    pieces = [big[i : i + 4] for i in range(0, len(big), 4)]
    _upload(scans, {key(p): p for p in pieces})
    chunked = {"path": "big", "size": 10, "hash": key(big), "mode": 0o755}
    chunked["chunks"] = [key(p) for p in pieces]
    small = {"données/é.txt": b"abc", 'quo"te': b"d"}
    _upload(scans, {key(d): d for d in small.values()})
    body = {"files": [chunked, *entries(small)]}
    r = scans.bob.post(f"{BASE}/versions", json=body)
    assert r.status_code == 201, r.text
    first = scans.bob.get(f"{BASE}/versions/v1/files", params={"limit": 2})
    rest = scans.bob.get(
        f"{BASE}/versions/v1/files", params={"cursor": first.json()["next_cursor"]}
    )
    for r in (first, rest):
        assert r.headers["content-type"] == "application/json"
        assert r.content == FilePage.model_validate_json(r.content).model_dump_json().encode()
    items = first.json()["items"] + rest.json()["items"]
    assert [f["path"] for f in items] == sorted(["big", *small])
    assert items[0]["chunks"] == chunked["chunks"] and items[1]["chunks"] is None
    assert rest.json()["next_cursor"] is None
