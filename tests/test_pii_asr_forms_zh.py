"""Numbers as Chinese ASR writes them: labels in traditional characters, homophones between
digit characters (比 and 腰 for 幺) only inside a long enough number, numbers read out over a
call's utterances while reference numbers, amounts, dates and times stay, and the label that
wins (an ID's over a Luhn match, 号码 ending an ID's or a card's label)."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import detect, redact_result
from qa_service.domain.pii.digit_units import GUESS
from tests.test_pii_asr_forms import digits, found, utterances


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的手機號是一三八二六四一", [("PHONE", "一三八二六四一")]),
        ("驗證碼是八三九二零七", [("CODE", "八三九二零七")]),
        ("訂單號13826417953", []),
        ("餘額13826417953", []),
        ("等了52分鐘", []),
    ],
)
def test_labels_in_traditional_characters(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


# Whisper base on espeak's Mandarin digits: 比 for 幺 (bench/pii_asr.py's zh sets).
GARBLED_ID = "六比零比三比九七九零二二五三零二三"
UNLABELLED_ID = "三比零比零四比九五比零四三八三六四"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a homophone between digit characters (比 for 幺) under a label: a garbled ID
        ("我身分症" + GARBLED_ID, [("ID", GARBLED_ID)]),
        # no label left: 18 digits read out, homophones included, are an ID by length
        ("正正好是" + UNLABELLED_ID, [("ID", UNLABELLED_ID)]),
        ("我的手机号一三八是零零一三八零零零", [("PHONE", "一三八是零零一三八零零零")]),
        # words with digits in them: chains too short to hold a homophone
        ("密码一模一样", []),
        ("比分三比零", []),
        ("七上八下，一心一意，三心二意", []),
        ("一五一十地说了", []),
        # a range, a date, an address: the character between says what the digits are
        ("一九九八到二零零五", []),
        ("二零一七年九月二日办的卡", []),
        ("三号楼二零一室", []),
        # two numbers joined by 或 stay two
        (
            "联系方式一三八零六二一零三四四或一八六四零八七七九三九",
            [("PHONE", "一三八零六二一零三四四"), ("PHONE", "一八六四零八七七九三九")],
        ),
    ],
)
def test_a_chinese_homophone_between_digit_characters(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "stream"),
    [
        ("三比零比零四比九五", "3" + GUESS + "0" + GUESS + "04" + GUESS + "95"),
        ("三比零比零四比九", "3|0|04|9"),  # five real digits: too short a chain
        ("三比零", "3|0"),  # a chain of two real digits: 比 is a word
        ("3比0比0比4比9比8", "3|0|0|4|9|8"),  # written digits: ASR heard them as digits
    ],
)
def test_only_long_chains_of_digit_characters_take_homophones(text: str, stream: str) -> None:
    assert digits(text).replace("||", "|") == stream


def _call(*texts: str) -> list[dict]:
    """ "嗯" and the question are the agent's."""
    return utterances(texts, ("嗯", "请问您收到的验证码是多少"))


@pytest.mark.parametrize(
    ("texts", "kind"),
    [
        # no label: typed by validation (a mobile, a Luhn card, an ID's check digit) ...
        (("好的，幺三八 零零一三", "嗯", "八零零零"), "PHONE"),
        (("1,3,8,0,0,1,3,8,0,0,0",), "PHONE"),
        (("三三零幺零六 幺九六五零二幺八", "八四七八"), "ID"),
        (("四幺幺幺 九三六八 零零零三 五七九五",), "CARD"),
        # ... or by length when it does not validate: read out, 9 digits
        (("嗯，5,8,2,6,4,1,7,9,3",), "PHONE"),
        # a code needs a code word, in the question before when the answer is bare
        (("请问您收到的验证码是多少", "四三八 五二九"), "CODE"),
        (("密码是两两零八",), "CODE"),
    ],
)
def test_chinese_numbers_read_out_as_asr_writes_them(texts: tuple[str, ...], kind: str) -> None:
    call = _call(*texts)
    spans = detect(call, "zh")
    assert {s.kind.value for s in spans} == {kind} and len({s.group for s in spans}) == 1
    masked = redact_result({"language": "zh", "utterances": call})["utterances"]
    assert not any(ch in "0123456789幺零一二两三四五六七八九" for u in masked for ch in u["text"])


@pytest.mark.parametrize(
    "text",
    [
        "订单号幺三八零零一三八零零零",
        "一共三千五百八十块",
        "二零二六年十二月三号",
        "下午三点五十分",
        "我打了十一次电话",
        "2021年11月10日开的户",
        "尾号幺七幺二的卡",
    ],
)
def test_chinese_reference_numbers_amounts_dates_and_times_stay(text: str) -> None:
    assert detect(_call(text), "zh") == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 腰 (said yāo, as 幺) for the telephone "one" inside a number read out
        (
            "我身份证三腰零腰，零四，腰九五零，零九零腰，三二四三",
            [("ID", "三腰零腰，零四，腰九五零，零九零腰，三二四三")],
        ),
        ("我的手机号是腰三八，零零腰三，八零零零", [("PHONE", "腰三八，零零腰三，八零零零")]),
        (
            "卡号是六二二八 腰三四五 六七八九 零腰二三",
            [("CARD", "六二二八 腰三四五 六七八九 零腰二三")],
        ),
        # a word next to a number, not in it, stays a word
        ("13800138000，腰不好", [("PHONE", "13800138000")]),
        # anywhere else they are words: no number, a short one, too many of them
        ("我腰疼了三天", []),
        ("弯腰捡了三四次", []),
        ("邀请码是一二三四五六", []),
        ("腰腰腰三三三", []),
        ("一二腰", []),
        # reference numbers, amounts, dates and times stay what they are
        ("订单号是一三三腰七七四五七零八四", []),
        ("腰包三千五百八十块", []),
        ("二零二六年十二月三号腰疼", []),
        ("下午三点五十分邀请您", []),
        ("尾号腰七腰二的卡", []),
    ],
)
def test_a_character_said_as_yao_is_a_one_only_inside_a_number(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "stream"),
    [
        ("三腰零", "3|0"),  # too few digits around it: a word
        ("三二零腰零四腰九", "32010419"),
        ("腰疼", "||"),
    ],
)
def test_yao_homophones_in_the_digit_stream(text: str, stream: str) -> None:
    assert digits(text).replace("||", "|") == stream.replace("||", "|")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # an ID whose digits ASR changed so that they pass the Luhn check: its label decides
        ("我身份证61011398509056187", [("ID", "61011398509056187")]),
        (
            "我身份证三二零一零二零一九七七零七一四九一二",
            [("ID", "三二零一零二零一九七七零七一四九一二")],
        ),
        # a valid ID stays an ID, a card under a card label a card
        ("身份证号是110105198902042947", [("ID", "110105198902042947")]),
        ("卡号是6228480402564890018", [("CARD", "6228480402564890018")]),
        # the label nearest the number wins; 19 digits are a card's length, no ID's
        ("我身份证号和卡号6228480402564890018", [("CARD", "6228480402564890018")]),
        ("身份证办好了，银行卡4111111111111111", [("CARD", "4111111111111111")]),
        ("身份证后面是我的卡6228480402564890018", [("CARD", "6228480402564890018")]),
        # an order number, an amount, a date and a time after an ID label stay unmasked
        ("身份证没带，订单号是4111111111111111", []),
        ("身份证补办花了4111111111111111元", []),
        ("身份证是2021年11月10日办的", []),
        ("身份证下午3点20分去拿", []),
    ],
)
def test_an_id_label_wins_over_a_luhn_match(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 号码 ending an ID's or a card's label is their number, not a phone's: an ID ASR
        # changed (17 digits, no check digit) is masked by that label
        ("证件号码61011319904108851您核对一下", [("ID", "61011319904108851")]),
        ("身份证号码是61011319904108851", [("ID", "61011319904108851")]),
        ("银行卡号码62284804025648900", [("CARD", "62284804025648900")]),
        # a phone label of its own stays one
        ("身份证和手机号码是13800138000", [("PHONE", "13800138000")]),
        ("手机号码1380013800", [("PHONE", "1380013800")]),
        # reference numbers, amounts, dates and times stay unmasked
        ("订单号码是61011319904108851", []),
        ("证件号码办理费用是200元", []),
        ("证件号码是2021年11月10日换的", []),
        ("证件号码下午3点20分发给您", []),
    ],
)
def test_haoma_ending_an_id_or_card_label_is_theirs(text: str, masked: list) -> None:
    assert found(text, "zh") == masked
