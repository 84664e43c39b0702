"""ASR-tolerant phrase matching: pinyin, edit distance, negation, polarity, modes."""

from __future__ import annotations

import pytest

from qa_service.domain.textmatch import Phrase, is_negated, normalize, tokenize


def said(phrase: str, text: str, mode: str = "fuzzy", negation: str = "exclude") -> bool:
    return bool(Phrase.compile(phrase, mode).find(tokenize(text), negation))


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("您好", "你好，请问有什么可以帮您"),  # 您 heard as 你
        ("感谢您的来电", "感谢你的来电，祝你生活愉快"),
        ("再见", "祝您生活愉快，在见"),  # homophone 在/再
        ("你自己去网上查", "系统就是这样等，你自己去往上查绑"),  # 网/往
        ("让您久等了", "不好意思叫您久等了"),  # one character wrong
        ("不归我们管", "这个不归我们来管"),  # one character inserted
        ("还有其他可以帮您", "请问还有其他可以帮您的埋"),
        ("投诉", "我要投訴"),  # traditional characters read the same
        ("12315", "我要打幺二三幺五"),  # digits are read as characters
        ("12315", "我要打12315"),
        ("call the bank", "you need to call the man"),  # "bank" heard as "man"
        ("complain", "I want the pile complained"),  # inflection
        ("charged twice", "I want charged wife for my subscription"),
        ("is there anything else", "If there anything else I can help you with"),
        ("thanks for waiting", "And for waiting, I see a fault on your line"),
        ("not my department", "No, that's not my department"),  # the phrase is itself negative
        ("nothing i can do", "There's nothing I can do about it"),
        ("i can not help you", "I can't help you with that"),  # contractions expanded
    ],
)
def test_asr_variants_match(phrase: str, text: str) -> None:
    assert said(phrase, text)


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("查不了", "查到了，您所在的小区线路正在抢修"),  # 不 vs 到 changes the meaning
        ("基金", "预计今晚八点前恢复"),  # sounds alike, shares no character
        ("还有其他可以帮您", "请问有什么可以帮您"),  # the opening question is not a closing
        ("i can not help you", "Is there anything else I can help you with"),  # negator dropped
        ("我能帮您", "我不能帮您"),  # negator inserted
        ("sue", "Sure, it is four four seven"),  # one short word: near-identical only
        ("whatever", "what ever happened"),
        ("check the website", "Let me check your line, one moment please"),
        ("再见", "下次再说"),
    ],
)
def test_unrelated_text_does_not_match(phrase: str, text: str) -> None:
    assert not said(phrase, text)


@pytest.mark.parametrize(
    ("phrase", "text", "negated"),
    [
        ("满意", "我对这个结果不满意", True),
        ("满意", "我对这个结果不太满意", True),
        ("满意", "我非常满意", False),  # 非常 is not a negation
        ("满意", "不，我很满意", False),  # a clause break ends the negation
        ("问题", "没问题", True),
        ("问题", "没有问题", True),
        ("问题", "我的宽带有问题", False),
        ("problem", "no problem at all", True),
        ("problem", "that's not a problem", True),
        ("problem", "I don't have any problem", True),
        ("problem", "I have a problem with my bill", False),
        ("happy", "I'm not happy with this", True),
        ("happy", "No, I am happy now", False),
        ("不好意思", "不好意思让您久等了", False),
    ],
)
def test_negation(phrase: str, text: str, negated: bool) -> None:
    assert said(phrase, text, negation="exclude") is not negated
    assert said(phrase, text, negation="require") is negated
    assert said(phrase, text, negation="ignore")


@pytest.mark.parametrize(
    ("phrase", "text", "mode", "expected"),
    [
        ("您好", "你好", "exact", False),  # exact means exact
        ("您好", "您好，欢迎致电", "exact", True),
        ("分.{1,3}期", "我想把账单分十二期", "regex", True),
        ("分.{1,3}期", "我想把账单分期", "regex", False),
        (r"\bbank\b", "call the bank", "regex", True),
        ("hello", "Hello there", "exact", True),
        ("hello", "yellow there", "exact", False),
    ],
)
def test_match_modes(phrase: str, text: str, mode: str, expected: bool) -> None:
    assert said(phrase, text, mode) is expected


def test_match_reports_span_and_similarity() -> None:
    (match,) = Phrase.compile("call the bank").find(tokenize("You need to call the man."))
    assert match.text == "call the man"
    assert 0.8 <= match.similarity < 1.0
    assert not match.negated


def test_every_occurrence_is_found() -> None:
    matches = Phrase.compile("谢谢").find(tokenize("谢谢，好的，谢谢您"))
    assert len(matches) == 2


def test_normalisation() -> None:
    assert normalize("ＡＢＣ，Don’t") == "abc,don't"
    tokens = [t.text for t in tokenize("I don't know, 不知道").tokens]
    assert tokens == ["i", "do", "not", "know", "不", "知", "道"]


def test_negation_window_is_bounded() -> None:
    text = tokenize("我不知道您对结果满意")
    start = [t.text for t in text.tokens].index("满")
    assert not is_negated(text, start, window=3)
    assert is_negated(text, start, window=8)


def test_empty_phrase_is_refused() -> None:
    with pytest.raises(ValueError, match="no words"):
        Phrase.compile("，。!")
