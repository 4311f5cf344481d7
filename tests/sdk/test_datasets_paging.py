"""``client.datasets`` lists a page at a time, and its iterators follow the cursors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from atrium.sdk import Client, ValidationError
from atrium.sdk.datasets import DiffPage, resource

Unique = Callable[[str], str]


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATRIUM_CACHE_DIR", str(tmp_path.parent / f"{tmp_path.name}-cache"))


@pytest.fixture
def dataset(admin_client: Client, unique: Unique) -> Iterator[str]:
    group = unique("pg")
    admin_client.groups.create(group)
    name = f"{group}/{unique('ds')}"
    admin_client.datasets.create(name)
    yield name


def _write(root: Path, files: dict[str, bytes]) -> None:
    for old in root.glob("f*"):
        old.unlink()
    for name, data in files.items():
        (root / name).write_bytes(data)


def test_tags_and_grants_page_and_iterate(
    admin_client: Client, dataset: str, unique: Unique, tmp_path: Path
) -> None:
    ds = admin_client.datasets
    _write(tmp_path, {"f": b"1"})
    ds.push(tmp_path, dataset)
    tags = [f"t{i}" for i in range(5)]
    groups = sorted(unique("gr") for _ in range(4))
    for tag in tags:
        ds.set_tag(dataset, tag, "v1")
    for group in groups:
        admin_client.groups.create(group)
        ds.set_grant(dataset, group)
    first = ds.list_tags(dataset, limit=2)
    assert [t.tag for t in first] == ["latest", "t0"] and first.next_cursor
    second = ds.list_tags(dataset, limit=2, cursor=first.next_cursor)
    assert [t.tag for t in second] == ["t1", "t2"]
    assert [t.tag for t in ds.iter_tags(dataset)] == ["latest", *tags]
    assert [g.group for g in ds.list_grants(dataset, limit=3)] == groups[:3]
    assert [g.group for g in ds.iter_grants(dataset)] == groups
    with pytest.raises(ValidationError):
        ds.list_tags(dataset, cursor="not-a-cursor")


def test_diff_pages_keep_the_totals(
    admin_client: Client, dataset: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = admin_client.datasets
    old = {f"f{i:03d}": f"old {i}".encode() for i in range(40)}
    new = {p: (d + b"!" if i % 2 else d) for i, (p, d) in enumerate(old.items()) if i % 5}
    new |= {f"f{i:03d}x": b"added" for i in range(6)}
    _write(tmp_path, old)
    ds.push(tmp_path, dataset)
    _write(tmp_path, new)
    ds.push(tmp_path, dataset)

    page = ds.diff_page(dataset, "v1", "v2", limit=5)
    assert isinstance(page, DiffPage) and len(page) == 5 and page.next_cursor
    totals = {"added": 6, "removed": 8, "modified": 16}
    assert {k: page.summary[k] for k in totals} == totals
    walked = list(ds.iter_diff(dataset, "v1", "v2"))
    expected = sorted(
        old.keys() ^ new.keys() | {p for p in old.keys() & new.keys() if old[p] != new[p]}
    )
    assert [e.path for e in walked] == expected
    monkeypatch.setattr(resource, "DIFF_PAGE", 7)  # diff() follows several pages
    whole = ds.diff(dataset, "v1", "v2")
    assert (len(whole.added), len(whole.removed), len(whole.modified)) == (6, 8, 16)
    assert [e.path for e in whole.removed] == sorted(old.keys() - new.keys())
    assert whole.summary == page.summary and whole.from_version == "v1"
