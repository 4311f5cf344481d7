"""Start-up cost of ``atrium datasets ...``: only what the command needs is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atrium.cli.main import GROUPS
from atrium.sdk.datasets import local
from atrium.sdk.datasets.hashing import hash_files
from atrium.sdk.datasets.scan import scan

PROBE = """
import json, sys
from typer.testing import CliRunner
import atrium
before = sorted(m for m in sys.modules if m.startswith("atrium.sdk"))
from atrium.cli.main import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"exit": result.exit_code, "sdk_before_cli": before,
                  "modules": sorted(m for m, v in sys.modules.items() if v is not None)}))
"""


def imported(*args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                         check=True)  # fmt: skip
    result: dict[str, object] = json.loads(out.stdout.splitlines()[-1])
    return result


def test_a_datasets_command_loads_no_other_command_group() -> None:
    probe = imported("datasets", "status", "--help")
    assert probe["exit"] == 0
    modules = set(probe["modules"])  # type: ignore[call-overload]
    assert "atrium.cli.datasets" in modules
    others = {path for name, path in GROUPS.items() if name != "datasets"}
    assert others.isdisjoint(modules)
    assert "httpx._main" not in modules  # httpx's own CLI (pygments and more)
    assert probe["sdk_before_cli"] == []  # `import atrium` alone does not load the SDK


def test_every_registered_group_loads_and_lists_its_commands() -> None:
    for name in GROUPS:
        probe = imported(name, "--help")
        assert probe["exit"] == 0, name


# The real entry point (not CliRunner, which imports more), in a fresh interpreter.
ENTRY = """
import json, sys
from atrium.cli.main import app
sys.argv[0] = "atrium"
try:
    app()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "modules": sorted(m for m, v in sys.modules.items() if v)}))
"""

# Never needed by a client command: the server side, its database layer and web framework.
SERVER_ONLY = ("atrium.server", "sqlalchemy", "fastapi", "starlette", "uvicorn", "alembic")
# Not needed by an offline status printing JSON: the HTTP client, the SDK's resources, Rich,
# pydantic (Typer's parameter conversion; see atrium.cli._params), and, with no file touched
# since, BLAKE3 and the hash cache (sqlite3).
NOT_FOR_OFFLINE_STATUS = ("httpx", "atrium.sdk.client", "rich", "pydantic", "blake3", "sqlite3")


def run_entry(*args: str) -> tuple[int, set[str], str]:
    out = subprocess.run([sys.executable, "-c", ENTRY, *args], capture_output=True, text=True,
                         check=True)  # fmt: skip
    lines = out.stdout.splitlines()
    probe = json.loads(lines[-1])
    return probe["exit"], set(probe["modules"]), "\n".join(lines[:-1])


def loaded(modules: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in roots or m.startswith(roots))


@pytest.fixture
def tracked(tmp_path: Path) -> Path:
    """A directory as a pull leaves it: files and their .atrium/ state, no server needed."""
    root = tmp_path / "data"
    root.mkdir()
    for i in range(3):
        (root / f"f{i}.txt").write_text(f"file {i}\n")
        os.utime(root / f"f{i}.txt", (1e9, 1e9))  # old enough for its stamp to be trusted
    files = scan(root)
    entries = hash_files(files, None).entries
    state = local.LocalState("http://127.0.0.1:9", "g", "d", "v1")
    local.write_local(str(root), state, entries, local.trusted_stamps(files, time.time_ns()))
    return root


def test_offline_status_imports_no_server_http_rich_or_pydantic(tracked: Path) -> None:
    code, modules, out = run_entry("datasets", "status", str(tracked), "--json")
    assert code in (0, None)
    assert json.loads(out)["unchanged"] == 3
    assert loaded(modules, SERVER_ONLY) == []
    assert loaded(modules, NOT_FOR_OFFLINE_STATUS) == []


def test_status_with_table_output_still_imports_no_server_modules(tracked: Path) -> None:
    code, modules, out = run_entry("datasets", "status", str(tracked))
    assert code in (0, None)
    assert "nothing changed (3 files)" in out
    assert loaded(modules, SERVER_ONLY) == []
    assert loaded(modules, ("httpx", "pydantic")) == []


def test_commands_that_talk_to_a_server_import_no_server_modules() -> None:
    # Refused by the server's absence (nothing listens on port 9), after the imports.
    for args in (["datasets", "log", "g/d"], ["datasets", "ls", "g/d"], ["whoami"]):
        code, modules, _ = run_entry("--url", "http://127.0.0.1:9", *args, "--json")
        assert code == 1, args
        assert "httpx" in modules
        assert loaded(modules, SERVER_ONLY) == [], args
        assert loaded(modules, ("pydantic", "pydantic_core", "rich")) == [], args


def test_a_path_argument_keeps_typer_checks(tracked: Path) -> None:
    code, _, _ = run_entry("datasets", "status", str(tracked / "f0.txt"))
    assert code == 2  # "is a file": Typer's own usage error, as before
