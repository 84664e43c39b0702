"""Rules that cannot judge a call say so (metrics.not_evaluated) instead of guessing."""

from __future__ import annotations

import pytest

from tests.rules_helpers import pack, rule, run, transcript

CLOSING = rule(
    "missing_phrase",
    category="closing_missing",
    role="agent",
    window={"last_turns": 2, "skip_first_turns": 1},
    params={"phrases": ["再见", "感谢您的来电"]},
)
GREETING = rule(
    "missing_phrase",
    category="greeting_missing",
    role="agent",
    window={"first_turns": 2},
    params={"phrases": ["您好"]},
)
EMPATHY = rule(
    "conditional",
    category="empathy_missing",
    params={
        "when": {"role": "customer", "phrases": ["投诉"]},
        "then": {"role": "agent", "phrases": ["抱歉"], "within_turns": 2},
    },
)
AGENT_NEGATIVE = rule(
    "sentiment", category="agent_negative", role="agent", params={"label": "negative"}
)
NEGATIVE = {"label": "negative", "score": -0.95, "probs": {"negative": 0.95}}


def unjudged(outcome) -> set[str]:
    return {n["category"] for n in outcome.metrics["not_evaluated"]}


def found(outcome) -> set[str]:
    return {f.category for f in outcome.findings}


@pytest.mark.parametrize(
    ("the_rule", "turns", "category"),
    [
        (CLOSING, [("agent", "您好"), ("customer", "我的宽带断了")], "closing_missing"),
        (CLOSING, [("customer", "在吗"), ("agent", "您好，请讲")], "closing_missing"),
        (GREETING, [("customer", "喂？"), ("customer", "有人吗")], "greeting_missing"),
        (GREETING, [("customer", "喂？"), ("agent", "  ")], "greeting_missing"),  # no words
        (EMPATHY, [("agent", "您好"), ("customer", "我要投诉你们")], "empathy_missing"),
        (AGENT_NEGATIVE, [("customer", "你好")], "agent_negative"),
    ],
)
def test_no_speech_of_the_role_is_not_evaluated(the_rule, turns, category) -> None:
    outcome = run(pack(the_rule), transcript(*turns))
    assert category in unjudged(outcome)
    assert category not in found(outcome)
    assert outcome.score.total == 100.0


@pytest.mark.parametrize(
    ("the_rule", "turns", "category"),
    [
        (
            CLOSING,
            [("agent", "您好"), ("customer", "断网了"), ("agent", "已为您报修")],
            "closing_missing",
        ),
        (GREETING, [("customer", "喂？"), ("agent", "喂，说")], "greeting_missing"),
        (EMPATHY, [("customer", "我要投诉"), ("agent", "好"), ("agent", "嗯")], "empathy_missing"),
    ],
)
def test_with_speech_the_rule_judges(the_rule, turns, category) -> None:
    outcome = run(pack(the_rule), transcript(*turns))
    assert category in found(outcome)
    assert category not in unjudged(outcome)


def test_a_trigger_answered_later_is_judged_and_an_unanswered_last_one_is_not() -> None:
    turns = [("customer", "我要投诉"), ("agent", "好"), ("customer", "我还要投诉")]
    params = {**EMPATHY["params"], "scope": "each"}
    outcome = run(pack({**EMPATHY, "params": params}), transcript(*turns))
    assert [f.evidence["utterance"] for f in outcome.findings] == [0]
    assert "empathy_missing" not in unjudged(outcome)  # one verdict stands


def test_count_by_utterance_needs_enough_utterances() -> None:
    courtesy = rule(
        "count",
        category="courtesy_low",
        role="agent",
        params={"phrases": ["谢谢"], "min": 2, "unit": "utterance"},
    )
    one = run(pack(courtesy), transcript(("agent", "好的")))
    assert "courtesy_low" in unjudged(one) and not one.findings
    two = run(pack(courtesy), transcript(("agent", "好的"), ("agent", "嗯")))
    assert "courtesy_low" in found(two)


def test_speech_rate_and_talk_ratio_need_enough_talk() -> None:
    rules = [
        rule("speech_rate", category="speech_rate", role="agent", params={"max_rate": 100}),
        rule("talk_ratio", category="talk_ratio", role="agent", params={"max": 0.5}),
    ]
    outcome = run(pack(*rules, categories=["talk_ratio"]), transcript(("agent", "您好")))
    assert {"speech_rate", "talk_ratio"} <= unjudged(outcome)


@pytest.mark.parametrize(
    ("text", "questions", "fires"),
    [
        ("重新连接也会这样吗？", "auto", False),  # a diagnostic question, not a bad mood
        ("您好，请问您附近的用户也有同样情况吗？", "auto", False),
        ("重新连接也会这样吗？", "count", True),
        ("这个我也没办法。", "auto", True),
        ("您这么说我也没办法，您自己看着办吧！", "auto", True),
    ],
)
def test_agent_negative_skips_questions(text: str, questions: str, fires: bool) -> None:
    the_rule = {**AGENT_NEGATIVE, "params": {"label": "negative", "questions": questions}}
    tr = transcript(("customer", "网断了"), ("agent", text))
    for utt in tr.utterances:
        utt.sentiment = NEGATIVE
    outcome = run(pack(the_rule), tr)
    assert ("agent_negative" in found(outcome)) is fires
    if not fires:
        assert "agent_negative" in unjudged(outcome)  # every agent turn was a question


def test_customer_negative_questions_still_count() -> None:
    the_rule = rule("sentiment", category="customer_negative", role="customer")
    tr = transcript(("customer", "怎么又断网了？"), ("agent", "您好"))
    tr.utterances[0].sentiment = NEGATIVE
    assert "customer_negative" in found(run(pack(the_rule), tr))


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("这个业务我们办不了", True),
        ("那您那边办理不了吗？", False),
        ("能不能办不了也要试试？", False),
        ("你自己去网上查吧", True),
    ],
)
def test_deflection_rule_skips_questions_by_default(text: str, fires: bool) -> None:
    the_rule = rule("phrase", role="agent", params={"phrases": ["办不了", "自己去网上查"]})
    outcome = run(pack(the_rule), transcript(("customer", "我想办业务"), ("agent", text)))
    assert ("deflection" in found(outcome)) is fires


def test_complaint_rule_counts_questions_by_default() -> None:
    the_rule = rule("phrase", category="complaint", role="customer", params={"phrases": ["投诉"]})
    outcome = run(pack(the_rule), transcript(("customer", "我能投诉你们吗？")))
    assert "complaint" in found(outcome)
