"""``qa-service serve``, ``worker``, ``celery-worker``, ``db upgrade``, ``users reset-password``."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts, from the server's own shell.", no_args_is_help=True)


def _setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def _database():
    from qa_service.config import get_settings
    from qa_service.datafiles import prepare_data_dir
    from qa_service.store.db import Database

    settings = get_settings()
    # Owner-only modes for everything this process writes, and one error line (not a
    # traceback) when the data folder cannot be used.
    prepare_data_dir(settings)
    return settings, Database(settings.resolved_database_url())


def _announce_admin(path: Path, username: str) -> None:
    line = "=" * 72
    typer.echo(
        f"{line}\nFirst start: created the admin account {username!r}.\n"
        f"Its password is in {path} (readable by this user only).\n"
        f"Sign in, change it (POST /api/auth/password), then delete the file.\n{line}",
    )


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Run the embedded worker inside.")
    ] = True,
) -> None:
    """Run the service: API on HOST:PORT, embedded worker inside (unless Celery is set)."""
    import uvicorn

    from qa_service.api.app import create_app
    from qa_service.features.users.bootstrap import ensure_first_admin, save_admin_password
    from qa_service.store.migrate import upgrade
    from qa_service.web import install_web

    _setup_logging()
    settings, db = _database()
    upgrade(db)
    password = ensure_first_admin(db, settings)
    if password:
        _announce_admin(save_admin_password(settings, password), settings.admin_username)
    typer.echo(
        f"database: {db.engine.url.render_as_string(hide_password=True)}  "
        f"jobs: {settings.job_backend}  pages: http://{host}:{port}/  "
        f"API docs: http://{host}:{port}/api/docs"
    )
    app = install_web(create_app(settings, db=db, start_worker=worker))
    uvicorn.run(app, host=host, port=port, log_level="info")


def worker(
    threads: Annotated[int, typer.Option(help="Jobs run at once in this process.")] = 1,
) -> None:
    """Run an embedded worker on its own, sharing the service's database queue."""
    from qa_service.jobs.worker import EmbeddedWorker
    from qa_service.store.migrate import upgrade

    _setup_logging()
    settings, db = _database()
    upgrade(db)
    running = EmbeddedWorker(db, settings, threads=threads).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    typer.echo(
        f"worker: {threads} thread(s) on {db.engine.url.render_as_string(hide_password=True)}"
    )
    stop.wait()
    # The running job finishes first; a job cut short by a second signal is retried later.
    running.stop()


def celery_worker(
    concurrency: Annotated[int, typer.Option(help="Worker processes (one model each).")] = 1,
    pool: Annotated[str, typer.Option(help="Celery pool: prefork or solo.")] = "prefork",
    loglevel: Annotated[str, typer.Option(help="Celery log level.")] = "INFO",
    name: Annotated[str, typer.Option(help="Node name; give each worker on a host its own.")] = (
        "qa@%h"
    ),
    beat: Annotated[
        bool,
        typer.Option(help="Also send the scheduled retention purge (one worker per deployment)."),
    ] = False,
) -> None:
    """Run a Celery worker (same as: celery -A qa_service.jobs.celery_app worker)."""
    from qa_service.config import get_settings
    from qa_service.datafiles import prepare_data_dir

    prepare_data_dir(get_settings())
    from qa_service.jobs.celery_app import QUEUE, app

    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--pool={pool}",
            f"--loglevel={loglevel}",
            f"--queues={QUEUE}",
            f"--hostname={name}",
            "--without-gossip",
            "--without-mingle",
            *(["--beat"] if beat else []),
        ]
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (also done by serve and worker on start)."""
    from qa_service.store.migrate import upgrade

    _settings, db = _database()
    typer.echo(f"database at revision {upgrade(db)}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the newest one this version knows."""
    from qa_service.store.migrate import current_revision, head_revision

    _settings, db = _database()
    typer.echo(f"current: {current_revision(db) or 'empty'}  head: {head_revision()}")


@users_app.command("reset-password")
def users_reset_password(username: str) -> None:
    """Give an account a new random password (printed once) and enable it."""
    from qa_service.features.users.bootstrap import reset_password
    from qa_service.store.migrate import upgrade

    settings, db = _database()
    upgrade(db)
    typer.echo(f"new password for {username}: {reset_password(db, settings, username)}")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(worker)
    app.command("celery-worker")(celery_worker)
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
