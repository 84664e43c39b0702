"""号码 heard as 套码 or 后满, the degree sign whisper writes for 洞, 洞 heard with another
initial (通, 共, 中), one dashed token past any type's length right after its label, 千 for
七 where no quantity has its digits (bench/README.md, personal data, fourteenth round)."""

from __future__ import annotations

import re

import pytest

from tests.test_pii_asr_forms import found
from tests.test_pii_thirteenth_round import spans


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 号码 with 号's h heard as t (套, 讨: tao), as 卡's k is in 塔号
        ("套码是147-4254-659您记一下", [("PHONE", "147-4254-659")]),
        ("讨码1474254659", [("PHONE", "1474254659")]),
        # 码 heard with a nasal ending (满 man, 忙 mang), as digits are (因 for 一)
        ("后满11-12-12-28-68-32,您记一下", [("PHONE", "11-12-12-28-68-32")]),
        ("号忙是1474254659", [("PHONE", "1474254659")]),
    ],
)
def test_haoma_heard_with_t_or_a_nasal(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    "text",
    [
        # other syllables before 码, no 码 at all, a unit, a date, a reference label, a name
        "淘宝是1474254659",
        "老马是1474254659",
        "套餐是128元",
        "他满18岁了",
        "套码是5000元",
        "后满2023年12月31日",
        "订单套码是147-4254-659",
        "好吗是1474254659",
    ],
)
def test_what_only_sounds_near_haoma_stays(text: str) -> None:
    assert found(text, "zh") == []


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # the degree sign glued after a number's digits: 度 (dù) for 洞 (dòng), a digit
        (
            ("我的手机号是136,83°", "停", "04089"),
            [(0, "PHONE", "136,83°"), (2, "PHONE", "04089")],
        ),
        (("我的手机号是1770,0413,97°",), [(0, "PHONE", "1770,0413,97°")]),
        (("卡号是6222,0212,3456,789°,3",), [(0, "CARD", "6222,0212,3456,789°,3")]),
    ],
)
def test_a_degree_sign_in_a_number_is_a_digit(
    texts: tuple[str, ...], masked: list[tuple[int, str, str]]
) -> None:
    assert spans(texts, agent=("停",)) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # temperatures, no label, a reference label, a degree sign before the digits
        ("今天气温36°", []),
        ("体温是37.5°", []),
        ("手机号是38°", []),
        ("订单号是1770,0413,97°", []),
        ("我的手机号是°13800138000", [("PHONE", "13800138000")]),
        ("温度37°,湿度60%", []),
    ],
)
def test_a_degree_sign_elsewhere_stays_out(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # 洞 heard as 共 (gong), 通 (tong), 中 (zhong) between digits or among homophones
        (("身份正好13101 共死20040128 共死5次",), [(0, "ID", "13101 共死20040128 共死5")]),
        (
            ("我是愤政三二零邀通二二动零两零七二邀三八七邀",),
            [(0, "ID", "三二零邀通二二动零两零七二邀三八七邀")],
        ),
        (("我的手机号是幺三八共共幺三八共共共",), [(0, "PHONE", "幺三八共共幺三八共共共")]),
        (("请问您收到的验证码是多少", "两通通三"), [(1, "CODE", "两通通三")]),
    ],
)
def test_dong_heard_with_another_initial(
    texts: tuple[str, ...], masked: list[tuple[int, str, str]]
) -> None:
    assert spans(texts, agent=texts[:1] if len(texts) > 1 else ()) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # the words they are: a school, a total, a notice, a company, a count
        ("我在二中三班", []),
        ("一共两个", []),
        ("一共13800元", []),
        ("中国移动10086", []),
        ("通知您13800138000", [("PHONE", "13800138000")]),
        # in a word of the dictionary beside the number: noon, not 洞五
        ("13800138000中午打给我", [("PHONE", "13800138000")]),
        ("13800138000通知我", [("PHONE", "13800138000")]),
        ("共3单,订单号是13800138000", []),
        ("三中二", []),
        ("我在八中上学,电话13800138000", [("PHONE", "13800138000")]),
    ],
)
def test_words_of_ong_stay_words(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # one written token of dashed groups past any type's length, right after its label:
        # the label's number with digits ASR wrote again
        (
            "身份证号11101-0519-9909-0626-1626-162",
            [("ID", "11101-0519-9909-0626-1626-162")],
        ),
        (
            "身份证号是11101-0519-9909-0626-1626-162",
            [("ID", "11101-0519-9909-0626-1626-162")],
        ),
    ],
)
def test_an_overlong_dashed_token_right_after_its_label(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    "text",
    [
        # no label, a reference label, a label not right before (the STC-3 order number
        # after "打电话说...运费会从"), a date in the token
        "11101-0519-9909-0626-1626-162",
        "订单号是11101-0519-9909-0626-1626-162",
        "打电话说运费会从11101-0519-9909-0626-1626-162订单扣除",
        "身份证号2023-12-31-0519-9909-0626-1626",
        "400-830-8300-800-830-8300",
    ],
)
def test_other_overlong_dashed_tokens_stay_as_before(text: str) -> None:
    token = re.search(r"\d+(?:-\d+)+", text)
    assert token is not None
    assert all(said != token.group() for _, said in found(text, "zh"))


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # 千 for 七 (qiān for qī) after three digit characters, or in a chain led by 零:
        # no quantity has either
        (("请问您收到的验证码是多少?", "六四一千零四"), [(1, "CODE", "六四一千零四")]),
        (("请问您收到的验证码是多少", "零四千六六"), [(1, "CODE", "零四千六六")]),
        (("验证码是幺三八千",), [(0, "CODE", "幺三八千")]),
    ],
)
def test_qian_after_three_digits_or_a_leading_zero(
    texts: tuple[str, ...], masked: list[tuple[int, str, str]]
) -> None:
    assert spans(texts, agent=texts[:1] if len(texts) > 1 else ()) == masked


@pytest.mark.parametrize(
    "text",
    [
        # quantities: ranges of two digits, one digit before, amounts, a reference label
        "三四千块",
        "两三千",
        "一千零四",
        "四千五",
        "验证码要等两三千秒",
        "手机号是一千零四",
        "订单号是六四一千零四",
        "价格一千五六百",
    ],
)
def test_quantities_with_qian_stay_amounts(text: str) -> None:
    assert found(text, "zh") == []
