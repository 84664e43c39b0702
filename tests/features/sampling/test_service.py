"""The sampling use cases called directly: options as people give them, drawing and storing
a plan, listing plans newest first, re-deriving, review queues and coverage."""

from __future__ import annotations

import pytest

from qa_service.domain.periods import parse_period
from qa_service.domain.sampling import DEFAULT_RISK_WEIGHTS
from qa_service.errors import InputError, NotFoundError
from qa_service.features.sampling import service
from qa_service.features.sampling.schemas import PlanCreate
from qa_service.store.accounts import User
from qa_service.store.call_facts import Scope
from qa_service.store.db import Database
from qa_service.store.sampling_plans import SamplingPlan
from tests.conftest import sqlite_copy
from tests.kpi_month import insert_month

NOVEMBER = parse_period("2026-11")
OPTIONS = {
    "rate": 0.3,
    "min_per_agent": 0,
    "max_per_agent": None,
    "by": (),
    "oversample": None,
    "seed": 7,
    "short_ratio": 0.4,
}


@pytest.fixture
def db(tmp_path, migrated_sqlite):
    db = Database(sqlite_copy(migrated_sqlite, tmp_path / "qa.db"))
    with db.session() as session:
        insert_month(session)
        session.add_all(
            User(username=name, role="qa", password_hash="x") for name in ("qa1", "qa2")
        )
    yield db
    db.dispose()


def _options(**changes):
    return service.plan_options(**{**OPTIONS, **changes})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, {"seed": 7, "oversample": {}, "by": ()}),
        (
            {"oversample": "critical=5,short"},
            {"oversample": {"critical": 5.0, "short": DEFAULT_RISK_WEIGHTS["short"]}},
        ),
        ({"by": ["queue", "direction"]}, {"by": ("queue", "direction")}),
    ],
)
def test_plan_options_from_what_people_write(changes, expected):
    options = _options(**changes)
    assert {k: getattr(options, k) for k in expected} == expected


def test_no_seed_draws_a_new_one_each_time():
    seeds = {_options(seed=None).seed for _ in range(5)}
    assert len(seeds) > 1
    assert all(0 <= s < 2**31 for s in seeds)


@pytest.mark.parametrize(
    "changes", [{"rate": 1.5}, {"by": ["agent"]}, {"oversample": "loud"}, {"short_ratio": 0.0}]
)
def test_plan_options_refuse_bad_values(changes):
    with pytest.raises(InputError):
        _options(**changes)


def _plan(session, period="2026-11", **changes) -> SamplingPlan:
    return service.create_plan(session, period=parse_period(period), options=_options(**changes))


def test_plans_newest_first(db):
    with db.session() as session:
        ids = [_plan(session, period).id for period in ("2026-11", "2026-10", "2026-11")]
        assert [p.id for p in service.list_plans(session)] == ids[::-1]
        assert [p.id for p in service.list_plans(session, period="2026-11")] == [ids[2], ids[0]]
        assert [p.id for p in service.list_plans(session, limit=2)] == [ids[2], ids[1]]
        assert service.list_plans(session, period="2026-09") == []
        # Every front end reads the period the same way: a bad one is an error, not "none".
        with pytest.raises(InputError):
            service.list_plans(session, period="November")


def test_plan_is_stored_and_rederives(db):
    with db.session() as session:
        plan = _plan(session, seed=11)
        check = service.check_plan(session, plan_id=plan.id)
        queue = service.review_queue(session, plan_id=plan.id)
        assert (check.same_selection, check.same_population) == (True, True)
        assert check.added == check.removed == []
        assert len(queue) == plan.selected > 0
        started = [call.started_at for _item, call in queue]
        assert started == sorted(started)  # oldest first
        assert plan.parameters["seed"] == 11 and plan.seed == 11


def test_reviewers_share_the_plan_and_unknown_ones_are_refused(db):
    with db.session() as session:
        plan = service.create_plan(
            session, period=NOVEMBER, options=_options(), reviewers=["qa1", "qa2"]
        )
        assigned = [
            item.reviewer_id for item, _call in service.review_queue(session, plan_id=plan.id)
        ]
        assert None not in assigned and len(set(assigned)) == 2
        count = session.query(SamplingPlan).count()
        with pytest.raises(InputError, match="nobody"):
            service.create_plan(session, period=NOVEMBER, options=_options(), reviewers=["nobody"])
        assert session.query(SamplingPlan).count() == count


def test_requested_plan_keeps_seed_and_filters(db):
    request = PlanCreate(period="2026-11", rate=0.5, seed=99, teams=["T2"], note="weekly")
    with db.session() as session:
        plan = service.create_requested_plan(session, request=request, created_by=None)
        agents = {item.agent_id for item, _call in service.review_queue(session, plan_id=plan.id)}
    assert (plan.seed, plan.note, plan.filters["teams"]) == (99, "weekly", ["T2"])
    assert agents and agents <= {"a4", "a5", "a6"}


def test_missing_plan_is_not_found(db):
    with db.session() as session, pytest.raises(NotFoundError):
        service.check_plan(session, plan_id=12345)


@pytest.mark.parametrize("reviewers", [True, False])
def test_coverage_report(db, reviewers):
    with db.session() as session:
        plan = service.create_plan(session, period=NOVEMBER, options=_options(), reviewers=["qa1"])
        report = service.coverage_report(
            session,
            period=NOVEMBER,
            by="team",
            scope=Scope(teams=["T1", "T2"]),
            reviewers=reviewers,
        )
    assert [c.key for c in report.rows] == ["T1", "T2"]
    assert sum(c.sampled for c in report.rows) == plan.selected
    found = report.to_dict()
    assert (found["period"], found["by"]) == ("2026-11", "team")
    assigned = [r["assigned"] for r in found["reviewers"]]
    assert assigned == ([plan.selected] if reviewers else [])


def test_reviewer_names_are_active_qa_and_admins(db):
    with db.session() as session:
        session.add_all(
            [
                User(username="boss", role="admin", password_hash="x"),
                User(username="gone", role="qa", password_hash="x", active=False),
                User(username="lead", role="supervisor", team="T1", password_hash="x"),
            ]
        )
        session.flush()
        assert service.reviewer_names(session) == ["boss", "qa1", "qa2"]
