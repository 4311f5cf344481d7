"""Jobs: submit-to-finished latency, scheduler throughput and fair share, beside plain Ray Jobs.

Everything runs on this machine in one run:

* a real two-node Ray cluster on loopback (the tests' ``ray_cluster``: head + worker, 1 CPU
  each), used by a plain Ray Jobs API client (the peer) and by Atrium's Ray executor;
* ``atrium up`` (SQLite, local blob store) with the local executor, and a second one whose
  executor is that Ray cluster.

Cases, each the median of ``--reps`` sequential jobs of ``python3 -c 'print(1)'``:

* latency: from sending the submit request to knowing the job finished. Atrium is asked
  through ``GET .../jobs/{id}/wait`` (the server answers when the job ends); Ray through
  ``get_job_status`` polled every 5 ms (it has no wait call);
* throughput: ``--throughput`` trivial jobs (``true``) submitted at once, time until the last
  one ended, on the local executor's default capacity (this machine's cores);
* fair share: three groups queue 60, 20 and 5 jobs of ``sleep 0.3`` (in that order, the worst
  case for FIFO) on a 2-slot executor; each group's share of the slot-seconds while all three
  still had work waiting.

    .venv/bin/python bench/jobs.py                 # everything
    .venv/bin/python bench/jobs.py --reps 10 --no-ray
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from _harness import (
    ADMIN_PASSWORD,
    HOST,
    REPO,
    atrium_command,
    clean_env,
    free_port,
    launch,
    median,
    print_table,
    spread,
    stop,
    wait_for_quiet,
    wait_healthy,
    write_results,
)

sys.path.insert(0, str(REPO))  # the tests' Ray cluster launcher
from tests.backends.executors.ray_cluster import LOOPBACK_ENV, ray_cluster

PRINT_1 = ["python3", "-c", "print(1)"]
TERMINAL = {"succeeded", "failed", "cancelled", "timed_out"}
FAIR_QUEUES = {"big": 60, "mid": 20, "small": 5}
RAY_FIGURE = 1.05  # s, plain Ray Jobs print(1) on this machine: research/baselines.md §5


@dataclass
class Hub:
    url: str
    http: httpx.Client

    def submit(self, group: str, command: list[str] | str, **extra: Any) -> dict[str, Any]:
        body = {"name": "bench", "command": command, **extra}
        r = self.http.post(f"/api/v1/groups/{group}/jobs", json=body)
        r.raise_for_status()
        return dict(r.json())

    def wait(self, group: str, job_id: int) -> dict[str, Any]:
        while True:
            r = self.http.get(f"/api/v1/groups/{group}/jobs/{job_id}/wait", params={"timeout": 60})
            r.raise_for_status()
            if r.json()["status"] in TERMINAL:
                return dict(r.json())

    def jobs(self, group: str) -> list[dict[str, Any]]:
        items, cursor = [], None
        while True:
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = self.http.get(f"/api/v1/groups/{group}/jobs", params=params).json()
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return items


@contextmanager
def atrium(executor: str, work: Path) -> Iterator[Hub]:
    """``atrium up`` on a fresh home with the given executor; a signed-in admin client."""
    port = free_port()
    home = Path(tempfile.mkdtemp(prefix="atrium-jobs-", dir=work))
    env = clean_env(
        ATRIUM_HOME=str(home), ATRIUM_ADMIN_PASSWORD=ADMIN_PASSWORD, ATRIUM_EXECUTOR=executor
    )
    env.update(LOOPBACK_ENV)
    args = [*atrium_command(), "up", "--host", HOST, "--port", str(port), "--home", str(home)]
    server = launch(args, env, home / "server.log")
    url = f"http://{HOST}:{port}"
    try:
        wait_healthy(server, f"{url}/api/v1/health")
        http = httpx.Client(base_url=url, timeout=120)
        token = http.post(
            "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        ).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        http.cookies.clear()
        for group in ("bench", *FAIR_QUEUES):
            http.post("/api/v1/groups", json={"name": group}).raise_for_status()
        yield Hub(url, http)
    finally:
        stop(server)


def atrium_latency(hub: Hub, reps: int) -> list[float]:
    hub.wait("bench", hub.submit("bench", PRINT_1)["id"])  # warm-up: imports, first launch
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        job = hub.wait("bench", hub.submit("bench", PRINT_1)["id"])
        times.append(time.perf_counter() - t0)
        assert job["status"] == "succeeded", job
    return times


def ray_latency(dashboard: str, reps: int) -> list[float]:
    from ray.job_submission import JobStatus, JobSubmissionClient

    client = JobSubmissionClient(dashboard)
    done = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.STOPPED}
    times = []
    for i in range(reps + 1):
        t0 = time.perf_counter()
        job = client.submit_job(entrypoint="python3 -c 'print(1)'")
        while (status := client.get_job_status(job)) not in done:
            time.sleep(0.005)
        assert status == JobStatus.SUCCEEDED, client.get_job_logs(job)
        if i:  # the first one is the warm-up
            times.append(time.perf_counter() - t0)
    return times


def throughput(hub: Hub, count: int) -> dict[str, float]:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: hub.submit("bench", "true")["id"], range(count)))
    submitted = time.perf_counter() - t0
    for job_id in ids:
        assert hub.wait("bench", job_id)["status"] == "succeeded"
    total = time.perf_counter() - t0
    return {"jobs": count, "submit_s": submitted, "total_s": total, "jobs_per_s": count / total}


def fair_share(hub: Hub) -> dict[str, Any]:
    """Shares of slot-seconds per group while every group still had work queued."""
    for group, n in FAIR_QUEUES.items():
        for _ in range(n):
            hub.submit(group, "sleep 0.3")
    jobs = {g: hub.jobs(g) for g in FAIR_QUEUES}
    for group, items in jobs.items():
        for job in items:
            hub.wait(group, job["id"])
    views = {g: [hub.http.get(f"/api/v1/groups/{g}/jobs/{j['id']}").json() for j in items]
             for g, items in jobs.items()}  # fmt: skip
    runs = {g: [_interval(job) for job in items] for g, items in views.items()}
    # All three are backlogged from the moment the last group queued its first job until the
    # first group's last job starts: after that it has nothing left waiting, and the others
    # rightly take its slot.
    start = max(min(_time(job["created_at"]) for job in items) for items in views.values())
    window_end = min(max(s for s, _ in spans) for spans in runs.values())
    used = {g: sum(_overlap(s, start, window_end) for s in spans) for g, spans in runs.items()}
    total = sum(used.values()) or 1.0
    finished = {g: max(e for _, e in spans) - start for g, spans in runs.items()}
    return {
        "window_s": window_end - start,
        "share": {g: used[g] / total for g in FAIR_QUEUES},
        "finished_after_s": finished,
    }


def _time(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _interval(job: dict[str, Any]) -> tuple[float, float]:
    attempt = job["attempts"][-1]
    return _time(attempt["started_at"] or attempt["admitted_at"]), _time(attempt["ended_at"])


def _overlap(span: tuple[float, float], lo: float, hi: float) -> float:
    return max(0.0, min(span[1], hi) - max(span[0], lo))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--throughput", type=int, default=1000)
    parser.add_argument("--no-ray", action="store_true", help="skip Ray and the Ray executor")
    args = parser.parse_args()
    results: dict[str, Any] = {"reps": args.reps}
    print(f"machine: {wait_for_quiet(60):.2f} cores busy before start", flush=True)
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="atrium-bench-")))
        if not args.no_ray:
            os.environ.update(LOOPBACK_ENV)
            cluster = stack.enter_context(ray_cluster())
            results["ray"] = ray_latency(cluster.dashboard_url, args.reps)
            with atrium(f"ray+{cluster.dashboard_url}", work) as hub:
                results["atrium_ray"] = atrium_latency(hub, args.reps)
        with atrium("local?cpu=2", work) as hub:
            results["atrium_local"] = atrium_latency(hub, args.reps)
            results["throughput"] = throughput(hub, args.throughput)
            results["fair"] = fair_share(hub)
    report(results)
    print(f"\nraw results: {write_results('jobs', results)}")


def report(r: dict[str, Any]) -> None:
    ray = median(r["ray"]) if "ray" in r else RAY_FIGURE
    rows = [["plain Ray Jobs API", spread(r["ray"]) if "ray" in r else "n/a", "1.00x"]]
    for key, label in (("atrium_ray", "Atrium, Ray executor"), ("atrium_local", "Atrium, local")):
        if key in r:
            rows.append([label, spread(r[key]), f"{ray / median(r[key]):.1f}x"])
    print("\nsubmit -> finished, print(1), seconds (median (min-max)); speed-up vs plain Ray")
    print_table(["case", "seconds", "vs Ray"], rows)
    t = r["throughput"]
    print(f"\nthroughput: {t['jobs']} jobs in {t['total_s']:.1f} s = {t['jobs_per_s']:.1f} jobs/s "
          f"(submitting took {t['submit_s']:.1f} s)")  # fmt: skip
    f = r["fair"]
    shares = ", ".join(f"{g} {s:.0%}" for g, s in f["share"].items())
    done = ", ".join(f"{g} {s:.1f} s" for g, s in f["finished_after_s"].items())
    print(f"fair share over {f['window_s']:.1f} s with all groups backlogged: {shares}")
    print(f"each group's last job ended after: {done}")


if __name__ == "__main__":
    main()
