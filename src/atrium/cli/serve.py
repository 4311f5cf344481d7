"""Server commands: ``atrium up`` (embedded), ``atrium server`` (team) and ``atrium db``.

This is the one CLI module allowed to import the server: it starts it in this process.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)

Host = Annotated[str | None, typer.Option(help="Address to bind (ATRIUM_HOST).")]
Port = Annotated[int | None, typer.Option(help="Port to listen on (ATRIUM_PORT).")]
DbUrl = Annotated[
    str | None,
    typer.Option(
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (ATRIUM_DATABASE_URL)."
    ),
]


def _settings(**overrides: Any) -> Any:
    from atrium.server.settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _prepare(settings: Any) -> Any:
    """Migrate, build the app, bootstrap the first admin; print what the operator must know."""
    from atrium.server.allocator import freeze_startup_heap, tune_allocator
    from atrium.server.app import create_app
    from atrium.server.store import migrate

    tune_allocator()
    if settings.resolved_database_url.startswith("sqlite"):
        settings.home.mkdir(parents=True, exist_ok=True)
        settings.blob_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url)
    app = create_app(settings)
    result = app.state.hub.bootstrap(settings.admin_password)
    if result.admin_created and result.password:
        typer.echo(f"Created platform admin 'admin' with password: {result.password}")
        typer.echo("  (shown once; set ATRIUM_ADMIN_PASSWORD to choose it yourself)")
    elif result.admin_created:
        typer.echo("Created platform admin 'admin' with the password from ATRIUM_ADMIN_PASSWORD")
    freeze_startup_heap()
    return app


def _serve(app: Any, settings: Any) -> None:
    import uvicorn

    url = f"http://{settings.host}:{settings.port}/"
    typer.echo(f"Atrium dashboard: {url}   (API: {url}api/v1/docs)")
    sys.stdout.flush()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level)


def up(
    host: Host = None,
    port: Port = None,
    home: Annotated[
        Path | None, typer.Option(help="Data directory (ATRIUM_HOME, default ~/.atrium).")
    ] = None,
) -> None:
    """Run Atrium on this machine: SQLite and blobs under the home directory, one process."""
    settings = _settings(host=host, port=port, home=home)
    if settings.database_url:
        typer.echo("note: ATRIUM_DATABASE_URL is set; `atrium up` uses it instead of SQLite")
    _serve(_prepare(settings), settings)


def server(database_url: DbUrl = None, host: Host = None, port: Port = None) -> None:
    """Run Atrium as a team server on PostgreSQL."""
    settings = _settings(database_url=database_url, host=host, port=port)
    if not settings.database_url:
        typer.echo("Error: give --database-url or set ATRIUM_DATABASE_URL", err=True)
        raise typer.Exit(2)
    _serve(_prepare(settings), settings)


@db_app.command("upgrade")
def db_upgrade(
    database_url: DbUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Apply all pending migrations."""
    from atrium.server.store import migrate

    settings = _settings(database_url=database_url)
    migrate.upgrade(settings.resolved_database_url)
    typer.echo('{"up_to_date": true}' if as_json else "database is up to date")


def register(app: typer.Typer) -> None:
    app.command("up")(up)
    app.command("server")(server)
    app.add_typer(db_app, name="db")
