"""Run search over the REST API: filters compiled to SQL, ordering, paging, injection, compare."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from atrium.server.domain.run_filter import parse_filter
from atrium.server.store.run_search import condition, glob_pattern
from atrium.server.store.tracking_tables import RunRow
from tests.conftest import World

RUNS = "/api/v1/groups/ml/runs"


@pytest.fixture
def seeded(world: World) -> dict[str, str]:
    """Twelve runs: acc = i/10 (none on run 11), lr alternating, teams, three statuses."""
    ids = {}
    for i in range(12):
        body: dict[str, Any] = {
            "experiment": "small" if i < 6 else "large",
            "name": f"Run-{i:02d}",
            "params": {"lr": "0.01" if i % 2 else "0.1", "layers": str(i)},
            "tags": {"team": "Vision" if i % 3 == 0 else "nlp"},
        }
        run = world.alice.post(RUNS, json=body).json()
        ids[body["name"]] = run["id"]
        if i < 11:
            metrics = [{"key": "acc", "steps": [0], "values": [i / 10]}]
            world.alice.post(f"{RUNS}/{run['id']}/log-batch", json={"metrics": metrics})
        status = ["finished", "failed", "running"][i % 3]
        world.alice.patch(f"{RUNS}/{run['id']}", json={"status": status})
    return ids


def names(client: TestClient, filter: str = "", **query: Any) -> list[str]:
    r = client.get(RUNS, params={"filter": filter, "limit": 100, **query})
    assert r.status_code == 200, r.text
    return [run["name"] for run in r.json()["items"]]


def sorted_names(client: TestClient, filter: str) -> list[str]:
    return sorted(names(client, filter))


FILTERS = [
    ("metrics.acc > 0.75", ["Run-08", "Run-09", "Run-10"]),
    ("metrics.acc >= 0.8 and params.lr = '0.01'", ["Run-09"]),
    (
        "metrics.acc < 0.2 or tags.team = 'nlp' and params.layers = '10'",
        ["Run-00", "Run-01", "Run-10"],
    ),
    ("(metrics.acc < 0.2 or tags.team = 'nlp') and params.layers = '10'", ["Run-10"]),
    ("attributes.status = 'FAILED' and metrics.acc > 0.5", ["Run-07", "Run-10"]),
    ("attributes.status IN ('running') and params.lr != '0.1'", ["Run-05", "Run-11"]),
    ("metrics.acc IS NULL", ["Run-11"]),
    ("tags.team = 'vision'", []),
    ("tags.team LIKE 'Vis%' and metrics.acc < 0.4", ["Run-00", "Run-03"]),
    ("tags.team LIKE 'vis%'", []),
    ("tags.team ILIKE 'vis%' and params.lr = '0.01'", ["Run-03", "Run-09"]),
    ("attributes.name LIKE 'Run-1_'", ["Run-10", "Run-11"]),
    ("params.layers NOT IN ('0', '1', '2') and metrics.acc < 0.5", ["Run-03", "Run-04"]),
    ("attributes.experiment = 'small' and metrics.acc > 0.3", ["Run-04", "Run-05"]),
    ("params.missing = 'x'", []),
]


def test_filters_select_the_right_runs(world: World, seeded: dict[str, str]) -> None:
    for filter, expected in FILTERS:
        assert sorted_names(world.bob, filter) == expected, filter


def test_time_and_user_attributes(world: World, seeded: dict[str, str]) -> None:
    assert len(names(world.bob, "attributes.user = 'alice'")) == 12
    assert names(world.bob, "attributes.start_time > '2030-01-01'") == []
    assert len(names(world.bob, "attributes.start_time <= 1900000000000")) == 12
    assert len(names(world.bob, "attributes.end_time IS NULL")) == 4  # the running ones


def test_experiments_narrow_the_search(world: World, seeded: dict[str, str]) -> None:
    assert len(names(world.bob, experiment=["large"])) == 6
    missing = world.bob.get(RUNS, params={"experiment": "nope"})
    assert missing.status_code == 404


def test_order_by_metrics_params_and_attributes_with_missing_values_last(
    world: World, seeded: dict[str, str]
) -> None:
    best = names(world.bob, order_by="metrics.acc DESC")
    assert best[:3] == ["Run-10", "Run-09", "Run-08"] and best[-1] == "Run-11"
    worst = names(world.bob, order_by="metrics.acc")
    assert worst[0] == "Run-00" and worst[-1] == "Run-11"
    by_name = names(world.bob, order_by=["params.lr DESC", "attributes.name ASC"])
    assert by_name[:2] == ["Run-00", "Run-02"] and by_name[-1] == "Run-11"
    bad = world.bob.get(RUNS, params={"order_by": "metrics.acc upward"})
    assert bad.status_code == 422 and bad.json()["error"]["details"]["position"] == 12


def test_pages_cover_every_run_once(world: World, seeded: dict[str, str]) -> None:
    seen: list[str] = []
    body: dict[str, Any] = {"filter": "params.lr = '0.1' or params.lr = '0.01'", "limit": 5,
                            "order_by": ["metrics.acc DESC"]}  # fmt: skip
    while True:
        page = world.bob.post(f"{RUNS}/search", json=body).json()
        seen += [r["name"] for r in page["items"]]
        if page["next_cursor"] is None:
            break
        body["cursor"] = page["next_cursor"]
    assert len(seen) == 12 and len(set(seen)) == 12
    bad = world.bob.get(RUNS, params={"cursor": "bm90LWEtY3Vyc29y"})
    assert bad.status_code == 422


def test_fields_narrow_what_each_run_carries(world: World, seeded: dict[str, str]) -> None:
    full = world.bob.get(RUNS, params={"filter": "attributes.name = 'Run-03'"}).json()["items"]
    assert full[0]["params"] == {"layers": "3", "lr": "0.01"} and "acc" in full[0]["metrics"]
    query = {"filter": "attributes.name = 'Run-03'", "fields": ["metrics.acc", "params.lr"]}
    narrow = world.bob.get(RUNS, params=query).json()["items"][0]
    assert narrow["params"] == {"lr": "0.01"} and list(narrow["metrics"]) == ["acc"]
    assert narrow["tags"] == {} and narrow["inputs"] == []
    assert {k: narrow[k] for k in ("id", "name", "status")} == {
        k: full[0][k] for k in ("id", "name", "status")
    }
    body = {"filter": "attributes.name = 'Run-03'", "fields": ["tags"]}
    tags_only = world.bob.post(f"{RUNS}/search", json=body).json()["items"][0]
    assert (tags_only["tags"], tags_only["params"], tags_only["metrics"]) == (
        {"team": "Vision"},
        {},
        {},
    )
    for bad in (["secrets"], ["metrics."], ["params.a\nb"]):
        r = world.bob.get(RUNS, params={"fields": bad})
        assert r.status_code == 422, bad
        assert r.json()["error"]["code"] == "validation_error"


def test_syntax_errors_name_the_position(world: World, seeded: dict[str, str]) -> None:
    r = world.bob.get(RUNS, params={"filter": "metrics.acc >> 1"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_filter" and error["details"]["position"] == 13
    assert "at position 13" in error["message"]


INJECTIONS = [
    "params.lr = '0.1'' OR ''1''=''1'",
    "params.`lr' OR 1=1 --` = 'x'",
    "tags.team = '; DROP TABLE runs; --'",
    "attributes.name LIKE '%'' UNION SELECT uuid FROM runs --'",
    'metrics.`acc") OR (1=1` > 0',
]


def test_injection_attempts_are_just_values(world: World, seeded: dict[str, str]) -> None:
    for filter in INJECTIONS:
        assert names(world.bob, filter) == [], filter
        assert len(names(world.bob)) == 12  # the table is still there, whole


@pytest.mark.parametrize("filter", INJECTIONS)
def test_compiled_sql_holds_no_text_from_the_filter(filter: str) -> None:
    node = parse_filter(filter)
    assert node is not None
    for dialect, name in ((sqlite.dialect(), "sqlite"), (postgresql.dialect(), "postgresql")):
        stmt = select(RunRow.id).where(condition(node, name))
        sql = str(stmt.compile(dialect=dialect))
        for fragment in ("DROP", "UNION", "OR 1=1", "''1''", 'acc"'):
            assert fragment not in sql, (name, sql)


def test_like_becomes_a_case_sensitive_glob_on_sqlite() -> None:
    assert glob_pattern("a%b_c") == "a*b?c"
    assert glob_pattern("[x]*?") == "[[]x][*][?]"


def test_compare_lines_runs_up(world: World, seeded: dict[str, str]) -> None:
    pick = [seeded["Run-02"], seeded["Run-03"], seeded["Run-11"]]
    r = world.bob.get(f"{RUNS}/compare", params={"ids": ",".join(pick)})
    assert r.status_code == 200, r.text
    found = r.json()
    assert [run["name"] for run in found["runs"]] == ["Run-02", "Run-03", "Run-11"]
    assert found["params"]["lr"] == ["0.1", "0.01", "0.01"]
    assert found["metrics"]["acc"] == [0.2, 0.3, None]
    assert found["differing_params"] == ["layers", "lr"]
    missing = world.bob.get(f"{RUNS}/compare", params={"ids": f"{pick[0]},{'0' * 32}"})
    assert missing.status_code == 404
    outsider = world.carol.get(f"{RUNS}/compare", params={"ids": pick[0]})
    assert outsider.status_code == 404
