"""The database: SQLAlchemy 2 tables, sessions, queries and Alembic migrations.

SQLite (WAL) is the embedded default; PostgreSQL runs the same code. Everything that KPIs,
sampling and the review workflow filter or aggregate on is a real column, so that work runs
in SQL; the full result contract is kept beside it as JSON.
"""
