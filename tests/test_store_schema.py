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


def test_dispute_statements_are_backfilled_from_the_audit_log(tmp_path) -> None:
    """Migration 0005: the first step gets the dispute's reason, an appealed step the
    appeal's reason that only the audit log kept; an escalated step none."""
    import sqlite3

    from sqlalchemy import text

    path = tmp_path / "old" / "qa.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db, "0004_retention")
    at = "2026-11-02 10:00:00.000000"
    # The plain driver, foreign keys off: only the rows the migration reads are needed.
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO disputes (id, call_id, finding_id, rule_id, agent_user_id, reason,"
            " stage, status, opened_at) VALUES (7, 1, 1, 'r', 1, 'I did greet',"
            " 'final', 'open', ?)",
            (at,),
        )
        steps = [(1, "team_lead", "uphold"), (2, "reviewer", "escalate"), (3, "final", None)]
        for step_id, stage, decision in steps:
            connection.execute(
                "INSERT INTO dispute_steps (id, dispute_id, stage, opened_at, due_at,"
                " decision, comment) VALUES (?, 7, ?, ?, ?, ?, '')",
                (step_id, stage, at, at, decision),
            )
        connection.execute(
            "INSERT INTO audit_log (at, action, entity, entity_id, after)"
            " VALUES (?, 'dispute.appeal', 'dispute', '7', ?)",
            (at, '{"stage": "reviewer", "appeal": "listen at 0:07"}'),
        )
    connection.close()
    upgrade(db)
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT statement FROM dispute_steps ORDER BY id"))
        assert [r[0] for r in rows] == ["I did greet", "listen at 0:07", ""]
    db.dispose()
