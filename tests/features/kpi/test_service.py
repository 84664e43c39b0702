"""The KPI use cases called directly: options from the settings, the report a person asks
for, its exports, and whose figures each account may see."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from qa_service.config import Settings
from qa_service.domain.kpi_scorecard import DEFAULT_COMPONENTS
from qa_service.domain.periods import parse_period
from qa_service.errors import ForbiddenError, InputError
from qa_service.features.access import kpi_scope
from qa_service.features.kpi.service import (
    definitions,
    export_report,
    options_from_settings,
    period_report,
)
from qa_service.store.accounts import User
from qa_service.store.call_facts import Scope
from qa_service.store.db import Database
from qa_service.store.migrate import upgrade
from tests.kpi_month import insert_month

NOVEMBER = parse_period("2026-11")
T1, T2 = ["a1", "a2", "a3"], ["a4", "a5", "a6"]


def settings(**fields) -> Settings:
    return Settings(_env_file=None, **fields)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('kpi') / 'qa.db'}")
    upgrade(db)
    with db.session() as session:
        insert_month(session)
    yield db
    db.dispose()


@pytest.mark.parametrize(
    ("fields", "overrides", "expected"),
    [
        ({}, {}, (7, 0.2, 10, 3, 6)),
        ({"kpi_fcr_window_days": 3, "kpi_trend_periods": 2}, {}, (3, 0.2, 10, 3, 2)),
        ({"kpi_fcr_window_days": 3}, {"fcr_window_days": 5}, (5, 0.2, 10, 3, 6)),
        # None leaves the setting as it is: the API passes every parameter, given or not.
        ({"kpi_aht_min_calls": 4}, {"aht_min_calls": None}, (7, 0.2, 4, 3, 6)),
    ],
)
def test_options_come_from_the_settings(fields, overrides, expected):
    o = options_from_settings(settings(**fields), **overrides)
    found = (o.fcr_window_days, o.aht_threshold, o.aht_min_calls, o.baseline_periods)
    assert (*found, o.trend_periods) == expected


@pytest.mark.parametrize(
    ("tiers", "expected"),
    [
        ("A:85,B:70,C:55,D:0", (("A", 85.0), ("B", 70.0), ("C", 55.0), ("D", 0.0))),
        ("", (("A", 85.0), ("B", 70.0), ("C", 55.0), ("D", 0.0))),  # empty: the default
        ("low:0,top:90", (("top", 90.0), ("low", 0.0))),
    ],
)
def test_tiers_setting(tiers, expected):
    assert options_from_settings(settings(kpi_tiers=tiers)).tiers == expected


def test_weights_setting_drops_and_reweighs_components():
    components = options_from_settings(settings(kpi_weights="csat=0,qa_score=2")).components
    weights = {c.kpi: c.weight for c in components}
    assert "csat" not in weights
    assert weights["qa_score"] == 2.0
    assert len(components) == len(DEFAULT_COMPONENTS) - 1


@pytest.mark.parametrize(
    ("scope", "by", "keys"),
    [
        (Scope(), "agent", T1 + T2),
        (Scope(teams=["T2"]), "agent", T2),
        (Scope(agent_ids=["a3"]), "agent", ["a3"]),
        (Scope(), "team", ["T1", "T2"]),
    ],
)
def test_report_rows_follow_scope_and_grouping(db, scope, by, keys):
    with db.session() as session:
        report = period_report(session, settings(), period=NOVEMBER, by=by, scope=scope)
    assert sorted(r.key for r in report.rows) == keys
    assert report.period.label == "2026-11"


def test_asked_options_override_the_settings(db):
    with db.session() as session:
        report = period_report(
            session,
            # A tier for every agent, however few their calls (the small-sample badge aside).
            settings(kpi_fcr_window_days=7, kpi_tier_min_calls=1),
            period=NOVEMBER,
            fcr_days=3,
            weights="qa_score=1",
            tiers="all:0",
        )
    assert report.to_dict()["fcr_window_days"] == 3
    assert [c.kpi for c in report.options.components if c.weight == 1.0] == ["qa_score"]
    assert {r.tier for r in report.rows if r.composite is not None} == {"all"}


@pytest.mark.parametrize(
    ("asked", "error"),
    [({"weights": "speed=1"}, "cannot read weight"), ({"tiers": "top=90"}, "cannot read tier")],
)
def test_bad_options_are_input_errors(db, asked, error):
    with db.session() as session, pytest.raises(InputError, match=error):
        period_report(session, settings(), period=NOVEMBER, **asked)


def test_csv_and_xlsx_exports(db):
    with db.session() as session:
        report = period_report(session, settings(), period=NOVEMBER, by="team")
    as_csv = export_report(report, "csv")
    assert as_csv.filename == "kpi-2026-11-team.csv"
    assert as_csv.headers == {"Content-Disposition": 'attachment; filename="kpi-2026-11-team.csv"'}
    assert as_csv.media_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["rank", "team", "team", "tier"]
    assert sorted(r[1] for r in rows[1:]) == ["T1", "T2"]
    book = load_workbook(io.BytesIO(export_report(report, "xlsx").data))
    assert book.sheetnames == ["KPIs", "History", "Definitions"]
    with pytest.raises(ValueError, match="json"):
        export_report(report, "json")


def test_definitions_name_every_column():
    found = {d["kpi"]: d for d in definitions()}
    assert found["qa_score"]["better"] == "higher"
    assert found["complaint_rate"]["better"] == "lower"
    assert set(next(iter(found.values()))) == {"kpi", "label", "unit", "better", "description"}


def _user(role: str, team: str | None = None, agent_id: str | None = None) -> User:
    return User(username="u", role=role, team=team, agent_id=agent_id, password_hash="x")


@pytest.mark.parametrize(
    ("user", "asked", "by", "expected"),
    [
        (_user("admin"), Scope(teams=["T2"]), "team", Scope(teams=["T2"])),
        (_user("qa"), Scope(), "queue", Scope()),
        (_user("supervisor", team="T1"), Scope(), "agent", Scope(teams=["T1"])),
        (_user("supervisor", team="T1"), Scope(teams=["T2"]), "team", Scope(teams=[])),
        (_user("supervisor"), Scope(), "agent", Scope(teams=[])),  # no team: nothing
        (_user("agent", agent_id="a1"), Scope(), "agent", Scope(agent_ids=["a1"])),
        (_user("agent", agent_id="a1"), Scope(agent_ids=["a2"]), "agent", Scope(agent_ids=[])),
    ],
)
def test_kpi_scope(user, asked, by, expected):
    assert kpi_scope(user, asked, by) == expected


@pytest.mark.parametrize(
    ("user", "by"), [(_user("agent", agent_id="a1"), "team"), (_user("auditor"), "agent")]
)
def test_kpi_scope_refuses(user, by):
    with pytest.raises(ForbiddenError):
        kpi_scope(user, Scope(), by)
