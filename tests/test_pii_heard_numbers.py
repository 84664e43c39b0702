"""Numbers whisper wrote in shapes that are also words or addresses: dotted groups past an
IP address's 255, digits heard as words before a break, 卡号 heard after a pronoun, a
character glued inside a labelled number, digits heard with their nasal ending changed
(bench/README.md, personal data, eleventh round)."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import detect
from tests.test_pii_asr_forms import found, utterances


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # four dotted groups, one past 255: no IP address, digits read out in groups
        ("我的手机号是147.842.420.6", [("PHONE", "147.842.420.6")]),
        ("我的手机号是147.842.420.6就行", [("PHONE", "147.842.420.6")]),
        ("你打这个电话要333.618.380.5就行", [("PHONE", "要333.618.380.5")]),
    ],
)
def test_dotted_groups_no_address_could_have_are_a_number_read_out(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    "text",
    [
        # addresses, every group 0-255, under a phone label too
        "电话那边的IP是192.168.10.25",
        "手机连的是10.0.0.1",
        "IP是255.255.255.0",
        # amounts and prices, an order number in groups
        "电话费是1.234.567元",
        "价格是3.5元",
        "订单号是147.842.420.6",
    ],
)
def test_addresses_amounts_and_order_numbers_in_dots_stay_unmasked(text: str) -> None:
    assert found(text, "zh") == []


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # three characters after the first piece, two of them sounding like digits (wu, qi)
        (("卡号是52324619 名武器", "停", "915898"), [(0, "52324619"), (2, "915898")]),
        # three where one sounds like a digit (jiu) are words, four always
        (("卡号是52324619 就职了", "停", "915898"), []),
        (("卡号是52324619 名武器啊", "停", "915898"), []),
        # an amount after the break is no piece of the number
        (("卡号是52324619 名武器", "停", "915898元"), []),
    ],
)
def test_a_number_read_on_behind_three_characters_heard_as_digits_is_one(
    texts: tuple[str, ...], masked: list
) -> None:
    spans = detect(utterances(texts, ("停",)), "zh")
    assert [(s.utterance, texts[s.utterance][s.start : s.end]) for s in spans] == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 卡号 heard as 他后 / 它耗 before most of a card's digits in a row
        ("他后1411113-48-08-76-88-78", [("CARD", "1411113-48-08-76-88-78")]),
        ("它耗是5234-3988-7816-2222", [("CARD", "5234-3988-7816-2222")]),
        # about him: a day, a date, an amount, a phone number after other words
        ("他后3天再打", []),
        ("他后2026年12月5号来", []),
        ("他后来转了5000块钱", []),
        ("他后天给你打13800138000", [("PHONE", "13800138000")]),
        ("他后13800138000打过来", [("PHONE", "13800138000")]),
    ],
)
def test_a_card_label_heard_after_a_pronoun_before_a_long_number(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a first digit glued to a syllable ASR wrote as a word, right after the label
        ("塔号是6案590994404175", [("CARD", "6案590994404175")]),
        # a date character before more digits than a day has
        ("完整的卡号是622 8月92790567952588", [("CARD", "622 8月92790567952588")]),
        (
            "政见号马三三零一 动6号1976零三动8 二九八死您何对一下",
            [("ID", "三三零一 动6号1976零三动8 二九八")],
        ),
        # a count, an ordinal, a reference number, a card's last digits
        ("卡号是6个5909944041751", [("CARD", "5909944041751")]),
        ("卡号是第6案590994404175", [("CARD", "590994404175")]),
        ("订单号是6案590994404175", []),
        ("我的卡号后4位是6案5909", []),
        # dates, an amount
        ("卡号是8月12号到期", []),
        ("卡号是2026年8月923", []),
        ("身份证号是1991年3月12号出生", []),
        ("手机号是5月123元", []),
    ],
)
def test_a_character_glued_inside_a_labelled_number(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # ling heard as lin (邻, 林) inside a number read out, or as a code's last digits
        (
            ("身份正好14201 东二1976 邻巴两三6600",),
            [(0, "14201 东二1976 邻巴两三6600")],
        ),
        (("请问您收到的验证码是多少", "巴斯林林"), [(1, "巴斯林林")]),
        # the surname and the words, by a number or not
        (("林先生的手机号是13800138000",), [(0, "13800138000")]),
        (("手机号是13800138000，林先生",), [(0, "13800138000")]),
        (("林林总总有3000多个",), []),
        (("临走前给了200元",), []),
        # ling heard as li (力) inside an ID read out
        (
            ("我身份正三三零腰动力1983零八腰动7119",),
            [(0, "三三零腰动力1983零八腰动7119")],
        ),
        (
            ("政见后马三三动腰动力20010126094腰你和对一下",),
            [(0, "三三动腰动力20010126094腰")],
        ),
        # li as the words it is: 里, 力, 理, 李 by a number or an amount
        (("走了5里路",), []),
        (("家里3口人",), []),
        (("他力气大，一次能搬100斤",), []),
        (("卡号是6217里面有3000元",), []),
        (("理赔金额是5000元",), []),
        (("我在这里等了20分钟",), []),
        (("我在这里13800138000",), [(0, "13800138000")]),
        (("手机号是13800138000，李先生",), [(0, "13800138000")]),
        # one and seven with a nasal added (因 yin, 请 qing)
        (("你打这个电话因5因5,1089,5019行",), [(0, "5因5,1089,5019")]),
        (("请问您收到的验证码是多少", "无邀请请"), [(1, "无邀请请")]),
        # alone at a number's edge they are the words they are
        (("李13800138000",), [(0, "13800138000")]),
        (("林13800138000",), [(0, "13800138000")]),
        (("您好，请13800138000",), [(0, "13800138000")]),
        (("帮13800138000充值",), [(0, "13800138000")]),
        (("办6217002430011112222",), [(0, "6217002430011112222")]),
        (("银6217002430011112222",), [(0, "6217002430011112222")]),
    ],
)
def test_digits_heard_with_their_nasal_changed(texts: tuple[str, ...], masked: list) -> None:
    spans = detect(utterances(texts, ("请问您收到的验证码是多少",)), "zh")
    assert [(s.utterance, texts[s.utterance][s.start : s.end]) for s in spans] == masked


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # the last digits after a character and a space ASR put before it
        (
            ("塔号是41111366", "停", "三零零零 四五一 多二八"),
            [(0, "41111366"), (2, "三零零零 四五一 多二八")],
        ),
        (("完整的卡号是6217248244085 案5",), [(0, "6217248244085 案5")]),
        # after a comma a new clause; an ordinal, a count, a reference number
        (("完整的卡号是6217248244085，案5",), [(0, "6217248244085")]),
        (("卡号是6217248244085 第5",), [(0, "6217248244085")]),
        (("卡号是6217248244085 多5张",), [(0, "6217248244085")]),
        (("订单号是6217248244085 多5",), []),
    ],
)
def test_last_digits_after_a_character_and_a_space(texts: tuple[str, ...], masked: list) -> None:
    spans = detect(utterances(texts, ("停",)), "zh")
    assert [(s.utterance, texts[s.utterance][s.start : s.end]) for s in spans] == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a mobile's first digit said as 幺, heard as 要 right after the phone's label
        ("我的手机号是要72137", [("PHONE", "要72137")]),  # six with it: cut short
        ("你打这个电话要75个2、2、10309就行", [("PHONE", "要75个2、2、10309")]),
        ("你打这个电话要40 自动745 359要就行", [("PHONE", "要40 自动745 359要就")]),
        # a whole number without it: 要 the verb
        ("电话要13800138000", [("PHONE", "13800138000")]),
        # too few with it, words after it, no phone's label, words between, an amount
        ("我的手机号是要7213", []),
        ("手机号是要72137的", []),
        ("卡号是要6217285", []),
        ("手机号我要75个", []),
        ("电话费是要100000元", []),
    ],
)
def test_a_mobiles_first_digit_heard_as_yao_after_the_label(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # too long for a quantity before the break and read on past every type's length
        (
            ("H-24367-5760-7751-9064", "等", "2-3-4"),
            [(0, "24367-5760-7751-9064"), (2, "2-3-4")],
        ),
        # two service lines across a backchannel, a reference number, words after the break
        (("400-830-8300", "等", "800-830-8300"), []),
        (("订单号是24367-5760-7751-9064", "等", "2-3-4"), []),
        (("24367-5760-7751-9064", "等", "好的"), [(0, "24367-5760-7751-9064")]),
    ],
)
def test_a_long_number_read_on_past_every_types_length(
    texts: tuple[str, ...], masked: list
) -> None:
    spans = detect(utterances(texts, ("等",)), "zh")
    assert [(s.utterance, texts[s.utterance][s.start : s.end]) for s in spans] == masked
