"""Watching attempts: exits, losses, timeouts, cancels, samples; and ending an attempt.

Ending an attempt stores its log and artifacts in the blob store (outside any transaction:
blobs are content-addressed, so a replica doing it twice is harmless), then, in one
transaction that claims the attempt with ``SKIP LOCKED``, records them, releases the
reservation, revokes the job's token and moves the job on (retry or final state). Every way
an attempt can end goes through :meth:`JobMonitor.end`, so none of them can leak quota.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy.orm import Session

from atrium.server.backends.blobstore import BlobStore
from atrium.server.backends.executors.base import ExecutorError, Observation, UnknownHandle
from atrium.server.domain import jobs as rules
from atrium.server.domain.clock import Clock
from atrium.server.domain.jobs import JobState
from atrium.server.services.auth import AuthService
from atrium.server.services.job_files import Outputs, Stored, Workspace, collect
from atrium.server.services.job_runs import JobRuns
from atrium.server.services.job_runtime import JobRuntime
from atrium.server.services.job_signal import JobSignal
from atrium.server.services.notifications import NotificationService
from atrium.server.services.quotas import QuotaService
from atrium.server.store import jobs as job_store
from atrium.server.store import quotas as quota_store
from atrium.server.store.db import Database
from atrium.server.store.tables import JobAttemptRow, JobRow, JobSampleRow

log = logging.getLogger("atrium.scheduler")

STORAGE_HOLDER = "storage:jobs"
#: Longer than the local executor's SIGTERM-to-SIGKILL grace, so a killed tree is gone by then.
KILL_WAIT = 15.0
#: An executor that cannot be asked (a Ray head restarting, a network blip) is not a lost
#: job: its attempts count as still running until it has been unreachable this long.
UNREACHABLE_GRACE = 300.0


class JobMonitor:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        quotas: QuotaService,
        auth: AuthService,
        blobs: BlobStore,
        runtime: JobRuntime,
        signal: JobSignal,
        notifications: NotificationService,
        job_runs: JobRuns,
    ) -> None:
        self.db = db
        self.clock = clock
        self.quotas = quotas
        self.auth = auth
        self.blobs = blobs
        self.runtime = runtime
        self.signal = signal
        self.notifications = notifications
        self.job_runs = job_runs
        self._killing: dict[int, float] = {}  # attempt id -> when this process sent the kill
        self._unreachable: dict[int, float] = {}  # attempt id -> first failed poll

    def sweep(self) -> tuple[int, int]:
        """Look at every active attempt once; returns (how many were active, how many ended)."""
        with self.db.read() as s:
            active = job_store.active_attempts(s)
        return len(active), sum(1 for attempt, job in active if self._observe(attempt, job))

    def recover(self) -> int:
        """At start-up on a single-writer database: attempts admitted but never launched were
        orphaned by the previous process (no other replica can be launching them)."""
        with self.db.read() as s:
            orphans = job_store.unlaunched_before(s, self.clock.now() + timedelta(seconds=1))
        return sum(1 for a in orphans if self.end(a, JobState.FAILED, "lost: never launched"))

    def _observe(self, attempt: JobAttemptRow, job: JobRow) -> bool:
        if attempt.handle is None:
            grace = timedelta(seconds=self.runtime.launch_grace)
            if attempt.admitted_at + grace > self.clock.now():
                return False  # being launched
            return self.end(attempt.id, JobState.FAILED, "lost: never launched")
        if job.cancel_requested:
            who = (job.reason or "").removeprefix("cancelling: requested by ")
            return self._stop(attempt, JobState.CANCELLED, f"cancelled by {who}")
        if attempt.id in self._killing or self._timed_out(attempt, job):
            return self._stop(
                attempt, JobState.TIMED_OUT, f"timed out after {job.timeout_seconds} s"
            )
        seen = self._poll(attempt.id, attempt.handle)
        if seen.state == "exited":
            reason = rules.exit_reason(seen.exit_code, seen.reason)
            state = JobState.SUCCEEDED if seen.exit_code == 0 else JobState.FAILED
            return self.end(attempt.id, state, reason, seen.exit_code)
        if seen.state == "lost":
            return self.end(attempt.id, JobState.FAILED, seen.reason or "lost")
        self._sample(attempt)
        return False

    def _stop(self, attempt: JobAttemptRow, state: JobState, reason: str) -> bool:
        """Kill, and end the attempt once its processes are gone: the executor gives them a
        grace period to flush logs and artifacts, and a workspace removed under a still-living
        job would lose them. Past KILL_WAIT the attempt ends regardless."""
        assert attempt.handle is not None
        started = self._killing.get(attempt.id)
        if started is None:
            started = self._killing[attempt.id] = time.monotonic()
            self._kill(attempt.handle)
        seen = self._poll(attempt.id, attempt.handle)
        if seen.state in ("running", "starting") and time.monotonic() - started < KILL_WAIT:
            return False
        self._killing.pop(attempt.id, None)
        return self.end(attempt.id, state, reason, seen.exit_code)

    def _poll(self, attempt_id: int, handle: str) -> Observation:
        try:
            seen = self.runtime.executor.poll(handle)
        except UnknownHandle as exc:  # a process this executor cannot find
            return Observation(state="lost", reason=f"lost: {exc}")
        except ExecutorError as exc:
            first = self._unreachable.setdefault(attempt_id, time.monotonic())
            if time.monotonic() - first < UNREACHABLE_GRACE:
                log.warning("cannot poll attempt %s, will retry: %s", attempt_id, exc)
                return Observation(state="starting")
            self._unreachable.pop(attempt_id, None)
            return Observation(
                state="lost",
                reason=f"lost: executor unreachable for {UNREACHABLE_GRACE:.0f} s ({exc})",
            )
        self._unreachable.pop(attempt_id, None)
        return seen

    def _kill(self, handle: str) -> None:
        try:
            self.runtime.executor.kill(handle)
        except ExecutorError as exc:
            log.warning("could not kill %s: %s", handle, exc)

    def _timed_out(self, attempt: JobAttemptRow, job: JobRow) -> bool:
        if job.timeout_seconds is None or attempt.started_at is None:
            return False
        return attempt.started_at + timedelta(seconds=job.timeout_seconds) <= self.clock.now()

    def _sample(self, attempt: JobAttemptRow) -> None:
        now = self.clock.now()
        due = attempt.sampled_at is None or (
            now - attempt.sampled_at >= timedelta(seconds=self.runtime.sample_interval)
        )
        if not due or attempt.handle is None:
            return
        try:
            sample = self.runtime.executor.sample(attempt.handle)
        except ExecutorError:
            return
        if sample is None:
            return
        with self.db.write() as s:
            job_store.record_sample(
                s,
                attempt.id,
                JobSampleRow(
                    attempt_id=attempt.id,
                    time=now,
                    cpu_percent=sample.cpu_percent,
                    memory_bytes=sample.memory_bytes,
                    gpu_percent=sample.gpu_percent,
                    gpu_memory_bytes=sample.gpu_memory_bytes,
                ),
            )

    # ---- ending ------------------------------------------------------------------------------

    def end(
        self, attempt_id: int, state: JobState, reason: str | None, exit_code: int | None = None
    ) -> bool:
        """End the attempt once (False if it already ended or another replica is ending it)."""
        with self.db.read() as s:
            found = job_store.attempt_with_job(s, attempt_id)
            room = _free_storage(s, found[1].group_id) if found else None
        if found is None or found[0].status not in job_store.ACTIVE:
            return False
        ws = Workspace.of(self.runtime.jobs_root, found[1].id, found[0].number)
        outputs = collect(self.runtime.executor, self.blobs, found[0].handle, ws, room)
        with self.db.write() as s:
            claimed = job_store.claim_attempt(s, attempt_id)
            if claimed is None:
                return False
            attempt, job = claimed
            self._record(s, attempt, job, outputs)
            attempt.status, attempt.exit_code = state.value, exit_code
            attempt.reason = "; ".join([reason or "", *outputs.notes]).strip("; ") or None
            attempt.ended_at = self.clock.now()
            self._release(s, attempt)
            self._next(job, attempt, state)
            self.notifications.job_ended_in(s, job)  # nothing unless the job ended
            self.job_runs.ended_in(s, job)
        self.signal.job_ended()
        self.signal.wake()  # quota and capacity were freed
        ws.remove()  # last: rmdir is slow on some filesystems, and nobody waits for it
        return True

    def _release(self, s: Session, attempt: JobAttemptRow) -> None:
        if attempt.reservation_id is not None:
            self.quotas.release_in(s, attempt.reservation_id, f"attempt {attempt.status}")
        if attempt.token_id is not None:
            self.auth.revoke_in(s, attempt.token_id)

    def _next(self, job: JobRow, attempt: JobAttemptRow, state: JobState) -> None:
        job.exit_code = attempt.exit_code
        retry = state == JobState.FAILED and job.attempts <= job.max_retries
        if retry and not job.cancel_requested:
            rules.check_transition(job.status, JobState.QUEUED)
            job.status = JobState.QUEUED.value
            job.reason = f"retrying: attempt {attempt.number} failed ({attempt.reason})"
            return
        rules.check_transition(job.status, state)
        job.status, job.reason, job.ended_at = state.value, attempt.reason, self.clock.now()

    # ---- outputs -----------------------------------------------------------------------------

    def _record(self, s: Session, attempt: JobAttemptRow, job: JobRow, outputs: Outputs) -> None:
        """Keep the log always; artifacts only within the group's storage quota."""
        if outputs.artifacts and not self._room_for(s, job.group_id, outputs):
            outputs.notes.append("artifacts not kept: the group's storage quota is full")
            outputs.artifacts.clear()
        attempt.log_bytes, attempt.log_chunks = outputs.log.size, _keys(outputs.log)
        new = _new_bytes(s, job.group_id, outputs.blobs)  # before this attempt's rows exist
        job_store.add_blobs(s, attempt.id, outputs.blobs)
        rows = (
            {
                "attempt_id": attempt.id,
                "path": p,
                "size": a.size,
                "hash": a.hash,
                "chunks": a.chunks,
            }
            for p, a in outputs.artifacts.items()
        )
        job_store.add_artifacts(s, rows)
        if new:
            # Grown by what is new to the group, not recounted: a recount grows with history.
            held = quota_store.active_by_holder(s, job.group_id, STORAGE_HOLDER)
            total = sum(r.storage_bytes for r in held) + new
            amounts = {"storage_bytes": total}
            self.quotas.set_holding_in(s, job.group_id, STORAGE_HOLDER, amounts, enforce=False)

    def _room_for(self, s: Session, group_id: int, outputs: Outputs) -> bool:
        limit = quota_store.group_quota(s, group_id).storage_bytes
        if limit is None:
            return True
        new = _new_bytes(s, group_id, outputs.artifact_blobs())
        return quota_store.used(s, group_id)["storage_bytes"] + new <= limit


def _free_storage(s: Session, group_id: int) -> int | None:
    limit = quota_store.group_quota(s, group_id).storage_bytes
    if limit is None:
        return None
    return max(0, int(limit - quota_store.used(s, group_id)["storage_bytes"]))


def _new_bytes(s: Session, group_id: int, blobs: dict[str, int]) -> int:
    """Bytes of the blobs the group's jobs do not store yet (a group pays once per blob)."""
    held = job_store.group_hashes(s, group_id, list(blobs))
    return sum(size for key, size in blobs.items() if key not in held)


def _keys(stored: Stored) -> list[str]:
    return stored.chunks or [stored.hash]
