"""Load test of the REST API: a class of students hammering a real Atrium server.

For each backend a real server runs as a subprocess: ``atrium up`` (embedded SQLite) and
``atrium server`` on a throwaway PostgreSQL cluster (after ``atrium db upgrade``). The hub is
seeded through the API (groups, users, one API token per user), then ``--users`` simulated
users loop over a mixed read/write workload for ``--seconds`` from ``--procs`` load-generator
processes. Client, server and database share the machine's cores.

    .venv/bin/python bench/api_load.py                      # both backends, 200 users, 30 s
    .venv/bin/python bench/api_load.py --backends sqlite --seconds 10 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import multiprocessing
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import psutil
import psycopg
from _harness import (
    ADMIN_PASSWORD,
    HOST,
    REPO,
    RESULTS,
    VENV_BIN,
    CpuMeter,
    Launched,
    atrium_command,
    busy_cores,
    clean_env,
    free_port,
    launch,
    median,
    memory_mib,
    percentile,
    print_table,
    spread,
    stop,
    tree,
    wait_for_quiet,
    wait_healthy,
    write_results,
)
from _seed import Plan, seed
from _workload import OP_NAMES, SimUser, WorkerSpec, run_worker
from sqlalchemy.engine import make_url

BACKENDS = ("sqlite", "postgres")


@dataclass
class Target:
    backend: str
    base_url: str
    server: Launched
    db_procs: Callable[[], list[psutil.Process]]
    db_sessions: Callable[[], int | None]


# ---- servers ---------------------------------------------------------------------------------


def _pg() -> ModuleType:
    """``tests.pg``: the throwaway-cluster helpers the test suite uses."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    return importlib.import_module("tests.pg")


def _no_db_procs() -> list[psutil.Process]:
    return []


def _no_sessions() -> int | None:
    return None


@contextmanager
def sqlite_server(cmd: list[str], workdir: Path) -> Iterator[Target]:
    home, port = workdir / "home", free_port()
    args = [*cmd, "up", "--home", str(home), "--host", HOST, "--port", str(port)]
    env = clean_env(ATRIUM_ADMIN_PASSWORD=ADMIN_PASSWORD)
    server = launch(args, env, workdir / "server.log")
    try:
        url = f"http://{HOST}:{port}"
        wait_healthy(server, f"{url}/api/v1/health")
        yield Target("sqlite", url, server, _no_db_procs, _no_sessions)
    finally:
        stop(server)


def postgres_processes(cluster_url: str) -> list[psutil.Process]:
    """The postmaster of the cluster at ``cluster_url`` and all its backends."""
    wanted = f"port={make_url(cluster_url).port}"
    for p in psutil.process_iter(["name", "cmdline"]):
        if p.info["name"] == "postgres" and wanted in (p.info["cmdline"] or []):
            return tree(p.pid)
    return []


def pg_sessions(url: str) -> int | None:
    """Connections ever opened to the database of ``url`` (pg_stat_database.sessions)."""
    u = make_url(url)
    admin = u.set(drivername="postgresql", database="postgres")
    query = "SELECT sessions FROM pg_stat_database WHERE datname = %s"
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        row = conn.execute(query, (u.database,)).fetchone()
    return int(row[0]) if row else None


@contextmanager
def postgres_server(cmd: list[str], workdir: Path, cluster_url: str, db: str) -> Iterator[Target]:
    pg = _pg()
    url = pg.create_database(cluster_url, db)
    env = clean_env(ATRIUM_ADMIN_PASSWORD=ADMIN_PASSWORD)
    migrate = [*cmd, "db", "upgrade", "--database-url", url]
    launch(migrate, env, workdir / "migrate.log").proc.wait(timeout=120)
    port = free_port()
    args = [*cmd, "server", "--database-url", url, "--host", HOST, "--port", str(port)]
    server = launch(args, env, workdir / "server.log")
    try:
        base = f"http://{HOST}:{port}"
        wait_healthy(server, f"{base}/api/v1/health")
        procs, sessions = (lambda: postgres_processes(cluster_url)), (lambda: pg_sessions(url))
        yield Target("postgres", base, server, procs, sessions)
    finally:
        stop(server)
        pg.drop_database(cluster_url, db)


# ---- one measured run ------------------------------------------------------------------------


def _specs(base_url: str, users: list[SimUser], args: argparse.Namespace) -> list[WorkerSpec]:
    start_at = time.time() + args.lead
    return [
        WorkerSpec(
            base_url=base_url,
            users=users[i :: args.procs],  # round-robin, so group admins spread over workers
            start_at=start_at,
            warmup=args.warmup,
            seconds=args.seconds,
            think=args.think_ms / 1000,
            seed=args.seed * 1000 + i,
            exclude=tuple(args.exclude),
        )
        for i in range(args.procs)
    ]


@dataclass
class Sampled:
    server_cpu: float = 0.0
    db_cpu: float = 0.0
    machine_cores: float = 0.0
    rss_peak_mib: float = 0.0
    db_uss_peak_mib: float = 0.0
    db_new_sessions: int = 0


def _sample_during(target: Target, start_at: float, args: argparse.Namespace) -> Sampled:
    """Server and database CPU over the measured window; memory peaks every 0.5 s."""
    time.sleep(max(0.0, start_at + args.warmup - time.time()))
    server = CpuMeter(lambda: tree(target.server.proc.pid))
    db = CpuMeter(target.db_procs)
    server.start()
    db.start()
    sessions_before = target.db_sessions()
    machine_before, out = psutil.cpu_times(), Sampled()
    deadline = time.time() + args.seconds
    while time.time() < deadline:
        rss = memory_mib(tree(target.server.proc.pid))["rss_mib"]
        out.rss_peak_mib = max(out.rss_peak_mib, rss)
        if args.backend_has_db:
            db.sample()
            out.db_uss_peak_mib = max(out.db_uss_peak_mib, memory_mib(target.db_procs())["uss_mib"])
        time.sleep(min(0.5, max(0.0, deadline - time.time())))
    out.machine_cores = busy_cores(machine_before, psutil.cpu_times())
    out.server_cpu = server.seconds() / args.seconds
    out.db_cpu = db.seconds() / args.seconds
    if sessions_before is not None:
        out.db_new_sessions = (target.db_sessions() or 0) - sessions_before
    return out


def _profiler(
    target: Target, start_at: float, args: argparse.Namespace
) -> subprocess.Popen[bytes] | None:
    """py-spy over the measured window, as collapsed stacks in bench/results/."""
    spy = VENV_BIN / "py-spy"
    if not args.profile or not spy.exists():
        return None
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"profile-{target.backend}-{int(start_at)}.txt"
    delay = max(0.0, start_at + args.warmup - time.time())
    record = f"sleep {delay:.2f}; exec {spy} record -p {target.server.proc.pid}"
    record += f" -d {int(args.seconds)} -r 200 --gil --nonblocking --format raw -o {out}"
    print(f"profiling the server to {out.relative_to(REPO)}", flush=True)
    devnull = subprocess.DEVNULL
    return subprocess.Popen(["sh", "-c", record], stdout=devnull, stderr=devnull)


def _drive(
    target: Target, users: list[SimUser], args: argparse.Namespace
) -> tuple[list[Any], Sampled]:
    specs = _specs(target.base_url, users, args)
    spawn = multiprocessing.get_context("spawn")
    spy = _profiler(target, specs[0].start_at, args)
    try:
        with ProcessPoolExecutor(max_workers=args.procs, mp_context=spawn) as pool:
            futures = [pool.submit(run_worker, spec) for spec in specs]
            sampled = _sample_during(target, specs[0].start_at, args)
            return [f.result() for f in futures], sampled
    finally:
        if spy is not None:
            spy.wait(timeout=args.seconds + 60)


def _latency_stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "p50_ms": round(percentile(ordered, 50) * 1000, 2),
        "p99_ms": round(percentile(ordered, 99) * 1000, 2),
    }


def _summarize(
    workers: list[dict[str, Any]], sampled: Sampled, args: argparse.Namespace
) -> dict[str, Any]:
    per_op: dict[str, list[float]] = {}
    for w in workers:
        for name, values in w["latencies"].items():
            per_op.setdefault(name, []).extend(values)
    everything = [v for values in per_op.values() for v in values]
    n = len(everything)
    busy = max(w["busy_seconds"] for w in workers)
    client_cpu = sum(w["cpu_seconds"] for w in workers)
    return {
        **_latency_stats(everything),
        "requests_per_s": round(len(everything) / args.seconds, 1),
        "errors": sum(w["errors"] for w in workers),
        "first_errors": [e for w in workers for e in w["first_errors"]][:5],
        "client_cores": round(client_cpu / busy, 2),
        "client_late_start_s": round(max(w["late_start_seconds"] for w in workers), 2),
        "server_cores": round(sampled.server_cpu, 2),
        # CPU the server spent per request: the cost, less sensitive to a busy machine than req/s
        "server_cpu_ms_per_req": round(sampled.server_cpu * 1000 * args.seconds / max(1, n), 2),
        "db_cpu_ms_per_req": round(sampled.db_cpu * 1000 * args.seconds / max(1, n), 2),
        "db_cores": round(sampled.db_cpu, 2),
        "machine_busy_cores": round(sampled.machine_cores, 2),
        "other_cores": round(
            sampled.machine_cores - sampled.server_cpu - sampled.db_cpu - client_cpu / busy, 2
        ),
        "server_rss_peak_mib": sampled.rss_peak_mib,
        "db_uss_peak_mib": sampled.db_uss_peak_mib,
        "db_new_sessions": sampled.db_new_sessions,
        "per_op": {name: _latency_stats(v) for name, v in sorted(per_op.items())},
        "_latencies": per_op,
    }


def run_once(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    t = time.perf_counter()
    plan = Plan(users=args.users, groups=args.groups, admins_per_group=args.admins_per_group)
    users = asyncio.run(seed(target.base_url, ADMIN_PASSWORD, plan))
    seeded = time.perf_counter() - t
    idle = memory_mib(tree(target.server.proc.pid))
    quiet = wait_for_quiet(args.quiet_wait)
    workers, sampled = _drive(target, users, args)
    result = _summarize(workers, sampled, args)
    result["machine_busy_before"] = round(quiet, 2)
    result.update(backend=target.backend, seed_seconds=round(seeded, 1), server_idle=idle)
    result["server_rss_end_mib"] = memory_mib(tree(target.server.proc.pid))["rss_mib"]
    return result


# ---- orchestration and report ----------------------------------------------------------------


def _server_for(backend: str, cmd: list[str], workdir: Path, cluster: str | None, rep: int) -> Any:
    if backend == "sqlite":
        return sqlite_server(cmd, workdir)
    assert cluster is not None
    return postgres_server(cmd, workdir, cluster, f"atrium_bench_{rep}")


def run_backend(
    backend: str, cmd: list[str], cluster: str | None, args: argparse.Namespace
) -> list[dict[str, Any]]:
    runs = []
    for rep in range(args.repeat):
        workdir = Path(tempfile.mkdtemp(prefix=f"atrium-bench-{backend}-"))
        try:
            with _server_for(backend, cmd, workdir, cluster, rep) as target:
                result = run_once(target, replace_args(args, backend_has_db=backend == "postgres"))
            if result["errors"]:
                result["server_log"] = str(_keep_log(workdir / "server.log", backend, rep))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        _print_run(result, rep)
        runs.append(result)
    return runs


def _keep_log(log: Path, backend: str, rep: int) -> Path:
    """Copy a failed run's server log to bench/results/ before its workdir goes."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    kept = RESULTS / f"server-{backend}-{rep + 1}-{int(time.time())}.log"
    shutil.copyfile(log, kept)
    return kept


def replace_args(args: argparse.Namespace, **changes: Any) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), **changes})


def _print_run(r: dict[str, Any], rep: int) -> None:
    print(
        f"[{r['backend']} run {rep + 1}] {r['requests_per_s']} req/s, p50 {r['p50_ms']} ms, "
        f"p99 {r['p99_ms']} ms, errors {r['errors']}, "
        f"server RSS peak {r['server_rss_peak_mib']} MiB, "
        f"cores: server {r['server_cores']} db {r['db_cores']} client {r['client_cores']} "
        f"other {r['other_cores']} (machine {r['machine_busy_cores']}, "
        f"{r['machine_busy_before']} before); seeding took {r['seed_seconds']} s",
        flush=True,
    )
    for message in r["first_errors"]:
        print(f"    error: {message}")
    if r.get("server_log"):
        print(f"    server log: {r['server_log']}")


def _columns(runs: list[dict[str, Any]], keys: list[str]) -> list[str]:
    return [spread([float(r[k]) for r in runs]) for k in keys]


def _summary_rows(all_runs: dict[str, list[dict[str, Any]]]) -> list[list[str]]:
    keys = ["requests_per_s", "p50_ms", "p99_ms"]
    rows = []
    for backend, runs in all_runs.items():
        errors = str(sum(r["errors"] for r in runs))
        idle = spread([float(r["server_idle"]["rss_mib"]) for r in runs])
        peak = _columns(runs, ["server_rss_peak_mib"])
        rows.append([backend, str(len(runs)), *_columns(runs, keys), errors, idle, *peak])
    return rows


CPU_KEYS = [
    "server_cores",
    "server_cpu_ms_per_req",
    "db_cores",
    "db_cpu_ms_per_req",
    "client_cores",
    "other_cores",
]


def _cpu_rows(all_runs: dict[str, list[dict[str, Any]]]) -> list[list[str]]:
    return [[b, *_columns(runs, CPU_KEYS)] for b, runs in all_runs.items()]


def _per_op_rows(all_runs: dict[str, list[dict[str, Any]]]) -> list[list[str]]:
    rows = []
    for backend, runs in all_runs.items():
        ops = sorted({name for r in runs for name in r["per_op"]})
        for name in ops:
            values = [v for r in runs for v in r["_latencies"].get(name, [])]
            stats = _latency_stats(values)
            rows.append(
                [
                    backend,
                    name,
                    str(stats["count"]),
                    f"{stats['p50_ms']:.1f}",
                    f"{stats['p99_ms']:.1f}",
                ]
            )
    return rows


def report(all_runs: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> None:
    print(
        f"\n{args.users} users, {args.seconds:g} s measured after {args.warmup:g} s warm-up, "
        f"think time {args.think_ms:g} ms, {args.procs} load process(es); median (min-max) of runs"
    )
    headers = ["backend", "runs", "req/s", "p50 ms", "p99 ms", "errors", "RSS idle MiB"]
    print_table([*headers, "RSS peak MiB"], _summary_rows(all_runs))
    print("\nCPU in cores (and server/db CPU ms per request); other = the rest of the machine")
    cpu_headers = ["backend", "server", "server ms/req", "db", "db ms/req", "client", "other"]
    print_table(cpu_headers, _cpu_rows(all_runs))
    print("\nper request type (all runs pooled)")
    print_table(["backend", "request", "count", "p50 ms", "p99 ms"], _per_op_rows(all_runs))
    for runs in all_runs.values():
        for r in runs:
            r.pop("_latencies")
    settings = {k: v for k, v in vars(args).items() if k != "backend_has_db"}
    medians = {
        b: {k: median([float(r[k]) for r in runs]) for k in ("requests_per_s", "p50_ms", "p99_ms")}
        for b, runs in all_runs.items()
    }
    path = write_results("api_load", {"settings": settings, "medians": medians, "runs": all_runs})
    print(f"\nresults: {path.relative_to(REPO)}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--backends", default="sqlite,postgres", help="comma list of: sqlite, postgres")
    p.add_argument("--users", type=int, default=200, help="simulated users (default 200)")
    p.add_argument("--groups", type=int, default=8, help="groups the users are spread over")
    p.add_argument("--admins-per-group", type=int, default=2, help="group admins in each group")
    p.add_argument("--seconds", type=float, default=30.0, help="measured seconds (default 30)")
    p.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before")
    p.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean pause between a user's requests (uniform 0.5x-1.5x); 0 = closed loop",
    )
    p.add_argument("--procs", type=int, default=1, help="load-generator processes (default 1)")
    p.add_argument("--repeat", type=int, default=1, help="fresh server + seed + run, N times")
    p.add_argument("--lead", type=float, default=3.0, help="seconds to start the load processes")
    p.add_argument("--seed", type=int, default=1, help="random seed of the request mix")
    p.add_argument(
        "--exclude",
        default="",
        help=f"comma list of operations to leave out of the mix: {', '.join(OP_NAMES)}",
    )
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="wait up to N s for other work on the machine to stop before each run",
    )
    p.add_argument(
        "--atrium-cmd",
        default="",
        help="command that runs the atrium CLI (default: .venv/bin/atrium)",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="record the server with .venv/bin/py-spy during the window (if installed)",
    )
    args = p.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    args.exclude = [e.strip() for e in args.exclude.split(",") if e.strip()]
    if set(args.exclude) - set(OP_NAMES):
        p.error(f"unknown operation(s) in --exclude: {sorted(set(args.exclude) - set(OP_NAMES))}")
    unknown = set(args.backends) - set(BACKENDS)
    if unknown or not args.backends:
        p.error(f"unknown backend(s) {sorted(unknown)}: choose from {', '.join(BACKENDS)}")
    if args.users < args.groups * args.admins_per_group or args.procs < 1:
        p.error("need at least --groups x --admins-per-group users and one load process")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cmd = shlex.split(args.atrium_cmd) if args.atrium_cmd else atrium_command()
    needs_pg = "postgres" in args.backends
    cluster_cm: AbstractContextManager[str | None] = (
        _pg().throwaway_cluster() if needs_pg else nullcontext()
    )
    all_runs: dict[str, list[dict[str, Any]]] = {}
    with cluster_cm as cluster:
        for backend in args.backends:
            all_runs[backend] = run_backend(backend, cmd, cluster, args)
    report(all_runs, args)
    return 1 if any(r["errors"] for runs in all_runs.values() for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
