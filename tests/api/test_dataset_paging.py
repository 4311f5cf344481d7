"""Every dataset list pages with ``limit`` and ``cursor``: nothing lost, nothing twice."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.datasets_helpers import push
from tests.conftest import World

ML = "/api/v1/groups/ml/datasets"


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# Not base64, not JSON, then JSON of a type no list's key has, or an int beyond any key.
BAD_CURSORS = ["%%%", "bm90LWEtY3Vyc29y", _cursor({"a": 1}), _cursor(True), _cursor([1]),
               _cursor(10**30), _cursor(None)]  # fmt: skip


def _all(client: TestClient, path: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, read ``limit`` at a time, checking each page's size."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {**params, "limit": limit}
    while True:
        r = client.get(path, params=query)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= limit
        items += body["items"]
        query["cursor"] = body["next_cursor"]
        if query["cursor"] is None:
            return items
        assert len(body["items"]) == limit


def _dataset(world: World, name: str = "scans") -> None:
    assert world.bob.post(ML, json={"name": name}).status_code == 201


def test_tags_page_with_latest_first(world: World) -> None:
    _dataset(world)
    push(world.bob, "ml/scans", {"a": b"1"})
    push(world.bob, "ml/scans", {"a": b"2"})
    names = [f"t{i:02d}" for i in range(12)]
    for i, tag in enumerate(reversed(names)):
        r = world.bob.put(f"{ML}/scans/tags/{tag}", json={"version": f"v{i % 2 + 1}"})
        assert r.status_code == 200, r.text
    for limit in (1, 2, 5, 13, 50):
        tags = _all(world.bob, f"{ML}/scans/tags", limit)
        assert [t["tag"] for t in tags] == ["latest", *names], limit
    assert tags[0] == {"tag": "latest", "version": "v2"}


def test_tags_of_a_dataset_without_versions_or_tags(world: World) -> None:
    _dataset(world)
    empty = world.bob.get(f"{ML}/scans/tags", params={"limit": 1}).json()
    assert empty == {"items": [], "next_cursor": None}
    push(world.bob, "ml/scans", {"a": b"1"})
    only = world.bob.get(f"{ML}/scans/tags", params={"limit": 1}).json()
    assert only == {"items": [{"tag": "latest", "version": "v1"}], "next_cursor": None}


def test_grants_page_by_group_name(world: World) -> None:
    _dataset(world)
    groups = sorted(["bio", *[f"team-{i:02d}" for i in range(11)]])
    for group in groups:
        if group != "bio":
            assert world.admin.post("/api/v1/groups", json={"name": group}).status_code == 201
        r = world.alice.put(f"{ML}/scans/grants/{group}", json={"access": "read"})
        assert r.status_code == 200, r.text
    for limit in (1, 5, 12, 100):
        grants = _all(world.alice, f"{ML}/scans/grants", limit)
        assert [g["group"] for g in grants] == groups, limit
    assert world.carol.get(f"{ML}/scans/grants", params={"limit": 1}).status_code == 404


def test_diff_pages_in_path_order_with_whole_totals(world: World) -> None:
    _dataset(world)
    old = {f"f{i:03d}": b"x" * i for i in range(60)}
    new = {p: d for p, d in old.items() if int(p[1:]) % 3 != 0}  # drop every third
    new |= {p: d + b"!" for p, d in new.items() if int(p[1:]) % 3 == 1}  # grow some
    new |= {f"f{i:03d}a": b"new" for i in range(0, 60, 4)}  # add some between
    push(world.bob, "ml/scans", old)
    push(world.bob, "ml/scans", new)
    expected = {p: "removed" for p in old.keys() - new.keys()}
    expected |= {p: "added" for p in new.keys() - old.keys()}
    expected |= {p: "modified" for p in old.keys() & new.keys() if old[p] != new[p]}
    for limit in (1, 7, 50, 1000):
        changes = _all(world.bob, f"{ML}/scans/diff", limit, **{"from": "v1", "to": "v2"})
        assert [(c["path"], c["change"]) for c in changes] == sorted(expected.items()), limit
    page = world.bob.get(f"{ML}/scans/diff", params={"from": "v1", "limit": 3}).json()
    removed = [p for p, c in expected.items() if c == "removed"]
    grown = [p for p, c in expected.items() if c == "modified"]
    assert page["from"] == "v1" and page["to"] == "v2" and len(page["items"]) == 3
    assert page["summary"] == {
        "added": 15,
        "removed": len(removed),
        "modified": len(grown),
        "bytes_added": 15 * 3 + len(grown),
        "bytes_removed": sum(len(old[p]) for p in removed),
    }
    first = page["items"][0]
    assert first["change"] == "removed" and first["new"] is None and first["old"]["path"] == "f000"


def test_diff_of_a_version_with_itself_is_empty(world: World) -> None:
    _dataset(world)
    push(world.bob, "ml/scans", {"a": b"1"})
    same = world.bob.get(f"{ML}/scans/diff", params={"from": "v1", "to": "latest"}).json()
    assert same["items"] == [] and same["next_cursor"] is None
    assert same["summary"] == dict.fromkeys(same["summary"], 0)


def test_diff_notices_a_mode_change(world: World) -> None:
    _dataset(world)
    push(world.bob, "ml/scans", {"run.sh": b"echo"})
    push(world.bob, "ml/scans", {"run.sh": b"echo"}, modes={"run.sh": 0o755})
    diff = world.bob.get(f"{ML}/scans/diff", params={"from": "v1"}).json()
    assert [(c["change"], c["old"]["mode"], c["new"]["mode"]) for c in diff["items"]] == [
        ("modified", 0o644, 0o755)
    ]
    assert diff["summary"]["modified"] == 1 and diff["summary"]["bytes_added"] == 0


def test_every_dataset_list_pages(world: World) -> None:
    """Datasets (own and shared), versions and files, read a page at a time."""
    names = [f"d{i:02d}" for i in range(7)]
    for name in names:
        _dataset(world, name)
    assert (
        world.carol.post("/api/v1/groups/bio/datasets", json={"name": "cells"}).status_code == 201
    )
    world.carol.put("/api/v1/groups/bio/datasets/cells/grants/ml", json={"access": "read"})
    listed = _all(world.bob, ML, 3)
    assert [d["name"] for d in listed] == [*names, "cells"]
    assert listed[-1]["shared_from"] == "bio"
    for i in range(5):
        push(world.bob, "ml/d00", {"a": str(i).encode()})
    versions = _all(world.bob, f"{ML}/d00/versions", 2)
    assert [v["number"] for v in versions] == [5, 4, 3, 2, 1]
    files = {f"dir/{i:02d}": b"f" for i in range(9)}
    push(world.bob, "ml/d01", files)
    listed_files = _all(world.bob, f"{ML}/d01/versions/latest/files", 4)
    assert [f["path"] for f in listed_files] == sorted(files)


DIFF = ("/d/diff", {"from": "v1"})
LISTS = [("", {}), ("/d/tags", {}), ("/d/grants", {}), ("/d/versions", {}),
         ("/d/versions/v1/files", {}), DIFF]  # fmt: skip


@pytest.mark.parametrize(("path", "params"), LISTS)
def test_a_bad_cursor_is_a_422(world: World, path: str, params: dict[str, str]) -> None:
    _dataset(world, "d")
    push(world.bob, "ml/d", {"a": b"1"})
    assert world.alice.get(f"{ML}{path}", params=params).status_code == 200
    for cursor in BAD_CURSORS:
        r = world.alice.get(f"{ML}{path}", params={**params, "cursor": cursor})
        assert r.status_code == 422, (cursor, r.text)
        error = r.json()["error"]
        assert error["code"] == "validation_error" and "cursor" in error["message"]
    for limit in (0, 100_001):
        r = world.alice.get(f"{ML}{path}", params={**params, "limit": limit})
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize(("path", "params"), LISTS[1:])
def test_other_groups_still_get_404(world: World, path: str, params: dict[str, str]) -> None:
    _dataset(world, "d")
    push(world.bob, "ml/d", {"a": b"1"})
    for client in (world.carol, world.dave):
        r = client.get(f"{ML}{path}", params={**params, "limit": 1})
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_a_20000_file_diff_pages_without_loss(world: World) -> None:
    _dataset(world)
    old = {f"d{i % 50:02d}/f{i:05d}": b"o%d" % i for i in range(20_000)}
    new = {p: b"new %d" % i for i, p in enumerate(old)}
    assert push(world.bob, "ml/scans", old).status_code == 201
    assert push(world.bob, "ml/scans", new).status_code == 201
    counted = world.bob.get(f"{ML}/scans/diff", params={"from": "v1", "limit": 1}).json()
    assert counted["summary"] == {
        "added": 0,
        "removed": 0,
        "modified": 20_000,
        "bytes_added": sum(len(new[p]) - len(old[p]) for p in old),
        "bytes_removed": 0,
    }
    changes = _all(world.bob, f"{ML}/scans/diff", 3000, **{"from": "v1"})
    assert [c["path"] for c in changes] == sorted(old)
    assert {c["change"] for c in changes} == {"modified"}
