"""Schedules: members save a job template with a cron; the ticker submits it (schedule_ticks).

A schedule's jobs are submitted as its **owner**: whoever created it or last changed its job
template. Anyone else changing the template becomes the owner, so nobody can make a job run
under another person's name. Members manage their own schedules, group admins everyone's.
A manual trigger submits the job as the caller.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.schedules import (
    Schedule,
    ScheduleCreate,
    ScheduleRun,
    ScheduleUpdate,
)
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, InvalidInput, NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.schedules import Timing, timing
from atrium.server.services import policy
from atrium.server.services.audit import Auditor
from atrium.server.services.jobs import JobService
from atrium.server.services.schedule_ticks import (
    TickResult,
    load_template,
    record_run,
    still_running,
)
from atrium.server.store import schedules as schedule_store
from atrium.server.store.db import Database
from atrium.server.store.tables import GroupRow, ScheduleRow, ScheduleRunRow

NEXT_RUNS = 5


def to_run(row: ScheduleRunRow) -> ScheduleRun:
    return ScheduleRun(
        id=row.id,
        time=row.time,
        scheduled_for=row.scheduled_for,
        trigger=row.trigger,
        actor=row.actor,
        outcome=row.outcome,
        job_id=row.job_id,
        message=row.message,
    )


def next_runs(row: ScheduleRow, count: int) -> list[datetime]:
    """The due tick (even if the ticker has yet to run it) and the ones after it."""
    if not row.enabled or row.next_run_at is None:
        return []
    try:
        return Timing(row.cron, row.timezone).upcoming(
            row.next_run_at - timedelta(seconds=1), count
        )
    except InvalidInput:
        return []


def to_schedule(
    row: ScheduleRow, group: str, last: ScheduleRunRow | None, count: int = NEXT_RUNS
) -> Schedule:
    status = "disabled" if not row.enabled else "invalid" if row.problem else "active"
    return Schedule(
        name=row.name,
        group=group,
        cron=row.cron,
        preset=row.preset,
        timezone=row.timezone,
        job=load_template(row),
        enabled=row.enabled,
        status=status,
        problem=row.problem,
        owner=row.owner,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
        next_runs=next_runs(row, count),
        last_run=to_run(last) if last else None,
    )


class ScheduleService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor, jobs: JobService) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.jobs = jobs

    def list(
        self, ctx: Context, group: str, enabled: bool | None, limit: int, cursor: str | None
    ) -> Page[Schedule]:
        with self.db.read() as s:
            g = policy.require_group(s, ctx.principal, group, "schedule.list")
            rows, nxt = schedule_store.list_page(s, g.id, enabled, limit, cursor)
            last = schedule_store.latest_runs(s, [r.id for r in rows])
            items = [to_schedule(r, g.name, last.get(r.id)) for r in rows]
            return Page[Schedule](items=items, next_cursor=nxt)

    def get(self, ctx: Context, group: str, name: str, count: int = NEXT_RUNS) -> Schedule:
        with self.db.read() as s:
            g = policy.require_group(s, ctx.principal, group, "schedule.list")
            return self._view(s, g, _require(s, g, name), count)

    def create(self, ctx: Context, group: str, body: ScheduleCreate) -> Schedule:
        with self.db.write() as s:
            g = policy.require_group(s, ctx.principal, group, "schedule.create")
            when = timing(body.cron, body.preset, body.timezone)
            if schedule_store.by_name(s, g.id, body.name) is not None:
                raise Conflict(f"schedule {body.name!r} already exists in {group!r}")
            # Refuse now what could not run: unknown instance type, secret or dataset.
            self.jobs.checker.check(s, ctx, g, body.job)
            now, who = self.clock.now(), ctx.principal.username
            row = ScheduleRow(
                group_id=g.id,
                name=body.name,
                cron=when.cron,
                preset=body.preset,
                timezone=when.timezone,
                template=body.job.model_dump(mode="json"),
                enabled=body.enabled,
                owner_id=ctx.principal.user_id,
                owner=who,
                created_at=now,
                created_by=who,
                updated_at=now,
                updated_by=who,
                next_run_at=when.next_after(now) if body.enabled else None,
            )
            schedule_store.add(s, row)
            details = {"cron": row.cron, "timezone": row.timezone, "enabled": row.enabled}
            self.auditor.record(
                s, ctx, "schedule.create", "schedule", body.name, g.name, details=details
            )
            return self._view(s, g, row)

    def update(
        self,
        ctx: Context,
        group: str,
        name: str,
        body: ScheduleUpdate,
        action: str = "schedule.update",
    ) -> Schedule:
        with self.db.write() as s:
            g, row = self._managed(s, ctx, group, name)
            changed = self._apply(s, ctx, g, row, body)
            if changed:
                row.updated_at, row.updated_by = self.clock.now(), ctx.principal.username
            details = {"changed": sorted(changed)}
            self.auditor.record(s, ctx, action, "schedule", name, g.name, details=details)
            return self._view(s, g, row)

    def delete(self, ctx: Context, group: str, name: str) -> None:
        with self.db.write() as s:
            g, row = self._managed(s, ctx, group, name)
            schedule_store.remove(s, row)
            self.auditor.record(s, ctx, "schedule.delete", "schedule", name, g.name)

    def trigger(self, ctx: Context, group: str, name: str) -> ScheduleRun:
        """Submit the schedule's job now, as the caller; the cron timing does not change."""
        with self.db.write() as s:
            g, row = self._managed(s, ctx, group, name)
            busy = still_running(s, row)
            if busy:
                raise Conflict(f"{busy}: wait for it to end, or cancel it, then trigger again")
            job = self.jobs.submit_in(s, ctx, g, load_template(row))
            row.last_job_id = job.id
            result = TickResult("submitted", f"submitted job {job.id}", job_id=job.id)
            run = record_run(s, row, self.clock.now(), None, ctx.principal.username, result)
            details = {"job_id": job.id}
            self.auditor.record(
                s, ctx, "schedule.trigger", "schedule", name, g.name, details=details
            )
            out = to_run(run)
        self.jobs.signal.wake()
        return out

    def history(
        self, ctx: Context, group: str, name: str, limit: int, cursor: str | None
    ) -> Page[ScheduleRun]:
        with self.db.read() as s:
            g = policy.require_group(s, ctx.principal, group, "schedule.list")
            rows, nxt = schedule_store.runs_page(s, _require(s, g, name).id, limit, cursor)
            return Page[ScheduleRun](items=[to_run(r) for r in rows], next_cursor=nxt)

    # ---- helpers -------------------------------------------------------------------------

    @staticmethod
    def _view(s: Session, g: GroupRow, row: ScheduleRow, count: int = NEXT_RUNS) -> Schedule:
        last = schedule_store.latest_runs(s, [row.id]).get(row.id)
        return to_schedule(row, g.name, last, count)

    @staticmethod
    def _managed(s: Session, ctx: Context, group: str, name: str) -> tuple[GroupRow, ScheduleRow]:
        """The schedule, locked, if the caller owns it or administers the group."""
        g = policy.require_group(s, ctx.principal, group, "schedule.list")
        row = _require(s, g, name, lock=True)
        policy.require_owner_or(s, ctx.principal, g, row.owner_id, "schedule.manage")
        return g, row

    def _apply(
        self, s: Session, ctx: Context, g: GroupRow, row: ScheduleRow, body: ScheduleUpdate
    ) -> set[str]:
        """Apply the fields given; returns which changed. Timing changes restart the clock."""
        changed: set[str] = set()
        retime = body.cron is not None or body.preset is not None or body.timezone is not None
        if retime:
            cron, preset = _timing_fields(row, body)
            when = timing(cron, preset, body.timezone or row.timezone)
            row.cron, row.preset, row.timezone = when.cron, preset, when.timezone
            changed |= {"cron", "timezone"}
        if body.job is not None:
            self.jobs.checker.check(s, ctx, g, body.job)
            row.template = body.job.model_dump(mode="json")
            row.owner_id, row.owner = ctx.principal.user_id, ctx.principal.username
            changed |= {"job", "owner"}
        if body.enabled is not None and body.enabled != row.enabled:
            row.enabled = body.enabled
            changed.add("enabled")
        if changed - {"enabled"}:
            row.problem = None  # checked just now; the next tick says if it still fails
        if retime or "enabled" in changed:
            now = self.clock.now()
            row.next_run_at = (
                Timing(row.cron, row.timezone).next_after(now) if row.enabled else None
            )
        return changed


def _timing_fields(row: ScheduleRow, body: ScheduleUpdate) -> tuple[str | None, str | None]:
    """(cron, preset) after the update: a new one of either replaces both."""
    if body.cron is not None:
        return body.cron, None
    if body.preset is not None:
        return None, body.preset
    return (None, row.preset) if row.preset else (row.cron, None)


def _require(s: Session, g: GroupRow, name: str, lock: bool = False) -> ScheduleRow:
    row = schedule_store.by_name(s, g.id, name, lock=lock)
    if row is None:
        raise NotFound(f"schedule {name!r} not found in {g.name!r}")
    return row
