"""Admission: which queued jobs start now, under quota, capacity and fair share; then launch.

One pass runs in one write transaction. On PostgreSQL it first takes a transaction-scoped
advisory lock, so replicas admit one at a time and never overcommit the executor, and claims
each job with ``SKIP LOCKED`` (a job being cancelled is skipped, not waited for). Fair share is
dominant-resource fairness with equal shares: the next job comes from the group whose running
allocation is the smallest fraction of the executor, then by priority and submission order
within the group. A job whose group or user is over quota waits with the reason and does not
block anyone else's; a job the executor has no room for stops the pass, so big jobs are not
starved by a stream of small ones.
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from atrium.server.backends.executors.base import Resources
from atrium.server.domain import jobs as rules
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import QuotaExceeded
from atrium.server.domain.jobs import JobState
from atrium.server.services.auth import AuthService
from atrium.server.services.job_launch import Launcher
from atrium.server.services.job_monitor import JobMonitor
from atrium.server.services.job_runtime import JobRuntime
from atrium.server.services.quotas import QuotaService, Request, to_quota
from atrium.server.store import jobs as job_store
from atrium.server.store import quotas as quota_store
from atrium.server.store.db import Database
from atrium.server.store.tables import JobAttemptRow, JobRow

log = logging.getLogger("atrium.scheduler")

NO_TIMEOUT_TOKEN_TTL = timedelta(days=7)
CAPACITY = "waiting: executor capacity"


@dataclass(frozen=True)
class Admitted:
    attempt_id: int
    token: str


class _Plan:
    """Free executor capacity and each group's dominant share, updated as jobs are admitted.

    Equal shares are broken by who was served longest ago (``served``: each group's latest
    attempt id), so a group whose only job waits is not passed over by two groups that keep
    handing their slots to each other.
    """

    def __init__(
        self,
        capacity: Resources,
        running: Iterable[tuple[int, float, int, int]],
        served: dict[int, int],
    ):
        self.capacity = capacity
        self.served = served
        self._turn = max(served.values(), default=0)
        self.share: dict[int, float] = defaultdict(float)
        cpu, memory, gpu = 0.0, 0, 0
        for group_id, c, m, g in running:
            cpu, memory, gpu = cpu + c, memory + m, gpu + g
            self.share[group_id] += self._dominant(c, m, g)
        self.free = Resources(
            capacity.cpu - cpu, capacity.memory_bytes - memory, capacity.gpu - gpu
        )

    def _dominant(self, cpu: float, memory: int, gpu: int) -> float:
        cap = self.capacity
        parts = [
            cpu / cap.cpu if cap.cpu else 0.0,
            memory / cap.memory_bytes if cap.memory_bytes else 0.0,
        ]
        if cap.gpu:
            parts.append(gpu / cap.gpu)
        return max(parts)

    def fits(self, job: JobRow) -> bool:
        return Resources(job.cpu, job.memory, job.gpu).fits_in(self.free)

    def take(self, job: JobRow) -> None:
        free = self.free
        self.free = Resources(
            free.cpu - job.cpu, free.memory_bytes - job.memory, free.gpu - job.gpu
        )
        self.share[job.group_id] += self._dominant(job.cpu, job.memory, job.gpu)
        self._turn += 1
        self.served[job.group_id] = self._turn

    def next_group(self, queues: dict[int, deque[JobRow]]) -> int:
        """The group with the smallest share; then the one served longest ago; then FIFO."""
        return min(queues, key=lambda g: (self.share[g], self.served.get(g, 0), queues[g][0].id))


class JobAdmission:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        quotas: QuotaService,
        auth: AuthService,
        runtime: JobRuntime,
        launcher: Launcher,
        monitor: JobMonitor,
    ) -> None:
        self.db = db
        self.clock = clock
        self.quotas = quotas
        self.auth = auth
        self.runtime = runtime
        self.launcher = launcher
        self.monitor = monitor

    def run(self) -> int:
        """Admit what may start now and launch it; returns how many were launched."""
        admitted = self.admit()
        for item in admitted:
            error = self.launcher.launch(item.attempt_id, item.token)
            if error is not None:
                self.monitor.end(item.attempt_id, JobState.FAILED, f"launch failed: {error}")
        return len(admitted)

    def admit(self) -> list[Admitted]:
        with self.db.write() as s:
            if not job_store.try_lock_admission(s):
                return []  # another replica is admitting right now
            heads = job_store.queue_heads(s, self.runtime.queue_window)
            if not heads:
                return []
            executor = self.runtime.executor
            running = [
                (g, c, m, gp)
                for g, name, c, m, gp in job_store.running_allocations(s)
                if name == executor.name
            ]
            served = job_store.last_admitted(s, sorted({j.group_id for j in heads}))
            return self._admit_fairly(s, heads, _Plan(executor.capacity(), running, served))

    def _admit_fairly(self, s: Session, heads: Sequence[JobRow], plan: _Plan) -> list[Admitted]:
        queues: dict[int, deque[JobRow]] = defaultdict(deque)
        for job in heads:
            queues[job.group_id].append(job)
        admitted: list[Admitted] = []
        while queues:
            group_id = plan.next_group(queues)
            job = queues[group_id].popleft()
            if not queues[group_id]:
                del queues[group_id]
            if not plan.fits(job):
                _wait(job, CAPACITY)
                for rest in queues.values():
                    for other in rest:
                        _wait(other, CAPACITY)
                break
            item = self._admit_one(s, job)
            if item is not None:
                plan.take(job)
                admitted.append(item)
        return admitted

    def _admit_one(self, s: Session, job: JobRow) -> Admitted | None:
        claimed = job_store.claim_queued(s, job.id)
        if claimed is None:
            return None  # cancelled or taken since the queue was read
        amounts = {"cpu": job.cpu, "memory": job.memory, "gpu": job.gpu, "running_jobs": 1}
        request = Request(job.group_id, job.user_id, f"job:{job.id}", f"job {job.name}", amounts)
        try:
            reservation = self.quotas.reserve_in(s, request)
        except QuotaExceeded as exc:
            _wait(claimed, _quota_reason(s, job, exc.details.get("scope", "group")))
            return None
        now = self.clock.now()
        claimed.attempts += 1
        attempt = job_store.add(
            s,
            JobAttemptRow(
                job_id=job.id,
                number=claimed.attempts,
                group_id=job.group_id,
                user_id=job.user_id,
                status=JobState.ADMITTED.value,
                executor=self.runtime.executor.name,
                reservation_id=reservation,
                cpu=job.cpu,
                memory=job.memory,
                gpu=job.gpu,
                log_bytes=0,
                admitted_at=now,
            ),
        )
        token = self._token(s, claimed, attempt)
        rules.check_transition(claimed.status, JobState.ADMITTED)
        claimed.status, claimed.reason = JobState.ADMITTED.value, None
        return Admitted(attempt.id, token)

    def _token(self, s: Session, job: JobRow, attempt: JobAttemptRow) -> str:
        """ATRIUM_TOKEN: the owner's rights in the job's group, until the job ends."""
        ttl = NO_TIMEOUT_TOKEN_TTL
        if job.timeout_seconds is not None:
            ttl = timedelta(seconds=job.timeout_seconds) + timedelta(hours=1)
        if job.user_id is None:
            return ""  # the owner was deleted: the job runs without hub access
        name = f"job {job.id} attempt {attempt.number}"
        token_id, secret = self.auth.issue_job_token(
            s, job.user_id, job.group_id, name, self.clock.now() + ttl
        )
        attempt.token_id = token_id
        return secret


def _wait(job: JobRow, reason: str) -> None:
    if job.reason != reason:  # most passes change nothing: no UPDATE for them
        job.reason = reason


def _quota_reason(s: Session, job: JobRow, scope: str) -> str:
    """``waiting: group GPU quota 2/2 in use``, or the user's, from the current numbers."""
    user_id = job.user_id if scope == "user" else None
    row = (
        quota_store.member_quota(s, job.group_id, user_id)
        if user_id is not None
        else quota_store.group_quota(s, job.group_id)
    )
    limits, used = to_quota(row), quota_store.used(s, job.group_id, user_id)
    whose = "group" if user_id is None else f"{job.created_by}'s"
    wanted = {"cpu": job.cpu, "memory": job.memory, "gpu": job.gpu, "running_jobs": 1}
    for resource, amount in wanted.items():
        limit = getattr(limits, resource)
        if limit is not None and amount > 0 and used[resource] + amount > limit:
            label = rules.RESOURCE_LABELS[resource]
            have = (
                f"{rules.fmt_amount(resource, used[resource])}/{rules.fmt_amount(resource, limit)}"
            )
            return f"waiting: {whose} {label} quota {have} in use"
    return f"waiting: {whose} quota"
