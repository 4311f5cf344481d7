"""Ticking schedules: submit each due schedule's job as its owner, or record why not.

One tick is one transaction: claim the schedule (row lock), decide, submit the job through the
jobs service, write the history row, move ``next_run_at`` on. Either all of it commits or none
of it, so a tick is never submitted twice, and a crash mid-tick leaves the schedule due.

The next run is computed from *now*, not from the missed time: a server that was down over
several ticks runs one catch-up tick when it comes back, then follows the cron again.

What breaks after the schedule was saved (its instance type deleted, a secret or dataset gone,
its owner disabled or out of the group) fails or skips the tick and sets ``problem``; the ticker
goes on with the other schedules, and the next successful tick clears the problem.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from atrium.contracts.jobs import JobSubmit
from atrium.server.domain.errors import DomainError, InvalidInput
from atrium.server.domain.jobs import JobState
from atrium.server.domain.model import Context, Principal, RequestMeta, Standing
from atrium.server.domain.schedules import Timing
from atrium.server.services import policy
from atrium.server.services.jobs import JobService
from atrium.server.store import groups as group_store
from atrium.server.store import jobs as job_store
from atrium.server.store import schedules as schedule_store
from atrium.server.store import users as user_store
from atrium.server.store.db import Database
from atrium.server.store.tables import GroupRow, ScheduleRow, ScheduleRunRow

log = logging.getLogger("atrium.schedules")

#: History rows kept per schedule; older ones are dropped as new ticks are recorded.
RUNS_KEPT = 1000


@dataclass(frozen=True)
class TickResult:
    outcome: str  # submitted | skipped | failed
    message: str
    job_id: int | None = None
    # What to show as the schedule's problem afterwards; ``keep`` leaves it as it was.
    problem: str | None = None
    keep_problem: bool = False


class Refused(Exception):
    """A tick that cannot submit; ``outcome`` is skipped or failed, ``message`` says why."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message


def still_running(s: Session, row: ScheduleRow) -> str | None:
    """``previous job 41 still running`` while the schedule's last job has not ended."""
    if row.last_job_id is None:
        return None
    job = job_store.get(s, row.group_id, row.last_job_id)
    if job is None or JobState(job.status).terminal:
        return None
    return f"previous job {job.id} still {job.status}"


def load_template(row: ScheduleRow) -> JobSubmit:
    try:
        return JobSubmit.model_validate(row.template)
    except ValidationError as exc:
        raise InvalidInput(
            f"the job template is no longer valid: {exc.errors()[0]['msg']}"
        ) from exc


def record_run(
    s: Session,
    row: ScheduleRow,
    time: datetime,
    scheduled_for: datetime | None,
    actor: str | None,
    result: TickResult,
) -> ScheduleRunRow:
    run = ScheduleRunRow(
        schedule_id=row.id,
        time=time,
        scheduled_for=scheduled_for,
        trigger="schedule" if scheduled_for is not None else "manual",
        actor=actor,
        outcome=result.outcome,
        job_id=result.job_id,
        message=result.message[:500],
    )
    schedule_store.add_run(s, run)
    schedule_store.prune_runs(s, row.id, RUNS_KEPT)
    return run


class ScheduleTicks:
    def __init__(self, db: Database, jobs: JobService) -> None:
        self.db = db
        self.jobs = jobs

    def tick(self, now: datetime) -> bool:
        """Tick the most overdue schedule; False when none is due."""
        with self.db.write() as s:
            row = schedule_store.claim_due(s, now)
            if row is None:
                return False
            scheduled_for = row.next_run_at
            result = self._fire(s, row)
            if result.job_id is not None:
                row.last_job_id = result.job_id
            if not result.keep_problem:
                row.problem = result.problem
            _advance(row, now)
            record_run(s, row, now, scheduled_for, row.owner, result)
        if result.job_id is not None:
            self.jobs.signal.wake()
        return True

    def _fire(self, s: Session, row: ScheduleRow) -> TickResult:
        """Decide and submit inside a savepoint: whatever goes wrong with this schedule is
        rolled back and recorded, and never blocks the others (it would be claimed first
        again and again)."""
        try:
            with s.begin_nested():
                return self._submit(s, row)
        except Refused as exc:
            message = f"{exc.outcome}: {exc.message}"
            return TickResult(exc.outcome, message, problem=message)
        except DomainError as exc:
            message = f"{'invalid' if exc.status == 422 else 'failed'}: {exc.message}"
            return TickResult("failed", message, problem=message)
        except Exception:
            log.exception("schedule %s: tick failed", row.id)
            message = "failed: internal error (the server log has the details)"
            return TickResult("failed", message, problem=message)

    def _submit(self, s: Session, row: ScheduleRow) -> TickResult:
        busy = still_running(s, row)
        if busy:
            return TickResult("skipped", f"skipped: {busy}", keep_problem=True)
        group = group_store.by_id(s, row.group_id)
        assert group is not None  # the schedule cascades with its group
        ctx = _owner_context(s, row, group)
        job = self.jobs.submit_in(s, ctx, group, load_template(row))
        return TickResult("submitted", f"submitted job {job.id}", job_id=job.id)


def _owner_context(s: Session, row: ScheduleRow, group: GroupRow) -> Context:
    """The owner, as the job's submitter; refused if they can no longer submit in the group."""
    user = user_store.by_id(s, row.owner_id) if row.owner_id is not None else None
    if user is None:
        who = f" {row.owner}" if row.owner else ""
        raise Refused("skipped", f"its owner{who} no longer exists")
    if not user.enabled:
        raise Refused("skipped", f"its owner {user.username} is disabled")
    principal = Principal(user_id=user.id, username=user.username, is_admin=user.is_admin)
    if policy.group_standing(s, principal, group) < Standing.MEMBER:
        raise Refused("skipped", f"its owner {user.username} is no longer a member of {group.name}")
    return Context(principal, RequestMeta(request_id=f"schedule-{row.id}", client_addr=None))


def _advance(row: ScheduleRow, now: datetime) -> None:
    """The next run after ``now``: missed ticks are not replayed, one catch-up is enough."""
    try:
        row.next_run_at = Timing(row.cron, row.timezone).next_after(now)
    except InvalidInput as exc:
        row.next_run_at, row.problem = None, exc.message
        return
    if row.next_run_at is None:
        row.problem = f"cron {row.cron!r} does not fire in the coming decades"
