"""The layering of design.md, enforced: import-linter contracts, and clients that never load the
server (checked in a fresh interpreter, so what other tests imported does not count)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# Imports every module of the given packages, then prints which atrium.server modules got loaded.
PROBE = """
import importlib, json, pkgutil, sys
loaded = []
for name in sys.argv[1:]:
    package = importlib.import_module(name)
    for info in pkgutil.walk_packages(package.__path__, name + "."):
        importlib.import_module(info.name)
        loaded.append(info.name)
server = sorted(m for m in sys.modules if m == "atrium.server" or m.startswith("atrium.server."))
print(json.dumps({"loaded": loaded, "server": server}))
"""


def _probe(*packages: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *packages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_import_linter_contracts_are_kept() -> None:
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "BROKEN" not in report and " broken" not in report.replace("0 broken", ""), report


def test_import_linter_config_names_every_layer() -> None:
    """A contract that names no module would pass vacuously: each one must exist."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    names = {c["name"] for c in config["contracts"]}
    assert {
        "Server layers",
        "SDK never imports the server",
        "CLI talks to the server only through the SDK",
    } <= names
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    for layer in layers:
        for module in layer.split("|"):
            assert (ROOT / "src" / Path(*module.strip().split("."))).is_dir(), module


def test_sdk_loads_no_server_module() -> None:
    result = _probe("atrium.sdk")
    assert "atrium.sdk.client" in result["loaded"]
    assert result["server"] == []


def test_cli_loads_no_server_module() -> None:
    """``atrium.cli.serve`` may reach the server, but only when a server command runs."""
    result = _probe("atrium.cli")
    assert {"atrium.cli.main", "atrium.cli.serve"} <= set(result["loaded"])
    assert result["server"] == []


def test_contracts_load_no_server_module() -> None:
    result = _probe("atrium.contracts")
    assert result["server"] == []
