"""Start-up cost of ``atrium datasets ...``: only what the command needs is imported."""

from __future__ import annotations

import json
import subprocess
import sys

from atrium.cli.main import GROUPS

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
