"""How the customer leaves is their last turn: end_turns, skip_questions, min_turns, unless_after.

The blind audit of findings on real helpdesk chats (bench/README.md) found the customer's end
read from the last third of the chat (which follows an angry opening), plain questions taken
as an unhappy ending, an angry opening alone taken as a negative share, and a thanks that goes
on to a new demand taken as contentment. Each test has a case where the finding must hold and
one where it must not.
"""

from __future__ import annotations

import pytest

from qa_service.analysis.packs import load_pack
from qa_service.domain.transcript import Transcript
from tests.rules_helpers import pack, rule, run, transcript

NEG_ACTS = {"acts": ["complaint", "escalation", "rudeness"], "min_probability": 0.5}


def mood(value: float) -> dict:
    neg, pos = max(0.0, -value), max(0.0, value)
    probs = {"negative": neg, "neutral": 1.0 - neg - pos, "positive": pos}
    return {"label": max(probs, key=probs.__getitem__), "score": pos - neg, "probs": probs}


def chat(*turns: tuple[str, str, float | None, dict | None]) -> Transcript:
    """(role, text, polarity, acts) messages in order; consecutive ones of a role are a turn."""
    tr = transcript(*[(role, text) for role, text, _, _ in turns])
    for utt, (_, _, value, acts) in zip(tr.utterances, turns, strict=True):
        utt.sentiment = None if value is None else mood(value)
        if acts is not None:
            utt.extra["acts"] = acts
    return tr


def outcome(measure: str, category: str, **params) -> object:
    return pack(
        rule("sentiment_outcome", category, role="customer", params={"measure": measure, **params}),
        categories=[category],
    )


def found(rules: object, tr: Transcript):
    findings = run(rules, tr).findings
    assert len(findings) <= 1
    return findings[0] if findings else None


ANGRY_THEN_CALM = (
    ("customer", "网又断了", -0.9, None),
    ("customer", "你们到底管不管", -0.9, None),
    ("customer", "太过分了", -0.9, None),
    ("agent", "请提供账号", None, None),
    ("customer", "账号发给你了", -0.9, None),
    ("customer", "一直连不上", -0.9, None),
    ("agent", "已为您重置", None, None),
    ("customer", "现在可以上网了", 0.0, None),
)


@pytest.mark.parametrize(("end_turns", "fires"), [(None, True), (1, False)])
def test_the_end_is_the_last_turn_not_the_last_third(end_turns: int | None, fires: bool) -> None:
    params = {"max_score": -0.3} | ({"end_turns": end_turns} if end_turns else {})
    finding = found(outcome("end", "customer_end_negative", **params), chat(*ANGRY_THEN_CALM))
    assert (finding is not None) is fires


def test_a_last_turn_of_several_messages_is_averaged() -> None:
    tr = chat(
        ("customer", "手机怎么设置", 0.0, None),
        ("agent", "请打开设置", None, None),
        ("customer", "还是不行", -0.9, None),
        ("customer", "太差了", -0.9, None),
        ("customer", "算了", 0.0, None),
    )
    finding = found(outcome("end", "customer_end_negative", max_score=-0.3, end_turns=1), tr)
    assert finding is not None
    assert finding.evidence["mood_end"] == pytest.approx(-0.6, abs=1e-3)
    assert finding.evidence["first_utterance"] == 2


@pytest.mark.parametrize(
    ("last", "acts", "fires"),
    [
        ("重启以后还会这样吗？", {"complaint": 0.1}, False),  # a plain question asks
        ("你们就是这样服务的吗？", {"complaint": 0.9}, True),  # a rhetorical complaint
        ("重启以后还是这样", {"complaint": 0.1}, True),  # a statement is the mood
    ],
)
def test_a_mere_question_is_no_ending_mood(last: str, acts: dict, fires: bool) -> None:
    tr = chat(
        ("customer", "网断了", -0.9, None),
        ("agent", "请重启", None, None),
        ("customer", last, -0.9, acts),
    )
    rules = outcome(
        "end",
        "customer_end_negative",
        max_score=-0.6,
        end_turns=1,
        skip_questions=True,
        keep_questions_with=NEG_ACTS,
    )
    assert (found(rules, tr) is not None) is fires


@pytest.mark.parametrize(
    ("second", "fires"),
    [(0.0, False), (-0.9, True)],  # only the opening angry / angry again later
)
def test_an_angry_opening_alone_is_not_a_negative_share(second: float, fires: bool) -> None:
    tr = chat(
        ("customer", "你们怎么回事", -0.9, None),
        ("customer", "又断网了", -0.9, None),
        ("agent", "请提供账号", None, None),
        ("customer", "账号是这个", second, None),
    )
    rules = outcome("negative_share", "customer_negative_share", min_score=0.8, min_turns=2)
    assert (found(rules, tr) is not None) is fires


@pytest.mark.parametrize(
    ("last_turn", "fires"),
    [
        ((("谢谢，已经好了", 0.8, {"thanks": 0.9}),), True),
        ((("谢谢", 0.8, {"thanks": 0.9}), ("但是费用还是没退", 0.3, {"complaint": 0.8})), False),
        ((("谢谢，那什么时候能修好？", 0.5, {"thanks": 0.9, "question": 0.8}),), False),
        (  # a demand between two thanks: the customer is still pressing
            (
                ("谢谢，但我希望得到更具体的答复", 0.5, {"thanks": 0.8, "complaint": 0.7}),
                ("已经发邮件了，谢谢", 0.8, {"thanks": 0.9}),
            ),
            False,
        ),
    ],
)
def test_thanks_followed_by_a_demand_is_not_contentment(last_turn: tuple, fires: bool) -> None:
    tr = chat(
        ("customer", "网断了", -0.9, {"complaint": 0.6}),
        ("agent", "已为您修复", None, None),
        *[("customer", text, value, acts) for text, value, acts in last_turn],
    )
    rules = outcome(
        "satisfied",
        "customer_satisfied",
        min_end=0.2,
        end_turns=1,
        corroborate={"acts": ["thanks", "resolution"], "min_probability": 0.5},
        unless_after=NEG_ACTS,
    )
    assert (found(rules, tr) is not None) is fires


@pytest.mark.parametrize("name", ["zh-default", "en-default"])
def test_default_packs_judge_the_last_turn(name: str) -> None:
    params = {r.id: r.params for r in load_pack(name).rules}
    assert params["customer-end-mood"].end_turns == 1
    assert params["customer-end-mood"].skip_questions is True
    assert params["customer-satisfied"].unless_after is not None
    assert params["customer-negative-share"].min_turns == 2
