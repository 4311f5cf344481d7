"""Pooled PostgreSQL connections that the server ended are replaced before a request uses them."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text

from atrium.server.store.db import Database
from tests import pg

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(pg_server: str) -> Iterator[Database]:
    name = f"atrium_db{os.getpid()}"
    db = Database(pg.create_database(pg_server, name), pool_size=3)
    yield db
    db.dispose()
    pg.drop_database(pg_server, name)


def _backend_pids(db: Database, n: int) -> set[int]:
    """Check out ``n`` connections at once, so the pool holds ``n`` idle ones afterwards."""
    sessions = [db.read() for _ in range(n)]
    pids = {s.__enter__().execute(text("SELECT pg_backend_pid()")).scalar_one() for s in sessions}
    for s in sessions:
        s.__exit__(None, None, None)
    return pids


def _terminate(pg_server: str, pids: set[int]) -> None:
    url = pg_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


def test_connections_the_server_ended_are_replaced_on_checkout(
    database: Database, pg_server: str
) -> None:
    old = _backend_pids(database, 3)
    _terminate(pg_server, old)
    for _ in range(5):
        with database.read() as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert pid not in old
    with database.write() as s:
        assert s.execute(text("SELECT 1")).scalar_one() == 1


def test_live_connections_are_reused(database: Database) -> None:
    first = _backend_pids(database, 1)
    assert _backend_pids(database, 1) == first
