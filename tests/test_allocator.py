"""A server process gives argon2's work areas back to the system after logins."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import json, sys, threading
import psutil
from atrium.server.allocator import tune_allocator
from atrium.server.services import security

tuned = tune_allocator() if sys.argv[1] == "tuned" else None
stored = security.hash_password("correct horse")
before = psutil.Process().memory_info().rss

def logins():
    for _ in range(3):
        assert security.verify_password(stored, "correct horse")

threads = [threading.Thread(target=logins) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
grown = (psutil.Process().memory_info().rss - before) / 2**20
print(json.dumps({"tuned": tuned, "grown_mib": grown}))
"""


def growth(mode: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_logins_on_many_threads_leave_no_resident_work_areas() -> None:
    plain, tuned = growth("plain"), growth("tuned")
    assert tuned["tuned"] is True
    # Untuned, each thread's arena keeps a 19 MiB area; tuned, they are unmapped on free.
    assert plain["grown_mib"] > 50, plain
    assert tuned["grown_mib"] < 15, tuned


PREPARE = """
import gc, json, sys
from atrium.cli.serve import _prepare, _settings

_prepare(_settings(home=sys.argv[1], admin_password="pw-for-the-test"))
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}))
"""


def test_a_prepared_server_hides_its_start_up_objects_from_the_collector(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PREPARE, str(tmp_path)], capture_output=True, text=True, check=True
    )
    counts = json.loads(out.stdout.strip().splitlines()[-1])
    # Modules, routes and schemas (~200,000 objects) are frozen; a full pass walks the rest.
    assert counts["frozen"] > 50_000, counts
    assert counts["tracked"] < counts["frozen"] / 20, counts
