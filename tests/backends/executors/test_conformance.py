"""The executor conformance suite: every flavour (``flavour`` fixture) must pass it all.

Real processes everywhere: the local executor's subprocesses and real Ray jobs on the
session's loopback cluster. Where Ray really behaves differently (no samples, no memory
enforcement, text-only logs) the flavour says so and the test asserts what Ray does.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from atrium.server.backends.executors import (
    Executor,
    ExecutorError,
    LaunchSpec,
    Observation,
    Resources,
    UnknownHandle,
)
from tests.backends.executors.conftest import (
    Flavour,
    MiB,
    full_log,
    pid_alive,
    wait_end,
    wait_for_log,
)

Spec = Callable[..., LaunchSpec]
PY = sys.executable


def run(executor: Executor, spec: LaunchSpec) -> tuple[str, Observation]:
    handle = executor.launch(spec)
    return handle, wait_end(executor, handle)


def pids_in(log: bytes, name: str) -> list[int]:
    return [int(pid) for pid in re.findall(rb"%s=(\d+)" % name.encode(), log)]


def test_exit_zero(executor: Executor, make_spec: Spec) -> None:
    _, observation = run(executor, make_spec(["true"]))
    assert observation == Observation("exited", exit_code=0)


def test_exit_code_non_zero(executor: Executor, make_spec: Spec) -> None:
    _, observation = run(executor, make_spec(["sh", "-c", "exit 3"]))
    assert observation.state == "exited"
    assert observation.exit_code == 3


def test_missing_command_is_exit_127(executor: Executor, make_spec: Spec) -> None:
    handle, observation = run(executor, make_spec(["no-such-command-atrium"]))
    assert observation.exit_code == 127
    assert b"no-such-command-atrium" in full_log(executor, handle)


def test_env_arrives_and_server_env_stays_out(
    executor: Executor, make_spec: Spec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATRIUM_SERVER_SECRET", "server-side")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "server-side")
    script = (
        'printf "%s\\n" "V=$V" "EMPTY=$EMPTY" "S=${ATRIUM_SERVER_SECRET:-unset}" '
        '"A=${AWS_SECRET_ACCESS_KEY:-unset}" "P=${PATH:+set}" "T=${#TOKEN}"'
    )
    value = "two words 'quoted' $HOME ${HOME} \\ \" \u00e9"
    env = {"V": value, "EMPTY": "", "TOKEN": "s3cr3t-value"}
    handle, observation = run(executor, make_spec(["sh", "-c", script], env=env))
    log = full_log(executor, handle)
    assert observation.exit_code == 0
    assert f"V={value}\n".encode() in log  # exactly: no expansion, quoting or re-encoding
    assert b"EMPTY=\nS=unset\nA=unset\nP=set\nT=12\n" in log
    assert b"server-side" not in log
    assert b"s3cr3t-value" not in log  # the executor never writes the variables to the log


def test_workdir_is_cwd(executor: Executor, make_spec: Spec) -> None:
    spec = make_spec(["sh", "-c", "pwd -P; cat input.txt"])
    (spec.workdir / "input.txt").write_text("relative paths work\n")
    handle, observation = run(executor, spec)
    log = full_log(executor, handle)
    assert observation.exit_code == 0
    assert f"{spec.workdir.resolve()}\n".encode() in log
    assert b"relative paths work\n" in log


def test_stdout_and_stderr_both_logged(executor: Executor, make_spec: Spec) -> None:
    handle, _ = run(executor, make_spec(["sh", "-c", "echo to-out; echo to-err >&2"]))
    log = full_log(executor, handle)
    assert b"to-out\n" in log
    assert b"to-err\n" in log


def test_big_output_is_complete(flavour: Flavour, executor: Executor, make_spec: Spec) -> None:
    code = "for i in range(120_000): print(f'line {i:07d}', 'x' * 40)"
    handle, observation = run(executor, make_spec([PY, "-c", code]))
    expected = b"".join(b"line %07d %s\n" % (i, b"x" * 40) for i in range(120_000))
    assert len(expected) > 6 * MiB
    log = full_log(executor, handle, chunk=MiB - 1)  # odd-sized pieces must join up exactly
    assert observation.exit_code == 0
    assert log == expected if flavour.exact_bytes else expected in log


def test_binary_output_breaks_nothing(
    flavour: Flavour, executor: Executor, make_spec: Spec
) -> None:
    garbage = bytes(range(256)) * 4
    code = f"import sys; sys.stdout.buffer.write(b'before\\n' + {garbage!r} + b'\\nafter\\n')"
    handle, observation = run(executor, make_spec([PY, "-c", code]))
    assert observation.exit_code == 0
    log = full_log(executor, handle)
    assert isinstance(log, bytes)
    if flavour.exact_bytes:
        assert log == b"before\n" + garbage + b"\nafter\n"
    assert executor.poll(handle) == observation


def test_log_is_readable_while_running(executor: Executor, make_spec: Spec) -> None:
    handle = executor.launch(make_spec(["sh", "-c", "echo first; sleep 60"]))
    try:
        log = wait_for_log(executor, handle, b"first\n")
        assert executor.read_log(handle, log.index(b"first"), 5) == b"first"
        assert executor.poll(handle).state == "running"
    finally:
        executor.kill(handle)
    wait_end(executor, handle)


def test_read_log_bounds(executor: Executor, make_spec: Spec) -> None:
    handle, _ = run(executor, make_spec(["sh", "-c", "echo 0123456789"]))
    log = full_log(executor, handle)
    assert executor.read_log(handle, len(log)) == b""
    assert executor.read_log(handle, len(log) + 100) == b""
    assert executor.read_log(handle, 0, 0) == b""
    with pytest.raises(ValueError):
        executor.read_log(handle, -1)


def test_kill_running_tree(executor: Executor, make_spec: Spec) -> None:
    script = "sleep 300 & echo CHILD=$!; sleep 300 & echo CHILD=$!; wait"
    # Ray writes the entrypoint into the log: the marker must not appear in the command.
    handle = executor.launch(make_spec(["sh", "-c", script + "; echo nev''er"]))
    deadline = time.monotonic() + 60
    while len(children := pids_in(full_log(executor, handle), "CHILD")) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert all(map(pid_alive, children))
    executor.kill(handle)
    observation = wait_end(executor, handle, timeout=30)
    assert observation.state == "exited"
    assert observation.exit_code != 0
    assert not any(map(pid_alive, children))
    assert b"never" not in full_log(executor, handle)


def test_kill_is_idempotent_and_a_no_op_after_the_end(executor: Executor, make_spec: Spec) -> None:
    handle = executor.launch(make_spec(["sleep", "300"]))
    executor.kill(handle)
    executor.kill(handle)
    ended = wait_end(executor, handle, timeout=30)
    executor.kill(handle)
    assert executor.poll(handle) == ended
    done, _ = run(executor, make_spec(["true"]))
    executor.kill(done)
    assert executor.poll(done) == Observation("exited", exit_code=0)


def test_poll_after_the_end_is_stable(executor: Executor, make_spec: Spec) -> None:
    handle, observation = run(executor, make_spec(["sh", "-c", "echo bye; exit 7"]))
    for _ in range(3):
        assert executor.poll(handle) == observation
    assert executor.sample(handle) is None
    assert b"bye\n" in full_log(executor, handle)


def test_a_new_instance_reattaches(flavour: Flavour, make_spec: Spec) -> None:
    first = flavour.new()
    running = first.launch(make_spec(["sh", "-c", "echo started; sleep 300"]))
    finished = first.launch(make_spec(["sh", "-c", "echo done; exit 4"]))
    wait_end(first, finished)
    first.close()
    second = flavour.new()  # as after a server restart
    try:
        assert second.poll(finished) == Observation("exited", exit_code=4)
        assert b"done\n" in full_log(second, finished)
        wait_for_log(second, running, b"started\n")
        assert second.poll(running).state == "running"
        second.kill(running)
        assert wait_end(second, running, timeout=30).exit_code != 0
    finally:
        second.close()


def test_sample_while_running(flavour: Flavour, executor: Executor, make_spec: Spec) -> None:
    code = "x = b'x' * (64 << 20)\nprint('ready', flush=True)\nwhile True: pass"
    handle = executor.launch(make_spec([PY, "-c", code]))
    try:
        wait_for_log(executor, handle, b"ready")
        time.sleep(0.5)
        sample = executor.sample(handle)
        if not flavour.samples:
            assert sample is None
            return
        assert sample is not None
        assert sample.memory_bytes >= 64 * MiB
        time.sleep(0.5)
        sample = executor.sample(handle)
        assert sample is not None
        # A busy loop: one core's worth, or much less on a shared, loaded machine; an idle
        # process would show ~0.
        assert 5.0 < sample.cpu_percent < 110.0
    finally:
        executor.kill(handle)
    wait_end(executor, handle)
    assert executor.sample(handle) is None


def test_memory_overrun(flavour: Flavour, executor: Executor, make_spec: Spec) -> None:
    code = "import time\nx = b'x' * (200 << 20)\ntime.sleep(5)\nprint('survived')"
    handle, observation = run(executor, make_spec([PY, "-c", code], memory=80 * MiB))
    if flavour.enforces_memory:
        assert observation.exit_code is not None and observation.exit_code < 0
        assert observation.reason == "killed: memory over 80 MiB"
        assert b"survived" not in full_log(executor, handle)
    else:  # Ray's entrypoint_memory only reserves a logical resource for scheduling
        assert observation == Observation("exited", exit_code=0)
        assert b"survived" in full_log(executor, handle)


def test_capacity(executor: Executor) -> None:
    capacity = executor.capacity()
    assert capacity.cpu >= 1
    assert capacity.memory_bytes > 0
    assert Resources(cpu=1, memory_bytes=1).fits_in(capacity)


def test_foreign_handles_are_unknown(executor: Executor, tmp_path: Path) -> None:
    handles = ["", "garbage", "[1,2]", '["local/1",1,2,"m","","/x"]', '["ray/1","s","/x"]']
    for handle in handles:
        if executor.name in handle:
            continue  # its own kind of handle
        for call in (executor.poll, executor.kill, executor.sample):
            with pytest.raises(UnknownHandle):
                call(handle)
        with pytest.raises(UnknownHandle):
            executor.read_log(handle, 0)


def test_empty_command_is_refused(executor: Executor, make_spec: Spec) -> None:
    with pytest.raises(ExecutorError):
        executor.launch(make_spec([]))
