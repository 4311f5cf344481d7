"""Every job gets a run: created when it starts, logged into by its code, ended with it."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from atrium.sdk import Client, NotFound

Unique = Callable[[str], str]

TRAIN = """
import atrium
with atrium.start_run(params={"lr": 0.1}) as run:
    for step in range(3):
        run.log_metric("loss", 1.0 / (step + 1))
    with atrium.start_run("trial-1") as child:
        child.log_metric("acc", 0.9)
print(run.id)
"""


@pytest.fixture
def group(admin_client: Client, unique: Unique) -> str:
    name = unique("jobruns")
    admin_client.groups.create(name)
    admin_client.members.add(name, "admin", role="admin")  # so that a job's token may act
    return name


def python(code: str) -> list[str]:
    return ["python", "-c", code]


def test_a_job_logs_into_its_own_run_which_ends_with_it(admin_client: Client, group: str) -> None:
    job = admin_client.jobs.submit(group, python(TRAIN), name="train", experiment="weekly")
    assert job.run_id is not None and job.experiment == "weekly"
    done = admin_client.jobs.wait(group, job.id, timeout=60)
    assert done.status == "succeeded", admin_client.jobs.logs(group, job.id)
    assert admin_client.jobs.logs(group, job.id).strip() == job.run_id  # resumed, not created
    run = admin_client.runs.get(group, job.run_id)
    assert (run.name, run.experiment, run.status) == ("train", "weekly", "finished")
    assert (run.source.type, run.source.job_id) == ("job", job.id)
    assert run.params == {"lr": "0.1"}
    assert math.isclose(run.metrics["loss"].value, 1 / 3)
    children = admin_client.runs.search(group, f"attributes.parent_run_id = '{run.id}'").items
    assert [(c.name, c.status) for c in children] == [("trial-1", "finished")]


def test_the_run_fails_with_the_job_and_a_job_cancelled_in_the_queue_has_none(
    admin_client: Client, group: str
) -> None:
    failing = admin_client.jobs.submit(group, python("import atrium\natrium.start_run()\n1/0"))
    assert admin_client.jobs.wait(group, failing.id, timeout=60).status == "failed"
    assert failing.run_id is not None
    run = admin_client.runs.get(group, failing.run_id)
    assert (run.experiment, run.status) == ("jobs", "failed")
    assert run.end_time is not None
    admin_client.quotas.update(group, running_jobs=1)
    busy = admin_client.jobs.submit(group, "sleep 300")
    waiting = admin_client.jobs.submit(group, "true")
    assert admin_client.jobs.cancel(group, waiting.id).status == "cancelled"
    admin_client.jobs.cancel(group, busy.id)
    assert waiting.run_id is not None
    with pytest.raises(NotFound):
        admin_client.runs.get(group, waiting.run_id)
    killed = admin_client.jobs.wait(group, busy.id, timeout=30)
    assert killed.run_id is not None and killed.status == "cancelled"
    assert admin_client.runs.get(group, killed.run_id).status == "killed"
