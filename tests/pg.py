"""A PostgreSQL server for tests: ATRIUM_TEST_DATABASE_URL, or a throwaway cluster.

The throwaway cluster is built with the installed server binaries (initdb, pg_ctl) in a temp
directory, listening on loopback only, so the suite runs on any machine with PostgreSQL
installed. initdb refuses to run as root, so as root the cluster belongs to ``postgres``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for path in [*candidates, os.path.dirname(shutil.which("initdb") or "")]:
        if path and Path(path, "initdb").exists():
            return Path(path)
    raise RuntimeError("PostgreSQL server binaries not found: install postgresql")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as(user: str | None, args: list[str]) -> None:
    command = ["runuser", "-u", user, "--", *args] if user else args
    subprocess.run(command, check=True, capture_output=True)


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Yield an admin URL of a fresh cluster; stop and delete it afterwards."""
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="atrium-pg-"))
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        pw = pwd.getpwnam(user)
        os.chown(root, pw.pw_uid, pw.pw_gid)
    data, port = root / "data", _free_port()
    _run_as(
        user,
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -k {root} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    _run_as(
        user,
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(root / "log"),
            "start",
        ],
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run_as(user, [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def server_url() -> Iterator[str]:
    given = os.environ.get("ATRIUM_TEST_DATABASE_URL")
    if given:
        yield given
        return
    with throwaway_cluster() as url:
        yield url


def _admin_conninfo(url: str) -> str:
    u = make_url(url)
    parts = {
        "host": u.host,
        "port": u.port,
        "user": u.username,
        "password": u.password,
        "dbname": u.database or "postgres",
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v is not None)


def create_database(url: str, name: str, template: str | None = None) -> str:
    """Create database ``name`` on the server of ``url`` and return its URL."""
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
