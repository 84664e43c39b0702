"""Findings people agree with on written chats: sign-offs, courtesy, corroborated sentiment.

A blind audit of findings on real helpdesk chats (bench/README.md) found phone norms on
short written replies (a sign-off thanks not taken as a closing, two courtesy phrases asked
of one reply) and the sentiment model reading plain questions and calm fault reports as
negative. These tests pin each behaviour that answers it, with cases where it must and must
not fire.
"""

from __future__ import annotations

import pytest

from qa_service.analysis.inspect import InspectionOutcome
from qa_service.analysis.packs import load_pack
from qa_service.domain.transcript import Transcript
from qa_service.domain.transcript_json import transcript_from_dict
from tests.rules_helpers import NEG_ACTS, negative, pack, rule, run, scored, transcript


def chat(language: str, *turns: tuple[str, str]) -> Transcript:
    rows = [{"role": role, "text": text} for role, text in turns]
    return transcript_from_dict({"channel": "chat", "language": language, "turns": rows})


def check_chat(language: str, *turns: tuple[str, str]) -> InspectionOutcome:
    return run(load_pack(f"{language}-chat"), chat(language, *turns))


def categories(outcome: InspectionOutcome) -> set[str]:
    return {f.category for f in outcome.findings}


def not_evaluated(outcome: InspectionOutcome) -> set[str]:
    return {n["rule_id"] for n in outcome.metrics["not_evaluated"]}


# --- closings: a written reply signs off with a thanks or an open door ---


@pytest.mark.parametrize(
    ("language", "last_reply", "closed"),
    [
        ("zh", "已经为您处理好了，谢谢！", True),
        ("zh", "问题已记录，感谢您的反馈。", True),
        ("zh", "已经为您处理好了，祝您生活愉快", True),
        ("zh", "已经为您处理好了。", False),
        ("en", "It has been fixed. Thank you!", True),
        ("en", "It has been fixed. Please contact us if you have any other problems.", True),
        ("en", "It has been fixed. Thanks for your feedback.", True),
        ("en", "It has been fixed.", False),
        ("zh", "不用客气，祝您国庆快乐！", True),
        ("zh", "不客气哦~", True),
        ("en", "You're welcome!", True),
        ("en", "My pleasure.", True),
    ],
)
def test_a_chat_sign_off_is_a_closing(language: str, last_reply: str, closed: bool) -> None:
    opening = "您好，请问是什么问题" if language == "zh" else "Hello, what is the problem"
    outcome = check_chat(
        language,
        ("customer", "手机连不上网" if language == "zh" else "My phone cannot connect"),
        ("agent", opening),
        ("customer", "一直这样" if language == "zh" else "It keeps happening"),
        ("agent", last_reply),
    )
    assert ("closing_missing" not in categories(outcome)) is closed


@pytest.mark.parametrize(
    ("language", "last_reply"),
    [
        ("zh", "请您私信提供一下手机号码？"),
        ("en", "Could you send us your account number?"),
    ],
)
def test_no_closing_is_due_while_the_agent_asks(language: str, last_reply: str) -> None:
    outcome = check_chat(
        language,
        ("customer", "手机连不上网" if language == "zh" else "My phone cannot connect"),
        ("agent", "您好" if language == "zh" else "Hello"),
        ("customer", "一直这样" if language == "zh" else "It keeps happening"),
        ("agent", last_reply),
    )
    assert "closing_missing" not in categories(outcome)
    assert "closing-missing" in not_evaluated(outcome)


# --- courtesy: judged on enough writing, and a greeting or apology counts ---

NO_COURTESY = {
    "zh": ["检查一下设置", "重启手机试试", "已经处理了", "系统升级就好"],
    "en": ["Check the settings", "Restart the phone", "It is done", "Update the system"],
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("replies", [1, 2])
def test_courtesy_is_not_judged_on_one_or_two_replies(language: str, replies: int) -> None:
    turns = [
        t
        for reply in NO_COURTESY[language][:replies]
        for t in (("customer", "?"), ("agent", reply))
    ]
    outcome = check_chat(language, *turns)
    assert "courtesy_low" not in categories(outcome)
    assert "courtesy-low" in not_evaluated(outcome)


@pytest.mark.parametrize(
    ("language", "first_reply", "fires"),
    [
        ("zh", "检查一下设置", True),
        ("zh", "您好，检查一下设置", False),
        ("zh", "非常抱歉，检查一下设置", False),
        ("en", "Check the settings", True),
        ("en", "Hello, check the settings", False),
        ("en", "Sorry about that, check the settings", False),
    ],
)
def test_courtesy_on_three_replies(language: str, first_reply: str, fires: bool) -> None:
    replies = [first_reply, *NO_COURTESY[language][1:3]]
    turns = [t for reply in replies for t in (("customer", "?"), ("agent", reply))]
    assert ("courtesy_low" in categories(check_chat(language, *turns))) is fires


@pytest.mark.parametrize("apology", ["很抱歉", "非常抱歉", "对不起"])
def test_a_longer_apology_counts_as_courtesy_in_the_phone_pack(apology: str) -> None:
    tr = transcript(
        ("agent", f"您好，{apology}，系统在升级"),
        ("customer", "那怎么办"),
        ("agent", "明天就好了"),
    )
    assert "courtesy_low" not in categories(run(load_pack("zh-default"), tr))


# --- sentiment findings need the act that makes them true ---


def sentiment_rule(role: str, **params) -> dict:
    return rule("sentiment", f"{role}_negative", role=role, params={"label": "negative", **params})


@pytest.mark.parametrize(
    ("text", "acts", "fires"),
    [
        ("你们的服务太差了，我要投诉", {"complaint": 0.9}, True),
        ("手机开机后屏幕一直黑着", {"complaint": 0.2}, False),  # a calm fault report
        ("手机开机后屏幕一直黑着", None, True),  # no act scores: sentiment alone decides
        ("重启以后还会这样吗？", {"complaint": 0.9}, False),  # a question is not a mood
    ],
)
def test_customer_negative_needs_a_complaint(text: str, acts: dict | None, fires: bool) -> None:
    tr = scored(("agent", "您好", None, None), ("customer", text, negative(), acts))
    rules = pack(
        sentiment_rule("customer", questions="skip", corroborate=NEG_ACTS),
        categories=["customer_negative"],
    )
    assert bool(run(rules, tr).findings) is fires


@pytest.mark.parametrize(
    ("text", "acts", "fires"),
    [
        ("您是否在室内使用，信号本身比较弱", {"rudeness": 0.05, "deflection": 0.1}, False),
        ("亲 上传编号给我一下吧~", {"rudeness": 0.02, "deflection": 0.05}, False),
        ("这种问题别来烦我", {"rudeness": 0.9, "deflection": 0.3}, True),
    ],
)
def test_agent_negative_needs_rude_or_dismissive_words(text: str, acts: dict, fires: bool) -> None:
    tr = scored(("customer", "手机没信号", None, None), ("agent", text, negative(), acts))
    corroborate = {"acts": ["rudeness", "deflection"], "min_probability": 0.5}
    rules = pack(sentiment_rule("agent", corroborate=corroborate), categories=["agent_negative"])
    assert bool(run(rules, tr).findings) is fires


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(
    ("texts", "acts", "fires"),
    [
        # A complaint word the act model also reads as a complaint: empathy is due.
        ({"zh": "你们到底怎么回事，太差了", "en": "What is going on with you, this is terrible"},
         {"complaint": 0.9}, True),
        # A past complaint mentioned in thanks, or a plain "what is going on?" question.
        ({"zh": "谢谢！投诉后今天已经送来了", "en": "Thanks! After my complaint it arrived today"},
         {"complaint": 0.1, "thanks": 0.9}, False),
        # No act scores on the transcript: the phrase alone decides, as before acts existed.
        ({"zh": "你们到底怎么回事，太差了", "en": "What is going on with you, this is terrible"},
         None, True),
    ],
)  # fmt: skip
def test_chat_empathy_is_due_when_the_act_model_confirms_the_complaint(
    language: str, texts: dict, acts: dict | None, fires: bool
) -> None:
    reply = "已经为您处理好了" if language == "zh" else "It has been processed"
    tr = chat(
        language,
        ("agent", "您好" if language == "zh" else "Hello"),
        ("customer", texts[language]),
        ("agent", reply),
    )
    if acts is not None:
        for utt in tr.utterances:
            utt.extra["acts"] = acts if utt.role == "customer" else {"empathy": 0.0}
    outcome = run(load_pack(f"{language}-chat"), tr)
    found = {f.rule_id for f in outcome.findings if f.category == "empathy_missing"}
    assert ("empathy-missing" in found) is fires
