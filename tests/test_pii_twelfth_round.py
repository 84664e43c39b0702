"""A certificate's 证号 types a number as an ID; a digit by its sound and a syllable glued
before a card's last digit; a head joined by dashes to a number in its tail; dotted groups right
after an ID's or a card's label; 19 digits that are an ID with one added (bench/README.md,
personal data, twelfth round)."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import detect
from tests.test_pii_asr_forms import found, utterances


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 身份证号 heard as 宣传证号, a driving licence's and an officer's number (the ID's):
        # an ID whose birth date ASR broke, which passes the Luhn check by chance
        ("宣传证号是42010220206223251", [("ID", "42010220206223251")]),
        ("驾驶证号是42010220206223251", [("ID", "42010220206223251")]),
        ("军官证号42010220206223251", [("ID", "42010220206223251")]),
        # a voucher's, a guarantee's, a permit's number: what its digits validate as
        ("凭证号是42010220206223251", [("CARD", "42010220206223251")]),
        ("保证号是42010220206223251", [("CARD", "42010220206223251")]),
        ("许可证号是42010220206223251", [("CARD", "42010220206223251")]),
    ],
)
def test_a_certificates_number_is_an_ids(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    "text",
    [
        # amounts, points, dates, counts and reference numbers by a 证号 stay
        "驾驶证号扣了12分罚款200元",
        "驾驶证号是2023年12月5日办的",
        "我有3个证号",
        "凭证号是2023120500123",
        "许可证号20231205",
        "学生证号是2019031245",
    ],
)
def test_amounts_dates_counts_and_references_by_a_certificate_stay(text: str) -> None:
    assert found(text, "zh") == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a digit heard by its sound (动 dong: 0) and a syllable written as a word, glued
        # between a card and its last digit at the utterance's end
        ("完整的卡号是4367 8178 6708动速5", [("CARD", "4367 8178 6708动速5")]),
        ("卡号是436781786708酒店3", [("CARD", "436781786708酒店3")]),
        # after a space or a comma a new clause; a unit, a day, an ordinal after the digit;
        # a date character or an ordinal as the second character; no label; a reference
        ("卡号是4367 8178 6708 舞会5", [("CARD", "4367 8178 6708")]),
        ("卡号是4367 8178 6708，酒店3", [("CARD", "4367 8178 6708")]),
        ("卡号是436781786708酒店3天", [("CARD", "436781786708")]),
        ("卡号是4367 8178 6708动速5号", [("CARD", "4367 8178 6708")]),
        ("卡号是4367 8178 6708舞元5", [("CARD", "4367 8178 6708")]),
        ("卡号是4367 8178 6708舞第5", [("CARD", "4367 8178 6708")]),
        ("订单号是436781786708酒店3", []),
        ("我住436781786708酒店3", []),
    ],
)
def test_a_digit_by_its_sound_and_a_syllable_before_a_cards_last_digit(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # four digits or more joined by dashes alone before a number found in the tail:
        # groups of one number read out (a card ASR lost a digit of), no landline
        ("号号是4367-068-7938-5799", [("CARD", "4367-068-7938-5799")]),
        ("4367-068-7938-5799", [("CARD", "4367-068-7938-5799")]),
        # a country code, a date, a space before the number stay apart; a reference number
        # and an amount stay unmasked
        ("86-138-0013-8000", [("PHONE", "86-138-0013-8000")]),
        ("0086-138-0013-8000", [("PHONE", "0086-138-0013-8000")]),
        ("2023-12-05-13800138000", [("PHONE", "13800138000")]),
        ("1234 138-0013-8000", [("PHONE", "138-0013-8000")]),
        ("订单号是4367-068-7938-5799", []),
        ("4367-068-7938-5799元", []),
    ],
)
def test_a_head_joined_by_dashes_makes_one_number(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # an address's dotted groups right after an ID's or a card's label: the number
        # read out in groups
        ("我的身份证号码是110.105.199.60", [("ID", "110.105.199.60")]),
        ("卡号是192.168.10.25", [("CARD", "192.168.10.25")]),
        ("卡号：192.168.1.1", [("CARD", "192.168.1.1")]),
        # an address after other words or under a phone's label, a date and time, an amount
        ("银行卡的IP是192.168.10.25", []),
        ("身份证号是多少，IP是192.168.10.25", []),
        ("手机号是192.168.10.25", []),
        ("卡号是2016.07.24.08", []),
        ("卡号是3.5元", []),
    ],
)
def test_dotted_groups_right_after_an_id_or_card_label_are_its_number(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked


def test_an_id_read_in_dotted_groups_and_read_on_after_a_backchannel() -> None:
    texts = ("身份证号是101.0.105.1就就职", "请", "六零一二七一七三二")
    spans = detect(utterances(texts, ("请",)), "zh")
    assert [(s.kind.value, texts[s.utterance][s.start : s.end]) for s in spans] == [
        ("ID", "101.0.105.1就就"),
        ("ID", "六零一二七一七三二"),
    ]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 19 digits that validate as a card but are an ID with one digit added (440305
        # 2005 0111 7888 with a 2 in its date), under 证件号码 heard as 政界号码 or none
        ("政界号码4403052020501117888您何对一下", [("ID", "4403052020501117888")]),
        ("4403052020501117888", [("ID", "4403052020501117888")]),
        # a card's label says card; a card that is no such ID; a reference stays unmasked
        ("卡号是4403052020501117888", [("CARD", "4403052020501117888")]),
        ("卡号是6217000010081234567", [("CARD", "6217000010081234567")]),
        ("订单号是4403052020501117888", []),
    ],
)
def test_nineteen_digits_that_are_an_id_with_one_added(text: str, masked: list) -> None:
    assert found(text, "zh") == masked
