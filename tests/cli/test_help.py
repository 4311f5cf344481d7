"""Every command and every option explains itself, and ``--help`` works everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from atrium.cli.main import app

# Registered by the server side (serve.py); their help is checked in test_serve.py.
SERVER_COMMANDS = {"up", "server", "db"}


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        if not path and name in SERVER_COMMANDS:
            continue
        yield from walk(sub, (*path, name))


COMMANDS = list(walk(typer.main.get_command(app)))


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_and_its_options_have_help(path: tuple[str, ...], command: Any) -> None:
    assert (command.help or "").strip(), f"{path} has no help"
    for param in command.params:
        assert (getattr(param, "help", None) or "").strip(), f"{path} {param.name} has no help"
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output


def test_every_leaf_command_offers_json() -> None:
    leaves = [(p, c) for p, c in COMMANDS if not hasattr(c, "commands")]
    assert len(leaves) > 30
    for path, command in leaves:
        assert "--json" in [o for p in command.params for o in p.opts], path
