"""七 heard as 千 and 三 as sheng in digits read out, a last piece written twice, a date no
calendar has, 万 between a fraction and a digit, 月 or 日 after three digits, a read-out no
phone plan takes, 卡号 heard with h (bench/README.md, personal data, thirteenth round)."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import detect
from tests.test_pii_asr_forms import found, utterances


def spans(texts: tuple[str, ...], agent: tuple[str, ...] = ()) -> list[tuple[int, str, str]]:
    """(utterance, kind, text) of each span found in ``texts``, the ``agent`` ones the
    agent's."""
    said = utterances(texts, agent)
    return [
        (s.utterance, s.kind.value, said[s.utterance]["text"][s.start : s.end])
        for s in detect(said, "zh")
    ]


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # a card cut short, read on with 七 heard as 千 (qiān): one quantity word with three
        # digit characters after it is no quantity
        (
            ("卡号是111664", "停", "一千五五六九一五"),
            [(0, "CARD", "111664"), (2, "CARD", "一千五五六九一五")],
        ),
        (
            ("身份证号是510107196102", "嗯", "洞八千六一九"),
            [(0, "ID", "510107196102"), (2, "ID", "洞八千六一九")],
        ),
    ],
)
def test_seven_heard_as_qian_goes_on_a_number(
    texts: tuple[str, ...], masked: list[tuple[int, str, str]]
) -> None:
    assert spans(texts, agent=texts[1:2]) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("验证码是零八千八二八", [("CODE", "零八千八二八")]),
        ("我的手机号是一三八千五五六九一五四", [("PHONE", "一三八千五五六九一五四")]),
    ],
)
def test_seven_heard_as_qian_in_one_utterance(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    "text",
    [
        # amounts and ranges: a digit or two after the quantity word, or two quantity words
        "卡里还有一千五",
        "价格一千五六百",
        "一共两万零一块",
        "我花了一千二三百块",
        "一千二百三十四元",
        "手机号是一千五",
        "卡号是6217一千五",
        "订单号是一千五五六九一五",
        "一千五六七个人",
    ],
)
def test_quantities_with_qian_stay(text: str) -> None:
    assert found(text, "zh") == []


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # 三 heard as sheng (生, 绳) between digits: a phone cut short read on, codes
        (
            ("我的手机号是17363", "证判", "八生八腰四五"),
            [(0, "PHONE", "17363"), (2, "PHONE", "八生八腰四五")],
        ),
        (("请问您收到的验证码是多少?", "巴绳绳绳,绳舞"), [(1, "CODE", "巴绳绳绳,绳舞")]),
        (("请问您收到的验证码是多少?", "爸爸六生"), [(1, "CODE", "爸爸六生")]),
    ],
)
def test_three_heard_as_sheng(texts: tuple[str, ...], masked: list[tuple[int, str, str]]) -> None:
    agent = tuple(t for t in texts if t in ("证判",) or t.startswith("请问"))
    assert spans(texts, agent) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 先生, 学生, a year of birth beside a number: the words they are
        ("张先生13800138000", [("PHONE", "13800138000")]),
        ("我的手机号是13800138000先生", [("PHONE", "13800138000")]),
        ("生13800138000", [("PHONE", "13800138000")]),
        ("我是1985年生的", []),
        ("他是85生的", []),
        ("我生了3个孩子", []),
        ("三生三世", []),
        ("订单号是62178生88881234", []),
    ],
)
def test_sheng_beside_a_number_stays_a_word(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a long number's last piece written twice (whisper): one number, masked whole
        ("号号是4367,5836,9868,910488,910488", [("CARD", "4367,5836,9868,910488,910488")]),
        ("卡号是4367,5836,9868,910488,910488", [("CARD", "4367,5836,9868,910488,910488")]),
        ("4367,5836,9868,910488,910488", [("CARD", "4367,5836,9868,910488,910488")]),
        # a reference label, a unit after it, a number and a piece of it said again
        ("订单号是4367,5836,9868,910488,910488", []),
        ("单号4367,5836,9868,910488,910488", []),
        ("4367,5836,9868,910488,910488元", []),
        ("13800138000，8000，8000", [("PHONE", "13800138000")]),
    ],
)
def test_a_last_piece_written_twice(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a year's digits, then a month or a day no calendar has: a number read out, no date
        ("连续电话1947-34-63-64-49", [("PHONE", "1947-34-63-64-49")]),
        ("联系电话1947-34-63-64-49", [("PHONE", "1947-34-63-64-49")]),
        ("手机号是1947.34.63.64.49", [("PHONE", "1947.34.63.64.49")]),
        # dates (and times) stay, under a label too; an order number stays
        ("电话2016-07-24-08-56", []),
        ("手机号1947-03-12", []),
        ("联系电话2023-12-31-23-59", []),
        ("卡号是2016.07.24.08", []),
        ("我1990-5-17出生", []),
        ("订单号是1947-34-63-64-49", []),
        ("有效期到2023-13-45", []),
    ],
)
def test_a_date_no_calendar_has_is_a_number_read_out(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a decimal fraction before 万 and a digit after it: no amount, digits read out
        ("我的手机号是1589.97万5", [("PHONE", "1589.97万5")]),
        ("电话1589.97万5", [("PHONE", "1589.97万5")]),
        # amounts: no digit after 万, no fraction before it, a unit after the digit; an
        # order number; no label
        ("余额是1589.97万", []),
        ("我的手机号是1589.97万", []),
        ("卡里有3万5", []),
        ("我的手机号是3万5", []),
        ("一共1.5万5千块", []),
        ("存了1589.97万5年", []),
        ("订单号是1589.97万5", []),
        ("收入1589.97万5", []),
    ],
)
def test_a_decimal_before_wan_and_a_digit_after_it(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 月 or 日 after three digits in a row (no month or day has them), a comma after it
        # at most: glued inside the labelled number
        ("我的手机号是163月,5187-585", [("PHONE", "163月,5187-585")]),
        ("我的手机号是163日 5187-585", [("PHONE", "163日 5187-585")]),
        # a house number's 号, a month, no label, a reference label, yen: as before
        ("我的手机号是163号,5187-585", [("PHONE", "5187-585")]),
        ("手机号是12月,5187-585", [("PHONE", "5187-585")]),
        ("我住163号,5187-585", []),
        ("163月,5187-585", []),
        ("订单号是163月,5187-585", []),
        ("我的手机号是100日元5187585", [("PHONE", "5187585")]),
    ],
)
def test_a_date_character_after_more_digits_than_a_date_has(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # read out with no label, 11 to 13 digits no phone's plan takes: a card cut short
        (("4-4-6-7-9-5-10-3-5-4", "等", "帮我做"), [(0, "CARD", "4-4-6-7-9-5-10-3-5-4")]),
        (("6-2-2-8-4-8-0-0-1-2-3-4",), [(0, "CARD", "6-2-2-8-4-8-0-0-1-2-3-4")]),
        # a mobile, a landline after its trunk 0, +86 or +44 before one: phones as before
        (("1-3-8-0-0-1-3-8-0-0-0",), [(0, "PHONE", "1-3-8-0-0-1-3-8-0-0-0")]),
        (("0-2-1-6-2-3-4-5-6-7-8",), [(0, "PHONE", "0-2-1-6-2-3-4-5-6-7-8")]),
        (("8-6-1-3-8-0-0-1-3-8-0-0",), [(0, "PHONE", "8-6-1-3-8-0-0-1-3-8-0-0")]),
        (("4-4-2-0-7-9-4-6-0-9-5-8",), [(0, "PHONE", "4-4-2-0-7-9-4-6-0-9-5-8")]),
        # a code's or a reference label
        (("验证码是4-4-6-7-9-5-1-0-3-5-4",), [(0, "CODE", "4-4-6-7-9-5-1-0-3-5-4")]),
        (("订单号是4-4-6-7-9-5-1-0-3-5-4",), []),
    ],
)
def test_a_read_out_number_no_phone_plan_takes(
    texts: tuple[str, ...], masked: list[tuple[int, str, str]]
) -> None:
    assert spans(texts, agent=("等",)) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 卡号 heard with its k as h (喊号, 好后; 号号 passed before) before ten digits or more
        ("喊号是6225217084283", [("CARD", "6225217084283")]),
        ("好后6225217084283", [("CARD", "6225217084283")]),
        ("号号是4367-5836-9868-9120", [("CARD", "4367-5836-9868-9120")]),
        # a queue's number, a count, words, a bank branch's or a utility account's number,
        # a reference label, a good mobile number
        ("喊号是A023", []),
        ("喊号是62252170", []),
        ("喊号3次", []),
        ("好后天再说", []),
        ("他好后悔", []),
        ("行号是102100099996", []),
        ("户号是6225217084283", []),
        ("订单好后6225217084283", []),
        ("这是个好号13888888888", [("PHONE", "13888888888")]),
    ],
)
def test_a_card_label_heard_with_h(text: str, masked: list) -> None:
    assert found(text, "zh") == masked
