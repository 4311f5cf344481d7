"""Datasets benchmark (issue 3): Atrium's dataset versioning against DVC 3.67.1, same machine.

Run from the repository root::

    .venv/bin/python bench/datasets.py              # full sizes, 3 repetitions
    .venv/bin/python bench/datasets.py --quick      # small data, 1 repetition (smoke run)

Data (as in /work/shared/research/baselines.md section 2): ``dirA`` = 1,000 random files of
1,073,741 bytes (1 GiB in all, the last file padded), ``dirB`` = 20,000 random files of 4 KiB.
Every repetition starts from fresh state on both sides: a new git + ``dvc init`` repository,
a new directory remote and a new clone for DVC; a new Atrium server (its own ``--home``, so an
empty blob store), new datasets and new client hash-cache directories (``ATRIUM_CACHE_DIR``)
for Atrium. Both tools get their own copy of the data (``cp -r``, not timed) and run the same
steps; the two sides alternate which goes first.

Cases (every timed command is a separate process, like a user typing it, unless marked SDK):

(a) version 1 GiB / 1,000 files: ``dvc add dirA`` vs ``atrium datasets push dirA``. Atrium's
    push hashes, uploads to the local server (which re-hashes and stores every blob) and
    commits; DVC's add hashes and copies into its cache: each is the tool's "make a version".
(b) version 20,000 x 4 KiB: ``dvc add dirB`` vs ``atrium datasets push dirB``.
(c) status, nothing changed: ``dvc status dirB.dvc`` and ``dvc data status --granular dirB``
    vs ``atrium datasets status dirB`` (CLI) and ``client.datasets.status`` (SDK, in-process).
(d) one file of dirB appended to: the same status commands, then re-version:
    ``dvc add dirB`` + ``git add dirB.dvc && git commit`` vs ``atrium datasets push`` (v2).
(e) ``dvc push`` to a local directory remote and ``dvc pull`` into a fresh ``git clone`` vs
    ``atrium datasets pull`` into a fresh directory (Atrium's upload happened in (a)/(b); the
    "version + publish" rows compare ``dvc add`` + ``dvc push`` with the one Atrium push), and a
    push with nothing to upload (``dvc push`` vs a second ``atrium datasets push``).
(h) hashing: multi-threaded BLAKE3 of a 1 GiB in-memory buffer vs Atrium's scan + hash of
    dirA with a cold hash cache (in-process, the functions ``push`` runs), in GB/s.

The page cache is not dropped: the data is read once before timing starts and every tool reads
it warm. ``sync`` (not timed) runs before every timed step so that one step's write-back does not
land in the next one's time. Repetitions' files are deleted only at the end of the run (mass
deletes make ext4 slow at creating files afterwards; see ``choose_cleanup``).
Server and client share the machine's cores; loopback only.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _dvc
import psutil
from _dvc import DvcRepo, Ran, run_timed
from _harness import (
    ADMIN_PASSWORD,
    HOST,
    REPO,
    atrium_command,
    clean_env,
    free_port,
    launch,
    print_table,
    stop,
    tree,
    wait_for_quiet,
    wait_healthy,
    write_results,
)

FULL = {"a_files": 1000, "a_size": 1_073_741, "b_files": 20_000, "b_size": 4096}
QUICK = {"a_files": 100, "a_size": 1_073_741, "b_files": 2_000, "b_size": 4096}
GIB = 1024**3
MODIFIED = "b00123.bin"  # the file appended to in (d)
GROUP = "bench"

# ---- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    root: Path
    a_files: int
    a_size: int
    b_files: int
    b_size: int

    @property
    def dir_a(self) -> Path:
        return self.root / "dirA"

    @property
    def dir_b(self) -> Path:
        return self.root / "dirB"

    @property
    def a_bytes(self) -> int:
        return self.a_files * self.a_size + self.pad

    @property
    def b_bytes(self) -> int:
        return self.b_files * self.b_size

    @property
    def pad(self) -> int:
        """Bytes added to dirA's last file so that the full-size dirA is exactly 1 GiB."""
        total = self.a_files * self.a_size
        return GIB - total if 0 < GIB - total < self.a_size else 0

    def describe(self) -> dict[str, Any]:
        return {
            "dirA": f"{self.a_files} files x {self.a_size} B = {self.a_bytes / GIB:.3f} GiB",
            "dirB": f"{self.b_files} files x {self.b_size} B = {self.b_bytes / 2**20:.1f} MiB",
        }


def make_data(root: Path, sizes: dict[str, int]) -> Data:
    """Random files (reused if ``root`` already holds data of these sizes)."""
    data = Data(root, **sizes)
    marker = root / "sizes.json"
    if marker.exists() and json.loads(marker.read_text()) == sizes:
        print(f"reusing the data in {root}", flush=True)
        return data
    shutil.rmtree(root, ignore_errors=True)
    data.dir_a.mkdir(parents=True)
    data.dir_b.mkdir()
    started = time.perf_counter()
    for i in range(data.a_files):
        extra = data.pad if i == data.a_files - 1 else 0
        (data.dir_a / f"a{i:04d}.bin").write_bytes(os.urandom(data.a_size + extra))
    for i in range(data.b_files):
        (data.dir_b / f"b{i:05d}.bin").write_bytes(os.urandom(data.b_size))
    os.sync()
    marker.write_text(json.dumps(sizes))
    print(f"generated the data in {time.perf_counter() - started:.1f} s: {data.describe()}")
    return data


def warm(data: Data, args: argparse.Namespace) -> None:
    """Read every file once so that both tools start from a warm page cache; run each CLI once
    so that Python has compiled its modules (as on a user's machine after the first command)."""
    env = clean_env()
    if "atrium" in args.tools:
        subprocess.run([*atrium_command(), "datasets", "--help"], env=env, capture_output=True)
    if "dvc" in args.tools:
        dvc_env = _dvc.env_for(env)
        subprocess.run([str(args.dvc), "status", "--help"], env=dvc_env, capture_output=True)
    for folder in (data.dir_a, data.dir_b):
        for entry in os.scandir(folder):
            with open(entry.path, "rb") as handle:
                while handle.read(1 << 20):
                    pass


def copy_in(data: Data, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for folder in (data.dir_a, data.dir_b):
        subprocess.run(["cp", "-r", str(folder), str(target / folder.name)], check=True)
    os.sync()


# ---- bookkeeping ------------------------------------------------------------------------------


def _wall(sample: dict[str, Any]) -> float:
    return float(sample["wall"])


def _cpu(sample: dict[str, Any]) -> float:
    """CPU seconds of the command, plus the server's during it (Atrium)."""
    return float(sample["user"] + sample["sys"] + sample.get("server_cpu", 0.0))


class Samples:
    """Timed samples by tool and step; each sample is a dict with ``wall`` and ``rep``."""

    def __init__(self) -> None:
        self.by: dict[str, dict[str, list[dict[str, Any]]]] = {"dvc": {}, "atrium": {}, "hash": {}}
        self.quiet: list[dict[str, Any]] = []  # busy cores (other work) before each side ran

    def add(self, tool: str, step: str, rep: int, sample: dict[str, Any]) -> None:
        self.by[tool].setdefault(step, []).append({"rep": rep, **sample})
        extra = ""
        if "user" in sample:
            extra = f"  (cpu {sample['user'] + sample['sys']:.2f} s"
            if "server_cpu" in sample:
                extra += f" + server {sample['server_cpu']:.2f} s"
            extra += ")"
        print(f"  rep {rep} {tool:<6} {step:<26} {sample['wall']:8.3f} s{extra}", flush=True)

    def walls(self, tool: str, step: str) -> list[float]:
        return [s["wall"] for s in self.by[tool].get(step, [])]

    def per_rep_sum(
        self, tool: str, steps: tuple[str, ...], metric: Callable[[dict[str, Any]], float] = _wall
    ) -> list[float]:
        """Per repetition, the sum of each step's median over its samples in that repetition."""
        reps = sorted({s["rep"] for s in self.by[tool].get(steps[0], [])})
        out = []
        for rep in reps:
            parts = []
            for step in steps:
                walls = [metric(s) for s in self.by[tool].get(step, []) if s["rep"] == rep]
                if not walls:
                    break
                parts.append(statistics.median(walls))
            else:
                out.append(sum(parts))
        return out


@contextmanager
def in_process() -> Iterator[dict[str, Any]]:
    """Wall and CPU time of a block run in this process (filled in on exit)."""
    sample: dict[str, Any] = {}
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    yield sample
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    sample.update(
        wall=round(wall, 4),
        user=round(after.ru_utime - before.ru_utime, 3),
        sys=round(after.ru_stime - before.ru_stime, 3),
    )


# ---- DVC side ---------------------------------------------------------------------------------


def dvc_rep(args: argparse.Namespace, data: Data, rep: int, work: Path, out: Samples) -> None:
    env = _dvc.env_for(clean_env())
    repo = DvcRepo(args.dvc, work / "repo", env)
    copy_in(data, repo.root)

    def timed(step: str, ran: Ran) -> Ran:
        out.add("dvc", step, rep, ran.sample())
        os.sync()
        return ran

    timed("add_A", repo.dvc_cmd("add", "dirA"))
    timed("add_B", repo.dvc_cmd("add", "dirB"))
    repo.git_commit("data v1", "dirA.dvc", "dirB.dvc", ".gitignore")
    for _ in range(args.status_calls):
        timed("status_noop", repo.dvc_cmd("status", "dirB.dvc"))
        timed("data_status_noop", repo.dvc_cmd("data", "status", "--granular", "dirB"))
    with open(repo.root / "dirB" / MODIFIED, "ab") as handle:
        handle.write(b"modified\n")
    os.sync()
    for i in range(args.status_calls):
        ran = timed("status_mod", repo.dvc_cmd("status", "dirB.dvc"))
        if i == 0 and b"modified" not in ran.stdout:
            print(f"  warning: `dvc status` did not report the change: {ran.stdout[:300]!r}")
        timed("data_status_mod", repo.dvc_cmd("data", "status", "--granular", "dirB"))
    timed("readd_B", repo.dvc_cmd("add", "dirB"))
    timed("commit_B", repo.git_commit("data v2", "dirB.dvc"))
    repo.add_remote(work / "remote")
    timed("push_A", repo.dvc_cmd("push", "dirA.dvc"))
    timed("push_B", repo.dvc_cmd("push", "dirB.dvc"))
    timed("push_noop", repo.dvc_cmd("push"))
    clone = repo.clone(work / "clone")
    timed("pull_A", repo.dvc_cmd("pull", "dirA.dvc", cwd=clone))
    timed("pull_B", repo.dvc_cmd("pull", "dirB.dvc", cwd=clone))
    _check_files(clone / "dirA", data.a_files)
    _check_files(clone / "dirB", data.b_files)


def _check_files(folder: Path, expected: int) -> None:
    found = sum(1 for e in os.scandir(folder) if e.is_file())
    if found != expected:
        raise RuntimeError(f"{folder}: {found} files, expected {expected}")


# ---- Atrium side ------------------------------------------------------------------------------


@contextmanager
def atrium_server(home: Path, log: Path) -> Iterator[tuple[str, int]]:
    """A fresh server (its own home: empty database and blob store); yields (url, pid)."""
    port = free_port()
    argv = [*atrium_command(), "up", "--home", str(home), "--host", HOST, "--port", str(port)]
    server = launch(argv, clean_env(ATRIUM_ADMIN_PASSWORD=ADMIN_PASSWORD), log)
    try:
        url = f"http://{HOST}:{port}"
        wait_healthy(server, f"{url}/api/v1/health")
        yield url, server.proc.pid
    finally:
        stop(server)


def atrium_rep(args: argparse.Namespace, data: Data, rep: int, work: Path, out: Samples) -> None:
    import atrium

    copy_in(data, work / "data")
    dir_a, dir_b = work / "data" / "dirA", work / "data" / "dirB"
    caches = work / "caches"
    with atrium_server(work / "home", work / "server.log") as (url, pid):
        client = atrium.Client(url=url, token=None, timeout=600)
        try:
            client.auth.login("admin", ADMIN_PASSWORD)
            token = client.tokens.create("bench-datasets").token
            client.token = token
            client.groups.create(GROUP)
            client.datasets.create(f"{GROUP}/dira")
            client.datasets.create(f"{GROUP}/dirb")
            server = Server(url, token, pid)
            _atrium_steps(args, data, rep, work, out, client, server, dir_a, dir_b, caches)
        finally:
            client.close()


def _atrium_steps(
    args: argparse.Namespace,
    data: Data,
    rep: int,
    work: Path,
    out: Samples,
    client: Any,
    server: Server,
    dir_a: Path,
    dir_b: Path,
    caches: Path,
) -> None:
    cli = [*atrium_command(), "datasets"]

    def env(cache: str) -> dict[str, str]:
        cache_dir = str(caches / cache)
        return clean_env(
            ATRIUM_URL=server.url, ATRIUM_TOKEN=server.token, ATRIUM_CACHE_DIR=cache_dir
        )

    def timed(step: str, argv: list[str], cache: str) -> Any:
        before = server.cpu()
        ran = run_timed([*cli, *argv, "--json"], cwd=work, env=env(cache))
        out.add(
            "atrium", step, rep, {**ran.sample(), "server_cpu": round(server.cpu() - before, 3)}
        )
        os.sync()
        return json.loads(ran.stdout)

    def sdk_status(step: str) -> Any:
        os.environ["ATRIUM_CACHE_DIR"] = str(caches / "b")
        try:
            with in_process() as sample:
                result = client.datasets.status(dir_b)
        finally:
            os.environ.pop("ATRIUM_CACHE_DIR", None)
        out.add("atrium", step, rep, sample)
        return result

    pushed = timed("push_A", ["push", str(dir_a), f"{GROUP}/dira", "-m", "v1"], "a")
    _expect(pushed["uploaded_blobs"] == data.a_files, "push A uploaded", pushed)
    pushed = timed("push_B", ["push", str(dir_b), f"{GROUP}/dirb", "-m", "v1"], "b")
    _expect(pushed["uploaded_blobs"] == data.b_files, "push B uploaded", pushed)

    for _ in range(args.status_calls):
        status = sdk_status("status_noop_sdk")
        _expect(status.clean and status.unchanged == data.b_files, "SDK status", status)
        status = timed("status_noop", ["status", str(dir_b)], "b")
        _expect(not status["modified"] and not status["added"], "CLI status", status)

    with open(dir_b / MODIFIED, "ab") as handle:
        handle.write(b"modified\n")
    os.sync()
    for _ in range(args.status_calls):
        status = sdk_status("status_mod_sdk")
        _expect(status.modified == [MODIFIED], "SDK status after the change", status)
        status = timed("status_mod", ["status", str(dir_b)], "b")
        _expect(status["modified"] == [MODIFIED], "CLI status after the change", status)
    pushed = timed("push_B_v2", ["push", str(dir_b), f"{GROUP}/dirb", "-m", "v2"], "b")
    _expect(pushed["uploaded_blobs"] == 1, "push of v2 uploaded", pushed)

    pushed = timed("push_noop_A", ["push", str(dir_a), f"{GROUP}/dira", "-m", "again"], "a")
    _expect(pushed["uploaded_blobs"] == 0, "re-push A uploaded", pushed)
    pushed = timed("push_noop_B", ["push", str(dir_b), f"{GROUP}/dirb", "-m", "again"], "b")
    _expect(pushed["uploaded_blobs"] == 0, "re-push B uploaded", pushed)

    pulled = timed("pull_A", ["pull", f"{GROUP}/dira@v1", str(work / "pullA")], "pullA")
    _expect(pulled["downloaded_files"] == data.a_files, "pull A downloaded", pulled)
    pulled = timed("pull_B", ["pull", f"{GROUP}/dirb@v2", str(work / "pullB")], "pullB")
    _expect(pulled["downloaded_files"] == data.b_files, "pull B downloaded", pulled)
    _check_files(work / "pullA", data.a_files)
    _check_files(work / "pullB", data.b_files)


@dataclass(frozen=True)
class Server:
    url: str
    token: str
    pid: int

    def cpu(self) -> float:
        """CPU seconds used so far by the server's process tree."""
        total = 0.0
        for proc in tree(self.pid):
            with contextlib.suppress(psutil.NoSuchProcess):
                times = proc.cpu_times()
                total += times.user + times.system
        return total


def _expect(ok: bool, what: str, got: Any) -> None:
    if not ok:
        raise RuntimeError(f"unexpected result: {what}: {str(got)[:500]}")


# ---- hashing throughput -----------------------------------------------------------------------


def hashing_rep(data: Data, rep: int, work: Path, out: Samples) -> None:
    """Raw BLAKE3 over a 1 GiB buffer vs Atrium's scan + hash of dirA (cold hash cache).

    The buffer exists only here: a big parent process would slow down every fork of the timed
    commands."""
    from blake3 import blake3

    from atrium.sdk.datasets.hashcache import HashCache
    from atrium.sdk.datasets.hashing import hash_files
    from atrium.sdk.datasets.scan import scan
    from atrium.sdk.datasets.sync import KEEP_BUDGET

    buffer = os.urandom(GIB)
    for _ in range(3):  # 3 samples per repetition (the first one also pays no page faults)
        with in_process() as sample:
            blake3(buffer, max_threads=blake3.AUTO).digest()
        out.add("hash", "blake3_buffer", rep, {**sample, "bytes": len(buffer)})
    del buffer

    cache_db = work / f"hashcache-{rep}" / "hashes.sqlite"
    with in_process() as sample:
        files = scan(data.dir_a)
        cache = HashCache(data.dir_a, cache_db)
        try:
            hashed = hash_files(files, cache, keep_budget=KEEP_BUDGET)
            cache.forget_missing(f.path for f in files)
            cache.save()
        finally:
            cache.close()
    _expect(hashed.files_read == data.a_files, "cold hash read every file", hashed.files_read)
    out.add("hash", "atrium_scan_hash_A", rep, {**sample, "bytes": data.a_bytes})

    with in_process() as sample:  # the floor: read every file of dirA, no hashing
        chunk = bytearray(1 << 20)
        for entry in os.scandir(data.dir_a):
            with open(entry.path, "rb", buffering=0) as handle:
                while handle.readinto(chunk):
                    pass
    out.add("hash", "read_only_A", rep, {**sample, "bytes": data.a_bytes})


# ---- report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    case: str
    what: str
    dvc: tuple[str, ...]  # summed per repetition
    atrium: tuple[str, ...]
    goal: float | None  # Atrium at least this many times faster


def rows(data: Data) -> list[Row]:
    a = f"{data.a_bytes / GIB:.2f} GiB / {data.a_files:,} files"
    b = f"{data.b_files:,} x {data.b_size // 1024} KiB"
    return [
        Row(
            "a",
            f"version {a}: dvc add | atrium push (hash+upload+commit)",
            ("add_A",),
            ("push_A",),
            5,
        ),
        Row("b", f"version {b}: dvc add | atrium push", ("add_B",), ("push_B",), 8),
        Row(
            "c",
            "status, no change: dvc status dirB.dvc | atrium CLI",
            ("status_noop",),
            ("status_noop",),
            8,
        ),
        Row("c", "  same | atrium SDK (in-process)", ("status_noop",), ("status_noop_sdk",), 8),
        Row(
            "c",
            "  dvc data status --granular | atrium CLI",
            ("data_status_noop",),
            ("status_noop",),
            8,
        ),
        Row(
            "d",
            "status, 1 file changed: dvc status | atrium CLI",
            ("status_mod",),
            ("status_mod",),
            None,
        ),
        Row("d", "  same | atrium SDK (in-process)", ("status_mod",), ("status_mod_sdk",), None),
        Row(
            "d",
            "  dvc data status --granular | atrium CLI",
            ("data_status_mod",),
            ("status_mod",),
            None,
        ),
        Row(
            "d",
            "re-version: dvc add + git commit | atrium push v2",
            ("readd_B", "commit_B"),
            ("push_B_v2",),
            None,
        ),
        Row(
            "e",
            f"version+publish {a}: dvc add + dvc push | atrium push",
            ("add_A", "push_A"),
            ("push_A",),
            8,
        ),
        Row(
            "e",
            f"version+publish {b}: dvc add + dvc push | atrium push",
            ("add_B", "push_B"),
            ("push_B",),
            8,
        ),
        Row(
            "e",
            "push, nothing to upload: dvc push | atrium push dirA",
            ("push_noop",),
            ("push_noop_A",),
            8,
        ),
        Row("e", "  same | atrium push dirB", ("push_noop",), ("push_noop_B",), 8),
        Row(
            "e",
            f"pull {a} into a fresh dir: dvc pull (clone) | atrium pull",
            ("pull_A",),
            ("pull_A",),
            8,
        ),
        Row(
            "e",
            f"pull {b} into a fresh dir: dvc pull (clone) | atrium pull",
            ("pull_B",),
            ("pull_B",),
            8,
        ),
    ]


def _ratio(dvc: float, atrium: float) -> str:
    if not (dvc > 0 and atrium > 0):
        return "n/a"
    r = dvc / atrium
    return f"{r:.1f}x faster" if r >= 1 else f"{1 / r:.1f}x slower"


def _fmt(values: list[float]) -> str:
    if not values:
        return "n/a"
    m = statistics.median(values)
    return (
        f"{m:.3f} ({min(values):.3f}-{max(values):.3f})"
        if m < 1
        else f"{m:.2f} ({min(values):.2f}-{max(values):.2f})"
    )


def report(data: Data, samples: Samples) -> dict[str, Any]:
    table, summary = [], []
    for row in rows(data):
        dvc = samples.per_rep_sum("dvc", row.dvc)
        at = samples.per_rep_sum("atrium", row.atrium)
        md = statistics.median(dvc) if dvc else float("nan")
        ma = statistics.median(at) if at else float("nan")
        ratio = md / ma if dvc and at else float("nan")
        met = "" if row.goal is None or ratio != ratio else ("yes" if ratio >= row.goal else "NO")
        goal = f">= {row.goal:g}x" if row.goal else "-"
        table.append([row.case, row.what, _fmt(dvc), _fmt(at), _ratio(md, ma), goal, met])
        summary.append(
            {
                "case": row.case,
                "what": row.what,
                "dvc_steps": row.dvc,
                "atrium_steps": row.atrium,
                "dvc_median_s": md,
                "atrium_median_s": ma,
                "speedup": ratio,
                "goal": row.goal,
                "met": met or None,
                "dvc_reps": len(dvc),
                "atrium_reps": len(at),
            }
        )
    cpu_table = []
    for row, item in zip(rows(data), summary, strict=True):
        dvc = samples.per_rep_sum("dvc", row.dvc, _cpu)
        at = samples.per_rep_sum("atrium", row.atrium, _cpu)
        md = statistics.median(dvc) if dvc else float("nan")
        ma = statistics.median(at) if at else float("nan")
        item.update(dvc_cpu_s=md, atrium_cpu_s=ma)
        cpu_table.append([row.case, row.what, _fmt(dvc), _fmt(at), _ratio(md, ma)])
    print("\nSeconds, median (min-max) over repetitions; speed-up = DVC time / Atrium time.")
    print("Atrium's push uploads to a local server that verifies and stores every blob; DVC's add")
    print("only copies into its local cache (its upload is `dvc push`, see the (e) rows).\n")
    print_table(
        ["case", "step: DVC | Atrium", "DVC s", "Atrium s", "Atrium vs DVC", "goal", "met"], table
    )

    print(
        "\nCPU seconds (user+sys; Atrium: client + server process tree), median over repetitions:"
    )
    print("(less sensitive than wall time to other work on the machine)\n")
    print_table(["case", "step: DVC | Atrium", "DVC cpu s", "Atrium cpu s", "ratio"], cpu_table)

    hashing: dict[str, Any] = {}
    hash_rows = []
    for step, label in (
        ("blake3_buffer", "BLAKE3 1 GiB in-memory buffer, max_threads=AUTO"),
        ("atrium_scan_hash_A", "Atrium scan + hash of dirA, cold hash cache (in-process)"),
        ("read_only_A", "(floor) read every file of dirA, 1 thread, no hash"),
    ):
        got = samples.by.get("hash", {}).get(step, [])
        rates = [s["bytes"] / s["wall"] / 1e9 for s in got]
        hashing[step] = statistics.median(rates) if rates else float("nan")
        if rates:
            hash_rows.append(
                [label, f"{statistics.median(rates):.2f} ({min(rates):.2f}-{max(rates):.2f})"]
            )
    if hash_rows:
        print("\nHashing throughput, GB/s (10^9 bytes/s), median (min-max):\n")
        print_table(["what", "GB/s"], hash_rows)
        within = hashing["blake3_buffer"] / hashing["atrium_scan_hash_A"]
        verdict = "yes" if within <= 2 else "NO"
        print(
            f"\nAtrium scan+hash is {within:.2f}x slower than raw BLAKE3 (goal: within 2x): ",
            end="",
        )
        print(verdict)
        hashing["blake3_over_atrium"] = within
    return {"rows": summary, "hashing": hashing}


# ---- main -------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Atrium datasets vs DVC 3.67.1: version, status, push, pull, hashing.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    p.add_argument("--reps", type=int, default=None, help="repetitions (default 3; 1 with --quick)")
    p.add_argument("--quick", action="store_true", help=f"small data for a smoke run: {QUICK}")
    p.add_argument("--status-calls", type=int, default=3, help="status calls per repetition (3)")
    p.add_argument(
        "--tools", default="dvc,atrium,hash", help="which sides to run (dvc,atrium,hash)"
    )
    p.add_argument("--dvc-venv", type=Path, default=_dvc.DEFAULT_VENV, help="venv holding DVC")
    p.add_argument("--install-dvc", action="store_true", help="create the DVC venv if missing")
    p.add_argument(
        "--workdir", type=Path, default=None, help="scratch folder (default: a new temp dir)"
    )
    p.add_argument(
        "--data-dir", type=Path, default=None, help="keep the data here, reuse it across runs"
    )
    p.add_argument("--keep", action="store_true", help="do not delete the scratch folder")
    p.add_argument(
        "--cleanup",
        choices=("end", "each"),
        default="end",
        help="delete the repetitions' files at the end (default, if the disk has room) or "
        "after each one (mass deletes slow down the next file creations on ext4)",
    )
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="before each side, wait up to N s for other work on the machine to stop (120)",
    )
    args = p.parse_args()
    args.reps = args.reps or (1 if args.quick else 3)
    args.tools = {t.strip() for t in args.tools.split(",") if t.strip()}
    if not args.tools <= {"dvc", "atrium", "hash"} or args.reps < 1 or args.status_calls < 1:
        p.error("--tools takes dvc, atrium, hash; --reps and --status-calls at least 1")
    return args


def run_rep(args: argparse.Namespace, data: Data, rep: int, rep_dir: Path, out: Samples) -> None:
    print(f"\nrepetition {rep}/{args.reps}", flush=True)
    sides: list[tuple[str, Callable[[], None]]] = []
    if "dvc" in args.tools:
        sides.append(("dvc", lambda: dvc_rep(args, data, rep, rep_dir / "dvc", out)))
    if "atrium" in args.tools:
        sides.append(("atrium", lambda: atrium_rep(args, data, rep, rep_dir / "atrium", out)))
    if rep % 2 == 0:
        sides.reverse()  # alternate which tool goes first
    try:
        for name, side in sides:
            busy = wait_for_quiet(args.quiet_wait) if args.quiet_wait > 0 else float("nan")
            out.quiet.append({"rep": rep, "side": name, "busy_cores": round(busy, 2)})
            if busy >= 0.3:
                print(f"  note: {busy:.2f} cores busy with other work before {name} ran")
            side()
        if "hash" in args.tools:
            hashing_rep(data, rep, rep_dir, out)
    finally:
        if args.cleanup == "each":
            shutil.rmtree(rep_dir, ignore_errors=True)


def choose_cleanup(args: argparse.Namespace, data: Data, work: Path) -> None:
    """Delete every repetition's files at the end of the run if the disk has room for them all.

    Deleting ~65,000 files makes ext4 slow to create files until the freed inodes are reused
    (still so 5 minutes later in our test): inode allocation checks the freed inodes one by one
    (``recently_deleted()`` was 78 % of a 20,000-file create loop under ``perf`` after such a
    delete, which then took 4.7 s instead of 0.65 s), so a repetition would pay for the
    previous one's cleanup.
    """
    need = args.reps * (8 * (data.a_bytes + data.b_bytes) + GIB)
    free = shutil.disk_usage(work).free
    if args.cleanup == "end" and free < need:
        print(f"note: {free / GIB:.0f} GiB free, {need / GIB:.0f} GiB needed to keep every")
        print("repetition until the end: deleting each one as it finishes instead")
        args.cleanup = "each"


def main() -> None:
    args = parse_args()
    sizes = QUICK if args.quick else FULL
    env = clean_env()
    dvc_version = None
    if "dvc" in args.tools:
        args.dvc = _dvc.ensure_venv(args.dvc_venv, args.install_dvc)
        dvc_version = _dvc.version(args.dvc, _dvc.env_for(env))
    owns_workdir = args.workdir is None
    work = Path(tempfile.mkdtemp(prefix="atrium-bench-datasets-")) if owns_workdir else args.workdir
    work.mkdir(parents=True, exist_ok=True)
    samples = Samples()
    started = time.time()
    digest_before = _source_digest()
    try:
        data = make_data(args.data_dir or work / "src", sizes)
        warm(data, args)
        choose_cleanup(args, data, work)
        for rep in range(1, args.reps + 1):
            run_rep(args, data, rep, work / f"rep{rep}", samples)
        summary = report(data, samples)
        if _source_digest() != digest_before:
            print("\nWARNING: src/atrium changed while the benchmark ran; the numbers mix versions")
        path = write_results(
            "datasets",
            {
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "started": started,
                "seconds": round(time.time() - started, 1),
                "reps": args.reps,
                "status_calls": args.status_calls,
                "data": data.describe(),
                "dvc_version": dvc_version,
                "atrium_git": _git_head(),
                "atrium_src_sha256": digest_before,
                "atrium_src_changed_during_run": _source_digest() != digest_before,
                "summary": summary,
                "busy_cores_before": samples.quiet,
                "samples": samples.by,
            },
        )
        print(f"\nresults: {path.relative_to(REPO)}")
    finally:
        if args.keep:
            print(f"kept {work}")
        elif owns_workdir:
            shutil.rmtree(work, ignore_errors=True)
        else:
            for rep in range(1, args.reps + 1):
                shutil.rmtree(work / f"rep{rep}", ignore_errors=True)


def _source_digest() -> str:
    """Digest of src/atrium/**.py: which (possibly uncommitted) code was measured."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "src" / "atrium").rglob("*.py")):
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _git_head() -> str | None:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    return done.stdout.strip() or None


if __name__ == "__main__":
    main()
