"""Graded items, critical items that need strong evidence, and the score without them."""

from __future__ import annotations

import pytest

from qa_service.cli.render import render_text
from qa_service.domain.results import CallResult, CallScore, Finding
from qa_service.domain.rulepack import build_scorecard
from qa_service.domain.scoring import finding_grade, score_call, strong_evidence
from tests.rules_helpers import standard_scorecard, transcript

CARD = build_scorecard(
    {
        "scorecard": "t",
        "critical_score": 10,
        "dimensions": [
            {"id": "attitude", "weight": 50},
            {"id": "feedback", "weight": 50},
        ],
        "items": [
            {
                "id": "rude",
                "dimension": "attitude",
                "categories": ["forbidden_phrase"],
                "points": -40,
                "per": "call",
                "critical": True,
            },
            {"id": "buck", "dimension": "attitude", "categories": ["deflection"], "points": -10},
            {
                "id": "mood",
                "dimension": "feedback",
                "categories": ["customer_end_negative"],
                "points": -50,
                "graded": True,
                "per": "call",
            },
            {
                "id": "calmer",
                "dimension": "feedback",
                "categories": ["customer_recovered"],
                "points": 20,
                "graded": True,
                "min_severity": "info",
            },
            {
                "id": "share",
                "dimension": "feedback",
                "categories": ["customer_negative_share"],
                "points": -30,
                "graded": True,
                "max_points": 20,
            },
        ],
    }
)


def finding(category: str, severity: str = "major", start: float = 1.0, **evidence) -> Finding:
    return Finding(category, category, severity, "customer", start, start + 1, "t", evidence)


@pytest.mark.parametrize(
    ("evidence", "grade"),
    [
        ({}, 1.0),
        ({"grade": 0.25}, 0.25),
        ({"grade": 0}, 0.0),
        ({"grade": 1.7}, 1.0),
        ({"grade": -0.3}, 0.0),
        ({"grade": "high"}, 1.0),
        ({"grade": True}, 1.0),
        ({"grade": float("nan")}, 1.0),
    ],
)
def test_grade_is_read_safely(evidence: dict, grade: float) -> None:
    assert finding_grade(finding("x", **evidence)) == grade


@pytest.mark.parametrize(
    ("grade", "feedback"),
    [(0.0, 100.0), (0.1, 95.0), (0.5, 75.0), (0.9, 55.0), (1.0, 50.0)],
)
def test_graded_item_deducts_in_proportion(grade: float, feedback: float) -> None:
    score = score_call([finding("customer_end_negative", grade=grade)], CARD)
    assert score.dimensions["feedback"]["score"] == feedback
    assert score.total == pytest.approx((100 + feedback) / 2, abs=0.05)
    moved = [e for e in score.items if e["item"] == "mood"]
    assert len(moved) == (0 if grade == 0 else 1)


@pytest.mark.parametrize(
    ("end_grade", "recovered_grade", "feedback"),
    [(0.4, 0.0, 80.0), (0.4, 0.5, 90.0), (0.4, 1.0, 100.0), (0.0, 1.0, 100.0)],
)
def test_recovery_earns_back_what_the_mood_cost(
    end_grade: float, recovered_grade: float, feedback: float
) -> None:
    findings = [
        finding("customer_end_negative", grade=end_grade),
        finding("customer_recovered", severity="info", grade=recovered_grade),
    ]
    assert score_call(findings, CARD).dimensions["feedback"]["score"] == feedback


@pytest.mark.parametrize(
    ("grades", "lost"),
    [([0.5], 15.0), ([0.5, 0.5], 20.0), ([1.0], 20.0), ([0.2, 0.2, 0.2], 18.0)],
)
def test_graded_points_respect_max_points(grades: list[float], lost: float) -> None:
    findings = [
        finding("customer_negative_share", start=10.0 * k, grade=g) for k, g in enumerate(grades)
    ]
    assert score_call(findings, CARD).dimensions["feedback"]["lost"] == pytest.approx(lost)


@pytest.mark.parametrize(
    ("evidence", "strong"),
    [
        ({}, True),
        ({"similarity": 1.0}, True),
        ({"similarity": 0.95}, True),
        ({"similarity": 0.94}, False),
        ({"similarity": 0.82, "phrase": "基金", "matched": "机基"}, False),
        ({"trigger": {"similarity": 1.0}}, True),
        ({"trigger": {"similarity": 0.85}}, False),
        ({"similarity": 1.0, "trigger": {"similarity": 0.85}}, False),
        ({"similarity": 1.0, "role_unknown": True}, False),
    ],
)
def test_strong_evidence(evidence: dict, strong: bool) -> None:
    assert strong_evidence(finding("forbidden_phrase", **evidence), 0.95) is strong


def test_critical_item_on_strong_evidence_fails_the_call_and_says_what_it_cost() -> None:
    findings = [
        finding("deflection", start=2.0),
        finding("forbidden_phrase", start=7.5, similarity=1.0),
    ]
    score = score_call(findings, CARD)
    assert score.critical_failed and score.total == 10
    # Without the rude words: attitude 90 (the deflection still counts), feedback 100.
    assert score.without_critical == 95.0
    assert score.critical_items == [
        {
            "item": "rude",
            "rule_id": "forbidden_phrase",
            "category": "forbidden_phrase",
            "finding": 1,
            "start": 7.5,
        }
    ]
    assert score.dimensions["attitude"]["score"] == 50  # the breakdown keeps the deduction
    data = score.to_dict()
    assert data["without_critical"] == 95.0 and data["critical_items"][0]["item"] == "rude"
    assert CallScore.from_dict(data) == score


@pytest.mark.parametrize(
    "evidence",
    [{"similarity": 0.85}, {"trigger": {"similarity": 0.8}}, {"role_unknown": True}],
)
def test_critical_item_on_weak_evidence_only_deducts(evidence: dict) -> None:
    score = score_call([finding("forbidden_phrase", **evidence)], CARD)
    assert not score.critical_failed
    assert score.total == 80.0  # attitude 60, feedback 100
    (entry,) = score.items
    assert entry["weak_evidence"] is True and entry["critical"] is False
    data = score.to_dict()
    assert "without_critical" not in data and "critical_items" not in data


def test_a_call_that_does_not_fail_keeps_the_old_contract() -> None:
    data = score_call([finding("deflection")], CARD).to_dict()
    # The explanation is added to every score; nothing about critical failures is.
    keys = {"total", "dimensions", "critical_failed", "items", "scorecard", "explanation"}
    assert set(data) == keys
    assert CallScore.from_dict(data).without_critical is None


def test_threshold_is_per_item() -> None:
    card = build_scorecard(
        {
            "scorecard": "t",
            "dimensions": [{"id": "a", "weight": 1}],
            "items": [
                {
                    "id": "rude",
                    "dimension": "a",
                    "categories": ["forbidden_phrase"],
                    "points": -40,
                    "critical": True,
                    "critical_min_similarity": 0.8,
                }
            ],
        }
    )
    assert score_call([finding("forbidden_phrase", similarity=0.85)], card).critical_failed


def test_analyze_text_names_the_critical_item_and_the_score_without_it() -> None:
    tr = transcript(("agent", "您好"), ("customer", "你好"))
    findings = [finding("forbidden_phrase", start=3.0, similarity=1.0)]
    result = CallResult("c1", tr, findings=findings, score=score_call(findings, CARD))
    text = render_text(result).splitlines()
    last = next(line for line in text if line.startswith("score "))
    # The arithmetic follows the score line.
    assert text[text.index(last) + 1].startswith("  critical item failed (forbidden_phrase) -> 10")
    assert "CRITICAL FAILURE: rude (forbidden_phrase at 00:03.0)" in last
    assert "; 100.0 without it" in last
    assert last.startswith("score 10.0")


def test_standard_scorecard_weighs_the_customer_outcome() -> None:
    card = standard_scorecard()
    feedback = [i for i in card.items if i.dimension == "customer_feedback"]
    graded = {c for i in feedback if i.graded for c in i.categories}
    assert graded >= {
        "customer_end_negative",
        "customer_ends_positive",
        "customer_satisfied",
        "customer_negative_share",
        "customer_recovered",
    }
    # A customer who leaves as unhappy as can be costs more than a complaint keyword.
    points = {c: i.points for i in feedback for c in i.categories}
    positive = points["customer_ends_positive"]
    assert points["customer_end_negative"] < points["complaint"] < 0 < positive
    # A settled problem counts on top of the thanks, which the raters reward even without it.
    assert 0 < points["customer_satisfied"] <= positive
    # A neutral outcome leaves room for a content customer to lift the dimension.
    (dim,) = [d for d in card.dimensions if d.id == "customer_feedback"]
    assert dim.base + positive + points["customer_satisfied"] == 100
    assert all(i.critical_min_similarity >= 0.9 for i in card.items if i.critical)


SKIPPED = {"rule_id": "customer-recovered", "category": "customer_recovered", "reason": "x"}


@pytest.mark.parametrize(
    ("findings", "not_evaluated", "feedback", "granted"),
    [
        ([], [], 100.0, False),
        ([finding("customer_end_negative", grade=0.5)], [], 75.0, False),
        # The recovery could not be measured: its 20 points are granted, not withheld.
        ([finding("customer_end_negative", grade=0.5)], [SKIPPED], 95.0, True),
        # Measured after all (a finding exists): scored from the finding.
        (
            [
                finding("customer_recovered", severity="info", grade=0.5),
                finding("customer_end_negative", grade=0.5),
            ],
            [SKIPPED],
            85.0,
            False,
        ),
        # A deduction that was not evaluated never moves anything.
        ([], [{"rule_id": "r", "category": "customer_end_negative"}], 100.0, False),
    ],
)
def test_what_was_not_measured_costs_nothing(
    findings, not_evaluated, feedback: float, granted: bool
) -> None:
    score = score_call(findings, CARD, not_evaluated)
    assert score.dimensions["feedback"]["score"] == feedback
    unmeasured = [e for e in score.items if e.get("not_evaluated")]
    assert bool(unmeasured) is granted
    if granted:
        assert unmeasured[0]["finding"] is None and unmeasured[0]["points"] == 20


def test_text_only_call_reaches_full_customer_feedback_on_the_standard_card() -> None:
    from qa_service.analysis.packs import load_pack
    from tests.rules_helpers import check

    tr = transcript(("agent", "您好，请问有什么可以帮您？"), ("customer", "查一下话费"))
    outcome = check(tr, load_pack("zh-default"))
    assert {n["category"] for n in outcome.metrics["not_evaluated"]} >= {"customer_satisfied"}
    assert outcome.score.dimensions["customer_feedback"]["score"] == 100.0
