"""The pure rules of jobs: input references, working directories, exit reasons, log cuts."""

from __future__ import annotations

import pytest

from atrium.server.domain.errors import Conflict, InvalidInput
from atrium.server.domain.jobs import (
    InputRef,
    JobState,
    argv,
    check_transition,
    check_working_dir,
    exit_reason,
    parse_input,
)
from atrium.server.services.job_outputs import utf8_boundary


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("clinic/scans", InputRef("clinic", "scans", "latest")),
        ("clinic/scans@v3", InputRef("clinic", "scans", "v3")),
        ("clinic/scans@3", InputRef("clinic", "scans", "v3")),
        ("clinic/scans:golden", InputRef("clinic", "scans", "golden")),
    ],
)
def test_input_references(spec: str, expected: InputRef) -> None:
    assert parse_input(spec) == expected
    assert expected.pinned(7) == "clinic/scans@v7"


@pytest.mark.parametrize("spec", ["scans", "a/b/c", "a/b@", "/scans", "a b/c"])
def test_bad_input_references(spec: str) -> None:
    with pytest.raises(InvalidInput):
        parse_input(spec)


def test_working_dirs() -> None:
    assert check_working_dir(None) is None and check_working_dir(".") is None
    assert check_working_dir("src/./train") == "src/train"
    for bad in ("/etc", "..", "../x", "a/../../x"):
        with pytest.raises(InvalidInput):
            check_working_dir(bad)


def test_commands_and_exit_reasons() -> None:
    assert argv("echo $HOME | wc") == ["/bin/sh", "-c", "echo $HOME | wc"]
    assert argv(["echo", "$HOME"]) == ["echo", "$HOME"]
    assert exit_reason(0, None) is None
    assert exit_reason(3, None) == "exit code 3"
    assert exit_reason(-9, None) == "killed by signal 9"
    assert exit_reason(-9, "killed: memory over 1 GiB") == "killed: memory over 1 GiB"


def test_transitions() -> None:
    check_transition("queued", JobState.ADMITTED)
    check_transition("running", JobState.QUEUED)  # a retry
    with pytest.raises(Conflict):
        check_transition("succeeded", JobState.RUNNING)
    with pytest.raises(Conflict):
        check_transition("queued", JobState.RUNNING)


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        (b"plain", 5),
        ("é".encode(), 2),
        ("é".encode()[:1], 0),
        (b"ab" + "€".encode()[:2], 2),
        (b"ab" + "😀".encode()[:3], 2),
        (b"ab" + "😀".encode(), 6),
        (b"\xff\xfe", 2),  # garbage is passed on, not held back forever
        (b"", 0),
    ],
)
def test_utf8_boundary(data: bytes, kept: int) -> None:
    assert utf8_boundary(data) == kept
