"""Every KPI of the generated month against hand-computed values, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qa_service.config import Settings
from qa_service.domain.periods import parse_period
from qa_service.errors import InputError
from qa_service.features.kpi.service import kpi_report, options_from_settings
from qa_service.store.call_facts import Scope
from tests.kpi_month import BACKENDS, month_database

pytest_plugins = ["tests.service_fixtures"]

AFTER_ALL = datetime(2027, 1, 1, tzinfo=UTC)
NOVEMBER = parse_period("2026-11")

# Worked out by hand from tests/kpi_month.py (FCR window 7 days, every window passed).
EXPECTED = {
    "a1": {
        "calls": 20,
        "qa_score": 81.5,  # (10 x 90 + 9 x 70 + 100 reviewed) / 20
        "compliance_rate": 0.9,
        "critical_failures": 2,
        "fcr_rate": 0.9,  # repeats after 2 and 5 days; the 9-day one is outside
        "aht_s": 300.0,
        "complaint_rate": 0.2,  # the overturned complaint does not count
        "negative_rate": 0.3,  # 5 by sentiment + 1 by finding
        "recovery_rate": 0.6667,  # 3 ending at +0.2 and the finding-only one at +0.5, of 6
        "silence_ratio": 0.1,
        "interruption_rate": 0.25,
        "csat": 4.5,
        "nps": 14.29,  # 3 promoters - 2 detractors of 7
        "dispute_rate": 0.15,
        "overturn_rate": 0.5,  # the open dispute is not ruled yet
        "dim:courtesy": 80.0,
        "dim:compliance": 90.0,
        "aht_change": None,
    },
    "a2": {
        "calls": 20,
        "qa_score": 85.0,
        "compliance_rate": 1.0,
        "critical_failures": 0,
        "fcr_rate": 0.9444,  # 18 with a customer, call 5's customer is call 6: 17 / 18
        "aht_s": 240.0,
        "complaint_rate": 0.0,
        "negative_rate": 0.1,
        "recovery_rate": 1.0,
        "silence_ratio": 0.05,
        "interruption_rate": 0.0,
        "csat": None,
        "nps": None,
        "dispute_rate": 0.0,
        "overturn_rate": None,
        "dim:courtesy": 85.0,
        "dim:compliance": 100.0,
        "aht_change": None,
    },
    "a3": {
        "calls": 20,
        "qa_score": 70.0,
        "compliance_rate": 0.8,
        "critical_failures": 4,
        "fcr_rate": 0.9,  # exactly 3 and exactly 7 days are repeats, 8 days is not
        "aht_s": 300.0,
        "complaint_rate": 0.1,
        "negative_rate": 0.2,
        "recovery_rate": 0.25,
        "silence_ratio": 0.2,
        "interruption_rate": 0.5,
        "csat": 2.5,
        "nps": -100.0,
        "dispute_rate": 0.1,
        "overturn_rate": 0.0,
        "dim:courtesy": 70.0,
        "dim:compliance": 80.0,
        "aht_change": -0.25,  # 300 s against 400 s in October
    },
    "a4": {
        "calls": 20,
        "qa_score": 95.0,
        "compliance_rate": 1.0,
        "critical_failures": 0,
        "fcr_rate": 0.95,  # the Nov 30 caller came back on Dec 2
        "aht_s": 330.0,
        "complaint_rate": 0.05,
        "negative_rate": 0.0,
        "recovery_rate": None,
        "silence_ratio": 0.0,
        "interruption_rate": 0.05,
        "csat": 5.0,
        "nps": 100.0,
        "dispute_rate": 0.05,
        "overturn_rate": 1.0,
        "dim:courtesy": 95.0,
        "dim:compliance": 100.0,
        "aht_change": 0.1,
    },
    "a5": {
        "calls": 5,
        "qa_score": 56.0,  # 60, 50, 60, 50, 60
        "compliance_rate": 0.8,
        "critical_failures": 1,
        "fcr_rate": 1.0,
        "aht_s": 188.0,  # 140 x 3 + 260 x 2 over 5
        "complaint_rate": 0.4,
        "negative_rate": 0.2,
        "recovery_rate": 0.0,
        "silence_ratio": 0.1064,  # 100 / 940
        "interruption_rate": 0.4,
        "csat": 1.0,
        "nps": None,
        "dispute_rate": 0.0,
        "overturn_rate": None,
        "dim:courtesy": 56.0,
        "dim:compliance": 80.0,
        "aht_change": None,
    },
    "a6": {
        "calls": 20,
        "qa_score": 85.0,
        "compliance_rate": 0.95,
        "critical_failures": 1,
        "fcr_rate": 1.0,
        "aht_s": 360.0,
        "complaint_rate": 0.15,
        "negative_rate": 0.1,
        "recovery_rate": 0.5,
        "silence_ratio": 0.1,
        "interruption_rate": 0.2,
        "csat": 4.0,
        "nps": 50.0,
        "dispute_rate": 0.0,
        "overturn_rate": None,
        "dim:courtesy": 85.0,
        "dim:compliance": 95.0,
        "aht_change": 0.0,
    },
}
EXPECTED_TEAMS = {
    "T1": {
        "calls": 60,
        "qa_score": 78.83,  # (1630 + 1700 + 1400) / 60
        "compliance_rate": 0.9,  # 54 / 60
        "critical_failures": 6,
        "fcr_rate": 0.9138,  # 53 / 58
        "aht_s": 280.0,  # (6000 + 4800 + 6000) / 60
        "complaint_rate": 0.1,
        "overturn_rate": 0.25,  # 1 overturned of 4 ruled
    },
    "T2": {
        "calls": 45,
        "qa_score": 86.22,  # (1900 + 280 + 1700) / 45
        "compliance_rate": 0.9556,  # 43 / 45
        "critical_failures": 2,
        "fcr_rate": 0.9778,  # 44 / 45
        "aht_s": 327.6,  # (6600 + 940 + 7200) / 45
        "complaint_rate": 0.1333,  # 6 / 45
        "overturn_rate": 1.0,
    },
}


@pytest.fixture(scope="module", params=BACKENDS)
def month_db(request, tmp_path_factory):
    yield from month_database(request, tmp_path_factory)


def _options(**overrides):
    # The settings' own defaults: the figures below are worked out for them (7-day FCR).
    return options_from_settings(Settings(_env_file=None), **overrides)


def _report(db, by="agent", **options):
    with db.session() as session:
        return kpi_report(
            session,
            period=NOVEMBER,
            by=by,
            scope=Scope(),
            options=_options(as_of=AFTER_ALL, **options),
        )


@pytest.mark.parametrize("agent", sorted(EXPECTED))
def test_agent_kpis(month_db, agent):
    report = _report(month_db)
    row = next(r for r in report.rows if r.key == agent)
    assert {k: row.values.get(k) for k in EXPECTED[agent]} == EXPECTED[agent]
    assert row.team == ("T1" if agent in {"a1", "a2", "a3"} else "T2")


def test_only_analysed_november_calls_count(month_db):
    report = _report(month_db)
    assert sorted(r.key for r in report.rows) == sorted(EXPECTED)  # not x-other, not December


@pytest.mark.parametrize("team", sorted(EXPECTED_TEAMS))
def test_team_kpis(month_db, team):
    row = next(r for r in _report(month_db, by="team").rows if r.key == team)
    assert {k: row.values.get(k) for k in EXPECTED_TEAMS[team]} == EXPECTED_TEAMS[team]


@pytest.mark.parametrize(
    ("window", "expected"),
    [(3, {"a1": 0.95, "a2": 0.9444, "a3": 0.95, "a4": 0.95}), (7, {"a1": 0.9, "a3": 0.9})],
)
def test_fcr_window(month_db, window, expected):
    rows = {r.key: r for r in _report(month_db, fcr_window_days=window).rows}
    assert {k: rows[k].values["fcr_rate"] for k in expected} == expected


def test_fcr_waits_for_the_window(month_db):
    """On Nov 10 with a 7-day window only calls up to Nov 3 can be judged."""
    as_of = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    with month_db.session() as session:
        report = kpi_report(
            session, period=NOVEMBER, by="agent", scope=Scope(), options=_options(as_of=as_of)
        )
    rows = {r.key: r.values["fcr_rate"] for r in report.rows}
    # a1: calls of Nov 1 and 2 at 09:00 and Nov 3 at 09:00 (window ends Nov 10 09:00): 3 judged,
    # the first two repeated. a4 starts on Nov 11: nothing to judge yet.
    assert rows["a1"] == 0.3333
    assert rows["a4"] is None


def test_handling_time_anomaly(month_db):
    rows = {r.key: r for r in _report(month_db).rows}
    assert rows["a3"].anomaly is not None
    assert (rows["a3"].anomaly.kind, rows["a3"].anomaly.baseline_s) == ("rushed", 400.0)
    assert rows["a4"].anomaly is None  # +10% is within the 20% threshold
    flagged = {k for k, r in rows.items() if r.anomaly}
    assert flagged == {"a3"}
    assert _report(month_db, aht_threshold=0.05).rows  # a4's +10% now counts as slow
    slow = {r.key: r.anomaly for r in _report(month_db, aht_threshold=0.05).rows if r.anomaly}
    assert slow["a4"].kind == "slow"


def test_composite_rank_and_tiers(month_db):
    rows = {r.key: r for r in _report(month_db).rows}
    # a1: 0.3 x 61.43 + 0.2 x 50 + 0.15 x 100 + 0.1 x 83.33 + 0.1 x 0 + 0.05 x 28.57
    #     + 0.05 x 77.78 + 0.05 x 0 = 57.08
    assert rows["a1"].composite == 57.1
    assert rows["a1"].tier == "C"
    # a2, no CSAT and no disputes (weight 0.85 present): (21.43 + 20 + 15 + 10 + 4.29 + 5) / 0.85
    assert rows["a2"].composite == 89.1
    assert rows["a2"].tier == "A"
    # a3: 0.3 x 28.57 + 0 + 15 + 0 + 0.1 x 50 + 0.05 x 57.14 + 0.05 x 8.33 + 0.05 x 100 = 36.85
    assert rows["a3"].composite == 36.8
    assert rows["a3"].tier == "D"
    ranked = sorted(rows.values(), key=lambda r: r.rank)
    assert [r.composite for r in ranked] == sorted((r.composite for r in ranked), reverse=True)
    # a5: only FCR (100) and negative rate (57.14) score; no overturns: (15 + 2.86) / 0.95
    assert rows["a5"].composite == 18.8
    assert (rows["a5"].rank, rows["a3"].rank) == (6, 5)


def test_trends_over_periods(month_db):
    report = _report(month_db)
    assert report.periods == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    a3 = next(r for r in report.rows if r.key == "a3")
    assert a3.history["qa_score"] == [None, None, None, None, 80.0, 70.0]
    assert a3.history["aht_s"] == [None, None, None, None, 400.0, 300.0]
    assert (a3.trends["qa_score"].delta, a3.trends["qa_score"].improving) == (-10.0, False)


def test_scope_limits_rows(month_db):
    def scoped(scope):
        with month_db.session() as session:
            options = _options(as_of=AFTER_ALL)
            return kpi_report(session, period=NOVEMBER, by="agent", scope=scope, options=options)

    assert sorted(r.key for r in scoped(Scope(teams=["T2"])).rows) == ["a4", "a5", "a6"]
    assert [r.key for r in scoped(Scope(agent_ids=["a2"])).rows] == ["a2"]
    # The scope limits the calls judged, not the contacts: a1's repeats still count.
    assert scoped(Scope(agent_ids=["a1"])).rows[0].values["fcr_rate"] == 0.9


def test_queue_grouping(month_db):
    rows = {r.key: r for r in _report(month_db, by="queue").rows}
    # billing: a1's 10 even calls, all 20 of a3, all 20 of a6; tech: a1's odd 10, a4, a5's 3.
    assert {k: r.values["calls"] for k, r in rows.items()} == {
        "billing": 50,
        "tech": 33,
        "sales": 22,
    }


def test_small_samples_get_no_tier(month_db):
    # a5 has 5 calls in November, fewer than the default 10 of QA_KPI_TIER_MIN_CALLS.
    rows = {r.key: r for r in _report(month_db).rows}
    assert rows["a5"].values["calls"] < Settings().kpi_tier_min_calls
    assert rows["a5"].small_sample and rows["a5"].tier is None
    assert rows["a5"].rank is not None, "still ranked"
    assert all(r.tier and not r.small_sample for k, r in rows.items() if k != "a5")
    rows = {r.key: r for r in _report(month_db, tier_min_calls=1).rows}
    assert rows["a5"].tier == "D" and not rows["a5"].small_sample
    with pytest.raises(InputError):
        _options(tier_min_calls=0)


def test_headline_is_all_rows_together_with_the_period_before(month_db):
    by_agent, by_team = _report(month_db), _report(month_db, by="team")
    headline = by_agent.headline
    assert headline == by_team.headline, "the same figures however the rows are grouped"
    assert headline["calls"]["value"] == sum(r.values["calls"] for r in by_agent.rows)
    october = NOVEMBER.previous(1)[0]
    with month_db.session() as session:
        before = kpi_report(
            session,
            period=october,
            by="agent",
            scope=Scope(),
            options=_options(as_of=AFTER_ALL),
        ).headline
    for kpi, figures in headline.items():
        assert figures["previous"] == before[kpi]["value"], kpi
        if figures["value"] is not None and figures["previous"] is not None:
            assert figures["delta"] == pytest.approx(figures["value"] - figures["previous"])
    assert headline["calls"]["previous"] > 0, "the month's data has October calls"
