"""Jobs: submit (checked against the hub, then queued), list, get, cancel, rerun, clone.

The scheduler (workers/scheduler.py, through job_admission and job_monitor) moves jobs on from
``queued``; this service only creates them and records what users ask of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.jobs import Job, JobAttempt, JobSubmit, Resources
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, NotFound
from atrium.server.domain.jobs import JobState
from atrium.server.domain.model import Context
from atrium.server.services import policy
from atrium.server.services.audit import Auditor
from atrium.server.services.job_runs import JobRuns
from atrium.server.services.job_signal import JobSignal
from atrium.server.services.job_specs import SpecChecker
from atrium.server.services.notifications import NotificationService
from atrium.server.store import jobs as job_store
from atrium.server.store.db import Database
from atrium.server.store.tables import GroupRow, JobAttemptRow, JobRow


def to_attempt(row: JobAttemptRow) -> JobAttempt:
    return JobAttempt(
        number=row.number,
        status=row.status,
        reason=row.reason,
        executor=row.executor,
        exit_code=row.exit_code,
        resources=Resources(cpu=row.cpu, memory=row.memory, gpu=row.gpu),
        admitted_at=row.admitted_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
        log_bytes=row.log_bytes,
    )


def to_job(row: JobRow, group: str, attempts: Sequence[JobAttemptRow]) -> Job:
    spec = row.spec
    return Job(
        id=row.id,
        group=group,
        name=row.name,
        status=row.status,
        reason=row.reason,
        command=spec["command"],
        instance_type=row.instance_type,
        resources=Resources(cpu=row.cpu, memory=row.memory, gpu=row.gpu),
        env=spec["env"],
        secrets=spec["secrets"],
        inputs=spec["inputs"],
        resolved_inputs=spec["resolved_inputs"],
        working_dir=spec["working_dir"],
        environment=spec["environment"],
        timeout_seconds=row.timeout_seconds,
        max_retries=row.max_retries,
        priority=row.priority,
        exit_code=row.exit_code,
        cancel_requested=row.cancel_requested,
        rerun_of=row.rerun_of,
        run_id=spec.get("run_id"),
        experiment=spec.get("experiment"),
        created_by=row.created_by,
        created_at=row.created_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
        attempts=[to_attempt(a) for a in attempts],
    )


def to_submit(row: JobRow) -> JobSubmit:
    """The spec a job was submitted with, ready to submit again (or edit first)."""
    spec = row.spec
    return JobSubmit(
        name=row.name,
        command=spec["command"],
        instance_type=row.instance_type,
        env=spec["env"],
        secrets=spec["secrets"],
        inputs=spec["inputs"],
        working_dir=spec["working_dir"],
        environment=spec["environment"],
        timeout_seconds=row.timeout_seconds,
        max_retries=row.max_retries,
        priority=row.priority,
        experiment=spec.get("experiment"),
    )


class JobService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        auditor: Auditor,
        checker: SpecChecker,
        signal: JobSignal,
        notifications: NotificationService,
        job_runs: JobRuns,
    ) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.checker = checker
        self.signal = signal
        self.notifications = notifications
        self.job_runs = job_runs

    def submit(self, ctx: Context, group: str, body: JobSubmit, rerun_of: int | None = None) -> Job:
        """Check the spec and queue the job."""
        with self.db.write() as s:
            g = policy.require_group(s, ctx.principal, group, "job.submit")
            job = self.submit_in(s, ctx, g, body, rerun_of)
        self.signal.wake()
        return job

    def submit_in(
        self, s: Session, ctx: Context, g: GroupRow, body: JobSubmit, rerun_of: int | None = None
    ) -> Job:
        """Queue a job inside the caller's transaction (schedules submit this way), audited.

        The scheduler sees the job once the caller commits: at its next poll, within a
        second (``submit`` wakes it at once).
        """
        policy.require_group(s, ctx.principal, g.name, "job.submit")
        row = self._insert(s, ctx, g, body, rerun_of)
        details = {"name": row.name, "instance_type": row.instance_type}
        if rerun_of is not None:
            details["rerun_of"] = str(rerun_of)
        self.auditor.record(s, ctx, "job.submit", "job", str(row.id), g.name, details=details)
        return to_job(row, g.name, [])

    def _insert(
        self, s: Session, ctx: Context, g: GroupRow, body: JobSubmit, rerun_of: int | None
    ) -> JobRow:
        checked = self.checker.check(s, ctx, g, body)
        it = checked.instance_type
        row = JobRow(
            group_id=g.id,
            user_id=ctx.principal.user_id,
            created_by=ctx.principal.username,
            name=body.name,
            status=JobState.QUEUED.value,
            reason="waiting: in the queue",
            spec=checked.spec,
            instance_type=it.name,
            cpu=it.cpu,
            memory=it.memory,
            gpu=it.gpu,
            priority=body.priority,
            timeout_seconds=body.timeout_seconds,
            max_retries=body.max_retries,
            attempts=0,
            cancel_requested=False,
            rerun_of=rerun_of,
            created_at=self.clock.now(),
        )
        return job_store.add(s, row)  # type: ignore[no-any-return]

    def list(
        self,
        ctx: Context,
        group: str,
        statuses: Sequence[str] | None,
        mine: bool,
        limit: int,
        cursor: str | None,
    ) -> Page[Job]:
        with self.db.read() as s:
            g = policy.require_group(s, ctx.principal, group, "job.list")
            user_id = ctx.principal.user_id if mine else None
            rows, nxt = job_store.list_page(s, g.id, statuses, user_id, limit, cursor)
            attempts = job_store.attempts_of(s, [r.id for r in rows])
            items = [to_job(r, g.name, attempts[r.id]) for r in rows]
            return Page[Job](items=items, next_cursor=nxt)

    def get(self, ctx: Context, group: str, job_id: int) -> Job:
        with self.db.read() as s:
            g, row = self._job(s, ctx, group, job_id)
            return to_job(row, g.name, job_store.attempts_of(s, [row.id])[row.id])

    def cancel(self, ctx: Context, group: str, job_id: int) -> Job:
        """A queued job ends at once; a running one is killed by the scheduler, woken now."""
        with self.db.write() as s:
            g, row = self._job(s, ctx, group, job_id, lock=True)
            policy.require_owner_or(s, ctx.principal, g, row.user_id, "job.manage")
            if JobState(row.status).terminal:
                raise Conflict(f"job {job_id} already ended ({row.status})")
            who = ctx.principal.username or "an admin"
            if row.status == JobState.QUEUED:
                row.status, row.reason = JobState.CANCELLED.value, f"cancelled by {who}"
                row.ended_at = self.clock.now()
                self.notifications.job_ended_in(s, row)
                self.job_runs.ended_in(s, row)
            else:
                row.cancel_requested, row.reason = True, f"cancelling: requested by {who}"
            self.auditor.record(s, ctx, "job.cancel", "job", str(job_id), group)
            job = to_job(row, g.name, job_store.attempts_of(s, [row.id])[row.id])
        self.signal.wake()
        if JobState(job.status).terminal:
            self.signal.job_ended()
        return job

    def rerun(self, ctx: Context, group: str, job_id: int) -> Job:
        """The same spec as a new job, submitted by the caller, on the same input versions."""
        with self.db.read() as s:
            row = self._job(s, ctx, group, job_id)[1]
            spec = to_submit(row).model_copy(update={"inputs": row.spec["resolved_inputs"]})
        return self.submit(ctx, group, spec, rerun_of=job_id)

    def clone(self, ctx: Context, group: str, job_id: int) -> JobSubmit:
        with self.db.read() as s:
            return to_submit(self._job(s, ctx, group, job_id)[1])

    @staticmethod
    def _job(
        s: Session, ctx: Context, group: str, job_id: int, lock: bool = False
    ) -> tuple[GroupRow, JobRow]:
        g = policy.require_group(s, ctx.principal, group, "job.list")
        row = job_store.get(s, g.id, job_id, lock=lock)
        if row is None:
            raise NotFound(f"job {job_id} not found in {group!r}")
        return g, row
