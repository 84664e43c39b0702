"""Fixtures for the feature services, called directly: a migrated SQLite database, one
account per role in two teams, and analysed calls built from a small result contract. No
server, no model, no browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qa_service.config import Settings
from qa_service.store.accounts import AccountRole, User
from qa_service.store.calls import Call, CallStatus, apply_result
from qa_service.store.db import Database
from tests.conftest import CHEAP_PASSWORDS, sqlite_copy

PACK = "en-default"
# (username, role, team, agent id)
PEOPLE = (
    ("admin", AccountRole.admin, None, None),
    ("qa1", AccountRole.qa, None, None),
    ("qa2", AccountRole.qa, None, None),
    ("lead_a", AccountRole.supervisor, "A", None),
    ("lead_b", AccountRole.supervisor, "B", None),
    ("agent_a1", AccountRole.agent, "A", "a1"),
    ("agent_b1", AccountRole.agent, "B", "b1"),
    ("agent_noid", AccountRole.agent, "A", None),
)


@pytest.fixture
def feature_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url=f"sqlite:///{tmp_path / 'qa.db'}",
        secret_key="test-secret-key-that-is-long-enough-for-hs256",
        second_review_rate=0.0,
        **CHEAP_PASSWORDS,
    )


@pytest.fixture
def db(feature_settings: Settings, migrated_sqlite: Path, tmp_path: Path) -> Iterator[Database]:
    url = sqlite_copy(migrated_sqlite, tmp_path / "qa.db")
    assert url == feature_settings.resolved_database_url()
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    """Username -> account id (passwords are never checked by these tests)."""
    with db.session() as session:
        rows = [
            User(username=name, role=role, team=team, agent_id=agent, password_hash="x")
            for name, role, team, agent in PEOPLE
        ]
        session.add_all(rows)
        session.flush()
        return {u.username: u.id for u in rows}


def result_contract(categories: list[str], total: float = 80.0) -> dict:
    """A result as analysis stores it: one finding per category, each costing 10 points."""
    findings = [
        {
            "rule_id": f"r-{c}",
            "category": c,
            "severity": "major",
            "role": "agent",
            "start": float(k),
            "end": k + 1.0,
            "text": c,
        }
        for k, c in enumerate(categories)
    ]
    return {
        "version": 1,
        "call_id": "x",
        "language": "en",
        "duration_s": 30.0,
        "channels": {"left": "agent", "right": "customer"},
        "utterances": [
            {"role": "agent", "start": 0.0, "end": 2.0, "text": "hello", "words": []},
            {"role": "customer", "start": 2.5, "end": 4.0, "text": "hi", "words": []},
        ],
        "findings": findings,
        "score": {
            "total": total,
            "critical_failed": False,
            "dimensions": {"service": {"name": "Service", "weight": 100, "score": total}},
            "items": [
                {"item": f"i{k}", "dimension": "service", "points": -10.0, "finding": k}
                for k in range(len(categories))
            ],
        },
        "metrics": {"rule_pack": PACK},
    }


AddCall = Callable[..., int]


@pytest.fixture
def add_call(db: Database) -> AddCall:
    """Store a call (analysed unless ``analysed=False``); returns its row id."""
    serial = iter(range(1, 10_000))

    def add(
        *,
        team: str | None = "A",
        agent_id: str | None = "a1",
        categories: tuple[str, ...] = ("greeting_missing",),
        analysed: bool = True,
        media_format: str = "wav",
    ) -> int:
        n = next(serial)
        with db.session() as session:
            call = Call(
                call_id=f"c{n}",
                content_sha256=f"{n:064x}",
                filename=f"c{n}.{media_format}",
                media_path=f"recordings/c{n}.{media_format}",
                media_format=media_format,
                size_bytes=10,
                team=team,
                agent_id=agent_id,
                status=CallStatus.queued,
            )
            session.add(call)
            session.flush()
            if analysed:
                apply_result(session, call, result_contract(list(categories)))
            return call.id

    return add


@pytest.fixture
def account(db: Database, people: dict[str, int]) -> Callable[[str], User]:
    """The stored account of a username (detached: sessions do not expire on commit)."""

    def load(name: str) -> User:
        with db.session(write=False) as session:
            return session.get(User, people[name])

    return load
