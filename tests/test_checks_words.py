"""Matching that respects words, clauses and questions (zh and en), positive and negative."""

from __future__ import annotations

import pytest

from qa_service.domain.textmatch import Phrase, tokenize


def found(phrase: str, text: str, questions: str = "count", **options) -> bool:
    compiled = Phrase.compile(phrase, **options)
    return bool(compiled.find(tokenize(text), "exclude", questions))


def regex(pattern: str, text: str, **options) -> bool:
    return bool(Phrase.compile(pattern, "regex", **options).find(tokenize(text)))


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("基金", "我这个手机基本上没信号"),  # 手机/基本上: a homophone stretch across two words
        ("办不了", "这个活动举办不了了"),  # 举办/不了
        ("分期", "您的积分期待下次使用"),  # 积分/期待, no punctuation
        ("投诉", "我们有分歧"),  # unrelated
        ("分期", "我们之间有分歧"),  # a homophone that is a word of its own
        ("投诉", "晚上去旅馆投宿"),
        ("请", "我想申请退款"),  # 申请: a word that ends with the phrase
        ("理财产品", "我是处理财务的"),
        ("烦不烦", "您看您方不方便换个网络试试"),  # 方/不/方便: ends inside a later word
        ("基金", "卡巴斯基技术支持"),
        ("分期", "上网高峰期"),
        ("还有其他可以帮您", "还有，其他可以帮您的"),  # a clause break inside
    ],
)
def test_chinese_phrase_does_not_match_inside_other_words(phrase: str, text: str) -> None:
    assert not found(phrase, text)


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("基金", "我想买点基金"),
        ("办不了", "这个业务我们办不了"),
        ("分期", "我想办理分期"),
        ("分期", "我想办理分期付款"),  # the phrase begins a longer word
        ("请", "请问有什么可以帮您"),
        ("感谢", "感谢您的来电"),
        ("谢谢", "谢谢您"),
        ("还没", "我的快递还没有到"),  # one function character hangs over
        ("要投诉", "我要投诉你们"),
        ("消费者协会", "我要找@中国消费者协会"),  # a specific phrase inside one compound
        ("投诉", "我要投诉，马上"),
        ("不归我们管", "这个不归我们管"),
        ("再见", "好的，在见"),  # a homophone that is no word: an ASR slip
        ("您好", "你好，请问有什么可以帮您"),  # 您 and 你 are one
    ],
)
def test_chinese_phrase_matches_whole_words(phrase: str, text: str) -> None:
    assert found(phrase, text)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("分.{1,3}期", "感谢您使用积分。期待您再次光临", False),
        ("分.{1,3}期", "积分,期待您再次光临", False),
        ("分.{1,3}期", "积分！期待您再次光临", False),
        ("分.{1,3}期", "积分\n期待您再次光临", False),
        ("分.{1,3}期", "我想把账单分十二期", True),
        ("分.{1,3}期", "账单可以分12期，手续费另算", True),
        (r"\bloan\b", "a loan. ok", True),
        (r"fee.{1,5}loan", "the fee. a loan", False),
    ],
)
def test_regex_stays_in_its_clause(pattern: str, text: str, expected: bool) -> None:
    assert regex(pattern, text) is expected


def test_a_rule_can_match_across_clauses() -> None:
    assert regex("分.{1,3}期", "积分。期待", across_clauses=True)
    assert found("还有其他可以帮您", "还有，其他可以帮您的", across_clauses=True)


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("i do not know", "I didn't know you were there", False),  # tense: did is not do
        ("i do not know", "I don't know", True),
        ("i do not know", "i dont know", True),  # chat spelling without apostrophe
        ("i do not know", "Honestly I do not know.", True),
        ("i can not help you", "I cannot help you", True),
        ("i can not help you", "I can not help you", True),
        ("i can not help you", "I can't help you", True),
        ("i can not help you", "I couldn't help you with that yesterday", False),
        ("i will not", "I won't", True),
        ("i am not able to", "I'm not able to do that", True),
        ("that is not my job", "That's not my job", True),
        ("not my department", "the customer's department said no", False),
        ("whatever", "what ever happened", False),  # one word: itself or an inflection
        ("complain", "I complained twice", True),
        ("sue", "Sure thing", False),
    ],
)
def test_english_whole_tokens_and_contractions(phrase: str, text: str, expected: bool) -> None:
    assert found(phrase, text) is expected


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("办不了", "您那边办理不了吗？"),
        ("办不了", "那您那边办不了吗"),  # 吗 without a question mark
        ("查不了", "您是说查不了，对吗？"),  # a confirmation tag closes the sentence
        ("办不了", "能不能办？办不了吗"),
        ("我没办法", "我没办法登录吗？"),
        ("没有办法", "有没有办法再试一次呢"),
        ("can not help", "Can't you help?"),
        ("can not help", "why can't I help them"),
        ("you need to call", "do you need to call them"),
        ("not my department", "Not my department, right?"),
    ],
)
def test_questions_are_skipped_when_the_rule_says_so(phrase: str, text: str) -> None:
    assert not found(phrase, text, questions="skip")
    assert found(phrase, text, questions="count")


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("办不了", "这个业务我们办不了。"),
        ("办不了", "办不了，您换个时间再来吧？"),  # the refusal is its own clause
        ("你去找", "你去找快递公司吧"),  # 吧 ends a suggestion, not a question
        ("自己去网上查", "你自己去网上查吧"),
        ("我也不知道", "我也不知道呢"),  # 呢 without a question word
        ("i can not help", "I can't help you, okay?"),  # okay is no confirmation tag
        ("i can not help", "I can't help you with that."),
        ("not my department", "That is not my department!"),
    ],
)
def test_statements_still_count_when_questions_are_skipped(phrase: str, text: str) -> None:
    assert found(phrase, text, questions="skip")


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("你听不懂吗", "你听不懂吗？"),
        ("烦不烦", "你烦不烦啊？"),
        ("你有病吧", "你有病吧？"),
        ("关我什么事", "这关我什么事？"),
    ],
)
def test_a_phrase_that_is_a_question_matches_questions(phrase: str, text: str) -> None:
    assert found(phrase, text, questions="skip")


def test_in_questions_can_be_set_per_phrase() -> None:
    assert found("办不了", "办不了吗？", questions="skip", in_questions=True)
    assert not found("你有病吧", "你有病吧？", questions="skip", in_questions=False)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("重新连接也会这样吗？", True),
        ("您好，请问重新连接也会这样吗？", True),
        ("请问您是在哪个城市呢", True),
        ("能不能告诉我您的手机号", True),
        ("您是否已经重启过路由器", True),
        ("您好。请问您附近的用户也有同样情况吗？谢谢", True),
        ("Could you restart the router?", True),
        ("Did it work after the reset", True),
        ("这个我们处理不了。您要不要去营业厅问问？", False),  # a statement of substance first
        ("您说吧", False),
        ("你去找客服吧", False),
        ("我也不知道为什么", False),  # an embedded question is a statement
        ("I don't know why it failed.", False),
        ("You should restart it", False),
    ],
)
def test_utterance_is_a_question(text: str, question: bool) -> None:
    assert tokenize(text).is_question is question
