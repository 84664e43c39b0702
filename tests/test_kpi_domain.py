"""KPI maths against hand-computed values: rates, FCR, handling time, scorecard, periods."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qa_service.config import Settings
from qa_service.domain.kpi import (
    KPIS,
    Contact,
    fcr_rate,
    handling_anomaly,
    handling_baseline,
    handling_change,
    kpi_def,
    net_promoter_score,
    ratio,
    repeat_followed,
    sentiment_recovered,
)
from qa_service.domain.kpi_scorecard import (
    DEFAULT_COMPONENTS,
    Component,
    composite_score,
    parse_tiers,
    parse_weights,
    rank,
    tier_of,
    trend,
)
from qa_service.domain.periods import parse_period, period_containing
from qa_service.errors import InputError

T0 = datetime(2026, 11, 1, 9, 0)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(3, 4, 0.75), (0, 5, 0.0), (1, 3, 0.3333), (2, 0, None), (None, 5, None), (5, None, None)],
)
def test_ratio(part, whole, expected):
    assert ratio(part, whole) == expected


@pytest.mark.parametrize(
    ("promoters", "detractors", "responses", "expected"),
    [(5, 2, 10, 30.0), (0, 4, 4, -100.0), (3, 3, 9, 0.0), (1, 0, 3, 33.33), (0, 0, 0, None)],
)
def test_net_promoter_score(promoters, detractors, responses, expected):
    assert net_promoter_score(promoters, detractors, responses) == expected


def _contacts() -> list[Contact]:
    """Customer A calls on days 0, 2 and 10; B on days 1 and 6; C once; one unknown caller."""
    day = timedelta(days=1)
    return [
        Contact("a0", "A", T0),
        Contact("a2", "A", T0 + 2 * day),
        Contact("a10", "A", T0 + 10 * day),
        Contact("b1", "B", T0 + day),
        Contact("b6", "B", T0 + 6 * day),
        Contact("c3", "C", T0 + 3 * day),
        Contact("x4", None, T0 + 4 * day),
    ]


@pytest.mark.parametrize(
    ("window_days", "expected"),
    [
        (1, set()),
        (2, {"a0"}),  # exactly the window counts as a repeat
        (3, {"a0"}),
        (5, {"a0", "b1"}),
        (7, {"a0", "b1"}),
        (8, {"a0", "a2", "b1"}),
    ],
)
def test_repeat_followed(window_days, expected):
    assert repeat_followed(_contacts(), timedelta(days=window_days)) == expected


@pytest.mark.parametrize(
    ("window_days", "as_of", "expected"),
    [
        (3, None, 0.8333),  # 6 calls with a customer, a0 repeated: 5/6
        (7, None, 0.6667),  # a0 and b1 repeated: 4/6
        # On day 8 with a 7-day window only a0 and b1 have had their window pass.
        (7, T0 + timedelta(days=8), 0.0),
        (3, T0 + timedelta(days=5), 0.6667),  # a0, b1, a2 decidable (c3 not); a0 repeated
        (3, T0, None),
    ],
)
def test_fcr_rate(window_days, as_of, expected):
    contacts = _contacts()
    assert fcr_rate(contacts, contacts, window_days, as_of) == expected


def test_fcr_sees_repeats_after_the_period():
    """A call at the end of a period is a repeat-follow if the customer called in the next."""
    contacts = _contacts()
    in_first_days = [c for c in contacts if c.started_at < T0 + timedelta(days=2)]
    assert fcr_rate(in_first_days, contacts, 7) == 0.0  # a0 and b1 both repeated later
    assert fcr_rate(in_first_days, in_first_days, 7) == 1.0  # blind to what came after


@pytest.mark.parametrize(
    ("previous", "expected"),
    [
        ([(1000.0, 5), (6000.0, 20)], (280.0, 25)),  # call-weighted, not 250
        ([], (None, 0)),
        ([(0.0, 0), (900.0, 3)], (300.0, 3)),
    ],
)
def test_handling_baseline(previous, expected):
    assert handling_baseline(previous) == expected


@pytest.mark.parametrize(
    ("total_s", "calls", "previous", "kind", "change"),
    [
        (2400.0, 10, [(3000.0, 10)], "rushed", -0.2),  # exactly 20% below
        (2500.0, 10, [(3000.0, 10)], None, None),
        (3700.0, 10, [(3000.0, 10)], "slow", 0.2333),
        (2000.0, 9, [(3000.0, 10)], None, None),  # too few calls this period
        (2000.0, 10, [(1500.0, 5)], None, None),  # too short a baseline
        (1400.0, 10, [(1000.0, 5), (6000.0, 20)], "rushed", -0.5),  # 140 s vs 280 s
        (2000.0, 10, [], None, None),
    ],
)
def test_handling_anomaly(total_s, calls, previous, kind, change):
    found = handling_anomaly(total_s, calls, previous, threshold=0.2, min_calls=10)
    assert (found.kind if found else None) == kind
    assert (found.change if found else None) == change


@pytest.mark.parametrize(
    ("total_s", "calls", "previous", "expected"),
    [(2400.0, 10, [(3000.0, 10)], -0.2), (300.0, 1, [], None), (0.0, 0, [(10.0, 1)], None)],
)
def test_handling_change(total_s, calls, previous, expected):
    assert handling_change(total_s, calls, previous) == expected


@pytest.mark.parametrize(
    ("was_negative", "end_score", "expected"),
    [
        (True, 0.3, True),
        (True, 0.0, True),
        (True, -0.1, False),
        (False, -0.5, None),
        (None, 0.5, None),
        (True, None, None),
    ],
)
def test_sentiment_recovered(was_negative, end_score, expected):
    assert sentiment_recovered(was_negative, end_score) == expected


TWO = (Component("qa_score", 0.5, 60.0, 95.0), Component("fcr_rate", 0.5, 0.5, 0.9))


@pytest.mark.parametrize(
    ("values", "components", "expected"),
    [
        ({"qa_score": 81.0, "fcr_rate": 0.8}, TWO, 67.5),  # 60 and 75
        ({"qa_score": 81.0, "fcr_rate": None}, TWO, 60.0),  # half the weight is enough
        ({"qa_score": 100.0, "fcr_rate": 0.3}, TWO, 50.0),  # clamped to 100 and 0
        ({"fcr_rate": None}, TWO, None),
        ({"complaint_rate": 0.05}, (Component("complaint_rate", 1.0, 0.2, 0.0),), 75.0),
        (
            {"qa_score": 88.0, "complaint_rate": 0.1},
            (Component("qa_score", 3.0, 60.0, 95.0), Component("complaint_rate", 1.0, 0.2, 0.0)),
            72.5,  # (80 * 3 + 50) / 4
        ),
    ],
)
def test_composite_score(values, components, expected):
    assert composite_score(values, components) == expected


def test_composite_leaves_out_thin_data():
    # Only qa_score (weight 0.3 of 1.0) known: under half the weight, no composite.
    assert composite_score({"qa_score": 90.0}, DEFAULT_COMPONENTS) is None


def test_parse_weights():
    chosen = parse_weights("qa_score=0.6, csat=0")
    by_kpi = {c.kpi: c.weight for c in chosen}
    assert by_kpi["qa_score"] == 0.6
    assert "csat" not in by_kpi
    assert by_kpi["fcr_rate"] == 0.15


@pytest.mark.parametrize("text", ["qa_score", "speed=1", "qa_score=x", "qa_score=-1"])
def test_parse_weights_rejects(text):
    with pytest.raises(InputError):
        parse_weights(text)


def test_parse_weights_refuses_all_zero():
    everything = ",".join(f"{c.kpi}=0" for c in DEFAULT_COMPONENTS)
    with pytest.raises(InputError, match="every"):
        parse_weights(everything)


@pytest.mark.parametrize(
    ("score", "expected"),
    [(92.0, "A"), (85.0, "A"), (84.9, "B"), (70.0, "B"), (55.0, "C"), (12.0, "D"), (None, None)],
)
def test_tier_of(score, expected):
    # The default tiers, as the settings write them (A:85,B:70,C:55,D:0).
    assert tier_of(score, parse_tiers(Settings.model_fields["kpi_tiers"].default)) == expected


def test_parse_tiers_orders_and_rejects():
    assert parse_tiers("low:0,top:90,mid:60") == (("top", 90.0), ("mid", 60.0), ("low", 0.0))
    assert tier_of(30.0, parse_tiers("top:90,mid:60")) is None
    for text in ("top=90", ""):
        with pytest.raises(InputError):
            parse_tiers(text)


@pytest.mark.parametrize(
    ("values", "higher", "expected"),
    [
        ({"a": 90.0, "b": 80.0, "c": 85.0}, True, {"a": 1, "c": 2, "b": 3}),
        ({"a": 80.0, "b": 90.0, "c": 90.0, "d": 70.0}, True, {"b": 1, "c": 1, "a": 3, "d": 4}),
        ({"a": 0.1, "b": 0.3, "c": None}, False, {"a": 1, "b": 2}),
    ],
)
def test_rank(values, higher, expected):
    assert rank(values, higher) == expected


@pytest.mark.parametrize(
    ("kpi", "series", "delta", "slope", "direction", "improving"),
    [
        ("qa_score", [70.0, 72.0, 74.0], 2.0, 2.0, "up", True),
        ("complaint_rate", [0.1, 0.08, 0.06], -0.02, -0.02, "down", True),
        ("qa_score", [80.0, None, 76.0], -4.0, -2.0, "down", False),
        ("qa_score", [80.0, 80.2, 80.0], -0.2, 0.0, "flat", None),
        ("aht_s", [300.0, 330.0, 360.0], 30.0, 30.0, "up", None),  # neither way is better
        ("qa_score", [None, 75.0], None, None, None, None),
    ],
)
def test_trend(kpi, series, delta, slope, direction, improving):
    found = trend(kpi, series)
    assert (found.delta, found.slope, found.direction, found.improving) == (
        delta,
        slope,
        direction,
        improving,
    )


def test_every_kpi_is_defined_and_documented():
    assert len({k.id for k in KPIS}) == len(KPIS)
    for k in KPIS:
        assert k.label and len(k.description) > 20, k.id
    assert kpi_def("dim:courtesy").unit == "score"
    for c in DEFAULT_COMPONENTS:
        assert kpi_def(c.kpi).higher_is_better is not None, c.kpi


@pytest.mark.parametrize(
    ("label", "start", "end", "granularity"),
    [
        ("2026-11", datetime(2026, 11, 1), datetime(2026, 12, 1), "month"),
        ("2026-12", datetime(2026, 12, 1), datetime(2027, 1, 1), "month"),
        ("2026-W45", datetime(2026, 11, 2), datetime(2026, 11, 9), "week"),
        ("2026-11-05", datetime(2026, 11, 5), datetime(2026, 11, 6), "day"),
        ("2026-Q4", datetime(2026, 10, 1), datetime(2027, 1, 1), "quarter"),
        ("2026", datetime(2026, 1, 1), datetime(2027, 1, 1), "year"),
    ],
)
def test_parse_period(label, start, end, granularity):
    period = parse_period(label)
    assert (period.start, period.end, period.granularity) == (start, end, granularity)
    assert period.label == label


def test_period_walks():
    nov = parse_period("2026-11")
    assert [p.label for p in nov.previous(3)] == ["2026-08", "2026-09", "2026-10"]
    assert nov.next().label == "2026-12"
    assert parse_period("2027-01").previous()[0].label == "2026-12"
    assert period_containing(datetime(2026, 11, 30, 23, 59), "week").label == "2026-W49"
    assert parse_period("2026-W01").previous()[0].label == "2025-W52"


@pytest.mark.parametrize("label", ["2026-13", "Nov 2026", "2026-W54", "2026-Q5", "2026-02-30"])
def test_parse_period_rejects(label):
    with pytest.raises(InputError):
        parse_period(label)


def test_readme_documents_every_kpi_and_setting():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for k in KPIS:
        assert f"`{k.id}`" in readme, k.id
    for name in Settings.model_fields:
        if name.startswith(("kpi_", "retention_")) or name == "import_root":
            assert f"`QA_{name.upper()}`" in readme, name
