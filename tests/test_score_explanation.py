""" "Why is my score 0?": the score explains its arithmetic (critical cap, dimensions kept
within 0-100, findings that counted less than their item's points, and why)."""

from __future__ import annotations

import pytest

from qa_service.domain.results import CallScore, Finding
from qa_service.domain.score_explanation import explanation_lines
from qa_service.domain.scoring import score_call
from tests.test_scoring_critical import CARD


def finding(category: str, start: float, role: str = "agent", **evidence) -> Finding:
    return Finding(category, category, "major", role, start, start + 1, "t", evidence)


def test_a_critical_failure_shows_the_cap_and_the_score_without_it() -> None:
    score = score_call([finding("forbidden_phrase", 1.0), finding("deflection", 5.0)], CARD)
    explanation = score.explanation
    assert score.critical_failed and score.total == 10.0
    critical = explanation["critical"]
    assert critical["cap"] == 10.0 and critical["without_critical"] == score.without_critical
    assert [c["item"] for c in critical["items"]] == ["rude"]
    # attitude 100 - 40 - 10 = 50, feedback 100: weighted 75 before the cap.
    assert explanation["weighted_total"] == 75.0
    assert [(d["id"], d["raw"], d["score"]) for d in explanation["dimensions"]] == [
        ("attitude", 50.0, 50.0),
        ("feedback", 100.0, 100.0),
    ]
    lines = explanation_lines(explanation)
    assert (
        lines[0]
        == f"critical item failed (forbidden_phrase) -> 10 ({score.without_critical:g} without it)"
    )
    assert score.without_critical == 95.0  # only the deflection's 10 on attitude
    assert "75 = (attitude 50 x 50 + feedback 100 x 50) / 100" in lines[1]


def test_a_dimension_is_kept_within_0_to_100_and_says_so() -> None:
    deflections = [finding("deflection", float(10 * k)) for k in range(12)]
    explanation = score_call(deflections, CARD).explanation
    attitude = explanation["dimensions"][0]
    assert (attitude["moved"], attitude["raw"], attitude["score"]) == (-120.0, -20.0, 0.0)
    assert attitude["clamped"] is True and explanation["dimensions"][1]["clamped"] is False
    assert "attitude: 100 - 120 = -20, kept within 0-100: 0" in explanation_lines(explanation)


def test_findings_that_counted_less_say_why() -> None:
    findings = [
        finding("customer_negative_share", 1.0, "customer"),  # -30 capped at -20
        finding("customer_negative_share", 9.0, "customer"),  # cap reached: 0
        finding("forbidden_phrase", 20.0, "agent", similarity=0.5),  # weak: deducts
        finding("forbidden_phrase", 30.0, "agent", similarity=0.5),  # per call: once
        finding("deflection", 40.0),
        finding("deflection", 40.5),  # the same stretch of speech as the one before
    ]
    explanation = score_call(findings, CARD).explanation
    limited = {
        x["finding"]: (x["points"], x["full_points"], x["reason"])
        for x in explanation["limited_findings"]
    }
    assert limited == {
        0: (-20.0, -30.0, "max_points"),
        1: (0.0, -30.0, "max_points"),
        3: (0.0, -40.0, "per_call"),
        5: (0.0, -10.0, "same_event"),
    }
    lines = explanation_lines(explanation)
    assert (
        "finding 2 (customer_negative_share): 0 of -30 points counted, "
        "the item's cap of 20 points was reached" in lines
    )
    assert any(line.startswith("finding 6 (deflection)") and "same event" in line for line in lines)


@pytest.mark.parametrize("findings", [[], [finding("deflection", 1.0)]])
def test_the_explanation_travels_with_the_stored_score(findings: list[Finding]) -> None:
    score = score_call(findings, CARD)
    again = CallScore.from_dict(score.to_dict())
    assert again.explanation == score.explanation
    assert score.explanation["total"] == score.total
    assert score.explanation["critical"] is None and not explanation_lines(score.explanation)[
        0
    ].startswith("critical")
    assert explanation_lines(CallScore.from_dict({"total": 80}).explanation) == []
