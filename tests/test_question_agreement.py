"""Reviewers' agreement with the model's answers per question, and the thresholds their
verdicts (or a bench's labels) point to."""

from __future__ import annotations

import pytest

from qa_service.domain.question_agreement import (
    ReviewedAnswer,
    choose_threshold,
    question_agreement,
    reviewed_label,
)


def answers(rule_id: str, verdicts: str, answer: str = "yes", p_yes: float | None = None):
    """One reviewed answer per letter of ``verdicts``: c confirmed, o overturned."""
    named = {"c": "confirmed", "o": "overturned"}
    return [ReviewedAnswer(rule_id, f"{rule_id}?", answer, named[v], p_yes) for v in verdicts]


@pytest.mark.parametrize(
    ("answer", "verdict", "label"),
    [
        ("yes", "confirmed", 1),
        ("yes", "overturned", 0),
        ("no", "confirmed", 0),
        ("no", "overturned", 1),
        ("not_applicable", "overturned", None),
        ("not_applicable", "confirmed", None),
    ],
)
def test_a_verdict_is_a_label_of_what_the_answer_should_have_been(answer, verdict, label) -> None:
    assert reviewed_label(answer, verdict) == label


def test_questions_are_ranked_by_agreement_and_flagged_under_the_bar() -> None:
    found = question_agreement(
        answers("q-good", "ccccc") + answers("q-bad", "ccooo") + answers("q-few", "oo"),
        min_agreement=0.8,
        min_reviews=4,
    )
    assert [q.rule_id for q in found] == ["q-bad", "q-good", "q-few"]
    bad, good, few = found
    assert (bad.confirmed, bad.overturned, bad.agreement) == (2, 3, 0.4)
    assert bad.needs_rewording and not good.needs_rewording
    # Two overturns are not enough reviews to call the question bad.
    assert few.agreement == 0.0 and not few.needs_rewording
    assert bad.to_dict()["agreement"] == 0.4 and bad.to_dict()["reviewed"] == 5


def test_the_verdicts_suggest_the_threshold_that_agrees_with_the_reviewers() -> None:
    # The model said "yes" at p 0.55-0.64 and reviewers overturned every one under 0.60;
    # its "no" answers at 0.40-0.49 were all confirmed.
    rows = [
        ReviewedAnswer("q", "?", "yes", "overturned" if p < 0.6 else "confirmed", p)
        for p in (0.55, 0.56, 0.57, 0.58, 0.59, 0.60, 0.61, 0.62, 0.63, 0.64)
    ] + [ReviewedAnswer("q", "?", "no", "confirmed", 0.40 + k / 100) for k in range(10)]
    (only,) = question_agreement(rows, min_agreement=0.8, min_reviews=5)
    suggested = only.suggested_threshold
    assert suggested["how"] == "false alarms on at most 5% of the 'no' labels"
    assert 0.59 < suggested["threshold"] <= 0.6 and suggested["answers"] == 20
    # Answers without the model's probabilities (an endpoint backend) suggest nothing.
    (bare,) = question_agreement(answers("q", "cccccoo"), min_agreement=0.8, min_reviews=5)
    assert bare.suggested_threshold is None and bare.needs_rewording


def test_a_balanced_label_set_places_the_cut_where_accuracy_is_best() -> None:
    # Yes-labelled dialogues sit at 0.55-0.64, no-labelled at 0.40-0.58: at 0.5 the model
    # says "yes" to five "no" ones; the best cut, just under every "yes", leaves two.
    yes = [(1, 0.55 + k / 100) for k in range(10)]
    no = [(0, 0.40 + k / 50) for k in range(10)]
    chosen = choose_threshold(yes + no)
    assert chosen["how"] == "best accuracy"
    assert chosen["accuracy"] == 0.9
    assert 0.54 < chosen["threshold"] < 0.55


def test_without_enough_yes_labels_the_cut_bounds_the_false_alarms() -> None:
    # 40 dialogues labelled no, p(yes) 0.50-0.89; 5 % of 40 is 2 false alarms at most.
    no = [(0, 0.50 + k / 100) for k in range(40)]
    chosen = choose_threshold([*no, (1, 0.95)])
    assert chosen["how"].startswith("false alarms")
    assert sum(p >= chosen["threshold"] for _, p in no) == 2
    assert choose_threshold([(1, 0.7)])["threshold"] is None


@pytest.mark.parametrize(
    ("answers", "expected"),
    [(["yes", "yes", "no"], "yes"), (["yes", "no"], None), ([], None), (["no"], "no")],
)
def test_the_reviewers_majority_is_none_on_a_tie(answers, expected) -> None:
    from qa_service.domain.calibration_agreement import majority

    assert majority(answers) == expected


def test_calibration_counts_reviewer_pairs_and_the_model_per_question() -> None:
    from qa_service.domain.calibration_agreement import BlindAnswer, calibration_results

    given = [
        BlindAnswer(1, "q", "ann", "yes"),
        BlindAnswer(1, "q", "bo", "yes"),
        BlindAnswer(1, "q", "cy", "no"),
        BlindAnswer(2, "q", "ann", "no"),
        BlindAnswer(2, "r", "ann", "no"),  # one reviewer: no pair, still compared to the model
    ]
    q, r = calibration_results(given, {(1, "q"): "yes", (2, "r"): "yes"})
    # Call 1: pairs ann-bo agree, ann-cy and bo-cy do not; call 2 has one answer for q.
    assert (q.calls, q.reviewer_pairs, q.reviewer_pairs_agreeing) == (1, 3, 1)
    # The model answered q on call 1 only: two of three reviewers said the same.
    assert q.to_dict()["reviewers_with_model"] == 0.6667
    assert q.to_dict()["majority_with_model"] == 1.0
    assert q.to_dict()["per_reviewer_with_model"] == {"ann": 1.0, "bo": 1.0, "cy": 0.0}
    assert r.to_dict()["reviewers_agreement"] is None and r.to_dict()["reviewers_with_model"] == 0.0


@pytest.mark.parametrize(
    ("evidence", "share"),
    [
        ({"probabilities": {"yes": 0.3, "no": 0.1, "not_applicable": 0.6}}, 0.75),
        ({"probabilities": {"yes": 0.0, "no": 0.0}}, None),
        ({"probabilities": {"yes": "0.3", "no": 0.1}}, None),
        ({"probabilities": ["yes"]}, None),
        ({"answer": "yes"}, None),
        (None, None),
    ],
)
def test_the_yes_share_is_read_only_from_well_formed_probabilities(evidence, share) -> None:
    from qa_service.domain.question_agreement import yes_share

    assert yes_share(evidence) == share
