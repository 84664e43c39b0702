"""Scorecards: deductions and additions per dimension, caps, critical items, traceability."""

from __future__ import annotations

import pytest

from qa_service.domain.results import Finding
from qa_service.domain.rulepack import PackInvalid, build_scorecard
from qa_service.domain.scoring import score_call
from tests.rules_helpers import standard_scorecard

CARD = build_scorecard(
    {
        "scorecard": "t",
        "critical_score": 0,
        "dimensions": [
            {"id": "attitude", "weight": 60},
            {"id": "feedback", "weight": 40, "base": 80},
        ],
        "items": [
            {
                "id": "greet",
                "dimension": "attitude",
                "categories": ["greeting_missing"],
                "points": -10,
                "per": "call",
            },
            {
                "id": "buck",
                "dimension": "attitude",
                "categories": ["deflection"],
                "points": -15,
                "max_points": 20,
            },
            {"id": "praise", "dimension": "feedback", "rules": ["praise"], "points": 10},
            {
                "id": "rude",
                "dimension": "attitude",
                "categories": ["forbidden_phrase"],
                "points": -30,
                "critical": True,
            },
            {"id": "quiet", "dimension": "feedback", "categories": ["silence"], "points": -5},
        ],
    }
)


def finding(category: str, rule_id: str | None = None, severity: str = "major", start=1.0):
    return Finding(rule_id or category, category, severity, "agent", start, start + 1, "text")


def test_no_findings_scores_the_bases() -> None:
    score = score_call([], CARD)
    assert score.dimensions["attitude"]["score"] == 100
    assert score.dimensions["feedback"]["score"] == 80
    assert score.total == pytest.approx((100 * 60 + 80 * 40) / 100)
    assert not score.critical_failed and score.items == []


@pytest.mark.parametrize(
    ("findings", "attitude", "feedback"),
    [
        ([finding("greeting_missing")], 90, 80),
        ([finding("greeting_missing"), finding("greeting_missing")], 90, 80),  # per call
        ([finding("deflection")], 85, 80),
        ([finding("deflection", start=t) for t in (1, 5, 9)], 80, 80),  # capped at 20
        # A phrase rule and the act model hearing the same refusal: one event, one deduction.
        ([finding("deflection", "phrase"), finding("deflection", "act", start=1.5)], 85, 80),
        ([finding("praise")], 100, 90),  # an added point
        ([finding("silence", severity="info")], 100, 80),  # info costs nothing
        ([finding("silence", severity="minor")], 100, 75),
    ],
)
def test_dimension_scores(findings, attitude: float, feedback: float) -> None:
    score = score_call(findings, CARD)
    assert score.dimensions["attitude"]["score"] == attitude
    assert score.dimensions["feedback"]["score"] == feedback
    assert score.total == pytest.approx(round((attitude * 60 + feedback * 40) / 100, 1))


def test_every_point_points_at_its_finding() -> None:
    findings = [
        finding("greeting_missing", start=0.0),
        finding("deflection", start=5.0),
        finding("deflection", start=9.0),
    ]
    score = score_call(findings, CARD)
    lost = sum(-e["points"] for e in score.items if e["points"] < 0)
    assert lost == pytest.approx(100 - score.dimensions["attitude"]["score"])
    for entry in score.items:
        assert findings[entry["finding"]].category == entry["category"]
        assert findings[entry["finding"]].start == entry["start"]
    assert [e["points"] for e in score.items if e["item"] == "buck"] == [-15, -5]


def test_critical_item_fails_the_call() -> None:
    score = score_call([finding("forbidden_phrase")], CARD)
    assert score.critical_failed
    assert score.total == 0
    assert score.dimensions["attitude"]["score"] == 70  # the breakdown still shows why


def test_dimensions_are_clamped() -> None:
    score = score_call([finding("deflection")] * 3 + [finding("forbidden_phrase")] * 5, CARD)
    assert score.dimensions["attitude"]["score"] >= 0


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ({"dimensions": [{"id": "a", "weight": 1}], "items": []}, "at least 1 item"),
        (
            {
                "dimensions": [{"id": "a", "weight": 0}],
                "items": [{"id": "i", "dimension": "a", "categories": ["silence"], "points": -1}],
            },
            "greater than 0",
        ),
        (
            {
                "dimensions": [{"id": "a", "weight": 1}],
                "items": [{"id": "i", "dimension": "b", "categories": ["silence"], "points": -1}],
            },
            "names dimension 'b'",
        ),
        (
            {
                "dimensions": [{"id": "a", "weight": 1}],
                "items": [{"id": "i", "dimension": "a", "points": -1}],
            },
            "needs 'categories' or 'rules'",
        ),
        (
            {
                "dimensions": [{"id": "a", "weight": 1}],
                "items": [{"id": "i", "dimension": "a", "categories": ["silence"], "points": 0}],
            },
            "must be critical",
        ),
        (
            {
                "dimensions": [{"id": "a", "weight": 1}, {"id": "a", "weight": 2}],
                "items": [{"id": "i", "dimension": "a", "categories": ["silence"], "points": -1}],
            },
            "used twice",
        ),
    ],
)
def test_scorecard_validation(card: dict, message: str) -> None:
    with pytest.raises(PackInvalid) as info:
        build_scorecard({"scorecard": "bad", **card})
    assert any(message in p.message for p in info.value.problems)


def test_standard_scorecard_weights_follow_the_classic_split() -> None:
    card = standard_scorecard()
    weights = {d.id: d.weight for d in card.dimensions}
    assert sum(weights.values()) == 100
    assert 30 <= weights["service_attitude"] <= 40
    assert 20 <= weights["business_capability"] <= 30
    assert weights["efficiency"] == 20
    assert 20 <= weights["customer_feedback"] <= 30
    critical = {c for item in card.items if item.critical for c in item.categories}
    assert critical == {"forbidden_phrase", "risk_disclosure_missing"}
