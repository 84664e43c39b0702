"""Engines and sessions: SQLite in WAL mode by default, PostgreSQL by URL.

On SQLite a writing session takes the database's write lock at BEGIN (``BEGIN IMMEDIATE``), so
two writers never deadlock upgrading read locks; a reading session begins deferred and never
takes it, so no reader (a page, a download, a login) waits on or blocks a writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from qa_service.datafiles import restrict_sqlite_files
from qa_service.errors import InputError

# How long a SQLite writer waits for another process's write to finish before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# The execution option that marks a reading session's connection (no write lock at BEGIN).
READ_ONLY_OPTION = "qa_read_only"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # pysqlite's own BEGIN handling is switched off (isolation_level None): writers take the
    # write lock at BEGIN, so two writers never deadlock upgrading read locks; readers do not.
    deferred = conn.get_execution_options().get(READ_ONLY_OPTION)
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def _refuse_writes(session: Session, _context, _instances) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a reading session tried to write; open it with Database.session()")


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError and ValueError alike here
        raise InputError(f"QA_DATABASE_URL is not a database URL ({exc})") from None
    if parsed.get_backend_name() == "sqlite":
        restrict_sqlite_files(parsed.database or "")
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "connect", lambda conn, _r: setattr(conn, "isolation_level", None))
        return engine
    return create_engine(parsed, pool_pre_ping=True)


class Database:
    """One engine and its session factory, shared by the API, the workers and the CLI."""

    def __init__(self, url: str) -> None:
        # Every table must be known before the first flush: foreign keys name tables by
        # string, and a worker process may never import the module that defines one.
        import qa_service.store.tables  # noqa: F401

        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
        )
        event.listen(self.read_sessions, "before_flush", _refuse_writes)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """A session committed on success and rolled back on any error.

        ``write=False``: a reading session, which never takes SQLite's write lock and
        refuses to flush changes.
        """
        with (self.sessions if write else self.read_sessions)() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
