"""The customer-outcome check: how the customer's sentiment ends, its share, its trajectory."""

from __future__ import annotations

import pytest

from qa_service.analysis.packs import load_pack
from qa_service.domain.checks.outcome import polarity, trajectory
from qa_service.domain.transcript import Transcript
from tests.rules_helpers import pack, rule, run, standard_scorecard, transcript


def mood(value: float) -> dict:
    """A sentiment dict as the engine writes it, for polarity ``value`` (-1 to 1)."""
    neg, pos = max(0.0, -value), max(0.0, value)
    probs = {"negative": neg, "neutral": 1.0 - neg - pos, "positive": pos}
    label = max(probs, key=probs.__getitem__)
    return {"label": label, "score": round(pos - neg, 4), "probs": probs}


def call(*customer: float, agent: float = 0.0) -> Transcript:
    """Customer and agent taking turns; each customer turn has the given polarity."""
    turns = []
    for k in range(len(customer)):
        turns += [("customer", f"客户的第{k}句话"), ("agent", "好的，我来帮您处理")]
    tr = transcript(*turns)
    values = iter(customer)
    for utt in tr.utterances:
        utt.sentiment = mood(next(values) if utt.role == "customer" else agent)
    return tr


def outcome_pack(measure: str, category: str = "customer_end_negative", **params):
    return pack(
        rule(
            "sentiment_outcome",
            category,
            role="customer",
            params={"measure": measure, **params},
        ),
        categories=[category],
    )


def only(outcome):
    assert len(outcome.findings) <= 1
    return outcome.findings[0] if outcome.findings else None


@pytest.mark.parametrize(
    ("sentiment", "value"),
    [
        (None, None),
        ({}, None),
        ({"label": "negative", "score": -0.7, "probs": {"negative": 0.8, "positive": 0.1}}, -0.7),
        ({"label": "positive", "score": 0.6}, 0.6),
        ({"label": "neutral", "score": 0.9}, 0.0),
        ({"label": "negative", "score": -3}, -1.0),
    ],
)
def test_polarity(sentiment, value) -> None:
    got = polarity(sentiment)
    assert got == (None if value is None else pytest.approx(value))


@pytest.mark.parametrize(
    ("count", "edge"), [(1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (6, 2), (7, 3), (9, 3)]
)
def test_thirds_round_up_and_never_overlap_from_two(count: int, edge: int) -> None:
    path = trajectory([float(i) for i in range(count)], list(range(count)))
    assert path.edge == edge
    if count >= 2:
        assert 2 * path.edge <= count


@pytest.mark.parametrize(
    ("customer", "grade"),
    [
        ((-0.8, -0.6, -0.1), None),  # ends above -0.2
        ((-0.1, -0.1, -0.6), 0.5),  # (-0.2 - -0.6) / 0.8
        ((0.5, -1.0), 1.0),
        ((-0.2,), None),  # exactly on the threshold
        ((-0.6,), 0.5),  # one utterance is both start and end
        ((-0.9, -0.9, -0.9, -0.9, -0.3, -0.3), 0.125),  # last third = the last two
    ],
)
def test_end_mood_is_graded_from_the_threshold(customer, grade) -> None:
    found = only(run(outcome_pack("end", max_score=-0.2), call(*customer)))
    if grade is None:
        assert found is None
        return
    assert found.category == "customer_end_negative" and found.role == "customer"
    assert found.evidence["grade"] == pytest.approx(grade, abs=1e-3)
    assert found.evidence["mood_end"] < -0.2


@pytest.mark.parametrize(
    ("customer", "grade"),
    [
        ((-0.8, 0.6), 0.5),  # (0.6 - 0.2) / 0.8
        ((-0.8, 1.0), 1.0),
        ((0.9, 0.2), None),  # exactly on the threshold
        ((0.9, 0.9, -0.1, -0.1), None),  # the last third is the last two
    ],
)
def test_satisfied_end(customer, grade) -> None:
    found = only(run(outcome_pack("satisfied", "customer_satisfied"), call(*customer)))
    if grade is None:
        assert found is None
        return
    assert found.evidence["grade"] == pytest.approx(grade, abs=1e-3)
    assert found.start == found.end - 3.0  # the last third: the last utterance


@pytest.mark.parametrize(
    ("customer", "grade"),
    [
        ((-0.9, 0.0, 0.0, 0.0), None),  # a quarter negative
        ((-0.9, -0.9, 0.0, 0.0), 0.0),  # half: on the threshold, costs nothing
        ((-0.9, -0.9, -0.9, 0.0), 0.5),
        ((-0.9, -0.9, -0.9, -0.9), 1.0),
        ((-0.5, -0.5, -0.5, -0.5), None),  # labelled negative but under the 0.6 confidence
    ],
)
def test_negative_share(customer, grade) -> None:
    found = only(run(outcome_pack("negative_share", "customer_negative_share"), call(*customer)))
    if grade is None:
        assert found is None
        return
    assert found.evidence["grade"] == pytest.approx(grade)
    assert 0.5 <= found.evidence["share"] <= 1


@pytest.mark.parametrize(
    ("customer", "measure", "grade"),
    [
        ((-0.8, -0.7, 0.3), "recovered", 0.47059),  # +1.1 rise: (1.1 - 0.3) / 1.7
        ((-0.8, -0.7, 0.2), "recovered", None),  # the end not above min_end: less upset, not calm
        ((-0.9, -0.9, -0.1), "recovered", None),  # a +0.8 rise that still ends negative
        ((-0.8, 0.9), "recovered", 0.82353),
        ((-0.1, 0.9), "recovered", None),  # did not start upset
        ((-0.8, -0.6), "recovered", None),  # a small rise
        ((0.4, -0.4), "worsened", 0.29412),  # -0.8: (0.8 - 0.3) / 1.7
        ((0.4, 0.3), "worsened", None),
        ((-0.4, 0.4), "worsened", None),
    ],
)
def test_trajectory(customer, measure: str, grade) -> None:
    category = f"customer_{measure}"
    found = only(run(outcome_pack(measure, category), call(*customer)))
    if grade is None:
        assert found is None
        return
    assert found.evidence["grade"] == pytest.approx(grade, abs=1e-3)
    assert found.evidence["change"] == pytest.approx(
        found.evidence["mood_end"] - found.evidence["mood_start"], abs=1e-3
    )


@pytest.mark.parametrize("measure", ["worsened", "recovered"])
def test_one_utterance_has_no_trajectory(measure: str) -> None:
    outcome = run(outcome_pack(measure, f"customer_{measure}"), call(-0.9))
    assert outcome.findings == []
    assert outcome.metrics["not_evaluated"] == []  # measured: nothing moved


@pytest.mark.parametrize("measure", ["end", "satisfied", "negative_share", "recovered"])
def test_no_speech_of_the_role_is_not_evaluated(measure: str) -> None:
    tr = call(0.5)
    for utt in tr.utterances:
        utt.role = "agent"
    outcome = run(outcome_pack(measure, f"customer_{measure}"), tr)
    assert outcome.findings == []
    assert "no customer speech" in outcome.metrics["not_evaluated"][0]["reason"]


def test_not_evaluated_without_sentiment() -> None:
    tr = transcript(("customer", "你们怎么回事"), ("agent", "您好"))
    outcome = run(outcome_pack("end"), tr)
    assert outcome.findings == []
    assert "no sentiment" in outcome.metrics["not_evaluated"][0]["reason"]


def test_only_the_roles_words_count() -> None:
    tr = call(0.2, 0.1, agent=-0.95)
    assert run(outcome_pack("end"), tr).findings == []


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("bad measure", {"measure": "average"}),
        ("no measure", {}),
        ("share above 1", {"measure": "negative_share", "min_share": 1.5}),
        ("score below -1", {"measure": "end", "max_score": -2}),
        ("unknown key", {"measure": "end", "threshold": 0.1}),
    ],
)
def test_parameters_are_bounded(name: str, params: dict) -> None:
    from qa_service.domain.rulepack import PackInvalid

    with pytest.raises(PackInvalid):
        pack(
            rule("sentiment_outcome", "customer_end_negative", params=params),
            categories=["customer_end_negative"],
        )


@pytest.mark.parametrize("name", ["zh-default", "en-default"])
def test_default_packs_score_a_happy_ending_above_an_unhappy_one(name: str) -> None:
    rule_pack = load_pack(name)
    assert rule_pack.scorecard.scorecard == standard_scorecard().scorecard
    happy = run(rule_pack, call(-0.8, -0.3, 0.7))
    unhappy = run(rule_pack, call(-0.1, -0.85, -0.95))
    assert {f.category for f in happy.findings} >= {"customer_recovered", "customer_satisfied"}
    assert {f.category for f in unhappy.findings} >= {
        "customer_end_negative",
        "customer_negative_share",
        "customer_worsened",
    }
    assert happy.score.total - unhappy.score.total >= 15
