"""Timing and signal operators, and call metrics: silence/holds, talk-over, rates, sentiment."""

from __future__ import annotations

import pytest

from qa_service.domain.metrics import compute_metrics, find_overlaps
from tests.rules_helpers import pack, rule, run, transcript

SILENCE = rule(
    "silence",
    category="silence",
    params={
        "min_s": 5,
        "hold_phrases": ["请稍等", "one moment please"],
        "hold_max_s": 30,
        "thanks_phrases": ["感谢您的耐心等待", "thanks for waiting"],
    },
)


@pytest.mark.parametrize(
    ("before", "gap", "after", "severity", "excused"),
    [
        ("好的", 9.5, "查到了", "minor", None),  # unannounced
        ("好的，请您稍等", 9.5, "感谢您的耐心等待，查到了", "info", True),  # announced + thanked
        ("好的，请您稍等", 9.5, "查到了", "minor", False),  # never thanked
        ("好的，请您稍等", 40.0, "感谢您的耐心等待", "minor", None),  # hold too long
        ("Let me check, one moment please.", 12, "And for waiting, I see", "info", True),
    ],
)
def test_silence_and_holds(before, gap, after, severity, excused) -> None:
    tr = transcript(("agent", before, 0.0, 2.0), ("agent", after, 2.0 + gap, 5.0 + gap))
    (finding,) = run(pack(SILENCE), tr).findings
    assert finding.severity == severity
    assert finding.evidence.get("excused") is excused
    assert finding.start == 2.0 and finding.end == pytest.approx(2.0 + gap)
    assert finding.evidence["duration_s"] == pytest.approx(gap)


def test_short_gaps_are_not_silences() -> None:
    tr = transcript(("agent", "好的", 0.0, 2.0), ("customer", "嗯", 6.9, 8.0))
    assert run(pack(SILENCE), tr).findings == []


def test_silence_report_unexcused_skips_excused_holds() -> None:
    unexcused = {**SILENCE, "params": {**SILENCE["params"], "report": "unexcused"}}
    tr = transcript(("agent", "请稍等", 0.0, 2.0), ("agent", "感谢您的耐心等待", 12.0, 14.0))
    assert run(pack(unexcused), tr).findings == []
    assert len(run(pack(SILENCE), tr).findings) == 1


INTERRUPTION = rule(
    "interruption", category="interruption", role="agent", params={"min_overlap_s": 0.5}
)


@pytest.mark.parametrize(
    ("agent", "fires"),
    [
        (("agent", "退款一般要七个工作日", 9.4, 11.2), True),  # customer talks until 11.5
        (("agent", "那你再等等吧", 11.2, 12.0), False),  # 0.3 s overlap only
        (("agent", "好的", 9.4, 10.0), False),  # backchannel
        (("agent", "退款一般要七个工作日", 12.0, 14.0), False),  # after the customer
    ],
)
def test_interruption(agent, fires: bool) -> None:
    tr = transcript(("customer", "我想问一下退款到底什么时候能到账", 5.3, 11.5), agent)
    p = pack(INTERRUPTION, settings={"backchannels": ["好的", "嗯"]})
    findings = run(p, tr).findings
    assert bool(findings) is fires
    if fires:
        assert findings[0].evidence["overlap_s"] == pytest.approx(1.8)
        assert findings[0].start == 9.4


def test_interruption_by_the_other_role_is_not_the_agents() -> None:
    tr = transcript(
        ("agent", "退款一般要七个工作日", 5.0, 9.0), ("customer", "我还没说完", 7.0, 9.5)
    )
    assert run(pack(INTERRUPTION), tr).findings == []
    metrics = run(pack(INTERRUPTION), tr).metrics
    assert metrics["interruptions_by_customer"] == 1 and metrics["interruptions_by_agent"] == 0


@pytest.mark.parametrize(
    "channels", [{"mono": "unknown"}, {"mono": "agent+customer"}, {"left": "mono"}]
)
def test_mono_calls_say_timing_was_not_evaluated(channels) -> None:
    tr = transcript(
        ("agent", "退款一般要七个工作日", 9.4, 11.2),
        ("customer", "我想问一下退款到底什么时候能到账", 5.3, 11.5),
        channels=channels,
    )
    outcome = run(pack(INTERRUPTION), tr)
    assert outcome.findings == []
    assert outcome.metrics["not_evaluated"] == [
        {
            "rule_id": "r-interruption",
            "category": "interruption",
            "reason": ("needs each party on its own channel"),
        }
    ]
    assert outcome.metrics["interruptions_by_agent"] is None


def test_speakers_separated_from_one_channel_still_cannot_talk_over() -> None:
    tr = transcript(
        ("agent", "退款一般要七个工作日", 9.4, 11.2),
        ("customer", "我想问一下退款到底什么时候能到账", 5.3, 11.5),
        channels={},
    )
    for utt in tr.utterances:
        utt.channel = "mono"
    outcome = run(pack(INTERRUPTION), tr)
    assert outcome.findings == [] and outcome.metrics["not_evaluated"]


def test_unknown_roles_match_phrases_on_every_utterance() -> None:
    tr = transcript(("unknown", "这个不归我们管"), channels={"mono": "unknown"})
    p = pack(rule("phrase", role="agent", params={"phrases": ["不归我们管"]}))
    (finding,) = run(p, tr).findings
    assert finding.evidence["role_unknown"] is True


@pytest.mark.parametrize(
    ("text", "seconds", "params", "fires"),
    [
        ("一二三四五六七八九十" * 10, 10.0, {"max_rate": 360}, True),  # 600 chars/min
        ("一二三四五六七八九十" * 4, 10.0, {"max_rate": 360}, False),  # 240 chars/min
        ("一二三四五六七八九十", 10.0, {"min_rate": 120}, True),  # 60 chars/min
        ("one two three four five " * 10, 10.0, {"max_rate": 220}, True),  # 300 words/min
        ("one two three four five " * 3, 10.0, {"max_rate": 220}, False),  # 90 words/min
    ],
)
def test_speech_rate(text: str, seconds: float, params: dict, fires: bool) -> None:
    p = pack(
        rule(
            "speech_rate",
            category="speech_rate",
            role="agent",
            params={"min_speech_s": 5, **params},
        )
    )
    tr = transcript(("agent", text, 0.0, seconds))
    assert bool(run(p, tr).findings) is fires


def test_speech_rate_needs_enough_speech() -> None:
    p = pack(rule("speech_rate", category="speech_rate", role="agent", params={"max_rate": 100}))
    assert run(p, transcript(("agent", "一二三四五六七八九十" * 10, 0.0, 5.0))).findings == []


@pytest.mark.parametrize(("start", "fires"), [(0.5, False), (6.0, True)])
def test_late_answer(start: float, fires: bool) -> None:
    p = pack(rule("late_answer", category="late_answer", role="agent", params={"max_s": 5}))
    tr = transcript(("customer", "喂？", 0.2, 1.0), ("agent", "您好", start, start + 1))
    assert bool(run(p, tr).findings) is fires


@pytest.mark.parametrize(("duration", "fires"), [(12.0, False), (25.0, True)])
def test_late_hangup(duration: float, fires: bool) -> None:
    p = pack(rule("late_hangup", category="hangup", params={"max_s": 10}), categories=["hangup"])
    tr = transcript(("agent", "再见", 0.0, 2.0))
    tr.duration_s = duration
    assert bool(run(p, tr).findings) is fires


@pytest.mark.parametrize(
    ("agent_s", "customer_s", "fires"), [(40, 40, False), (95, 5, True), (5, 95, True)]
)
def test_talk_ratio(agent_s: float, customer_s: float, fires: bool) -> None:
    p = pack(
        rule(
            "talk_ratio",
            category="ratio",
            role="agent",
            params={"min": 0.2, "max": 0.9, "min_talk_s": 60},
        ),
        categories=["ratio"],
    )
    tr = transcript(("agent", "好", 0.0, agent_s), ("customer", "好", 200.0, 200.0 + customer_s))
    assert bool(run(p, tr).findings) is fires


@pytest.mark.parametrize(
    ("texts", "fires"),
    [
        (["我的退款什么时候到账", "我的退款到底什么时候到账", "退款什么时候能到账啊"], True),
        (["我的退款什么时候到账", "快递什么时候送到", "谢谢，再见"], False),
        (
            ["我的退款什么时候到账", "我的退款什么时候到账"],
            False,
        ),  # said twice, not again and again
    ],
)
def test_repetition(texts: list[str], fires: bool) -> None:
    p = pack(
        rule(
            "repetition",
            category="repetition",
            role="customer",
            params={"min_similarity": 0.6, "min_repeats": 2},
        )
    )
    tr = transcript(*[("customer", t) for t in texts])
    assert bool(run(p, tr).findings) is fires


SENTIMENT = rule(
    "sentiment",
    category="customer_negative",
    role="customer",
    params={"label": "negative", "min_score": 0.6, "fallback_phrases": ["太差了"]},
)


@pytest.mark.parametrize(
    ("sentiment", "text", "fires"),
    [
        ({"label": "negative", "score": -0.8, "probs": {"negative": 0.85}}, "嗯", True),
        ({"label": "negative", "score": -0.3, "probs": {"negative": 0.5}}, "嗯", False),
        ({"label": "negative", "score": 0.9}, "嗯", True),  # a confidence in 'score'
        ({"label": "positive", "score": 0.9}, "太差了", False),  # the model wins over keywords
        (None, "你们服务太差了", True),  # keyword fallback
        (None, "你们服务不太差了", False),  # negated keyword
    ],
)
def test_sentiment(sentiment, text: str, fires: bool) -> None:
    tr = transcript(("customer", text))
    tr.utterances[0].sentiment = sentiment
    assert bool(run(pack(SENTIMENT), tr).findings) is fires


def test_sentiment_except_phrases() -> None:
    apology = {
        **SENTIMENT,
        "role": "agent",
        "params": {"label": "negative", "except_phrases": ["抱歉"]},
    }
    tr = transcript(("agent", "非常抱歉给您带来不便"), ("agent", "这个我管不了"))
    for utt in tr.utterances:
        utt.sentiment = {"label": "negative", "score": -0.95}
    (finding,) = run(pack(apology), tr).findings
    assert finding.text == "这个我管不了"


def test_sentiment_without_model_or_fallback_is_not_evaluated() -> None:
    bare = {**SENTIMENT, "params": {"label": "negative"}}
    outcome = run(pack(bare), transcript(("customer", "你们服务太差了")))
    assert outcome.findings == []
    assert outcome.metrics["not_evaluated"][0]["rule_id"] == "r-sentiment"


def test_metrics() -> None:
    tr = transcript(
        ("agent", "您好，请问有什么可以帮您", 0.5, 4.5),
        ("customer", "我的快递三天了还没到", 5.0, 8.0),
        ("agent", "好的", 8.5, 9.0),
        ("agent", "查到了", 19.0, 20.0),
        ("customer", "好的谢谢", 19.5, 21.0),
    )
    m = compute_metrics(tr, silence_min_s=3.0, overlap_min_s=0.2)
    assert m["talk_time_agent_s"] == pytest.approx(5.5)
    assert m["talk_time_customer_s"] == pytest.approx(4.5)
    assert m["talk_ratio_agent"] == pytest.approx(5.5 / 10.0, abs=1e-3)
    assert m["silence_count"] == 1 and m["silence_total_s"] == pytest.approx(10.0)
    assert m["longest_silence_s"] == pytest.approx(10.0)
    assert m["interruptions_by_customer"] == 1 and m["interruptions_by_agent"] == 0
    assert m["first_response_s"] == 0.5
    assert m["speech_rate_agent"] == pytest.approx((11 + 2 + 3) * 60 / 5.5, abs=0.1)


def test_overlaps_need_the_threshold() -> None:
    tr = transcript(("customer", "一二三", 0.0, 3.0), ("agent", "四五六", 2.6, 4.0))
    assert find_overlaps(tr.utterances, 0.5) == []
    (overlap,) = find_overlaps(tr.utterances, 0.3)
    assert overlap.by == "agent" and overlap.overlap_s == pytest.approx(0.4)
