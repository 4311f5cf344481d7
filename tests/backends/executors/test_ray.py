"""What is particular to the Ray executor, on the session's real two-node loopback cluster."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from atrium.server.backends.executors import ExecutorError, LaunchSpec, Observation, Resources
from atrium.server.backends.executors.ray import (
    STOPPED_EXIT_CODE,
    UNDECODABLE_NOTE,
    RayExecutor,
)
from tests.backends.executors.conftest import RAY, full_log, wait_end, wait_for_log
from tests.backends.executors.ray_cluster import NODE_MEMORY, free_ports

pytestmark = RAY
Spec = Callable[..., LaunchSpec]


@pytest.fixture
def ray(ray_address: str) -> Iterator[RayExecutor]:
    executor = RayExecutor(ray_address, log_sync_interval=0.2)
    yield executor
    executor.close()


def submission_id(handle: str) -> str:
    return str(json.loads(handle)[1])


def test_capacity_is_the_clusters_total(ray: RayExecutor) -> None:
    assert ray.capacity() == Resources(cpu=2.0, memory_bytes=2 * NODE_MEMORY, gpu=0)


def test_resources_become_entrypoint_resources(ray: RayExecutor, make_spec: Spec) -> None:
    # Every node has 1 CPU, 2 GiB of (logical) memory and no GPU: Ray holds these back.
    too_big = [
        ray.launch(make_spec(["true"], cpu=2)),
        ray.launch(make_spec(["true"], memory=NODE_MEMORY + 1)),
        ray.launch(make_spec(["true"], gpu=1)),
    ]
    fits = ray.launch(make_spec(["true"], cpu=1, memory=NODE_MEMORY))
    try:
        assert wait_end(ray, fits) == Observation("exited", exit_code=0)
        time.sleep(1)
        assert [ray.poll(handle).state for handle in too_big] == ["starting"] * 3
        info = ray._jobs().get_job_info(submission_id(fits))
        assert info.metadata is not None and info.metadata["atrium_attempt"] == "4"
    finally:
        for handle in too_big:
            ray.kill(handle)
    # Ray 2.60 defers the stop of a pending job until it starts (these never will: Ray fails
    # them after RAY_JOB_START_TIMEOUT_SECONDS). docs/executors.md tells; this test notices
    # if Ray ever changes that.
    time.sleep(1)
    assert [ray.poll(handle).state for handle in too_big] == ["starting"] * 3


def test_a_stopped_job_reports_ray_s_reason(ray: RayExecutor, make_spec: Spec) -> None:
    handle = ray.launch(make_spec(["sh", "-c", "echo up; sleep 300"]))
    wait_for_log(ray, handle, b"up\n")
    ray.kill(handle)
    stopped = wait_end(ray, handle)
    assert stopped.exit_code == STOPPED_EXIT_CODE
    assert stopped.reason == "ray: Job was intentionally stopped."


def test_logs_outlive_the_ray_job(ray: RayExecutor, make_spec: Spec) -> None:
    handle = ray.launch(make_spec(["sh", "-c", "echo kept; exit 2"]))
    ended = wait_end(ray, handle)
    ray._jobs().delete_job(submission_id(handle))  # Ray forgets it
    assert ray.poll(handle) == ended == Observation("exited", exit_code=2)
    assert b"kept\n" in full_log(ray, handle)


def test_output_that_is_not_utf8_gets_a_note(ray: RayExecutor, make_spec: Spec) -> None:
    code = "import sys; sys.stdout.buffer.write(b'\\xff\\xfe not text\\n')"
    handle = ray.launch(make_spec([sys.executable, "-c", code]))
    assert wait_end(ray, handle) == Observation("exited", exit_code=0)
    assert full_log(ray, handle).endswith(UNDECODABLE_NOTE)


def test_a_job_ray_does_not_know_is_lost(ray: RayExecutor, tmp_path: Path) -> None:
    handle = json.dumps(["ray/1", "atrium-never-submitted", str(tmp_path / "x.log")])
    observation = ray.poll(handle)
    assert observation.state == "lost"
    ray.kill(handle)  # nothing to stop: no error


def test_variable_names_must_be_names(ray: RayExecutor, make_spec: Spec) -> None:
    with pytest.raises(ExecutorError, match="not an environment variable name"):
        ray.launch(make_spec(["true"], env={"BAD NAME": "x"}))


def test_an_unreachable_cluster_is_an_executor_error(make_spec: Spec) -> None:
    (port,) = free_ports(1)
    down = RayExecutor(f"http://127.0.0.1:{port}")  # constructing does not connect
    spec = make_spec(["true"])
    with pytest.raises(ExecutorError):
        down.launch(spec)
    handle = json.dumps(["ray/1", "atrium-x", str(spec.log_path)])
    with pytest.raises(ExecutorError):
        down.poll(handle)
    spec.log_path.write_bytes(b"copied earlier\n")
    assert down.read_log(handle, 0) == b"copied earlier\n"  # what we have, without Ray


def test_workdir_must_exist_on_the_ray_node(ray: RayExecutor, make_spec: Spec) -> None:
    spec = make_spec(["true"])
    missing = dataclasses.replace(spec, workdir=spec.workdir / "missing")
    handle = ray.launch(missing)
    observation = wait_end(ray, handle)
    assert observation.exit_code not in (None, 0)
    assert b"missing" in full_log(ray, handle)
