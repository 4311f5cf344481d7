"""Registry storage: quota on uploads, blob GC after deletions, and lineage from a real job."""

from __future__ import annotations

from typing import Any

import pytest
from blake3 import blake3
from fastapi import FastAPI

from atrium.server.settings import Settings
from atrium.server.store.db import Database
from atrium.server.store.tables import JobRow
from tests.api.datasets_helpers import push
from tests.api.jobs_helpers import finish, make_app, submit
from tests.api.models_helpers import (
    RUNS,
    model_path,
    new_model,
    ok,
    register,
    run_with_files,
    upload,
    uploaded,
)
from tests.conftest import FakeClock, World


@pytest.fixture
def app(settings: Settings, database: Database, clock: FakeClock) -> FastAPI:
    """With the real scheduler and local executor, for the job behind a run's lineage."""
    return make_app(settings, database, clock)


def used_storage(world: World) -> int:
    usage = ok(world.admin.get("/api/v1/groups/ml/usage"))
    return int(usage["resources"]["storage_bytes"]["used"])


def gc(world: World) -> dict[str, Any]:
    body = {"dry_run": False, "grace_seconds": 0}
    return ok(world.admin.post("/api/v1/admin/gc", json=body))  # type: ignore[no-any-return]


def test_uploads_count_against_the_storage_quota(world: World) -> None:
    new_model(world.alice, "big")
    ok(world.admin.patch("/api/v1/groups/ml/quota", json={"storage_bytes": 1000}))
    made = ok(world.alice.post(f"{model_path('big')}/versions", json={}), 201)["version"]
    assert upload(world.alice, "big", made, "a.bin", b"x" * 600).status_code == 201
    over = upload(world.alice, "big", made, "b.bin", b"y" * 600)
    assert over.status_code == 409 and over.json()["error"]["code"] == "quota_exceeded"
    files = ok(world.alice.get(f"{model_path('big')}/versions/{made}/files"))["items"]
    assert [f["path"] for f in files] == ["a.bin"]
    assert used_storage(world) == 600
    # The same bytes again cost nothing: storage counts distinct blobs.
    assert upload(world.alice, "big", made, "copy.bin", b"x" * 600).status_code == 201


def test_registering_a_run_costs_no_extra_storage(world: World) -> None:
    run_id = run_with_files(world.alice, {"model/w.bin": b"w" * 500})
    before = used_storage(world)
    new_model(world.alice, "clf")
    ok(register(world.alice, "clf", run_id), 201)
    assert used_storage(world) == before == 500
    assert world.alice.delete(f"{RUNS.format(group='ml')}/{run_id}").status_code == 204
    assert used_storage(world) == 500  # the version now holds the run's blob alone
    uploaded(world.alice, "clf", {"other.bin": b"o" * 10})
    assert used_storage(world) == 510


def test_gc_frees_a_deleted_versions_blobs_but_keeps_shared_ones(world: World, hub: Any) -> None:
    shared, only_model = b"shared with a live run", b"only in the deleted version"
    run_with_files(world.alice, {"model/w.bin": shared})
    new_model(world.alice, "m")
    kept = uploaded(world.alice, "m", {"kept.bin": b"kept version"})
    dropped = uploaded(world.alice, "m", {"w.bin": shared, "x.bin": only_model})
    gc(world)
    assert hub.blobs.has(blake3(only_model).hexdigest())  # live: kept
    assert world.alice.delete(f"{model_path('m')}/versions/{dropped}").status_code == 204
    report = gc(world)
    assert report["blobs"] >= 1
    assert not hub.blobs.has(blake3(only_model).hexdigest())
    assert hub.blobs.has(blake3(shared).hexdigest())
    got = world.bob.get(
        f"{model_path('m')}/versions/{kept}/files/content", params={"path": "kept.bin"}
    )
    assert got.content == b"kept version"
    assert world.alice.delete(model_path("m")).status_code == 204
    gc(world)
    assert not hub.blobs.has(blake3(b"kept version").hexdigest())
    assert hub.blobs.has(blake3(shared).hexdigest())


def test_lineage_without_a_run_is_empty(world: World) -> None:
    new_model(world.alice, "m")
    number = uploaded(world.alice, "m", {"a": b"a"})
    found = ok(world.bob.get(f"{model_path('m')}/versions/{number}/lineage"))
    assert found == {
        "model": "m", "version": 1, "run": None, "job": None, "environment": None, "datasets": [],
    }  # fmt: skip
    assert world.carol.get(f"{model_path('m')}/versions/{number}/lineage").status_code == 404


def test_lineage_leads_from_a_version_to_the_job_its_environment_and_datasets(
    app: FastAPI, world: World, hub: Any
) -> None:
    ok(world.alice.post("/api/v1/groups/ml/datasets", json={"name": "scans"}), 201)
    assert push(world.alice, "ml/scans", {"a.csv": b"1,2\n"}).status_code == 201
    job_id = submit(world.alice, "true", inputs={"SCANS": "ml/scans"})
    assert finish(app, world.alice, job_id)["status"] == "succeeded"
    # What atrium.start_run() does inside the job: the run's source is the job.
    source = {"type": "job", "job_id": job_id, "name": "train.py"}
    run_id = run_with_files(
        world.alice, {"model/m.bin": b"m"}, source=source, name="train", params={"lr": "0.1"}
    )
    new_model(world.alice, "clf")
    ok(register(world.alice, "clf", run_id), 201)
    found = ok(world.bob.get(f"{model_path('clf')}/versions/1/lineage"))
    assert found["run"] == {
        "id": run_id, "name": "train", "experiment": "reg", "status": "running",
        "deleted": False, "params": {"lr": "0.1"}, "metrics": {"acc": 0.93},
    }  # fmt: skip
    assert found["job"] == {
        "id": job_id, "name": found["job"]["name"], "command": "true",
        "instance_type": "cpu-1", "status": "succeeded",
    }  # fmt: skip
    assert found["environment"] is None  # the server's own Python
    assert found["datasets"] == ["ml/scans@v1"]
    _with_environment(hub, job_id, "py311-sklearn")
    assert ok(world.bob.get(f"{model_path('clf')}/versions/1/lineage"))["environment"] == (
        "py311-sklearn"
    )
    assert world.alice.delete(f"{RUNS.format(group='ml')}/{run_id}").status_code == 204
    after = ok(world.bob.get(f"{model_path('clf')}/versions/1/lineage"))
    assert after["run"]["deleted"] is True and after["datasets"] == ["ml/scans@v1"]


def _with_environment(hub: Any, job_id: int, name: str) -> None:
    """A named environment needs a virtualenv on the server; its name is all lineage reads."""
    with hub.db.write() as s:
        row = s.get(JobRow, job_id)
        row.spec = {**row.spec, "environment": name}
