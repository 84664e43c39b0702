"""The default packs on the labelled calls, through the real pipeline and the real ASR.

Per category precision and recall >= 0.9 against the human labels in ../shared/data/calls,
and every resolved call without deflection or rude language scores above every call with
them. Phrase categories are judged per call; interruptions and silences per event.
"""

from __future__ import annotations

import pytest

from qa_service.analysis.inspect import InspectionOutcome
from qa_service.domain.results import CallResult
from tests.conftest import CALLS_DIR, call_truth
from tests.rules_helpers import check

pytestmark = pytest.mark.slow

CALL_CATEGORIES = (
    "greeting_missing",
    "closing_missing",
    "deflection",
    "forbidden_phrase",
    "empathy_missing",
    "risk_disclosure_missing",
    "complaint",
)
EVENT_CATEGORIES = ("interruption", "silence")
MIN_PRECISION = MIN_RECALL = 0.9
# How far a finding may sit from the labelled moment an agent started talking over.
INTERRUPTION_TOLERANCE_S = 1.0
SILENCE_MIN_S = 5.0


def expected(labels: dict, category: str) -> bool:
    return {
        "greeting_missing": not labels["greeting"],
        "closing_missing": not labels["closing"],
        "deflection": bool(labels["deflection"]),
        "forbidden_phrase": bool(labels["forbidden"]),
        # Empathy is owed after a complaint or a negative customer.
        "empathy_missing": labels["customer_negative"] and not labels["empathy"],
        # Labelled only on calls that sell a financial product.
        "risk_disclosure_missing": labels.get("risk_disclosure") is False,
        "complaint": bool(labels.get("complaint")),
    }[category]


@pytest.fixture(scope="module")
def outcomes(analyzed_calls: dict[str, CallResult]) -> dict[str, InspectionOutcome]:
    """The default pack on each call's ASR transcript, as the pipeline runs it."""
    return {call_id: check(result.transcript) for call_id, result in analyzed_calls.items()}


def precision_recall(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


@pytest.mark.parametrize("category", CALL_CATEGORIES)
def test_call_level_precision_and_recall(outcomes, category: str) -> None:
    tp = fp = fn = 0
    wrong = []
    for call_id, outcome in outcomes.items():
        found = any(f.category == category for f in outcome.findings)
        truth = expected(call_truth(call_id)["labels"], category)
        tp += found and truth
        fp += found and not truth
        fn += truth and not found
        if found != truth:
            wrong.append(f"{call_id}: found={found} labelled={truth}")
    precision, recall = precision_recall(tp, fp, fn)
    assert tp + fn > 0, f"no call is labelled {category}"
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, (precision, recall, wrong)


def labelled_events(call_id: str, category: str) -> list[tuple[float, float]]:
    events = call_truth(call_id)["events"]
    if category == "interruption":
        return [(e["at"], e["at"]) for e in events["interruptions"] if e["by"] == "agent"]
    return [(e["start"], e["end"]) for e in events["silences"] if e["dur_s"] >= SILENCE_MIN_S]


def matches(category: str, finding, event: tuple[float, float]) -> bool:
    if category == "interruption":
        return abs(finding.start - event[0]) <= INTERRUPTION_TOLERANCE_S
    return finding.start < event[1] and finding.end > event[0]  # the spans overlap


def match_events(findings, call_id: str, category: str) -> tuple[int, int, int]:
    """(tp, fp, fn) of one call's findings of ``category`` against its labelled events."""
    unmatched = [f for f in findings if f.category == category]
    tp = fn = 0
    for event in labelled_events(call_id, category):
        hit = next((f for f in unmatched if matches(category, f, event)), None)
        if hit is None:
            fn += 1
        else:
            tp += 1
            unmatched.remove(hit)
    return tp, len(unmatched), fn


@pytest.mark.parametrize("category", EVENT_CATEGORIES)
def test_event_level_precision_and_recall(outcomes, category: str) -> None:
    tp = fp = fn = 0
    for call_id, outcome in outcomes.items():
        found, extra, missed = match_events(outcome.findings, call_id, category)
        tp, fp, fn = tp + found, fp + extra, fn + missed
    precision, recall = precision_recall(tp, fp, fn)
    assert tp + fn > 0
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, (precision, recall, tp, fp, fn)


def test_good_calls_score_above_calls_with_deflection_or_rudeness(outcomes) -> None:
    good, bad = {}, {}
    for call_id, outcome in outcomes.items():
        labels = call_truth(call_id)["labels"]
        if labels["deflection"] or labels["forbidden"]:
            bad[call_id] = outcome.score.total
        elif labels["resolved"]:
            good[call_id] = outcome.score.total
    assert good and bad
    assert min(good.values()) > max(bad.values()), (good, bad)


def test_every_lost_point_points_at_a_finding(outcomes) -> None:
    for outcome in outcomes.values():
        for entry in outcome.score.items:
            if entry.get("not_evaluated"):
                continue  # an addition granted because its rule could not run
            finding = outcome.findings[entry["finding"]]
            assert finding.category == entry["category"]
            assert finding.evidence or finding.text


def test_the_pipeline_fills_findings_score_and_metrics(analyzed_calls, outcomes) -> None:
    """What ``analyze`` returns is what the checks make of its transcript."""
    for call_id, result in analyzed_calls.items():
        mine = outcomes[call_id]
        assert result.score.total == mine.score.total, call_id
        assert [f.to_dict() for f in result.findings] == [f.to_dict() for f in mine.findings]
        assert result.metrics["talk_ratio_agent"] == mine.metrics["talk_ratio_agent"]
        assert result.metrics["silence_total_s"] == mine.metrics["silence_total_s"]


@pytest.fixture(scope="module")
def mono_call(engines) -> CallResult:
    from qa_service.analysis.pipeline import analyze_file

    return analyze_file(CALLS_DIR / "zh-logistics-deflect.mono.wav", None, engines)


def test_mono_recording_says_what_it_could_not_evaluate(mono_call: CallResult) -> None:
    outcome = check(mono_call.transcript)
    skipped = {note["category"] for note in outcome.metrics["not_evaluated"]}
    assert "interruption" in skipped
    assert outcome.metrics["interruptions_by_agent"] is None
    assert not any(f.category == "interruption" for f in outcome.findings)
    # What one channel does show is still checked.
    assert outcome.findings and outcome.score.total is not None
