"""Experiment tracking through the SDK against a real server over HTTP.

``atrium.start_run`` batching in the background, flushing on ``flush()``, on leaving the
context and at interpreter exit (a real subprocess), nested runs, artifacts, system metrics,
a run logged from inside a real job, and the ``client.runs`` / ``client.experiments`` calls.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import atrium
from atrium.sdk import Client, Conflict, NotFound, ValidationError
from atrium.sdk.tracking.fluent import detect_source

Unique = Callable[[str], str]


@pytest.fixture
def group(admin_client: Client, unique: Unique) -> str:
    name = unique("trk")
    admin_client.groups.create(name)
    admin_client.members.add(name, "admin", role="admin")  # so that a job's token may act
    return name


def test_metrics_go_out_in_the_background_and_flush_delivers_them(
    admin_client: Client, group: str
) -> None:
    with atrium.start_run(
        "bg", group=group, experiment="e", client=admin_client, flush_interval=60
    ) as run:
        run.log_params({"lr": 0.01, "layers": 3})
        run.set_tag("team", "vision")
        for i in range(5000):
            run.log_metric("loss", 1 / (i + 1))
        run.log_metrics({"acc": 0.5, "f1": math.nan})
        # The interval is a minute: nothing has been sent yet.
        assert "loss" not in admin_client.runs.get(group, run.id).metrics
        run.flush()
        found = admin_client.runs.history(group, run.id, "loss")
        assert found.steps == list(range(5000)) and found.values[-1] == 1 / 5000
        run.log_metric("loss", 0.0, step=10_000)
    done = admin_client.runs.get(group, run.id)
    assert done.status == "finished" and done.end_time is not None
    assert done.params == {"lr": "0.01", "layers": "3"} and done.tags == {"team": "vision"}
    assert done.metrics["loss"].count == 5001 and done.metrics["loss"].value == 0.0
    assert math.isnan(done.metrics["f1"].value)
    assert done.source.type == detect_source()["type"] and done.experiment == "e"


def test_nested_runs_failures_and_the_module_level_api(admin_client: Client, group: str) -> None:
    with atrium.start_run("sweep", group=group, client=admin_client) as parent:
        with atrium.start_run("trial", group=group, client=admin_client) as child:
            assert atrium.active_run() is child
            atrium.log_metric("score", 0.9)
            atrium.log_param("trial", 1)
        assert atrium.active_run() is parent
        with (
            pytest.raises(RuntimeError),
            atrium.start_run("boom", group=group, client=admin_client),
        ):
            raise RuntimeError("training diverged")
    assert atrium.active_run() is None
    child_run = admin_client.runs.get(group, child.id)
    assert child_run.parent_run_id == parent.id and child_run.params == {"trial": "1"}
    assert child_run.metrics["score"].value == 0.9
    failed = list(admin_client.runs.iter_search(group, "attributes.status = 'failed'"))
    assert [r.name for r in failed] == ["boom"]


def test_refusals_surface_at_flush_and_params_are_immutable(
    admin_client: Client, group: str
) -> None:
    with atrium.start_run(group=group, client=admin_client) as run:
        run.log_param("seed", 1)
        with pytest.raises(Conflict):
            run.log_param("seed", 2)
        run.log_metric("../escape", 1.0)
        with pytest.raises(ValidationError, match="invalid metric key"):
            run.flush()
        run.log_metric("fine", 1.0)
        run.flush()
    assert set(admin_client.runs.get(group, run.id).metrics) == {"fine"}


class Figure:
    """What log_figure needs of a Matplotlib figure: ``savefig(file, format=...)``."""

    def savefig(self, target: io.BytesIO, format: str) -> None:
        target.write(f"<{format} figure>".encode())


def test_artifacts_of_every_kind(admin_client: Client, group: str, tmp_path: Path) -> None:
    (tmp_path / "out" / "sub").mkdir(parents=True)
    (tmp_path / "out" / "a.txt").write_text("a")
    (tmp_path / "out" / "sub" / "b.txt").write_text("b")
    model = tmp_path / "model.bin"
    model.write_bytes(os.urandom(3 * 2**20))
    with atrium.start_run(group=group, client=admin_client) as run:
        run.log_artifact(model, "weights")
        run.log_artifacts(tmp_path / "out", "outputs")
        run.log_dict({"lr": 0.1, "name": "é"}, "config.json")
        run.log_text("hello", "notes/readme.txt")
        run.log_figure(Figure(), "plots/loss.svg")
    paths = [a.path for a in admin_client.runs.list_artifacts(group, run.id)]
    assert paths == [
        "config.json",
        "notes/readme.txt",
        "outputs/a.txt",
        "outputs/sub/b.txt",
        "plots/loss.svg",
        "weights/model.bin",
    ]
    out = io.BytesIO()
    assert admin_client.runs.download_artifact(group, run.id, "weights/model.bin", out) == 3 * 2**20
    assert out.getvalue() == model.read_bytes()
    config = io.BytesIO()
    admin_client.runs.download_artifact(group, run.id, "config.json", config)
    assert json.loads(config.getvalue()) == {"lr": 0.1, "name": "é"}
    figure = io.BytesIO()
    admin_client.runs.download_artifact(group, run.id, "plots/loss.svg", figure)
    assert figure.getvalue() == b"<svg figure>"
    with pytest.raises(TypeError):
        atrium.start_run(group=group, client=admin_client).log_figure(object(), "x.png")
    atrium.end_run()


def test_system_metrics_are_sampled_while_the_run_is_active(
    admin_client: Client, group: str
) -> None:
    with atrium.start_run(
        group=group, client=admin_client, system_metrics=True, system_interval=0.2
    ) as run:
        sum(i * i for i in range(3_000_000))  # some CPU to measure
        time.sleep(0.5)
    metrics = admin_client.runs.get(group, run.id).metrics
    assert metrics["system/cpu_percent"].count >= 2
    assert metrics["system/memory_rss_bytes"].value > 10 * 2**20
    assert 0 < metrics["system/memory_used_percent"].value < 100


def _script_env(live_server: Any, admin_client: Client, **extra: str) -> dict[str, str]:
    src = str(Path(atrium.__file__).resolve().parents[1])  # this checkout's atrium
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRIUM_")}
    return {
        **env,
        "PYTHONPATH": src,
        "ATRIUM_URL": live_server.url,
        "ATRIUM_TOKEN": admin_client.token or "",
        **extra,
    }


def test_a_process_that_exits_normally_loses_nothing(
    live_server: Any, admin_client: Client, group: str
) -> None:
    """No flush, no end: the atexit hook sends everything and ends the run."""
    script = textwrap.dedent(
        """
        import atrium
        run = atrium.start_run("exiting", flush_interval=3600)
        for i in range(20_000):
            atrium.log_metric("x", float(i))
        print(run.id)
        """
    )
    env = _script_env(live_server, admin_client, ATRIUM_GROUP=group, ATRIUM_EXPERIMENT="sub")
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    run = admin_client.runs.get(group, done.stdout.strip())
    assert (run.status, run.experiment, run.metrics["x"].count) == ("finished", "sub", 20_000)
    values = admin_client.runs.history(group, run.id, "x").values
    assert values == [float(i) for i in range(20_000)]


def test_inside_a_job_start_run_needs_no_arguments(admin_client: Client, group: str) -> None:
    code = (
        "import atrium\n"
        "with atrium.start_run() as run:\n"
        "    atrium.log_metric('acc', 0.75)\n"
        "print(run.id)\n"
    )
    job = admin_client.jobs.submit(group, ["python", "-c", code], name="train")
    done = admin_client.jobs.wait(group, job.id, timeout=120)
    assert done.status == "succeeded", admin_client.jobs.logs(group, job.id)
    run = admin_client.runs.get(group, admin_client.jobs.logs(group, job.id).strip())
    assert run.source.type == "job" and run.source.job_id == job.id
    assert run.id == job.run_id and run.name == "train"  # the job's own run, resumed
    assert run.experiment == "jobs" and run.metrics["acc"].value == 0.75
    assert run.status == "finished"


def test_runs_and_experiments_resources(admin_client: Client, group: str) -> None:
    made = admin_client.experiments.create(group, "resnet", description="baselines")
    assert admin_client.experiments.get_by_name(group, "resnet") == made
    runs = []
    for lr in ("0.1", "0.01", "0.001"):
        run = admin_client.runs.create(group, experiment="resnet", params={"lr": lr})
        series = {"key": "acc", "steps": [0, 1], "values": [0.1, float(lr) * 5]}
        admin_client.runs.log_batch(group, run.id, metrics=[series])
        runs.append(run)
    best = admin_client.runs.search(group, "params.lr != '0.1'", order_by=["metrics.acc DESC"])
    assert [r.params["lr"] for r in best.items] == ["0.01", "0.001"]
    paged = list(admin_client.runs.iter_search(group, experiments=["resnet"], limit=2))
    assert len(paged) == 3
    compared = admin_client.runs.compare(group, [r.id for r in runs])
    assert compared.params["lr"] == ["0.1", "0.01", "0.001"] and compared.differing_params == ["lr"]
    assert compared.metrics["acc"] == [0.5, 0.05, 0.005]
    small = admin_client.runs.history(group, runs[0].id, "acc", max_points=10)
    assert small.total == 2 and small.downsampled is False
    updated = admin_client.runs.update(group, runs[0].id, status="killed", notes="stopped")
    assert (updated.status, updated.notes) == ("killed", "stopped")
    admin_client.runs.delete(group, runs[0].id)
    with pytest.raises(NotFound):
        admin_client.runs.get(group, runs[0].id)
    renamed = admin_client.experiments.update(group, made.id, name="resnet-v2")
    assert renamed.name == "resnet-v2" and renamed.run_count == 2
    admin_client.experiments.delete(group, made.id)
    assert admin_client.experiments.get_by_name(group, "resnet-v2") is None
