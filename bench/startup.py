"""Start-up time and idle memory of ``atrium up``, and of ``mlflow server`` as the peer.

Time to healthy = from launching the command to the first 200 of its health endpoint (polled
every 5 ms): ``/api/v1/health`` for Atrium, ``/health`` for MLflow. "fresh" starts on an empty
data directory (migrations and the first admin are part of it); "warm" restarts on the data
directory of a previous start. Idle memory is the RSS (and USS) summed over the server's
whole process tree once it stopped growing (< 1 % over 5 s, between ``--settle`` and
``--settle-max`` seconds after healthy: MLflow's workers keep growing for a minute). One
discarded launch of each tool first warms the page cache and the bytecode caches.

MLflow runs from its own throwaway venv (never a project dependency), created on request with
``--install-mlflow``:  python3 -m venv /tmp/mlflow-venv && /tmp/mlflow-venv/bin/pip install mlflow

    .venv/bin/python bench/startup.py                 # 5 runs of each, MLflow if installed
    .venv/bin/python bench/startup.py --runs 3 --no-mlflow
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _harness import (
    ADMIN_PASSWORD,
    HOST,
    REPO,
    VENV_BIN,
    atrium_command,
    clean_env,
    free_port,
    launch,
    median,
    print_table,
    settled_memory,
    spread,
    stop,
    wait_for_quiet,
    wait_healthy,
    write_results,
)

MLFLOW_VENV = Path("/tmp/mlflow-venv")
# From /work/shared/research/baselines.md §3 (mlflow 3.17.2, this machine type): idle memory
# only; the research did not time MLflow's start.
RESEARCH_MLFLOW = {"rss_mib": 3052.0, "uss_mib": 2186.0, "processes": 15}


@dataclass(frozen=True)
class Tool:
    name: str
    health_path: str
    command: Callable[[Path, int], list[str]]
    env: dict[str, str]


def atrium_tool(cmd: list[str], cache: bool) -> Tool:
    def command(data: Path, port: int) -> list[str]:
        return [*cmd, "up", "--home", str(data), "--host", HOST, "--port", str(port)]

    return Tool(
        "atrium", "/api/v1/health", command, clean_env(cache, ATRIUM_ADMIN_PASSWORD=ADMIN_PASSWORD)
    )


def mlflow_tool(venv: Path, cache: bool) -> Tool:
    def command(data: Path, port: int) -> list[str]:
        store = f"sqlite:///{data / 'mlflow.db'}"
        return [
            str(venv / "bin" / "mlflow"),
            "server",
            "--host",
            HOST,
            "--port",
            str(port),
            "--backend-store-uri",
            store,
            "--default-artifact-root",
            str(data / "artifacts"),
        ]

    path = f"{venv / 'bin'}:{clean_env()['PATH']}"
    # Loopback only: no usage telemetry leaves the machine.
    env = clean_env(cache, PATH=path, MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true")
    return Tool("mlflow", "/health", command, env)


@contextmanager
def running(tool: Tool, data: Path, log: Path) -> Iterator[tuple[float, Any]]:
    """Start ``tool`` on ``data``; yield (seconds to healthy, launched server); stop it."""
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = launch(tool.command(data, port), tool.env, log)
    try:
        yield wait_healthy(server, f"http://{HOST}:{port}{tool.health_path}"), server
    finally:
        stop(server)


def one_start(tool: Tool, data: Path, settle: tuple[float, float]) -> dict[str, Any]:
    with running(tool, data, data.parent / f"{data.name}.log") as (seconds, server):
        memory = settled_memory(server.proc.pid, *settle)
    return {"seconds": round(seconds, 3), **memory}


def measure(tool: Tool, args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """One discarded warm-up start, then ``--runs`` fresh and ``--runs`` warm starts."""
    root = Path(tempfile.mkdtemp(prefix=f"bench-startup-{tool.name}-"))
    settle = (args.settle, args.settle_max)
    try:
        one_start(tool, root / "warmup", (0.0, 0.0))
        out: dict[str, list[dict[str, Any]]] = {"fresh": [], "warm": []}
        for mode in out:
            for i in range(args.runs):
                wait_for_quiet(args.quiet_wait)
                data = root / (f"fresh{i}" if mode == "fresh" else "fresh0")
                out[mode].append(one_start(tool, data, settle))
                _progress(tool.name, mode, i, out[mode][-1])
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _progress(name: str, mode: str, i: int, r: dict[str, Any]) -> None:
    print(
        f"  {name} {mode} #{i + 1}: healthy after {r['seconds']:.2f} s, "
        f"RSS {r['rss_mib']} MiB, USS {r['uss_mib']} MiB, {r['processes']} process(es) "
        f"(memory settled after {r['settle_s']} s)",
        flush=True,
    )


def floors(runs: int, cache: bool) -> dict[str, float]:
    """What Python alone costs: an empty interpreter and importing the server app."""
    py = str(VENV_BIN / "python")
    probes = {
        "python -c pass": [py, "-c", "pass"],
        "import atrium.server.app": [py, "-c", "import atrium.server.app"],
    }
    out = {}
    for label, args in probes.items():
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True, env=clean_env(cache))
            times.append(time.perf_counter() - t)
        out[label] = round(median(times), 3)
    return out


def install_mlflow(venv: Path) -> bool:
    print(f"creating {venv} and installing mlflow (a throwaway venv) ...", flush=True)
    steps = [
        ["python3", "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "-q", "mlflow"],
    ]
    return all(subprocess.run(step, check=False).returncode == 0 for step in steps)


def mlflow_available(args: argparse.Namespace) -> bool:
    if args.no_mlflow:
        return False
    if (args.mlflow_venv / "bin" / "mlflow").exists():
        return True
    return bool(args.install_mlflow) and install_mlflow(args.mlflow_venv)


def _summary(results: dict[str, dict[str, list[dict[str, Any]]]]) -> list[list[str]]:
    rows = []
    for tool, modes in results.items():
        for mode, runs in modes.items():

            def col(key: str, runs: list[dict[str, Any]] = runs) -> str:
                return spread([float(r[key]) for r in runs])

            rows.append(
                [
                    tool,
                    mode,
                    str(len(runs)),
                    col("seconds"),
                    col("rss_mib"),
                    col("uss_mib"),
                    col("processes"),
                ]
            )
    return rows


def _med(runs: list[dict[str, Any]], key: str) -> float:
    return median([float(r[key]) for r in runs])


def ratios(results: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, float]:
    a, m = results["atrium"], results["mlflow"]
    return {
        "time_fresh": round(_med(a["fresh"], "seconds") / _med(m["fresh"], "seconds"), 3),
        "time_warm": round(_med(a["warm"], "seconds") / _med(m["warm"], "seconds"), 3),
        "rss_idle": round(_med(a["warm"], "rss_mib") / _med(m["warm"], "rss_mib"), 3),
        "uss_idle": round(_med(a["warm"], "uss_mib") / _med(m["warm"], "uss_mib"), 3),
    }


def research_ratios(results: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, float]:
    a = results["atrium"]["warm"]
    return {
        "rss_idle": round(_med(a, "rss_mib") / RESEARCH_MLFLOW["rss_mib"], 3),
        "uss_idle": round(_med(a, "uss_mib") / RESEARCH_MLFLOW["uss_mib"], 3),
    }


def report(
    results: dict[str, dict[str, list[dict[str, Any]]]],
    base: dict[str, float],
    args: argparse.Namespace,
) -> None:
    print(
        f"\nmedian (min-max) of {args.runs} runs; memory once its RSS settled "
        f"({args.settle:g}-{args.settle_max:g} s after healthy)"
    )
    headers = ["tool", "start", "runs", "to healthy s", "RSS MiB", "USS MiB", "processes"]
    print_table(headers, _summary(results))
    print("\nfloors: " + ", ".join(f"{k} {v:.3f} s" for k, v in base.items()))
    payload: dict[str, Any] = {
        "settings": vars(args) | {"mlflow_venv": str(args.mlflow_venv)},
        "floors": base,
        "runs": results,
    }
    if "mlflow" in results:
        payload["ratios_atrium_over_mlflow"] = r = ratios(results)
        print("\nAtrium / MLflow: " + ", ".join(f"{k} {v:.3f}" for k, v in r.items()))
    else:
        payload["ratios_atrium_over_mlflow_research"] = r = research_ratios(results)
        print(
            "\nMLflow NOT measured here (not installed; see --install-mlflow). Research numbers "
            f"(baselines.md §3, mlflow 3.17.2): idle {RESEARCH_MLFLOW['rss_mib']:.0f} MiB RSS / "
            f"{RESEARCH_MLFLOW['uss_mib']:.0f} MiB USS, {RESEARCH_MLFLOW['processes']} processes; "
            "no start-up time was measured there."
        )
        print("Atrium / MLflow (research): " + ", ".join(f"{k} {v:.3f}" for k, v in r.items()))
    print(f"\nresults: {write_results('startup', payload).relative_to(REPO)}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--runs", type=int, default=5, help="fresh and warm starts of each (default 5)")
    p.add_argument(
        "--settle", type=float, default=5.0, help="least seconds idle before reading memory"
    )
    p.add_argument(
        "--settle-max",
        type=float,
        default=60.0,
        help="most seconds to wait for the memory to stop growing (1%% over 5 s)",
    )
    p.add_argument("--mlflow-venv", type=Path, default=MLFLOW_VENV, help="venv holding mlflow")
    p.add_argument("--install-mlflow", action="store_true", help="create that venv if missing")
    p.add_argument("--no-mlflow", action="store_true", help="only measure Atrium")
    p.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="run the servers with PYTHONDONTWRITEBYTECODE=1 (every start compiles every module)",
    )
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="wait up to N s for other work on the machine to stop before each start",
    )
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cache = not args.no_bytecode_cache
    results = {"atrium": measure(atrium_tool(atrium_command(), cache), args)}
    if mlflow_available(args):
        results["mlflow"] = measure(mlflow_tool(args.mlflow_venv, cache), args)
    report(results, floors(args.runs, cache), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
