"""Apply Alembic migrations programmatically (``atrium db upgrade`` and ``atrium up``).

Alembic is imported only when there is something to migrate: ``atrium up`` on an existing
home finds the database at the head revision with one query, and importing Alembic (and Mako)
would be a tenth of a second of its start-up for nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default; env.py keeps it
_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(None|\"([^\"]+)\")", re.MULTILINE)


def config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on '%' in URL-encoded passwords.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    if revision == "head" and at_head(url):
        return
    from alembic import command

    command.upgrade(config(url), revision)


def check(url: str) -> None:
    """Raise if the ORM tables and the migrations disagree."""
    from alembic import command

    command.check(config(url))


def heads() -> set[str]:
    """The revisions no migration builds on, read from the scripts' ``revision`` lines."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for name, _, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            if value:
                (revisions if name == "revision" else parents).add(value)
    return revisions - parents


def at_head(url: str) -> bool:
    """Whether the database's revisions are exactly the scripts' heads (False when unsure)."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(VERSION_TABLE):
                return False
            rows = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}"))
            current = {row[0] for row in rows}
    finally:
        engine.dispose()
    return bool(current) and current == heads()
