"""A verification code answered in characters that only sound like digits is masked as a
code, right after a code was asked for and nowhere else (``domain/pii/code_replies.py``)."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import detect
from tests.test_pii_asr_forms import utterances

QUESTION = "请问您收到的验证码是多少?"


def _masked(texts: tuple[str, ...], agent: tuple[str, ...] = (QUESTION,)) -> list:
    spans = detect(utterances(texts, agent), "zh")
    return [(s.utterance, s.kind.value, texts[s.utterance][s.start : s.end]) for s in spans]


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        ("救救救腰", "救救救腰"),  # 9991: jiù, yāo
        ("幽灵酒就吃", "幽灵酒就"),  # 1099 and a word at the end
        ("我要要要要起", "要要要要起"),  # a word at the start
        ("八九九八三", "八九九八三"),
    ],
)
def test_a_code_said_in_sound_alikes_after_the_question_is_masked(reply: str, code: str) -> None:
    assert _masked((QUESTION, reply)) == [(1, "CODE", code)]


@pytest.mark.parametrize(
    "reply",
    [
        "是是是是",  # shì is no sì
        "好的，一起吧",  # words around the sound-alikes
        "持久三圈",  # two words of four
        "三圈就六",  # a word inside
        "就就",  # too short for a code
        "嗯",
    ],
)
def test_other_replies_to_a_code_question_stay_words(reply: str) -> None:
    assert _masked((QUESTION, reply)) == []


def test_sound_alikes_without_the_question_stay_words() -> None:
    # not after a code question, nor a reply of the same speaker, nor long after
    assert _masked(("您还有什么问题吗", "救救救腰"), ("您还有什么问题吗",)) == []
    assert _masked(("验证码我看一下", "救救救腰"), ()) == []
    late = utterances((QUESTION, "救救救腰"), (QUESTION,))
    late[1] |= {"start": 60.0, "end": 62.0}
    assert detect(late, "zh") == []
