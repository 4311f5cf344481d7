"""Authorization-matrix entries for jobs (see test_authz_matrix.py).

Every read aims at one job of ``ml`` that has run to the end on the local executor (made once
per world by the platform admin, driven by the app's scheduler): it has a log, an artifact
``out.txt`` and a sample list. Members submit, read and rerun; cancelling someone else's job
needs ml's group admin.
"""

from __future__ import annotations

import time

from tests.api.authz_setups import Call, Env, Setup, Spec, spec

JOBS = "/api/v1/groups/ml/jobs"
RAN = "echo hello; echo out > $ATRIUM_ARTIFACTS_DIR/out.txt"


def _ran(env: Env) -> str:
    """The id of ml's finished job, made on first use (remembered as "job:<id>")."""
    made = [m for m in env.made if m.startswith("job:")]
    if made:
        return made[0].removeprefix("job:")
    job = env.ok(env.admin.post(JOBS, json={"name": "ran", "command": RAN}))
    _finish(env, job["id"])
    env.made.add(f"job:{job['id']}")
    return str(job["id"])


def _finish(env: Env, job_id: int) -> None:
    scheduler = env.app.state.scheduler
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        scheduler.run_once()
        if env.ok(env.admin.get(f"{JOBS}/{job_id}"), 200)["status"] == "succeeded":
            return
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} did not finish")


def on_job(query: dict[str, str] | None = None) -> Setup:
    return lambda env, role: Call(params={"job_id": _ran(env)}, query=query)


def submit(env: Env, role: str) -> Call:
    name = env.fresh("j")

    def verify(allowed: bool) -> None:
        listed = env.ok(env.admin.get(JOBS, params={"limit": 500}), 200)["items"]
        assert (name in {j["name"] for j in listed}) is allowed

    return Call(json={"name": name, "command": "true"}, verify=verify)


def cancel(env: Env, role: str) -> Call:
    """The admin's queued job (nothing runs it here): bob may not cancel it, alice may."""
    job = env.ok(env.admin.post(JOBS, json={"command": "sleep 60"}))
    path = f"{JOBS}/{job['id']}"

    def verify(allowed: bool) -> None:
        status = env.ok(env.admin.get(path), 200)["status"]
        assert status == ("cancelled" if allowed else "queued")

    return Call(params={"job_id": str(job["id"])}, verify=verify)


def _reruns(env: Env, source: str) -> int:
    listed = env.ok(env.admin.get(JOBS, params={"limit": 500}), 200)["items"]
    return sum(1 for j in listed if j["rerun_of"] == int(source))


def rerun(env: Env, role: str) -> Call:
    source = _ran(env)
    before = _reruns(env, source)

    def verify(allowed: bool) -> None:
        assert _reruns(env, source) == before + allowed

    return Call(params={"job_id": source}, verify=verify)


MEMBER_READ = "401 404 200 200 200"

JOB_EXPECTED: dict[tuple[str, str], Spec] = {
    ("jobs.submit", "POST"): spec("401 404 201 201 201", submit),
    ("jobs.list", "GET"): spec(MEMBER_READ),
    ("jobs.get", "GET"): spec(MEMBER_READ, on_job()),
    ("jobs.wait", "GET"): spec(MEMBER_READ, on_job({"timeout": "0"})),
    ("jobs.cancel", "POST"): spec("401 404 403 200 200", cancel),
    ("jobs.rerun", "POST"): spec("401 404 201 201 201", rerun),
    ("jobs.clone", "GET"): spec(MEMBER_READ, on_job()),
    ("jobs.logs", "GET"): spec(MEMBER_READ, on_job()),
    ("jobs.log_download", "GET"): spec(MEMBER_READ, on_job()),
    ("jobs.artifacts", "GET"): spec(MEMBER_READ, on_job()),
    ("jobs.artifact", "GET"): spec(MEMBER_READ, on_job({"path": "out.txt"})),
    ("jobs.samples", "GET"): spec(MEMBER_READ, on_job()),
}
