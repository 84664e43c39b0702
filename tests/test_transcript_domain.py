"""Cutting words into utterances and merging both roles onto one timeline."""

from __future__ import annotations

import pytest

from qa_service.domain.transcript import Word, build_utterances, gaps_between, split_at_pauses


def words(*spans: tuple[float, float, str]) -> list[Word]:
    return [Word(a, b, t) for a, b, t in spans]


def test_dead_air_inside_one_segment_makes_two_utterances():
    # One Whisper segment, but 9 s of silence between two words.
    ws = words(
        (0.0, 0.4, " Let"), (0.4, 0.8, " me"), (0.8, 1.2, " check."), (10.2, 10.6, " Thanks")
    )
    utts = build_utterances({"agent": ws}, pause_s=0.6, language="en")
    assert [u.text for u in utts] == ["Let me check.", "Thanks"]
    assert gaps_between(utts, 5.0) == [(1.2, 10.2)]


@pytest.mark.parametrize(
    ("gap", "groups"),
    [(0.1, 1), (0.59, 1), (0.6, 2), (3.0, 2)],
)
def test_pause_threshold(gap, groups):
    ws = words((0.0, 1.0, "a"), (1.0 + gap, 2.0 + gap, "b"))
    assert len(split_at_pauses(ws, 0.6)) == groups


def test_short_pause_after_the_other_party_spoke_is_a_new_turn():
    customer = words(
        (5.0, 11.5, "我想问一下"), (11.8, 12.8, "我还没说完呢"), (13.2, 14.9, "已经超过七天了")
    )
    agent = words((9.4, 11.3, "退款一般要七个工作日"))
    utts = build_utterances({"customer": customer, "agent": agent}, pause_s=0.6, language="zh")
    assert [(u.role, u.text) for u in utts] == [
        ("customer", "我想问一下"),
        ("agent", "退款一般要七个工作日"),
        ("customer", "我还没说完呢已经超过七天了"),
    ]


def test_chinese_words_join_without_spaces_english_with():
    zh = build_utterances(
        {"agent": words((0, 0.3, "您"), (0.3, 0.6, "好"))}, pause_s=0.6, language="zh"
    )
    en = build_utterances(
        {"agent": words((0, 0.3, " Good"), (0.3, 0.6, " morning"))}, pause_s=0.6, language="en"
    )
    assert zh[0].text == "您好"
    assert en[0].text == "Good morning"


def test_timeline_is_ordered_across_roles():
    utts = build_utterances(
        {"agent": words((0, 1, "a"), (5, 6, "c")), "customer": words((2, 3, "b"))},
        pause_s=0.6,
        language="en",
    )
    assert [u.text for u in utts] == ["a", "b", "c"]
    assert [u.role for u in utts] == ["agent", "customer", "agent"]


def test_gaps_ignore_overlapping_speech():
    utts = build_utterances(
        {"agent": words((0, 10, "long")), "customer": words((2, 3, "short"), (14, 15, "late"))},
        pause_s=0.6,
        language="en",
    )
    assert gaps_between(utts, 3.0) == [(10, 14)]
