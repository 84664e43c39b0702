"""Chinese word boundaries: the dictionary, the pack's vocabulary on top, rare entries ignored."""

from __future__ import annotations

import pytest

from qa_service.domain.segment import MAX_WORD_CHARS, is_word, vocabulary_of, word_spans
from tests.rules_helpers import pack, rule


def words(text: str, vocabulary: frozenset[str] = frozenset()) -> list[str]:
    return [text[a:b] for a, b in word_spans(text, vocabulary)]


def test_the_pack_vocabulary_keeps_its_phrases_whole() -> None:
    assert "不归我们管" not in words("这个不归我们管")
    assert "不归我们管" in words("这个不归我们管", frozenset({"不归我们管"}))


@pytest.mark.parametrize(
    ("text", "vocabulary", "word"),
    [
        ("这个活动举办不了", {"办不了"}, "举办"),  # a real word across the phrase's edge wins
        ("我这个手机基本上没信号", {"基金"}, "手机"),
        ("感谢您使用积分期待下次", {"分期"}, "积分"),
    ],
)
def test_vocabulary_does_not_beat_real_words(text: str, vocabulary: set[str], word: str) -> None:
    assert word in words(text, frozenset(vocabulary))


@pytest.mark.parametrize(("text", "word"), [("如有疑问请您联系", "请"), ("感谢您的来电", "感谢")])
def test_rare_dictionary_entries_are_not_words(text: str, word: str) -> None:
    assert word in words(text)


def test_the_overlay_leaves_jieba_global_dictionary_alone() -> None:
    import jieba

    words("这个不归我们管", frozenset({"不归我们管"}))
    assert "不归我们管" not in jieba.lcut("这个不归我们管", HMM=False)


def test_is_word() -> None:
    assert is_word("分歧") and is_word("投宿")
    assert not is_word("在见")


def test_vocabulary_of_takes_chinese_runs() -> None:
    long = "长" * (MAX_WORD_CHARS + 1)
    assert vocabulary_of(["不归我们管", "我们, 不管", "hello", "请", long]) == frozenset(
        {"不归我们管", "我们", "不管"}
    )


def test_a_pack_carries_its_vocabulary() -> None:
    p = pack(rule("phrase", role="agent", params={"phrases": ["不归我们管", {"regex": "分.期"}]}))
    assert p.vocabulary == frozenset({"不归我们管"})
