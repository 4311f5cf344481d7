"""``open_executor`` (the setting's syntax) and the rule that only the Ray executor imports Ray."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from atrium.server.backends.executors import LocalExecutor, Resources, open_executor, parse_bytes
from atrium.server.backends.executors.local import machine_resources

SRC = Path(__file__).resolve().parents[3] / "src" / "atrium"
RAY_MODULE = SRC / "server" / "backends" / "executors" / "ray.py"


def test_local_with_defaults() -> None:
    executor = open_executor("local")
    assert isinstance(executor, LocalExecutor)
    assert executor.capacity() == machine_resources()
    assert isinstance(open_executor("local://"), LocalExecutor)


def test_local_options() -> None:
    url = "local?cpu=3&memory=1.5GiB&gpu=1&kill_grace=0.5&cgroups=never"
    executor = open_executor(url)
    assert isinstance(executor, LocalExecutor)
    assert executor.capacity() == Resources(cpu=3, memory_bytes=3 << 29, gpu=1)
    assert executor.kill_grace == 0.5
    assert executor.cgroup_root is None


@pytest.mark.parametrize(
    "url",
    [
        "local?cpus=3",  # a typo must not be ignored
        "local?memory=lots",
        "local?cgroups=sometimes",
        "locale",
        "ray://127.0.0.1:10001",  # Ray Client's protocol, not the Jobs API
        "ray+http://127.0.0.1:8265?x=1",
        "http://127.0.0.1:8265",
    ],
)
def test_bad_settings_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        open_executor(url)


def test_ray_address_without_connecting() -> None:
    executor = open_executor("ray+http://127.0.0.1:1/")
    assert executor.name == "ray"
    assert executor.address == "http://127.0.0.1:1"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("4096", 4096),
        ("4G", 4 << 30),
        ("4GiB", 4 << 30),
        ("1.5 gb", 3 << 29),
        ("512MiB", 512 << 20),
    ],
)
def test_parse_bytes(text: str, amount: int) -> None:
    assert parse_bytes(text) == amount


def test_only_the_ray_executor_imports_ray() -> None:
    importers = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(name == "ray" or name.startswith("ray.") for name in names):
                importers.append(path)
    assert set(importers) == {RAY_MODULE}


def test_the_local_executor_does_not_load_ray() -> None:
    probe = (
        "import sys; from atrium.server.backends.executors import open_executor; "
        "open_executor('local'); open_executor('ray+http://127.0.0.1:1'); "
        "print('ray' in sys.modules, 'ray.job_submission' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    # Opening a Ray executor loads its module only; Ray itself comes on first use.
    assert done.stdout.split() == ["False", "False"]
