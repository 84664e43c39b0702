"""Numbers whisper cut short or broke near an utterance's end, and reference labels it
misheard (bench/README.md, personal data, tenth round)."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import detect
from tests.test_pii_asr_forms import found, utterances


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # the rest lost: what ASR kept right after the label, where the utterance ends
        ("我的手机号是184915", [("PHONE", "184915")]),
        ("我的设计号是199979", [("PHONE", "199979")]),  # 手机号 heard as 设计号
        ("我的手机号是要702714", [("PHONE", "要702714")]),  # 要 for 幺: its first digit
        ("我的手机号码是139021。", [("PHONE", "139021")]),
        ("卡号是62172853", [("CARD", "62172853")]),
        ("身份证号是330106199", [("ID", "330106199")]),
        # fillers after it are no words
        ("我的手机号是184915啊", [("PHONE", "184915")]),
        ("我的手机号是184915，呃", [("PHONE", "184915")]),
    ],
)
def test_a_labelled_number_cut_short_at_the_end_of_its_utterance_is_masked(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    "text",
    [
        # too short for anything but a count or a card's last digits
        "我的手机号是18491",
        "卡号是6217285",
        "身份证号是33010619",
        "银行卡尾号是623456",
        "卡号后六位是623456",
        # a number said in passing: the utterance goes on after it
        "我的手机号是184915，对吗",
        "手机号是184915那个不用了",
        "我的手机号是184915吧",
        # not right after the label
        "手机号我上个月换了，新的是184915",
        # a quantity, a date, an order number under its label
        "电话费是100000元",
        "手机号是2026年12月换的",
        "手机号订单号是184915",
    ],
)
def test_short_numbers_said_otherwise_stay_unmasked(text: str) -> None:
    assert found(text, "zh") == []


def test_the_cut_short_number_is_masked_when_the_rest_is_lost_after_a_backchannel() -> None:
    spans = detect(utterances(("我的手机号是184915", "停", "啊,邀请啊"), ("停",)), "zh")
    assert [(s.utterance, s.kind.value) for s in spans] == [(0, "PHONE")]


@pytest.mark.parametrize(
    "texts",
    [
        # three characters ASR wrote for what it did not catch, before or after the break
        ("卡号是621-728-531-865", "您您的设计和设计", "摇白摇,96"),
        ("我的手机号是1703351", "停", "啊要秒六七二"),
        ("我的手机号是1703351秒", "停", "要六七二"),
    ],
)
def test_a_number_is_read_on_behind_three_characters_around_the_break(
    texts: tuple[str, ...],
) -> None:
    spans = detect(utterances(texts, ("您您的设计和设计", "停")), "zh")
    assert {s.utterance for s in spans} == {0, 2}
    assert len({s.group for s in spans}) == 1


@pytest.mark.parametrize(
    "texts",
    [
        # words: four characters around the break
        ("我的手机号是1703351还没换过", "嗯", "六七二"),
        ("我的手机号是1703351还没", "嗯", "换过六七二"),
        ("我的手机号是1703351", "嗯", "那个是我35"),
        # a quantity after what is read on
        ("我的手机号是1703351", "嗯", "大概35块"),
    ],
)
def test_words_around_the_break_end_the_number(texts: tuple[str, ...]) -> None:
    spans = detect(utterances(texts, ("嗯",)), "zh")
    assert all(s.utterance == 0 for s in spans)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a syllable of the number written as a word before its last digit or two
        ("完整的卡号是6217248244085案5", [("CARD", "6217248244085案5")]),
        ("卡号是621724824408案56。", [("CARD", "621724824408案56")]),
        ("我的身份证号是1101051990030712案4", [("ID", "1101051990030712案4")]),
    ],
)
def test_the_last_digits_after_a_character_end_a_labelled_number(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # an ordinal, a count or a new clause after the number; a unit after the digit
        ("我的手机号是1380013800第5", [("PHONE", "1380013800")]),
        ("完整的卡号是6217248244085，共5", [("CARD", "6217248244085")]),
        ("完整的卡号是6217248244085，还有5", [("CARD", "6217248244085")]),
        ("卡号是6217248244085案5号", [("CARD", "6217248244085")]),
        ("卡号是6217248244085换了5张", [("CARD", "6217248244085")]),
        # a whole number, an order number
        ("我的手机号是13800138000第5", [("PHONE", "13800138000")]),
        ("订单号是6217248244085案5", []),
    ],
)
def test_a_digit_after_a_word_or_a_whole_number_stays_apart(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    "text",
    [
        # 发票号 heard with 8 for 发: 票号 ends a ticket's or an invoice's number
        "8票号码是133和48195713",
        "8票号 买16228 额3267292295",
        "您的车票号是13800138000",
        # 工单编号 heard by its sound (公单编后: gōng, hòu for hào)
        "公单编后午二三四二二要四八五零九三零八要",
        "公单编后是13800138000",
    ],
)
def test_reference_numbers_under_a_misheard_label_stay_unmasked(text: str) -> None:
    assert found(text, "zh") == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我买了两张票，手机号是13800138000", [("PHONE", "13800138000")]),
        ("公司电话是13800138000", [("PHONE", "13800138000")]),
        ("工资卡号是6217248244085255", [("CARD", "6217248244085255")]),
    ],
)
def test_personal_numbers_near_those_words_are_still_masked(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 四幺幺幺，八四二八...: the group said as 幺 before the comma is the number's
        ("卡号是腰腰腰,8-4-2-8,4-6-4,7-4-4", [("CARD", "腰腰腰,8-4-2-8,4-6-4,7-4-4")]),
        ("卡号是8-4-2-8,4-6-4,7-4-4,妖妖", [("CARD", "8-4-2-8,4-6-4,7-4-4,妖妖")]),
        # with a digit heard by its reading among them (死 for 四): 14 digits, a card's
        ("卡后射死腰腰腰,8-4-2-8,4-6-4,7-4-4", [("CARD", "死腰腰腰,8-4-2-8,4-6-4,7-4-4")]),
    ],
)
def test_said_as_yao_across_a_pause_from_the_digits(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


def test_said_as_yao_at_the_end_of_an_utterance_the_number_reads_on_from() -> None:
    texts = ("卡后是紫妖妖妖", "行", "1-8-0-9-1-6-1-2-4-7-2")
    spans = detect(utterances(texts, ("行",)), "zh")
    assert [(s.utterance, s.kind.value) for s in spans] == [(0, "CARD"), (2, "CARD")]
    assert texts[0][spans[0].start : spans[0].end] == "妖妖妖"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # one 幺 sound-alike, or characters said so only by their reading, stay words
        ("我腰疼，13800138000", [("PHONE", "13800138000")]),
        ("舞舞，13800138000", [("PHONE", "13800138000")]),
        ("舞舞腰，13800138000", [("PHONE", "13800138000")]),
        ("优优，你的电话是13800138000", [("PHONE", "13800138000")]),
        # too few real digits
        ("腰腰腰，三三三", []),
        ("腰腰，12345", []),
    ],
)
def test_other_words_before_a_pause_stay_words(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("texts", "kind"),
    [
        # the answer to a code question that ASR stretched past a code's length
        (("请问您收到的验证码是多少?", "等5 8 5 5 5 5 5 5 5 6"), "CODE"),
        (("验证码是多少", "三五八五五五二二二"), "CODE"),
        # a phone read out there is still one: it validates
        (("请问您收到的验证码是多少?", "1-3-8-0-0-1-3-8-0-0-0"), "PHONE"),
        # another label after the code's says what it is
        (("验证码没收到", "我的手机号是五八五五五五五五五六"), "PHONE"),
    ],
)
def test_a_number_read_out_after_a_code_label_is_a_code(texts: tuple[str, ...], kind: str) -> None:
    spans = detect(utterances(texts, ("请问您收到的验证码是多少?", "验证码是多少")), "zh")
    assert [(s.utterance, s.kind.value) for s in spans] == [(1, kind)]


def test_a_reference_number_read_out_after_a_code_question_stays_unmasked() -> None:
    texts = ("验证码是多少", "订单号是五八五五五五五五五六")
    assert detect(utterances(texts, ("验证码是多少",)), "zh") == []
