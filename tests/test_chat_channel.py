"""Chat conversations: transcript JSON with ``channel: chat``, the chat packs, and reply times."""

from __future__ import annotations

import json
import math

import pytest

from qa_service.analysis.packs import default_pack_name, load_pack
from qa_service.domain.transcript_json import CHAT_STEP_S, transcript_from_dict
from qa_service.errors import InputError
from tests.rules_helpers import check
from tests.test_cli_analyze import run_cli

TIMING_TYPES = {
    "silence",
    "interruption",
    "speech_rate",
    "late_answer",
    "late_hangup",
    "talk_ratio",
}


def chat(*turns: tuple, language: str = "zh", real: bool = False, **top) -> dict:
    """Messages as (role, text) or, with real times, (role, text, start)."""
    rows = [{"role": t[0], "text": t[1], **({"start": t[2]} if len(t) > 2 else {})} for t in turns]
    data = {"channel": "chat", "language": language, "turns": rows, **top}
    if real:
        data["timestamps"] = "real"
    return data


ZH_CHAT = chat(
    ("customer", "你好，我的订单三天了还没发货"),
    ("agent", "您好，很高兴为您服务，请提供一下订单号"),
    ("customer", "12345678"),
    ("agent", "查到了，仓库今天发出，给您带来不便非常抱歉"),
    ("customer", "好的"),
    ("agent", "请问还有什么可以帮您？"),
)


# --- reading a chat log ---


def test_chat_without_times_is_laid_out_in_order_and_not_real():
    transcript = transcript_from_dict(ZH_CHAT)
    assert transcript.channel == "chat" and transcript.real_timestamps is False
    assert [u.start for u in transcript.utterances] == [i * CHAT_STEP_S for i in range(6)]
    assert transcript.utterances[1].text.startswith("您好")


def test_chat_given_times_are_not_trusted_unless_declared_real():
    data = chat(("customer", "hi", 100.0), ("agent", "hello", 5.0), language="en")
    # Not declared real: the order given stands, the times are made up.
    assert [u.role for u in transcript_from_dict(data).utterances] == ["customer", "agent"]
    real = transcript_from_dict({**data, "timestamps": "real"})
    assert real.real_timestamps and [u.role for u in real.utterances] == ["agent", "customer"]
    assert real.utterances[0].end == real.utterances[0].start  # a message has no length


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"channel": "fax"}, "'channel' must be one of"),
        ({"timestamps": "maybe"}, "'timestamps' must be one of"),
        ({"timestamps": "real"}, "needs a 'start'"),
        ({"turns": []}, "non-empty"),
        ({"turns": ["just text"]}, "utterance 0"),
        ({"language": 5}, "'language' must be a string"),
    ],
)
def test_bad_chat_logs_are_refused(change, message):
    with pytest.raises(InputError, match=message):
        transcript_from_dict({**ZH_CHAT, **change})


@pytest.mark.parametrize("start", [math.nan, math.inf, -1.0, 1e12, "soon"])
def test_real_times_are_bounded(start):
    data = chat(("customer", "hi", start), ("agent", "hello", 1.0), language="en", real=True)
    with pytest.raises(InputError):
        transcript_from_dict(data)


def test_voice_transcripts_keep_real_times_by_default():
    data = {"turns": [{"role": "agent", "text": "hi", "start": 0.5, "end": 1.0}]}
    transcript = transcript_from_dict(data)
    assert transcript.channel == "voice" and transcript.real_timestamps


# --- which pack, which rules ---


@pytest.mark.parametrize(
    ("language", "channel", "pack"),
    [
        ("zh", "chat", "zh-chat"),
        ("zh-CN", "chat", "zh-chat"),
        ("en", "chat", "en-chat"),
        ("fr", "chat", "en-chat"),
        (None, "chat", "en-chat"),
        ("zh", "voice", "zh-default"),
        ("en", "voice", "en-default"),
    ],
)
def test_pack_chosen_by_language_and_channel(language, channel, pack):
    assert default_pack_name(language, channel) == pack


@pytest.mark.parametrize("name", ["zh-chat", "en-chat"])
def test_chat_packs_inherit_without_the_spoken_checks(name):
    chat_pack, parent = load_pack(name), load_pack(name.replace("chat", "default"))
    types = {r.type for r in chat_pack.rules}
    assert not types & (TIMING_TYPES | {"raised_voice"})
    assert "response_time" in types
    inherited = {r.id for r in parent.rules if r.type not in TIMING_TYPES | {"raised_voice"}}
    # Left out by name: measured imprecise on written dialogues (bench/README.md, audit v23).
    left_out = {"act-deflection", "customer-worsened"}
    assert left_out <= inherited
    assert inherited - left_out == inherited & {r.id for r in chat_pack.rules}
    # The phrases come from the parent; typed text matches them more strictly (settings).
    mine = {r.id: r for r in chat_pack.rules}["deflection"].params.phrases.phrases
    theirs = {r.id: r for r in parent.rules}["deflection"].params.phrases.phrases
    assert [p.source for p in mine] == [p.source for p in theirs]
    assert all(p.min_similarity == 0.95 for p in mine if p.mode == "fuzzy")
    assert chat_pack.scorecard == parent.scorecard and chat_pack.language == parent.language


@pytest.mark.parametrize("pack", ["zh-default", "zh-chat"])
def test_chat_without_real_times_gets_no_timing_findings(pack):
    # Made-up times 3 s apart would make a speech rate, a late answer and silences.
    outcome = check(transcript_from_dict(ZH_CHAT), pack)
    found = {f.rule_id for f in outcome.findings}
    rules = {r.id: r.type for r in load_pack(pack).rules}
    assert not {rid for rid in found if rules[rid] in TIMING_TYPES}
    skipped = {n["rule_id"] for n in outcome.metrics["not_evaluated"]}
    timed = {rid for rid, kind in rules.items() if kind in TIMING_TYPES | {"response_time"}}
    assert timed <= skipped
    assert outcome.metrics["silence_count"] is None and outcome.metrics["messages_agent"] == 3


@pytest.mark.parametrize(
    ("pack", "reply", "fires"),
    [
        # Spoken: one syllable off may be the recogniser's, so 积极 may stand for 自己.
        ("zh-default", "我们会积极想办法的", True),
        # Typed: the text is what was meant, so it is not 你自己想办法.
        ("zh-chat", "我们会积极想办法的", False),
        # An input method's homophone (发 for 法) is still the phrase.
        ("zh-chat", "你自己想办发吧", True),
        ("zh-chat", "你自己想办法吧", True),
    ],
)
def test_chat_phrases_match_homophones_not_near_misses(pack, reply, fires):
    log = chat(("customer", "网速一直很慢"), ("agent", reply), language="zh")
    found = {f.category for f in check(transcript_from_dict(log), pack).findings}
    assert ("deflection" in found) is fires


@pytest.mark.parametrize(
    ("asked", "reply", "fires"),
    [
        # The customer names a product nobody sells them in this chat.
        ("老是接到贷款公司的电话，烦死了", "您好，可以设置骚扰拦截", False),
        # The agent handles one with neither the fee nor a confirmation.
        ("账单能分期吗", "您好，已为您办理分期", True),
        ("账单能分期吗", "您好，分期手续费每期0.6%，您确认办理吗？", False),
        # Typed words are what they say: points (积金) are no fund (基金), 分期分批 is "in phases".
        ("积分能换什么", "您好，积金兑换的库存每天上午补充", False),
        ("什么时候提速", "您好，提速将在八月前分期分批开展", False),
        ("有什么理财", "您好，这款基金起购一千元", True),
    ],
)
def test_chat_risk_disclosure_starts_from_the_agent(asked, reply, fires):
    log = chat(("customer", asked), ("agent", reply))
    found = {f.category for f in check(transcript_from_dict(log)).findings}
    assert ("risk_disclosure_missing" in found) is fires


def test_chat_greeting_and_closing_are_found_in_written_form():
    outcome = check(transcript_from_dict(ZH_CHAT))
    assert outcome.metrics["rule_pack"] == "zh-chat"
    found = {f.category for f in outcome.findings}
    assert not found & {"greeting_missing", "closing_missing"}
    bare = chat(("customer", "在吗"), ("agent", "说"), ("customer", "订单没到"), ("agent", "等着"))
    found = {f.category for f in check(transcript_from_dict(bare)).findings}
    assert {"greeting_missing", "closing_missing"} <= found


# --- reply times ---


def _replies(*times: tuple, max_s: float = 60.0, **params):
    rules = [
        {
            "id": "slow",
            "type": "response_time",
            "category": "late_answer",
            "role": "agent",
            "params": {"max_s": max_s, **params},
        }
    ]
    from tests.rules_helpers import pack

    data = chat(*times, language="en", real=True)
    return check(transcript_from_dict(data), pack(*rules))


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ([("customer", "hi", 0), ("agent", "hello", 30)], []),
        ([("customer", "hi", 0), ("agent", "hello", 61)], [61.0]),
        # The customer writing again does not restart the clock.
        ([("customer", "hi", 0), ("customer", "anyone?", 50), ("agent", "yes", 90)], [90.0]),
        # Each wait is judged on its own.
        (
            [
                ("customer", "a", 0),
                ("agent", "b", 100),
                ("customer", "c", 110),
                ("agent", "d", 120),
                ("customer", "e", 130),
                ("agent", "f", 300),
            ],
            [100.0, 170.0],
        ),
        # The agent writing first is no reply; an unanswered last message is no wait measured.
        ([("agent", "hello", 0), ("customer", "hi", 100)], []),
    ],
)
def test_response_time_measures_each_wait(times, expected):
    outcome = _replies(*times)
    assert [f.evidence["response_s"] for f in outcome.findings] == expected
    assert all(f.role == "agent" and f.category == "late_answer" for f in outcome.findings)


def test_response_time_per_call_keeps_the_slowest():
    times = [("customer", "a", 0), ("agent", "b", 100), ("customer", "c", 110), ("agent", "d", 300)]
    outcome = _replies(*times, per="call")
    assert [f.evidence["response_s"] for f in outcome.findings] == [190.0]
    assert outcome.metrics["response_time_max_s"] == 190.0
    assert outcome.metrics["response_time_mean_s"] == 145.0


def test_response_time_is_not_judged_on_made_up_times():
    from tests.rules_helpers import pack

    rule = {"id": "slow", "type": "response_time", "category": "late_answer"}
    outcome = check(transcript_from_dict(ZH_CHAT), pack({**rule, "params": {"max_s": 1}}))
    assert outcome.findings == []
    assert outcome.metrics["not_evaluated"][0]["rule_id"] == "slow"


@pytest.mark.parametrize("max_s", [0, -5, 1e9])
def test_response_time_threshold_is_bounded(max_s):
    from qa_service.domain.rulepack import PackInvalid
    from tests.rules_helpers import pack

    rule = {"id": "slow", "type": "response_time", "category": "late_answer"}
    with pytest.raises(PackInvalid):
        pack({**rule, "params": {"max_s": max_s}})


# --- the CLI: a file and a folder of chat logs ---


@pytest.mark.models
def test_cli_analyses_a_chat_file(tmp_path, capsys):
    path = tmp_path / "chat-zh.json"
    path.write_text(json.dumps(ZH_CHAT, ensure_ascii=False), "utf-8")
    code, out, _ = run_cli(["analyze", str(path), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert (data["channel"], data["timestamps"]) == ("chat", "none")
    assert data["metrics"]["rule_pack"] == "zh-chat"


@pytest.mark.models
def test_cli_analyses_a_folder_of_chat_logs(tmp_path, capsys):
    folder = tmp_path / "chats"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(ZH_CHAT, ensure_ascii=False), "utf-8")
    en = chat(("customer", "Hi, where is my refund?", 0), ("agent", "Hi there!", 200), real=True)
    (folder / "b.json").write_text(json.dumps({**en, "language": "en"}), "utf-8")
    (folder / "notes.txt").write_text("not an input")
    out_dir = tmp_path / "out"
    code, _, err = run_cli(["analyze", str(folder), "--format", "json", "-o", str(out_dir)], capsys)
    assert code == 0 and "analysed 2 of 2 calls" in err
    results = {p.stem: json.loads(p.read_text("utf-8")) for p in out_dir.iterdir()}
    assert results["a"]["metrics"]["rule_pack"] == "zh-chat"
    assert results["b"]["metrics"]["rule_pack"] == "en-chat"
    slow = [f for f in results["b"]["findings"] if f["rule_id"] == "slow-response"]
    assert [f["evidence"]["response_s"] for f in slow] == [200.0]
