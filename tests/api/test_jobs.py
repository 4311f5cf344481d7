"""Jobs over the REST API, run by the real scheduler on the real local executor."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from atrium.server.settings import Settings
from atrium.server.store.db import Database
from tests.api.datasets_helpers import push
from tests.api.jobs_helpers import (
    alive,
    drive,
    finish,
    get,
    jobs,
    log_text,
    make_app,
    submit,
    usage,
)
from tests.conftest import FakeClock, World


@pytest.fixture
def app(settings: Settings, database: Database, clock: FakeClock) -> FastAPI:
    return make_app(settings, database, clock)


def _job_count(hub) -> int:  # type: ignore[no-untyped-def]
    from atrium.server.store.tables import JobRow

    with hub.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(JobRow)) or 0)


def test_a_job_runs_to_success_with_logs_and_artifacts(app: FastAPI, world: World) -> None:
    command = (
        'echo "hello from $ATRIUM_GROUP job $ATRIUM_JOB_ID"; echo "K=$K"; '
        "mkdir -p $ATRIUM_ARTIFACTS_DIR/model && echo weights > $ATRIUM_ARTIFACTS_DIR/model/w.bin"
    )
    job_id = submit(world.bob, command, name="train", env={"K": "V"})
    queued = get(world.bob, job_id)
    assert (queued["status"], queued["name"], queued["created_by"]) == ("queued", "train", "bob")
    assert queued["reason"] == "waiting: in the queue"
    done = finish(app, world.bob, job_id)
    assert (done["status"], done["exit_code"], done["reason"]) == ("succeeded", 0, None)
    assert [a["status"] for a in done["attempts"]] == ["succeeded"]
    assert log_text(world.bob, job_id) == f"hello from ml job {job_id}\nK=V\n"
    listed = world.alice.get(f"{jobs()}/{job_id}/artifacts").json()["items"]
    assert [(a["path"], a["size"]) for a in listed] == [("model/w.bin", 8)]
    blob = world.alice.get(f"{jobs()}/{job_id}/artifacts/file", params={"path": "model/w.bin"})
    assert blob.status_code == 200 and blob.content == b"weights\n"
    assert usage(world.bob)["cpu"] == 0 and usage(world.bob)["running_jobs"] == 0
    assert usage(world.bob)["storage_bytes"] > 0  # the log and the artifact are kept


def test_failure_retries_then_fails_with_the_reason(app: FastAPI, world: World) -> None:
    job_id = submit(world.bob, "echo try; exit 3", max_retries=2)
    done = finish(app, world.bob, job_id)
    assert (done["status"], done["reason"], done["exit_code"]) == ("failed", "exit code 3", 3)
    assert [a["number"] for a in done["attempts"]] == [1, 2, 3]
    assert world.bob.get(f"{jobs()}/{job_id}/logs", params={"attempt": 2}).text == "try\n"
    assert usage(world.bob)["running_jobs"] == 0


def test_a_retry_can_succeed(app: FastAPI, world: World, tmp_path: Path) -> None:
    marker = tmp_path / "tried"
    job_id = submit(world.bob, f"test -f {marker} || {{ touch {marker}; exit 1; }}", max_retries=1)
    done = finish(app, world.bob, job_id)
    assert done["status"] == "succeeded"
    assert [(a["status"], a["reason"]) for a in done["attempts"]] == [
        ("failed", "exit code 1"),
        ("succeeded", None),
    ]


def test_cancel_a_queued_job(app: FastAPI, world: World) -> None:
    job_id = submit(world.bob, "true")
    r = world.bob.post(f"{jobs()}/{job_id}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["reason"] == "cancelled by bob"
    again = world.bob.post(f"{jobs()}/{job_id}/cancel")
    assert again.status_code == 409
    app.state.scheduler.run_once()
    assert get(world.bob, job_id)["attempts"] == []


def test_cancel_kills_the_whole_tree(app: FastAPI, world: World, tmp_path: Path) -> None:
    child = tmp_path / "child.pid"
    job_id = submit(world.bob, f"sleep 300 & echo $! > {child}; echo started; wait")
    drive(app, lambda: child.exists() and child.read_text().strip() != "")
    assert alive(child)
    assert world.carol.post(f"{jobs()}/{job_id}/cancel").status_code == 404  # not her group
    assert world.alice.post(f"{jobs()}/{job_id}/cancel").status_code == 200  # group admin
    done = finish(app, world.bob, job_id)
    assert (done["status"], done["reason"]) == ("cancelled", "cancelled by alice")
    assert not alive(child)
    assert "started" in log_text(world.bob, job_id)
    assert usage(world.bob)["cpu"] == 0


def test_a_member_cannot_cancel_anothers_job(app: FastAPI, world: World) -> None:
    job_id = submit(world.alice, "true")
    r = world.bob.post(f"{jobs()}/{job_id}/cancel")
    assert r.status_code == 403 and get(world.bob, job_id)["status"] == "queued"


def test_timeout(app: FastAPI, world: World, clock: FakeClock) -> None:
    job_id = submit(world.bob, "echo going; sleep 300", timeout_seconds=60)
    drive(app, lambda: get(world.bob, job_id)["status"] == "running")
    clock.advance(seconds=61)
    done = finish(app, world.bob, job_id)
    assert (done["status"], done["reason"]) == ("timed_out", "timed out after 60 s")
    assert usage(world.bob)["cpu"] == 0 and usage(world.bob)["running_jobs"] == 0


def test_rerun_and_clone(app: FastAPI, world: World) -> None:
    spec = {"name": "etl", "env": {"A": "1"}, "priority": 5, "max_retries": 1}
    job_id = submit(world.bob, ["echo", "x"], **spec)
    clone = world.alice.get(f"{jobs()}/{job_id}/clone").json()
    assert clone["command"] == ["echo", "x"] and clone["env"] == {"A": "1"}
    assert (clone["name"], clone["priority"], clone["instance_type"]) == ("etl", 5, "cpu-1")
    assert world.alice.post(jobs(), json=clone).status_code == 201  # a clone submits as it is
    rerun = world.alice.post(f"{jobs()}/{job_id}/rerun")
    assert rerun.status_code == 201, rerun.text
    body = rerun.json()
    assert (body["rerun_of"], body["created_by"], body["command"]) == (
        job_id,
        "alice",
        ["echo", "x"],
    )
    assert finish(app, world.alice, body["id"])["status"] == "succeeded"


def test_list_filters_and_pages(app: FastAPI, world: World) -> None:
    mine = [submit(world.bob, "true") for _ in range(3)]
    theirs = submit(world.alice, "true")
    world.bob.post(f"{jobs()}/{mine[0]}/cancel")
    page = world.bob.get(jobs(), params={"limit": 2}).json()
    assert [j["id"] for j in page["items"]] == [theirs, mine[2]]  # newest first
    rest = world.bob.get(jobs(), params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [j["id"] for j in rest["items"]] == [mine[1], mine[0]]
    only_mine = world.bob.get(jobs(), params={"mine": "true"}).json()["items"]
    assert {j["id"] for j in only_mine} == set(mine)
    cancelled = world.bob.get(jobs(), params={"status": "cancelled"}).json()["items"]
    assert [j["id"] for j in cancelled] == [mine[0]]
    assert world.dave.get(jobs()).status_code == 404


def test_inputs_are_pinned_and_read_only(app: FastAPI, world: World) -> None:
    assert world.bob.post("/api/v1/groups/ml/datasets", json={"name": "scans"}).status_code == 201
    push(world.bob, "ml/scans", {"a.txt": b"alpha", "dir/b.txt": b"beta"})
    push(world.bob, "ml/scans", {"a.txt": b"alpha2"})
    # Modes, not a write attempt: a root test run writes through any mode.
    command = (
        "cat $ATRIUM_DATA_SCANS/a.txt; echo; cat $ATRIUM_DATA_OLD/dir/b.txt; echo; "
        "stat -c %a $ATRIUM_DATA_OLD/a.txt $ATRIUM_DATA_OLD/dir $ATRIUM_DATA_OLD"
    )
    job_id = submit(world.bob, command, inputs={"scans": "ml/scans", "old": "ml/scans@1"})
    job = get(world.bob, job_id)
    assert job["resolved_inputs"] == {"scans": "ml/scans@v2", "old": "ml/scans@v1"}
    assert finish(app, world.bob, job_id)["status"] == "succeeded"
    assert log_text(world.bob, job_id) == "alpha2\nbeta\n444\n555\n555\n"


def test_secrets_arrive_as_env_vars(app: FastAPI, world: World) -> None:
    value = "pw-7Qx9-secret"
    r = world.alice.post("/api/v1/groups/ml/secrets", json={"name": "DB_PASSWORD", "value": value})
    assert r.status_code == 201, r.text
    job_id = submit(world.bob, "echo ${#DB_PASSWORD} ${DB_PASSWORD%%-*}", secrets=["DB_PASSWORD"])
    assert finish(app, world.bob, job_id)["status"] == "succeeded"
    assert log_text(world.bob, job_id) == "14 pw\n"
    assert value not in str(get(world.bob, job_id))


def test_the_job_token_acts_in_the_jobs_group_only(app: FastAPI, world: World) -> None:
    """Even a platform admin's job gets a token good for its own group, and only while it runs:
    it carries the owner's membership there, never platform-admin rights."""
    member = {"username": "admin", "role": "member"}
    assert world.admin.post("/api/v1/groups/ml/members", json=member).status_code == 201
    job_id = submit(world.admin, 'printf %s "$ATRIUM_TOKEN" > $ATRIUM_ARTIFACTS_DIR/token')
    assert finish(app, world.admin, job_id)["status"] == "succeeded"
    secret = world.admin.get(f"{jobs()}/{job_id}/artifacts/file", params={"path": "token"}).text
    assert secret.startswith("atj_")
    used = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    assert used.get(jobs()).status_code == 401  # revoked when the job ended
    hub = app.state.hub
    with hub.db.write() as s:  # what it could do while alive: un-revoke to look
        from atrium.server.store.tables import TokenRow

        row = s.scalar(select(TokenRow).where(TokenRow.kind == "job"))
        row.revoked_at = None
    assert used.get(jobs()).status_code == 200
    assert used.get("/api/v1/groups/bio").status_code == 404
    assert used.get("/api/v1/users").status_code == 403
    assert used.post("/api/v1/tokens", json={"name": "escape"}).status_code == 403


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"command": "x" * 70_000}, "command"),
        ({"command": ["a", "b" * 70_000]}, "command"),
        ({"command": ""}, "command"),
        ({"command": "true\x00"}, "command"),
        ({"command": "true", "env": {"1BAD": "x"}}, "env"),
        ({"command": "true", "env": {"ATRIUM_TOKEN": "x"}}, "env"),
        ({"command": "true", "secrets": ["not-a-name"]}, "secrets"),
        ({"command": "true", "secrets": ["MISSING"]}, "secrets"),
        ({"command": "true", "instance_type": "gpu-huge"}, "instance_type"),
        ({"command": "true", "inputs": {"x": "ml/nothing@v1"}}, "inputs"),
        ({"command": "true", "inputs": {"x": "not a ref"}}, "inputs"),
        ({"command": "true", "working_dir": "../outside"}, "working_dir"),
        ({"command": "true", "working_dir": "/etc"}, "working_dir"),
        ({"command": "true", "environment": "py311"}, "environment"),
        ({"command": "true", "timeout_seconds": 0}, "timeout_seconds"),
        ({"command": "true", "max_retries": 11}, "max_retries"),
        ({"command": "true", "bogus": 1}, "bogus"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    app: FastAPI, world: World, spec: dict[str, object], field: str
) -> None:
    r = world.bob.post(jobs(), json=spec)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"
    assert field in r.text
    assert _job_count(app.state.hub) == 0


def test_instance_types_not_granted_and_too_big(app: FastAPI, world: World) -> None:
    admin = world.admin
    body = {"name": "bio-only", "cpu": 1, "memory": "1Gi", "is_global": False, "groups": ["bio"]}
    assert admin.post("/api/v1/instance-types", json=body).status_code == 201
    r = world.bob.post(jobs(), json={"command": "true", "instance_type": "bio-only"})
    assert r.status_code == 422 and "not available to 'ml'" in r.json()["error"]["message"]
    big = {"name": "big", "cpu": 64, "memory": "1Ti"}
    assert admin.post("/api/v1/instance-types", json=big).status_code == 201
    r = world.bob.post(jobs(), json={"command": "true", "instance_type": "big"})
    assert r.status_code == 422 and "larger than the whole executor" in r.text


def test_a_request_larger_than_the_quota_is_refused_at_once(app: FastAPI, world: World) -> None:
    assert world.admin.patch("/api/v1/groups/ml/quota", json={"cpu": 0.5}).status_code == 200
    r = world.bob.post(jobs(), json={"command": "true"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "quota_exceeded"
    assert "more than the group's CPU quota of 0.5: it could never start" in r.text
    world.admin.patch("/api/v1/groups/ml/quota", json={"cpu": None})
    world.alice.patch("/api/v1/groups/ml/members/bob/quota", json={"running_jobs": 0})
    r = world.bob.post(jobs(), json={"command": "true"})
    assert r.status_code == 409 and "your running jobs quota of 0" in r.text
    assert _job_count(app.state.hub) == 0


def test_binary_garbage_in_the_log_is_served_safely(app: FastAPI, world: World) -> None:
    job_id = submit(world.bob, "head -c 5000 /dev/urandom; printf '\\351t\\303'")
    done = finish(app, world.bob, job_id)
    assert done["status"] == "succeeded" and done["attempts"][0]["log_bytes"] == 5003
    text = world.bob.get(f"{jobs()}/{job_id}/logs")
    assert text.status_code == 200 and text.headers["x-content-type-options"] == "nosniff"
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    raw = world.bob.get(f"{jobs()}/{job_id}/logs/download")
    assert raw.status_code == 200 and len(raw.content) == 5003
    assert raw.content.endswith(b"\xe9t\xc3")


def test_log_offsets_page_through_a_big_log(app: FastAPI, world: World) -> None:
    job_id = submit(world.bob, "seq 1 200000")
    assert finish(app, world.bob, job_id)["status"] == "succeeded"
    text, offset = "", 0
    while True:
        r = world.bob.get(f"{jobs()}/{job_id}/logs", params={"offset": offset, "limit": 300_000})
        text += r.text
        offset = int(r.headers["x-log-offset"])
        if r.headers["x-log-ended"] == "true":
            break
    assert text.splitlines() == [str(i) for i in range(1, 200_001)]


def test_follow_streams_a_running_log(app: FastAPI, world: World) -> None:
    job_id = submit(world.bob, "for i in 1 2 3; do echo line $i; sleep 0.2; done")
    app.state.scheduler.start()
    try:
        with world.bob.stream("GET", f"{jobs()}/{job_id}/logs", params={"follow": "true"}) as r:
            assert r.status_code == 200
            body = "".join(r.iter_text())
    finally:
        app.state.scheduler.stop()
    assert body == "line 1\nline 2\nline 3\n"


def test_samples_are_recorded(app: FastAPI, world: World, clock: FakeClock) -> None:
    grow = "python3 -c 'import time; x = b\"x\" * (30 << 20); time.sleep(30)'"
    job_id = submit(world.bob, grow)
    path = f"{jobs()}/{job_id}/samples"

    def two_big_samples() -> bool:
        clock.advance(seconds=6)  # a sample is due at every pass
        samples = world.bob.get(path).json()["items"]
        return len([s for s in samples if s["memory_bytes"] > 30 << 20]) >= 2

    drive(app, two_big_samples)
    world.bob.post(f"{jobs()}/{job_id}/cancel")
    finish(app, world.bob, job_id)
    samples = world.bob.get(path).json()["items"]
    assert all(s["attempt"] == 1 and s["cpu_percent"] >= 0 for s in samples)
    times = [s["time"] for s in samples]
    assert times == sorted(times) and len(set(times)) == len(times)


def test_memory_overrun_is_killed_with_the_reason(app: FastAPI, world: World) -> None:
    body = {"name": "tiny", "cpu": 1, "memory": "64Mi"}
    assert world.admin.post("/api/v1/instance-types", json=body).status_code == 201
    grow = "python3 -c 'import time; x = bytearray(400 << 20); time.sleep(10)'"
    job_id = submit(world.bob, grow, instance_type="tiny")
    done = finish(app, world.bob, job_id)
    assert done["status"] == "failed"
    assert done["reason"].startswith("killed: memory over"), done["reason"]


def test_a_detached_process_ends_with_its_job(app: FastAPI, world: World, tmp_path: Path) -> None:
    pid_file = tmp_path / "detached.pid"
    job_id = submit(world.bob, f"setsid sleep 300 > /dev/null 2>&1 & echo $! > {pid_file}")
    assert finish(app, world.bob, job_id)["status"] == "succeeded"
    assert not alive(pid_file)


def test_artifacts_over_the_storage_quota_are_not_kept(app: FastAPI, world: World) -> None:
    assert world.admin.patch("/api/v1/groups/ml/quota", json={"storage_bytes": 4096}).status_code
    job_id = submit(world.bob, "head -c 100000 /dev/zero > $ATRIUM_ARTIFACTS_DIR/big; echo ok")
    done = finish(app, world.bob, job_id)
    assert done["status"] == "succeeded"
    assert "artifacts not kept: 100000 bytes" in done["attempts"][0]["reason"]
    assert world.bob.get(f"{jobs()}/{job_id}/artifacts").json()["items"] == []
    assert log_text(world.bob, job_id) == "ok\n"  # the log is always kept
