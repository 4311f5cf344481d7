"""``atrium.start_run`` and the module-level logging functions (the MLflow-style API).

The group and experiment come from the arguments, else from ``ATRIUM_GROUP`` and
``ATRIUM_EXPERIMENT`` (experiment ``default`` when neither says). Inside an Atrium job the
job's environment sets ``ATRIUM_URL``, ``ATRIUM_TOKEN``, ``ATRIUM_GROUP`` and ``ATRIUM_JOB_ID``,
so ``start_run()`` needs no arguments there and records the job as the run's source.

A run started while another is active becomes its child (nested runs, e.g. for a sweep). The
logging functions act on the innermost active run and start one when there is none. At a
normal interpreter exit every active run is flushed and ended as ``finished``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from atrium.sdk.client import Client
from atrium.sdk.errors import AtriumError
from atrium.sdk.tracking.active import ActiveRun
from atrium.sdk.tracking.models import Artifact, Run

GROUP_ENV = "ATRIUM_GROUP"
EXPERIMENT_ENV = "ATRIUM_EXPERIMENT"
JOB_ENV = "ATRIUM_JOB_ID"
RUN_ENV = "ATRIUM_RUN_ID"  # set in a job: the job's own run

_lock = threading.Lock()
_stack: list[ActiveRun] = []
_hooked = False


def start_run(
    name: str | None = None,
    *,
    experiment: str | None = None,
    group: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    inputs: Sequence[str] = (),
    parent_run_id: str | None = None,
    system_metrics: bool = False,
    system_interval: float = 10.0,
    flush_interval: float = 1.0,
    client: Client | None = None,
) -> ActiveRun:
    """Start a run and make it the active one; use it as a context manager.

    ``inputs`` names dataset versions the run reads (``group/name@v3``, lineage);
    ``system_metrics`` samples CPU, memory (and GPUs) every ``system_interval`` seconds.
    Inside a job, the outermost run is the job's own run (``ATRIUM_RUN_ID``): it is resumed,
    not created, and the job's end sets its status.
    """
    group = group or os.environ.get(GROUP_ENV)
    if not group:
        raise AtriumError(f"which group? pass group=... or set {GROUP_ENV}", code="no_group")
    owns = client is None
    client = client or Client()
    parent = parent_run_id or (_stack[-1].id if _stack else None)
    as_params = {k: str(v) for k, v in (params or {}).items()}
    as_tags = {k: str(v) for k, v in (tags or {}).items()}
    job_run = os.environ.get(RUN_ENV) if parent is None else None
    if job_run:
        run = _resume(client, group, job_run, name, as_params, as_tags)
    else:
        run = client.runs.create(
            group,
            experiment=experiment or os.environ.get(EXPERIMENT_ENV) or "default",
            name=name,
            params=as_params,
            tags=as_tags,
            inputs=list(inputs),
            parent_run_id=parent,
            source=detect_source(),
        )
    active = ActiveRun(
        client,
        run,
        flush_interval=flush_interval,
        system_metrics=system_metrics,
        system_interval=system_interval,
        owns_client=owns,
        on_end=_forget,
        resumed=bool(job_run),
    )
    _remember(active)
    return active


def _resume(
    client: Client,
    group: str,
    run_id: str,
    name: str | None,
    params: dict[str, str],
    tags: dict[str, str],
) -> Run:
    if params or tags:
        client.runs.log_batch(group, run_id, params=params, tags=tags)
    if name:
        return client.runs.update(group, run_id, name=name)
    return client.runs.get(group, run_id)


def detect_source() -> dict[str, Any]:
    """The job (from the job's env), notebook or script this process is, and its git commit."""
    script = sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c") else None
    source: dict[str, Any] = {"type": "script" if script else "other", "name": script}
    if "ipykernel" in sys.modules:
        source = {"type": "notebook", "name": os.environ.get("JPY_SESSION_NAME")}
    job = os.environ.get(JOB_ENV, "")
    if job.isdigit():
        source.update(type="job", job_id=int(job))
    commit = _git_commit(Path(script).resolve().parent if script else Path.cwd())
    if commit:
        source["git_commit"] = commit
    return {k: v for k, v in source.items() if v is not None}


def _git_commit(where: Path) -> str | None:
    git = shutil.which("git")
    if git is None or not where.is_dir():
        return None
    try:
        done = subprocess.run(
            [git, "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) in (40, 64) else None


def _remember(run: ActiveRun) -> None:
    global _hooked
    with _lock:
        _stack.append(run)
        if not _hooked:
            atexit.register(_end_all)
            _hooked = True


def _forget(run: ActiveRun) -> None:
    with _lock:
        if run in _stack:
            _stack.remove(run)


def _end_all() -> None:
    """At a normal exit: flush and finish every run still active, innermost first."""
    while _stack:
        run = _stack[-1]
        try:
            run.end("finished")
        except AtriumError as exc:  # report it, but end the other runs too
            print(f"atrium: could not end run {run.id}: {exc.message}", file=sys.stderr)
            _forget(run)


def active_run() -> ActiveRun | None:
    return _stack[-1] if _stack else None


def _current() -> ActiveRun:
    return _stack[-1] if _stack else start_run()


def end_run(status: str = "finished") -> None:
    """Flush and end the innermost active run."""
    if _stack:
        _stack[-1].end(status)


def flush(timeout: float | None = None) -> None:
    """Wait until the active runs' metrics are stored on the server."""
    for run in list(_stack):
        run.flush(timeout)


def log_param(key: str, value: Any) -> None:
    _current().log_param(key, value)


def log_params(params: Mapping[str, Any]) -> None:
    _current().log_params(params)


def set_tag(key: str, value: Any) -> None:
    _current().set_tag(key, value)


def set_tags(tags: Mapping[str, Any]) -> None:
    _current().set_tags(tags)


def log_metric(
    key: str, value: float, step: int | None = None, timestamp: int | None = None
) -> None:
    _current().log_metric(key, value, step, timestamp)


def log_metrics(metrics: Mapping[str, float], step: int | None = None) -> None:
    _current().log_metrics(metrics, step)


def log_artifact(local_path: str | os.PathLike[str], artifact_path: str | None = None) -> Artifact:
    return _current().log_artifact(local_path, artifact_path)


def log_artifacts(
    local_dir: str | os.PathLike[str], artifact_path: str | None = None
) -> list[Artifact]:
    return _current().log_artifacts(local_dir, artifact_path)


def log_text(text: str, artifact_file: str) -> Artifact:
    return _current().log_text(text, artifact_file)


def log_dict(dictionary: Mapping[str, Any], artifact_file: str) -> Artifact:
    return _current().log_dict(dictionary, artifact_file)


def log_figure(figure: Any, artifact_file: str) -> Artifact:
    return _current().log_figure(figure, artifact_file)
