"""Launching one admitted attempt: its directory, inputs, environment, then the executor."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from atrium.server.backends.executors.base import LaunchSpec, Resources
from atrium.server.domain import jobs as rules
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import DomainError
from atrium.server.domain.jobs import JobState
from atrium.server.services.dataset_versions import VersionService
from atrium.server.services.job_files import Workspace
from atrium.server.services.job_runs import JobRuns, owner_context
from atrium.server.services.job_runtime import JobRuntime
from atrium.server.services.job_specs import SpecChecker
from atrium.server.services.secrets import SecretService
from atrium.server.store import groups as group_store
from atrium.server.store import jobs as job_store
from atrium.server.store.db import Database
from atrium.server.store.tables import JobAttemptRow, JobRow

log = logging.getLogger("atrium.scheduler")

BASE_PATH = "/usr/local/bin:/usr/bin:/bin"


class Launcher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        runtime: JobRuntime,
        versions: VersionService,
        secrets: SecretService,
        checker: SpecChecker,
        job_runs: JobRuns,
    ) -> None:
        self.db = db
        self.clock = clock
        self.runtime = runtime
        self.versions = versions
        self.secrets = secrets
        self.checker = checker
        self.job_runs = job_runs

    def launch(self, attempt_id: int, token: str) -> str | None:
        """Start the attempt; returns why it could not start, or None once it runs."""
        try:
            handle = self._start(attempt_id, token)
        except Exception as exc:  # whatever it is, it fails this attempt, not the scheduler
            log.info("attempt %s did not start: %s", attempt_id, exc)
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            return message or type(exc).__name__
        self._running(attempt_id, handle)
        return None

    def _start(self, attempt_id: int, token: str) -> str:
        with self.db.read() as s:
            found = job_store.attempt_with_job(s, attempt_id)
            assert found is not None
            attempt, job = found
            group = group_store.by_id(s, job.group_id)
            assert group is not None
            names = job.spec["secrets"]
            secrets = self.secrets.values_in(s, job.group_id, names) if names else {}
        with self.db.write() as s:  # before the launch: the job's code may use its run at once
            found = job_store.attempt_with_job(s, attempt_id)
            assert found is not None
            run_env = self.job_runs.started_in(s, found[1])
        ws = Workspace.of(self.runtime.jobs_root, job.id, attempt.number)
        ws.create()
        self._inputs(job, ws)
        cwd = ws.work / (job.spec["working_dir"] or "")
        cwd.mkdir(parents=True, exist_ok=True)
        spec = LaunchSpec(
            job_id=str(job.id),
            attempt=attempt.number,
            argv=rules.argv(job.spec["command"]),
            env={**self._env(job, attempt, group.name, ws, secrets, token), **run_env},
            workdir=cwd,
            log_path=ws.log,
            resources=Resources(job.cpu, job.memory, job.gpu),
            labels={"group": group.name, "job": str(job.id), "name": job.name},
        )
        return self.runtime.executor.launch(spec)

    def _inputs(self, job: JobRow, ws: Workspace) -> None:
        """Materialise each pinned input read-only, as the job's owner acting in its group."""
        ctx = owner_context(job)
        for name, pinned in job.spec["resolved_inputs"].items():
            ref = rules.parse_input(pinned)
            dest = ws.data / name
            dest.mkdir(parents=True)  # even for a version without files
            self.versions.materialize(ctx, ref.group, ref.name, ref.ref, dest)
            for dirpath, _, _ in os.walk(dest):
                os.chmod(dirpath, 0o555)

    def _env(
        self,
        job: JobRow,
        attempt: JobAttemptRow,
        group: str,
        ws: Workspace,
        secrets: dict[str, str],
        token: str,
    ) -> dict[str, str]:
        venv = self.checker.environment_path(job.spec["environment"])
        bin_dir = venv / "bin" if venv else Path(sys.executable).parent
        env = {
            # An unchanged MLflow script logs into the job's group (its own env may say otherwise).
            "MLFLOW_TRACKING_URI": f"{self.runtime.public_url.rstrip('/')}/mlflow/{group}",
            "MLFLOW_TRACKING_TOKEN": token,
            **job.spec["env"],
            **secrets,
            "PATH": f"{bin_dir}{os.pathsep}{BASE_PATH}",
            "PYTHONUNBUFFERED": "1",  # logs appear live, not when a buffer fills
            "ATRIUM_URL": self.runtime.public_url,
            "ATRIUM_TOKEN": token,
            "ATRIUM_JOB_ID": str(job.id),
            "ATRIUM_ATTEMPT": str(attempt.number),
            "ATRIUM_GROUP": group,
            "ATRIUM_ARTIFACTS_DIR": str(ws.artifacts),
        }
        if venv is not None:
            env["VIRTUAL_ENV"] = str(venv)
        for name in job.spec["resolved_inputs"]:
            env[rules.input_env_name(name)] = str(ws.data / name)
        return env

    def _running(self, attempt_id: int, handle: str) -> None:
        now = self.clock.now()
        with self.db.write() as s:
            found = job_store.claim_attempt(s, attempt_id, skip_locked=False)
            if found is None:
                # The attempt ended while it launched (declared lost by a replica that gave
                # up on it): nothing would ever watch this process, so it must not live.
                self.runtime.executor.kill(handle)
                return
            attempt, job = found
            attempt.handle, attempt.started_at = handle, now
            attempt.status = JobState.RUNNING.value
            rules.check_transition(job.status, JobState.RUNNING)
            job.status = JobState.RUNNING.value
            job.started_at = job.started_at or now
