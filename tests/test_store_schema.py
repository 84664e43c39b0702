"""Migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from qa_service.store.db import Database
from qa_service.store.migrate import current_revision, downgrade, head_revision, upgrade
from qa_service.store.tables import metadata

pytest_plugins = ["tests.service_fixtures"]


def _differences(db: Database) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_upgrade_builds_the_models_schema(empty_database: Database) -> None:
    assert current_revision(empty_database) is None
    assert upgrade(empty_database) == head_revision()
    assert set(inspect(empty_database.engine).get_table_names()) >= set(metadata.tables)
    assert _differences(empty_database) == []


def test_upgrade_is_idempotent_and_downgrade_reverses_it(empty_database: Database) -> None:
    upgrade(empty_database)
    upgrade(empty_database)
    downgrade(empty_database, "base")
    assert not set(inspect(empty_database.engine).get_table_names()) & set(metadata.tables)
    upgrade(empty_database)
    assert _differences(empty_database) == []


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x' / 'qa.db'}")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()
