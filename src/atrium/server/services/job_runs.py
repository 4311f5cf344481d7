"""Every job gets a run: the record its code logs into and where its model's lineage starts.

The run id is chosen at submit and kept in the job's spec, so the job's API answer and its
environment (``ATRIUM_RUN_ID``) name the run before it exists. The run is created when the
first attempt launches (a job cancelled in the queue never ran, so it gets none), in the job's
experiment, as the job's owner, with the job's pinned inputs; it ends with the job.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from atrium.contracts.tracking import RunCreate, RunSource
from atrium.server.domain.clock import Clock
from atrium.server.domain.jobs import JobState
from atrium.server.domain.model import Context, Principal, RequestMeta
from atrium.server.domain.tracking import RunStatus
from atrium.server.services.runs import RunService
from atrium.server.store import groups as group_store
from atrium.server.store import runs as run_store
from atrium.server.store.tables import JobRow

DEFAULT_EXPERIMENT = "jobs"
RUN_STATUS = {JobState.SUCCEEDED: RunStatus.FINISHED, JobState.CANCELLED: RunStatus.KILLED}


def owner_context(job: JobRow) -> Context:
    """The job's owner, acting only inside the job's group (as the job's own token does)."""
    owner = Principal(job.user_id, job.created_by, scope_group_id=job.group_id)
    return Context(owner, RequestMeta(request_id=f"job-{job.id}", client_addr=None))


def reserve(spec: dict[str, Any], experiment: str | None) -> None:
    """Name the run of a job being submitted (in its spec)."""
    spec["run_id"] = uuid.uuid4().hex
    spec["experiment"] = experiment or DEFAULT_EXPERIMENT


class JobRuns:
    def __init__(self, clock: Clock, runs: RunService) -> None:
        self.clock = clock
        self.runs = runs

    def started_in(self, s: Session, job: JobRow) -> dict[str, str]:
        """Create the job's run on its first launch; the variables that name it to the job."""
        run_id = job.spec.get("run_id")
        if run_id is None:  # submitted before jobs had runs
            return {}
        experiment = job.spec.get("experiment", DEFAULT_EXPERIMENT)
        if run_store.by_uuid_any(s, run_id) is None:
            group = group_store.by_id(s, job.group_id)
            assert group is not None
            source = RunSource(type="job", job_id=job.id)
            body = RunCreate(experiment=experiment, name=job.name, source=source)
            self.runs.create_in(s, owner_context(job), group, body, run_uuid=run_id)
        return {"ATRIUM_RUN_ID": run_id, "ATRIUM_EXPERIMENT": experiment}

    def ended_in(self, s: Session, job: JobRow) -> None:
        """End the job's run as the job ended (nothing while the job may still run again)."""
        if not JobState(job.status).terminal or "run_id" not in job.spec:
            return
        run = run_store.by_uuid(s, job.group_id, job.spec["run_id"], lock=True)
        if run is None or RunStatus(run.status).terminal:
            return
        run.status = RUN_STATUS.get(JobState(job.status), RunStatus.FAILED).value
        run.end_time = job.ended_at or self.clock.now()
        run.updated_at = self.clock.now()
