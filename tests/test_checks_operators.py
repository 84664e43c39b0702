"""Each phrase, logic and conditional operator on small transcripts: fires, and stays quiet."""

from __future__ import annotations

import pytest

from tests.rules_helpers import pack, rule, run, transcript

GREETING = ["您好", "欢迎致电", "thank you for calling"]


def categories(outcome) -> list[str]:
    return [f.category for f in outcome.findings]


@pytest.mark.parametrize(
    ("turns", "fires"),
    [
        ([("agent", "这个不归我们管，你去找快递公司")], True),
        ([("agent", "这个不规我们管")], True),  # ASR homophone
        ([("customer", "这个不归我们管吧？")], False),  # wrong role
        ([("agent", "我马上帮您处理")], False),
    ],
)
def test_phrase(turns, fires: bool) -> None:
    p = pack(rule("phrase", role="agent", params={"phrases": ["不归我们管"]}))
    assert ("deflection" in categories(run(p, transcript(*turns)))) is fires


def test_phrase_evidence_names_the_match() -> None:
    p = pack(rule("phrase", role="agent", params={"phrases": ["call the bank"]}))
    (finding,) = run(p, transcript(("agent", "You need to call the man."), language="en")).findings
    assert finding.evidence["phrase"] == "call the bank"
    assert finding.evidence["matched"] == "call the man"
    assert finding.role == "agent" and finding.start == 0.5 and finding.end == 3.5
    assert finding.text == "You need to call the man."


def test_phrase_per_call_reports_once() -> None:
    p = pack(rule("phrase", params={"phrases": ["投诉"], "per": "call"}))
    tr = transcript(("customer", "我要投诉"), ("customer", "我一定要投诉"))
    assert len(run(p, tr).findings) == 1


@pytest.mark.parametrize(
    ("turns", "window", "fires"),
    [
        ([("agent", "你好，请问有什么可以帮您")], {"first_turns": 1}, False),
        ([("agent", "喂，说吧")], {"first_turns": 1}, True),
        ([("agent", "喂"), ("agent", "您好")], {"first_turns": 1}, True),  # too late
        ([("agent", "喂"), ("agent", "您好")], {"first_turns": 2}, False),
        ([("agent", "喂"), ("agent", "您好")], {"first_s": 3}, True),
        ([("agent", "喂"), ("agent", "您好")], {"last_s": 3}, False),
        ([("agent", "喂"), ("agent", "您好")], {"after_s": 1}, False),
        ([("agent", "您好"), ("agent", "喂")], {"after_s": 1}, True),
        ([("agent", "您好"), ("agent", "喂")], {"before_s": 1}, False),
        ([("agent", "您好"), ("agent", "喂")], {"last_turns": 1}, True),
    ],
)
def test_missing_phrase_and_windows(turns, window, fires: bool) -> None:
    p = pack(
        rule(
            "missing_phrase",
            category="greeting_missing",
            role="agent",
            window=window,
            params={"phrases": GREETING},
        )
    )
    assert ("greeting_missing" in categories(run(p, transcript(*turns)))) is fires


def test_missing_phrase_says_what_was_expected() -> None:
    p = pack(rule("missing_phrase", category="greeting_missing", params={"phrases": GREETING}))
    (finding,) = run(p, transcript(("agent", "喂"))).findings
    assert finding.evidence["expected"] == GREETING


@pytest.mark.parametrize(
    ("text", "params", "fires"),
    [
        ("请稍等，谢谢", {"min": 2}, False),
        ("好的", {"min": 2}, True),
        ("谢谢谢谢谢谢", {"max": 2}, True),
        ("谢谢，谢谢", {"max": 2}, False),
        ("谢谢，谢谢", {"min": 2, "unit": "utterance"}, False),  # one utterance: not evaluated
    ],
)
def test_count(text: str, params: dict, fires: bool) -> None:
    p = pack(
        rule(
            "count",
            category="courtesy_low",
            role="agent",
            params={"phrases": ["请", "谢谢"], **params},
        )
    )
    outcome = run(p, transcript(("agent", text)))
    assert ("courtesy_low" in categories(outcome)) is fires


@pytest.mark.parametrize(
    ("turns", "missing"),
    [
        ([("agent", "请问您的身份证后四位"), ("agent", "您的余额是五百元")], None),
        ([("agent", "您的余额是五百元")], "verify"),
        ([("agent", "您的余额是五百元"), ("agent", "请问您的身份证后四位")], "disclose"),
    ],
)
def test_sequence(turns, missing) -> None:
    p = pack(
        rule(
            "sequence",
            category="pii",
            role="agent",
            params={
                "steps": [
                    {"name": "verify", "phrases": ["身份证后四位"]},
                    {"name": "disclose", "phrases": ["余额"]},
                ]
            },
        )
    )
    findings = run(p, transcript(*turns)).findings
    assert [f.evidence["missing_step"] for f in findings] == ([missing] if missing else [])


@pytest.mark.parametrize(
    ("expr", "text", "fires"),
    [
        ({"all": [{"phrases": ["退款"]}, {"phrases": ["到账"]}]}, "退款什么时候到账", True),
        ({"all": [{"phrases": ["退款"]}, {"phrases": ["到账"]}]}, "退款什么时候处理", False),
        ({"any": [{"phrases": ["退款"]}, {"phrases": ["退货"]}]}, "我要退货", True),
        ({"not": {"phrases": ["退款"]}}, "我要退货", True),
        ({"not": {"phrases": ["退款"]}}, "我要退款", False),
        (
            {"near": {"phrases": ["cancel"], "to": ["account"], "within": 2}},
            "cancel my account",
            True,
        ),
        (
            {"near": {"phrases": ["cancel"], "to": ["account"], "within": 2}},
            "cancel the order and then maybe later the account",
            False,
        ),
        (
            {"near": {"phrases": ["account"], "to": ["cancel"], "ordered": True}},
            "cancel my account",
            False,
        ),
        ({"phrases": ["满意"]}, "我不满意", False),  # negation applies inside expressions
    ],
)
def test_boolean(expr: dict, text: str, fires: bool) -> None:
    p = pack(rule("boolean", category="complaint", params={"expr": expr}))
    assert ("complaint" in categories(run(p, transcript(("customer", text))))) is fires


def test_boolean_unit_call_combines_utterances() -> None:
    expr = {"all": [{"phrases": ["退款"]}, {"phrases": ["投诉"]}]}
    tr = transcript(("customer", "我要退款"), ("customer", "不然我就投诉"))
    per_utt = pack(rule("boolean", category="complaint", params={"expr": expr}))
    per_call = pack(rule("boolean", category="complaint", params={"expr": expr, "unit": "call"}))
    assert run(per_utt, tr).findings == []
    assert len(run(per_call, tr).findings) == 1


@pytest.mark.parametrize(
    ("text", "absent", "fires"),
    [
        ("请问您对这次服务满意吗", False, True),
        ("请问你对这次的服务满意吗", False, True),  # ASR variant
        ("好的，再见", False, False),
        ("好的，再见", True, True),  # nothing like it was said
        ("请问您对本次服务满意吗", True, False),
    ],
)
def test_similar(text: str, absent: bool, fires: bool) -> None:
    params = {"examples": ["请问您对我的服务满意吗"], "min_similarity": 0.5, "absent": absent}
    p = pack(rule("similar", category="closing_missing", role="agent", params=params))
    assert ("closing_missing" in categories(run(p, transcript(("agent", text))))) is fires


EMPATHY_RULE = rule(
    "conditional",
    category="empathy_missing",
    params={
        "when": {
            "role": "customer",
            "phrases": ["投诉"],
            "sentiment": "negative",
            "fallback_phrases": ["太差了"],
        },
        "then": {"role": "agent", "phrases": ["抱歉", "理解您"], "within_turns": 1},
        "scope": "each",
    },
)


@pytest.mark.parametrize(
    ("turns", "count"),
    [
        ([("customer", "你们服务太差了"), ("agent", "非常抱歉")], 0),
        ([("customer", "你们服务太差了"), ("agent", "好的"), ("agent", "非常抱歉")], 1),  # late
        ([("customer", "你们服务太差了"), ("agent", "那没办法")], 1),
        ([("customer", "你们服务不差")], 0),
        (
            [
                ("customer", "我要投诉"),
                ("agent", "抱歉"),
                ("customer", "还是要投诉"),
                ("agent", "嗯"),
            ],
            1,
        ),
        ([("customer", "我要投诉"), ("customer", "一定投诉"), ("agent", "抱歉")], 0),  # one episode
    ],
)
def test_conditional_empathy(turns, count: int) -> None:
    assert len(run(pack(EMPATHY_RULE), transcript(*turns)).findings) == count


def test_conditional_uses_sentiment_when_present() -> None:
    tr = transcript(("customer", "这个有点那个"), ("agent", "好的"))
    tr.utterances[0].sentiment = {"label": "negative", "score": -0.9, "probs": {"negative": 0.95}}
    tr.utterances[1].sentiment = {"label": "neutral", "score": 0.0}
    (finding,) = run(pack(EMPATHY_RULE), tr).findings
    assert finding.evidence["trigger"]["sentiment"] == "negative"


def test_conditional_fallback_phrases_only_without_sentiment() -> None:
    tr = transcript(("customer", "你们服务太差了"), ("agent", "好的"))
    assert len(run(pack(EMPATHY_RULE), tr).findings) == 1
    for utt in tr.utterances:  # the model read it as neutral: the keywords give way
        utt.sentiment = {"label": "neutral", "score": 0.1}
    assert run(pack(EMPATHY_RULE), tr).findings == []


RISK_RULE = rule(
    "conditional",
    category="risk_disclosure_missing",
    params={
        "when": {"role": "any", "phrases": ["分期", {"regex": "分.{1,3}期"}]},
        "then": {
            "role": "agent",
            "all_of": [
                {"name": "fee", "phrases": ["手续费"]},
                {"name": "confirm", "phrases": ["确认办理"]},
            ],
        },
    },
)


@pytest.mark.parametrize(
    ("turns", "missing"),
    [
        ([("customer", "我想分十二期"), ("agent", "好的，已经办好了")], ["fee", "confirm"]),
        ([("customer", "我想分十二期"), ("agent", "会收手续费，您确认办理吗")], []),
        ([("customer", "我想分期"), ("agent", "分期有手续费"), ("agent", "请问确认办理吗")], []),
        ([("agent", "分期会产生手续费，请问您确认办理吗")], []),  # said in the trigger itself
        ([("customer", "我想分期"), ("agent", "手续费是百分之零点六")], ["confirm"]),
        ([("customer", "我想查账单"), ("agent", "好的")], []),  # nothing sold
    ],
)
def test_conditional_all_of(turns, missing: list[str]) -> None:
    findings = run(pack(RISK_RULE), transcript(*turns)).findings
    assert [f.evidence["missing"] for f in findings] == ([missing] if missing else [])
