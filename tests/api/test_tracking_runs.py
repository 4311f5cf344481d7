"""Runs over the REST API: lifecycle, batched logging, histories, lineage and bad input."""

from __future__ import annotations

import math
from typing import Any

from blake3 import blake3
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from atrium.server.store.tables import AuditEventRow, JobRow
from atrium.server.store.tracking_tables import MetricChunkRow, RunMetricRow
from tests.conftest import World

RUNS = "/api/v1/groups/ml/runs"
EXPERIMENTS = "/api/v1/groups/ml/experiments"


def new_run(client: TestClient, **body: Any) -> dict[str, Any]:
    r = client.post(RUNS, json={"experiment": "exp", **body})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def log(client: TestClient, run_id: str, **body: Any) -> Any:
    return client.post(f"{RUNS}/{run_id}/log-batch", json=body)


def series(key: str, values: list[Any], steps: list[int] | None = None) -> dict[str, Any]:
    steps = steps if steps is not None else list(range(len(values)))
    return {"key": key, "steps": steps, "values": values, "timestamps": [1000 + s for s in steps]}


def history(client: TestClient, run_id: str, key: str, **query: Any) -> dict[str, Any]:
    r = client.get(f"{RUNS}/{run_id}/metrics/history", params={"key": key, **query})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def audit_actions(hub: Any, resource_type: str) -> list[str]:
    with hub.db.read() as s:
        stmt = (
            select(AuditEventRow.action)
            .where(AuditEventRow.resource_type == resource_type)
            .order_by(AuditEventRow.id)
        )
        return list(s.scalars(stmt))


def test_a_run_is_created_logged_into_finished_and_audited(world: World, hub: Any) -> None:
    run = new_run(world.alice, name="first", params={"lr": "0.01"}, tags={"team": "vision"})
    assert (run["name"], run["status"], run["user"], run["experiment"]) == (
        "first",
        "running",
        "alice",
        "exp",
    )
    assert run["params"] == {"lr": "0.01"} and run["tags"] == {"team": "vision"}
    r = log(world.alice, run["id"], metrics=[series("loss", [0.9, 0.5, 0.25])], tags={"k": "v"})
    assert r.json() == {"params": 0, "tags": 1, "points": 3}
    seen = world.bob.get(f"{RUNS}/{run['id']}").json()  # any member reads it
    assert seen["metrics"]["loss"] == {
        "value": 0.25,
        "step": 2,
        "timestamp": 1002,
        "min": 0.25,
        "max": 0.9,
        "count": 3,
    }
    done = world.alice.patch(f"{RUNS}/{run['id']}", json={"status": "finished", "notes": "ok"})
    assert done.status_code == 200 and done.json()["end_time"] is not None
    assert done.json()["notes"] == "ok"
    reopened = world.alice.patch(f"{RUNS}/{run['id']}", json={"status": "running"})
    assert reopened.json()["end_time"] is None
    # One row per create, update and delete; none per logged batch.
    assert audit_actions(hub, "run") == ["run.create", "run.update", "run.update"]
    assert audit_actions(hub, "experiment") == ["experiment.create"]


def test_params_are_immutable_and_a_refused_batch_changes_nothing(world: World) -> None:
    run = new_run(world.alice, params={"lr": "0.1"})
    again = log(world.alice, run["id"], params={"lr": "0.1", "bs": "32"})
    assert again.status_code == 200 and again.json()["params"] == 1
    clash = log(
        world.alice,
        run["id"],
        params={"lr": "0.2", "new": "x"},
        tags={"t": "1"},
        metrics=[series("m", [1.0])],
    )
    assert clash.status_code == 409
    assert clash.json()["error"]["details"] == {"keys": ["lr"]}
    assert "'lr' is '0.1'" in clash.json()["error"]["message"]
    after = world.alice.get(f"{RUNS}/{run['id']}").json()
    assert after["params"] == {"lr": "0.1", "bs": "32"}
    assert after["tags"] == {} and after["metrics"] == {}


def test_nan_and_infinities_are_stored_and_returned_faithfully(world: World) -> None:
    run = new_run(world.alice)
    values = ["NaN", "Infinity", "-Infinity", 0.5, -0.0, 1e308]
    assert log(world.alice, run["id"], metrics=[series("x", values)]).status_code == 200
    raw = '{"metrics": [{"key": "y", "steps": [0, 1], "values": [NaN, -Infinity]}]}'
    sent = world.alice.post(
        f"{RUNS}/{run['id']}/log-batch",
        content=raw,
        headers={"content-type": "application/json"},
    )
    assert sent.status_code == 200, sent.text
    assert history(world.alice, run["id"], "x")["values"] == values
    assert history(world.alice, run["id"], "y")["values"] == ["NaN", "-Infinity"]
    latest = world.alice.get(f"{RUNS}/{run['id']}").json()["metrics"]
    assert latest["x"] == {
        "value": 1e308,
        "step": 5,
        "timestamp": 1005,
        "min": "-Infinity",
        "max": "Infinity",
        "count": 6,
    }
    assert latest["y"]["value"] == "-Infinity"
    assert log(world.alice, run["id"], metrics=[series("y", ["NaN"], [9])]).status_code == 200
    assert world.alice.get(f"{RUNS}/{run['id']}").json()["metrics"]["y"]["value"] == "NaN"


def test_out_of_order_steps_are_accepted_and_read_back_in_step_order(world: World) -> None:
    run = new_run(world.alice)
    log(world.alice, run["id"], metrics=[series("m", [50.0, 30.0, 40.0], [5, 3, 4])])
    log(world.alice, run["id"], metrics=[series("m", [10.0, 20.0], [1, 2])])
    found = history(world.alice, run["id"], "m")
    assert found["steps"] == [1, 2, 3, 4, 5]
    assert found["values"] == [10.0, 20.0, 30.0, 40.0, 50.0]
    assert world.alice.get(f"{RUNS}/{run['id']}").json()["metrics"]["m"]["value"] == 50.0
    ranged = history(world.alice, run["id"], "m", start_step=2, end_step=4)
    assert ranged["steps"] == [2, 3, 4] and ranged["total"] == 3


def test_history_downsamples_on_request_keeping_first_last_and_extremes(world: World) -> None:
    run = new_run(world.alice)
    values = [math.sin(i / 500) for i in range(30_000)]
    values[12_345] = 99.0
    log(world.alice, run["id"], metrics=[series("wave", values)])
    whole = history(world.alice, run["id"], "wave")
    assert whole["total"] == 30_000 and len(whole["values"]) == 30_000
    assert whole["downsampled"] is False
    small = history(world.alice, run["id"], "wave", max_points=200)
    assert small["downsampled"] is True and small["total"] == 30_000
    assert len(small["steps"]) <= 200
    assert (small["steps"][0], small["steps"][-1]) == (0, 29_999)
    assert 99.0 in small["values"] and min(values) in small["values"]
    assert all(values[s] == v for s, v in zip(small["steps"], small["values"], strict=True))
    bad = world.alice.get(
        f"{RUNS}/{run['id']}/metrics/history", params={"key": "wave", "max_points": 2}
    )
    assert bad.status_code == 422


def test_point_by_point_logging_ends_up_in_a_few_chunks(world: World, hub: Any) -> None:
    run = new_run(world.alice)
    for step in range(300):
        log(world.alice, run["id"], metrics=[series("slow", [float(step)], [step])])
    assert history(world.alice, run["id"], "slow")["values"] == [float(s) for s in range(300)]
    with hub.db.read() as s:
        chunks = s.scalar(
            select(func.count())
            .select_from(MetricChunkRow)
            .join(RunMetricRow, RunMetricRow.id == MetricChunkRow.series_id)
            .where(RunMetricRow.key == "slow")
        )
    assert chunks == 2  # 256 merged points, then the rest


def test_nested_runs_point_at_their_parent(world: World) -> None:
    parent = new_run(world.alice, name="sweep")
    child = new_run(world.alice, name="trial-1", parent_run_id=parent["id"])
    assert child["parent_run_id"] == parent["id"]
    found = world.alice.get(RUNS, params={"filter": f"attributes.parent_run_id = '{parent['id']}'"})
    assert [r["name"] for r in found.json()["items"]] == ["trial-1"]
    other = world.carol.post(
        "/api/v1/groups/bio/runs", json={"name": "x", "parent_run_id": parent["id"]}
    )
    assert other.status_code == 422 and "parent run" in other.json()["error"]["message"]


def test_bad_input_is_refused_and_changes_nothing(world: World) -> None:
    run = new_run(world.alice)
    path = f"{RUNS}/{run['id']}/log-batch"
    bad_bodies = [
        {"metrics": [series("../up", [1.0])]},
        {"metrics": [series("/abs", [1.0])]},
        {"metrics": [series("a//b", [1.0])]},
        {"metrics": [series("x" * 251, [1.0])]},
        {"metrics": [series("new\nline", [1.0])]},
        {"metrics": [{"key": "m", "steps": [0, 1], "values": [1.0]}]},
        {"metrics": [{"key": "m", "steps": [2**53], "values": [1.0]}]},
        {"metrics": [{"key": "m", "steps": [0], "values": [1.0], "timestamps": [-1]}]},
        {"metrics": [{"key": "m", "steps": [0], "values": ["one"]}]},
        {"params": {"p": "x" * 6001}},
        {"tags": {"bad key!": "x"}},
        {"unknown": 1},
        {"metrics": [series(f"k{i}", [1.0] * 25_001) for i in range(4)]},
    ]
    for body in bad_bodies:
        r = world.alice.post(path, json=body)
        assert r.status_code == 422, (str(body)[:80], r.text)
        assert r.json()["error"]["code"] == "validation_error"
    huge = world.alice.post(
        path,
        content=b"[" + b"1," * (17 * 2**20) + b"1]",
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "payload_too_large"
    not_json = world.alice.post(path, content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 400
    after = world.alice.get(f"{RUNS}/{run['id']}").json()
    assert after["metrics"] == {} and after["params"] == {} and after["tags"] == {}
    assert world.alice.get(f"{RUNS}/not-a-run-id").status_code == 422
    assert world.alice.patch(f"{RUNS}/{run['id']}", json={"status": "done"}).status_code == 422
    assert world.alice.post(RUNS, json={"experiment": "bad\x00name"}).status_code == 422


def test_outsiders_get_404_and_members_change_only_their_own_runs(world: World) -> None:
    alices = new_run(world.alice)
    bobs = new_run(world.bob)
    for client in (world.carol, world.dave):
        assert client.get(f"{RUNS}/{alices['id']}").status_code == 404
        assert log(client, alices["id"], metrics=[series("m", [1.0])]).status_code == 404
    # carol's own group cannot reach ml's run either
    assert world.carol.get(f"/api/v1/groups/bio/runs/{alices['id']}").status_code == 404
    assert log(world.bob, alices["id"], metrics=[series("m", [1.0])]).status_code == 403
    assert world.bob.delete(f"{RUNS}/{alices['id']}").status_code == 403
    assert log(world.bob, bobs["id"], metrics=[series("m", [1.0])]).status_code == 200
    assert world.alice.patch(f"{RUNS}/{bobs['id']}", json={"name": "renamed"}).status_code == 200
    assert world.alice.get(f"{RUNS}/{alices['id']}").json()["metrics"] == {}


def test_deleted_runs_disappear(world: World, hub: Any) -> None:
    run = new_run(world.alice)
    assert world.alice.delete(f"{RUNS}/{run['id']}").status_code == 204
    assert world.alice.get(f"{RUNS}/{run['id']}").status_code == 404
    assert log(world.alice, run["id"], params={"a": "b"}).status_code == 404
    assert run["id"] not in [r["id"] for r in world.alice.get(RUNS).json()["items"]]
    assert audit_actions(hub, "run") == ["run.create", "run.delete"]


def test_tags_can_be_overwritten_and_deleted(world: World) -> None:
    run = new_run(world.alice, tags={"stage": "dev", "a/b": "1"})
    log(world.alice, run["id"], tags={"stage": "prod"})
    assert world.alice.get(f"{RUNS}/{run['id']}").json()["tags"] == {"stage": "prod", "a/b": "1"}
    untag = f"{RUNS}/{run['id']}/tags"
    assert world.alice.delete(untag, params={"key": "a/b"}).status_code == 204
    assert world.alice.delete(untag, params={"key": "a/b"}).status_code == 404
    assert world.alice.get(f"{RUNS}/{run['id']}").json()["tags"] == {"stage": "prod"}


def test_experiments_are_named_per_group_and_deleting_one_deletes_its_runs(
    world: World,
) -> None:
    made = world.bob.post(EXPERIMENTS, json={"name": "baseline", "description": "first"})
    assert made.status_code == 201 and made.json()["created_by"] == "bob"
    assert world.bob.post(EXPERIMENTS, json={"name": "baseline"}).status_code == 409
    assert (
        world.carol.post("/api/v1/groups/bio/experiments", json={"name": "baseline"}).status_code
        == 201
    )
    exp_id = made.json()["id"]
    run = new_run(world.bob, experiment="baseline")
    listed = world.alice.get(EXPERIMENTS, params={"name": "baseline"}).json()["items"]
    assert [(e["id"], e["run_count"]) for e in listed] == [(exp_id, 1)]
    assert listed[0]["last_run_at"] == run["start_time"]
    assert made.json()["last_run_at"] is None
    renamed = world.bob.patch(f"{EXPERIMENTS}/{exp_id}", json={"name": "baseline-v2"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "baseline-v2"
    assert world.carol.get(f"{EXPERIMENTS}/{exp_id}").status_code == 404
    alices = world.alice.post(EXPERIMENTS, json={"name": "alices"}).json()
    assert world.bob.delete(f"{EXPERIMENTS}/{alices['id']}").status_code == 403
    assert world.bob.delete(f"{EXPERIMENTS}/{exp_id}").status_code == 204
    assert world.bob.get(f"{RUNS}/{run['id']}").status_code == 404
    assert world.bob.post(EXPERIMENTS, json={"name": "baseline-v2"}).status_code == 201


def test_lineage_records_the_job_and_the_dataset_versions_read(world: World, hub: Any) -> None:
    datasets = "/api/v1/groups/ml/datasets"
    assert world.alice.post(datasets, json={"name": "scans"}).status_code == 201
    blob = b"alpha"
    key = blake3(blob).hexdigest()
    world.alice.put(f"{datasets}/scans/blobs/{key}", content=blob)
    files = [{"path": "a.txt", "size": len(blob), "hash": key}]
    assert world.alice.post(f"{datasets}/scans/versions", json={"files": files}).status_code == 201
    run = new_run(world.alice, inputs=["ml/scans"])
    assert run["inputs"] == ["ml/scans@v1"]
    missing = world.alice.post(RUNS, json={"inputs": ["ml/nothing@v1"]})
    assert (
        missing.status_code == 422 and "input 'ml/nothing@v1'" in missing.json()["error"]["message"]
    )
    job_id = _job(hub, {"resolved_inputs": {"SCANS": "ml/scans@v1"}})
    from_job = new_run(world.alice, source={"type": "job", "job_id": job_id, "name": "train.py"})
    assert from_job["source"] == {
        "type": "job",
        "name": "train.py",
        "job_id": job_id,
        "git_commit": None,
    }
    assert from_job["inputs"] == ["ml/scans@v1"]
    unknown = world.alice.post(RUNS, json={"source": {"type": "job", "job_id": 99_999}})
    assert unknown.status_code == 422


def _job(hub: Any, spec: dict[str, Any]) -> int:
    """A job row as the jobs service leaves it after submit (only its spec matters here)."""
    group = hub.quotas.group_id("ml")
    with hub.db.write() as s:
        row = JobRow(
            group_id=group,
            created_by="alice",
            name="train",
            status="succeeded",
            spec=spec,
            instance_type="cpu-1",
            cpu=1.0,
            memory=2**30,
            gpu=0,
            priority=0,
            max_retries=0,
            created_at=hub.clock.now(),
        )
        s.add(row)
        s.flush()
        return int(row.id)


def test_a_search_page_carries_each_run_as_its_own_answer_does(world: World) -> None:
    """Search pages are encoded apart from single runs (run by run, from plain dicts): the
    same JSON, non-finite metrics, times, parent, source, params, tags and inputs included."""
    parent = new_run(world.alice, params={"lr": "0.1"}, tags={"team": "vision"})
    child = new_run(
        world.alice,
        parent_run_id=parent["id"],
        source={"type": "script", "name": "train.py", "git_commit": "abcdef1"},
    )
    values = ["NaN", "Infinity", "-Infinity", 0.1 + 0.2, -0.0, 1e-5]
    assert log(world.alice, child["id"], metrics=[series("x", values)]).status_code == 200
    assert log(world.alice, child["id"], metrics=[series("y", [2.5, "NaN"])]).status_code == 200
    # Finite numbers whose sum overflows (the encoder tests the three numbers' sum first).
    assert log(world.alice, child["id"], metrics=[series("z", [0.5, 1e308])]).status_code == 200
    world.alice.patch(f"{RUNS}/{child['id']}", json={"status": "finished", "notes": 'é "q"'})
    page = world.alice.get(RUNS, params={"limit": 1000}).json()
    assert page["next_cursor"] is None
    for run in (parent, child):
        single = world.alice.get(f"{RUNS}/{run['id']}").json()
        assert [r for r in page["items"] if r["id"] == run["id"]] == [single]
    assert single["metrics"]["y"]["value"] == "NaN" and single["parent_run_id"] == parent["id"]
    assert single["metrics"]["z"] | {"timestamp": 0} == {
        "value": 1e308, "step": 1, "timestamp": 0, "min": 0.5, "max": 1e308, "count": 2
    }  # fmt: skip
    found = world.alice.post(f"{RUNS}/search", json={"fields": ["metrics.x"]}).json()["items"]
    assert [r["metrics"] for r in found if r["id"] == child["id"]] == [
        {"x": world.alice.get(f"{RUNS}/{child['id']}").json()["metrics"]["x"]}
    ]
