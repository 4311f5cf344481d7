"""Experiment tracking: Atrium beside an MLflow tracking server, same machine, same run.

For each backend (SQLite, then PostgreSQL on a throwaway loopback cluster) both servers run as
subprocesses with their defaults (``atrium up`` / ``atrium server``; ``mlflow server``, which
starts 4 uvicorn workers and huey consumers). Measured, each as the median of ``--reps``:

(a) metric ingest, points/s: Atrium's SDK (``log_metric`` in a loop, batched in the background,
    until ``flush()`` returns) against MLflow's ``log_metric`` (one call per point) and
    ``log_batch`` (1,000 points per call, its limit);
(b) search of 1,000 and 100,000 runs (5 params + 5 metrics each, bulk-inserted into each
    tool's own schema, see _tracking_seed.py) with ``metrics.m1 > 0.5``, at most 1,000 results;
(c) fetching a 100,000-point metric history (and, Atrium only, a 1,000,000-point one whole
    and downsampled to 2,000 points);
(d) server memory (RSS and USS summed over the process tree) idle and the peak under load.

Atrium is timed through its SDK and also as raw HTTP (request + body, no parsing); MLflow
through ``MlflowClient``. Client and server share the 2 cores, other work on the machine too.
MLflow runs from its own venv (``--install-mlflow`` creates /tmp/mlflow-venv, never a project
dependency), the version of /work/shared/research/baselines.md section 3.

    .venv/bin/python bench/tracking.py                        # both backends, 3 reps
    .venv/bin/python bench/tracking.py --backends sqlite --reps 1 --runs 1000
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    memory_mib,
    print_table,
    settled_memory,
    stop,
    tree,
    wait_for_quiet,
    wait_healthy,
    write_results,
)
from _tracking_seed import seed_atrium, seed_mlflow

import atrium
from atrium.sdk import Client

MLFLOW_VERSION = "3.17.2"
MLFLOW_VENV = Path("/tmp/mlflow-venv")
CLIENT = str(Path(__file__).with_name("_mlflow_client.py"))
FILTER = "metrics.m1 > 0.5"


@dataclass
class Server:
    url: str
    pid: int
    db_url: str
    peak_rss: list[float] = field(default_factory=lambda: [0.0])


def _pg() -> Any:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    return importlib.import_module("tests.pg")


@contextmanager
def atrium_server(backend: str, work: Path, cluster: str | None) -> Iterator[Server]:
    cmd, env, port = atrium_command(), clean_env(ATRIUM_ADMIN_PASSWORD=ADMIN_PASSWORD), free_port()
    if backend == "sqlite":
        home = work / "atrium-home"
        db_url = f"sqlite:///{home / 'atrium.db'}"
        args = [*cmd, "up", "--home", str(home), "--host", HOST, "--port", str(port)]
    else:
        assert cluster is not None
        db_url = _pg().create_database(cluster, "atrium_tracking_bench")
        launch([*cmd, "db", "upgrade", "--database-url", db_url], env, work / "mig.log").proc.wait()
        env["ATRIUM_HOME"] = str(work / "atrium-home")
        args = [*cmd, "server", "--database-url", db_url, "--host", HOST, "--port", str(port)]
    server = launch(args, env, work / "atrium.log")
    try:
        wait_healthy(server, f"http://{HOST}:{port}/api/v1/health")
        yield Server(f"http://{HOST}:{port}", server.proc.pid, db_url)
    finally:
        stop(server)


@contextmanager
def mlflow_server(
    backend: str, work: Path, cluster: str | None, workers: int | None
) -> Iterator[Server]:
    port = free_port()
    if backend == "sqlite":
        store = db_url = f"sqlite:///{work / 'mlflow.db'}"
    else:
        assert cluster is not None
        db_url = _pg().create_database(cluster, "mlflow_tracking_bench")
        store = db_url.replace("postgresql+psycopg://", "postgresql+psycopg2://")
    args = [
        *(str(MLFLOW_VENV / "bin" / "mlflow"), "server", "--host", HOST, "--port", str(port)),
        *("--backend-store-uri", store, "--default-artifact-root", str(work / "mlruns")),
    ]
    if workers:
        args += ["--workers", str(workers)]
    server = launch(args, _mlflow_env(), work / "mlflow.log")
    try:
        wait_healthy(server, f"http://{HOST}:{port}/health", timeout=300)
        yield Server(f"http://{HOST}:{port}", server.proc.pid, db_url)
    finally:
        stop(server)


def _mlflow_env() -> dict[str, str]:
    path = f"{MLFLOW_VENV / 'bin'}:{clean_env()['PATH']}"
    return clean_env(PATH=path, MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true")


def mlflow_call(server: Server, mode: str, timeout: float = 3600, **args: Any) -> Any:
    python = str(MLFLOW_VENV / "bin" / "python")
    done = subprocess.run(
        [python, CLIENT, mode, server.url, json.dumps(args)],
        capture_output=True, text=True, env=_mlflow_env(), timeout=timeout, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"mlflow {mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def rss_sampler(server: Server) -> Iterator[None]:
    """The peak RSS of the server's process tree while the block runs (every 0.2 s)."""
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            rss = memory_mib(tree(server.pid))["rss_mib"]
            server.peak_rss[0] = max(server.peak_rss[0], rss)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def timed(fn: Callable[[], Any], reps: int) -> list[float]:
    """Seconds of ``reps`` calls, after one discarded call (first-use caches on both sides)."""
    fn()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


# ---- Atrium ----------------------------------------------------------------------------------


def atrium_ingest(client: Client, points: int) -> float:
    """Points/s from the first log_metric until flush() returns (10 keys, steps 0..)."""
    keys = [f"m{k}" for k in range(10)]
    with atrium.start_run(group="bench", experiment="ingest", client=client) as run:
        started = time.perf_counter()
        for step in range(points // len(keys)):
            for key in keys:
                run.log_metric(key, step * 0.001, step)
        run.flush()
        seconds = time.perf_counter() - started
    return points / seconds


def _series(points: int, offset: int = 0) -> list[dict[str, Any]]:
    steps = list(range(offset, offset + points))
    return [{"key": "m0", "steps": steps, "values": [s * 0.5 for s in steps]}]


def atrium_history(client: Client, http: httpx.Client, points: int, reps: int) -> dict[str, Any]:
    run = client.runs.create("bench", experiment="history")
    for offset in range(0, points, 100_000):
        batch = _series(min(100_000, points - offset), offset)
        client.runs.log_batch("bench", run.id, metrics=batch)
    path = f"/api/v1/groups/bench/runs/{run.id}/metrics/history"
    out = {
        "sdk_s": timed(lambda: client.runs.history("bench", run.id, "m0"), reps),
        "http_s": timed(lambda: http.get(path, params={"key": "m0"}).content, reps),
        "count": len(client.runs.history("bench", run.id, "m0").values),
    }
    small = {"key": "m0", "max_points": 2000}
    out["downsampled_http_s"] = timed(lambda: http.get(path, params=small).content, reps)
    return out


def atrium_search(
    client: Client, http: httpx.Client, server: Server, n: int, reps: int
) -> dict[str, Any]:
    name = f"search-{n}"
    client.experiments.create("bench", name)
    seed_atrium(server.db_url, "bench", name, n)
    query = {"filter": FILTER, "experiment": name, "limit": 1000}
    sdk = lambda: client.runs.search("bench", FILTER, experiments=[name], limit=1000)  # noqa: E731
    count = len(sdk().items)
    # What a runs table showing two columns asks for (fields=): every hit, two values each.
    narrow = {**query, "fields": ["metrics.m1", "params.p1"]}
    return {
        "sdk_s": timed(sdk, reps),
        "http_s": timed(lambda: http.get("/api/v1/groups/bench/runs", params=query).content, reps),
        "fields_http_s": timed(
            lambda: http.get("/api/v1/groups/bench/runs", params=narrow).content, reps
        ),
        "count": count,
    }


def measure_atrium(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    client = Client(server.url)
    client.auth.login("admin", ADMIN_PASSWORD)
    client.groups.create("bench")
    client.members.add("bench", "admin", role="admin")
    http = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {client.token}"})
    out: dict[str, Any] = {"idle": settled_memory(server.pid, 3, 20)}
    with rss_sampler(server):
        out["ingest_pps"] = [atrium_ingest(client, args.points) for _ in range(args.reps)]
        out["history"] = atrium_history(client, http, args.history, args.reps)
        out["history_1m"] = atrium_history(client, http, 1_000_000, args.reps)
        out["search"] = {n: atrium_search(client, http, server, n, args.reps) for n in args.runs}
    out["peak_rss_mib"] = server.peak_rss[0]
    return out


# ---- MLflow ----------------------------------------------------------------------------------


def measure_mlflow(server: Server, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"idle": settled_memory(server.pid, 5, 60)}
    with rss_sampler(server):
        calls, batches = args.mlflow_calls, args.mlflow_batches
        single = [
            mlflow_call(server, "log_metric", experiment="ingest", calls=calls)
            for _ in range(args.reps)
        ]
        out["log_metric_cps"] = [r["points"] / r["seconds"] for r in single]
        batch = [
            mlflow_call(server, "log_batch", experiment="ingest", calls=batches)
            for _ in range(args.reps)
        ]
        out["log_batch_pps"] = [r["points"] / r["seconds"] for r in batch]
        seeded = mlflow_call(server, "history_seed", experiment="history", points=args.history)
        out["history"] = mlflow_call(server, "history", run_id=seeded["run_id"], reps=args.reps)
        out["search"] = {n: mlflow_search(server, n, args.reps, work) for n in args.runs}
    out["peak_rss_mib"] = server.peak_rss[0]
    return out


def mlflow_search(server: Server, n: int, reps: int, work: Path) -> dict[str, Any]:
    name = f"search-{n}"
    experiment_id = mlflow_call(server, "experiment", experiment=name)["experiment_id"]
    seed_mlflow(server.db_url, experiment_id, n, str(work / "mlruns"))
    found: dict[str, Any] = mlflow_call(
        server, "search", experiment=name, filter=FILTER, limit=1000, reps=reps
    )
    return found


# ---- the run ---------------------------------------------------------------------------------


def run_backend(backend: str, cluster: str | None, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix=f"bench-tracking-{backend}-") as tmp:
        work = Path(tmp)
        wait_for_quiet(args.quiet_wait)
        with atrium_server(backend, work, cluster) as server:
            result["atrium"] = measure_atrium(server, args)
        if args.mlflow:
            wait_for_quiet(args.quiet_wait)
            with mlflow_server(backend, work, cluster, args.mlflow_workers) as server:
                result["mlflow"] = measure_mlflow(server, args, work)
    return result


def report(backend: str, r: dict[str, Any]) -> dict[str, float]:
    a, m = r["atrium"], r.get("mlflow")
    ms = lambda xs: f"{median(xs) * 1000:,.1f} ms"  # noqa: E731
    rows = [["ingest (points/s)", f"{median(a['ingest_pps']):,.0f}",
             f"log_batch {median(m['log_batch_pps']):,.0f}; log_metric "
             f"{median(m['log_metric_cps']):,.1f}" if m else "-"]]  # fmt: skip
    for n, found in a["search"].items():
        peer = ms(m["search"][n]["seconds"]) + f" ({m['search'][n]['count']} runs)" if m else "-"
        rows.append([f"search {n:,} runs", f"{ms(found['sdk_s'])} SDK, {ms(found['http_s'])} "
                     f"HTTP, {ms(found['fields_http_s'])} HTTP with fields= "
                     f"({found['count']} runs)", peer])  # fmt: skip
    h = a["history"]
    rows.append(["history 100k points", f"{ms(h['sdk_s'])} SDK, {ms(h['http_s'])} HTTP",
                 ms(m["history"]["seconds"]) if m else "-"])  # fmt: skip
    big = a["history_1m"]
    rows.append(["history 1M points", f"{ms(big['http_s'])} whole, "
                 f"{ms(big['downsampled_http_s'])} to 2,000 points (HTTP)", "-"])  # fmt: skip
    for label, key in (("idle RSS / USS (MiB)", "idle"),):
        rows.append([label, f"{a[key]['rss_mib']} / {a[key]['uss_mib']}",
                     f"{m[key]['rss_mib']} / {m[key]['uss_mib']}" if m else "-"])  # fmt: skip
    rows.append(["peak RSS under load (MiB)", f"{a['peak_rss_mib']}",
                 f"{m['peak_rss_mib']}" if m else "-"])  # fmt: skip
    print(f"\n== {backend} ==")
    print_table(["measure", "Atrium", "MLflow"], rows)
    return ratios(a, m) if m else {}


def ratios(a: dict[str, Any], m: dict[str, Any]) -> dict[str, float]:
    out = {
        "ingest_vs_log_batch": median(a["ingest_pps"]) / median(m["log_batch_pps"]),
        "ingest_vs_log_metric": median(a["ingest_pps"]) / median(m["log_metric_cps"]),
        "history_speedup_sdk": median(m["history"]["seconds"]) / median(a["history"]["sdk_s"]),
        "idle_rss_fraction": a["idle"]["rss_mib"] / m["idle"]["rss_mib"],
    }
    for n in a["search"]:
        out[f"search_{n}_speedup_sdk"] = median(m["search"][n]["seconds"]) / median(
            a["search"][n]["sdk_s"]
        )
    print("Atrium vs MLflow: " + ", ".join(f"{k} {v:,.1f}" for k, v in out.items()))
    return {k: round(v, 2) for k, v in out.items()}


def main() -> None:
    args = parse_args()
    args.mlflow = args.mlflow and _mlflow_ready(args.install_mlflow)
    payload: dict[str, Any] = {"settings": vars(args), "results": {}, "ratios": {}}
    needs_pg = "postgres" in args.backends
    with _pg().throwaway_cluster() if needs_pg else _no_cluster() as cluster:
        for backend in args.backends:
            payload["results"][backend] = result = run_backend(backend, cluster, args)
            payload["ratios"][backend] = report(backend, result)
    print(f"\nresults: {write_results('tracking', payload).relative_to(REPO)}")


@contextmanager
def _no_cluster() -> Iterator[None]:
    yield None


def _mlflow_ready(install: bool) -> bool:
    if (MLFLOW_VENV / "bin" / "mlflow").exists():
        return True
    if not install:
        print(f"no MLflow at {MLFLOW_VENV}: pass --install-mlflow (or --no-mlflow)", flush=True)
        return False
    subprocess.run([sys.executable, "-m", "venv", str(MLFLOW_VENV)], check=True)
    pip = [str(MLFLOW_VENV / "bin" / "pip"), "install", "-q", f"mlflow=={MLFLOW_VERSION}",
           "psycopg2-binary"]  # fmt: skip
    subprocess.run(pip, check=True)
    return True


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backends", type=lambda v: v.split(","), default=["sqlite", "postgres"])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--points", type=int, default=1_000_000, help="Atrium ingest, per rep")
    p.add_argument("--history", type=int, default=100_000)
    p.add_argument("--runs", type=lambda v: [int(x) for x in v.split(",")], default=[1000, 100_000])
    p.add_argument("--mlflow-calls", type=int, default=200, help="log_metric calls per rep")
    p.add_argument("--mlflow-batches", type=int, default=100, help="log_batch calls per rep")
    p.add_argument("--mlflow-workers", type=int, default=None, help="default: MLflow's (4)")
    p.add_argument("--no-mlflow", dest="mlflow", action="store_false")
    p.add_argument("--install-mlflow", action="store_true")
    p.add_argument("--quiet-wait", type=float, default=30.0)
    return p.parse_args()


if __name__ == "__main__":
    main()
