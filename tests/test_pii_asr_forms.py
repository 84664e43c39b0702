"""Numbers as ASR writes them: letters for half-heard digits, short codes, labels that name
no secret."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import PiiType, detect, detect_text, redact_result
from qa_service.domain.pii.numerals import GUESS, Unit, tokenize


def found(text: str, language: str = "en") -> list[tuple[str, str]]:
    return [(s.kind.value, text[s.start : s.end]) for s in detect_text(text, language)]


def digits(text: str) -> str:
    return "".join(i.digits if isinstance(i, Unit) else "|" for i in tokenize(text, 0))


@pytest.mark.parametrize(
    ("text", "said", "kind"),
    [
        ("the verification code is 6-I-8-6-8-2", "6-I-8-6-8-2", "CODE"),
        ("Card number 6228-0073-1684-I-1841, please.", "6228-0073-1684-I-1841", "CARD"),
        ("My card number is 5234i184i4360332", "5234i184i4360332", "CARD"),
        ("The verification code is 348, a 907.", "348, a 907", "CODE"),
        # no label: one unknown digit in a number of a phone's shape
        ("sure, it's 415 555 2I71", "415 555 2I71", "PHONE"),
        ("SSN 174 6 I 6 5 9 4", "174 6 I 6 5 9 4", "SSN"),
    ],
)
def test_a_letter_between_digits_stands_for_one(text: str, said: str, kind: str) -> None:
    assert found(text) == [(kind, said)]


@pytest.mark.parametrize(
    ("text", "stream"),
    [
        ("between 2 and 3 I think", "|2|||3|||"),
        ("6-I-8", "6|" + GUESS + "|8"),
        ("I said 4 5", "|||4|5"),  # a letter before any digit is a word
        ("it was 35 a month", "|||35|||"),
    ],
)
def test_only_letters_between_digits_are_taken_for_digits(text: str, stream: str) -> None:
    assert digits(text).replace("||", "|") == stream.replace("||", "|")


@pytest.mark.parametrize(
    "text",
    [
        "the card is A-B-C-1-2-D-E-F-3-4-G-H-5-6",  # mostly letters: not a number
        "the order number is 1384-I-0013-8000",  # a reference number with a letter
        "my card number is 523I",  # a label, far too short
    ],
)
def test_letters_do_not_make_a_number_of_anything(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("the CVV is 123", [("CODE", "123")]),
        ("verification code is 658", [("CODE", "658")]),  # one digit lost by ASR
        ("the area code is 415", []),
        ("my zip code is 94107", []),
        ("error code 5012 on the screen", []),
    ],
)
def test_short_codes_and_codes_that_are_no_secret(text: str, masked: list) -> None:
    assert found(text) == masked


def test_a_card_read_with_one_letter_keeps_its_type_in_chinese() -> None:
    assert [s.kind for s in detect_text("卡号是6228 0073 1684 I 1841", "zh")] == [PiiType.card]


@pytest.mark.parametrize(
    ("text", "language", "masked"),
    [
        # no label left: a long run said digit by digit is a phone, card or ID number
        ("It's time to nine, nine, four, one, nine, oh five.", "en", "PHONE"),
        ("sure: 4-6-3-5-3-1-2-8-4", "en", "PHONE"),
        ("好的，五八二六四一七九", "zh", "PHONE"),
        ("嗯 六二二七 三五四五 七八六二 三四九", "zh", "CARD"),
    ],
)
def test_a_long_number_read_out_digit_by_digit_is_masked_without_a_label(
    text: str, language: str, masked: str
) -> None:
    spans = detect_text(text, language)
    assert [s.kind.value for s in spans] == [masked]
    assert not any(ch.isdigit() for ch in text[: spans[0].start] + text[spans[0].end :])


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("it was 9941905 in total", "en"),  # written digits run together: not read out
        ("one hundred twenty three thousand four hundred fifty six people", "en"),
        ("the order number is 1, 8, 9, 3, 7, 0, 8, 0, 5, 8, 2", "en"),
        ("nine, four, one, two, three, five, six dollars", "en"),
        ("that's 1, 2, 3, 4, 5, 6", "en"),  # six digits: too short
        ("订单号五八二六四一七九", "zh"),
        ("二零二六年十二月三日到的", "zh"),
        ("fixed in 2.0.1, 2.0.2 and 2.0.3", "en"),  # versions, not digits read out
        ("iPhone 6 Plus 16G 196", "en"),  # no phone label in "iPhone"
        ("三千五百八十元", "zh"),
    ],
)
def test_what_is_not_read_out_or_says_what_it_is_stays(text: str, language: str) -> None:
    assert found(text, language) == []


@pytest.mark.parametrize(
    ("text", "language", "masked"),
    [
        ("You can reach me at I'm 175, 457, I'm 160.", "en", [("PHONE", "175, 457, I'm 160")]),
        ("SSN 135, I'm 140, 300, 42", "en", [("SSN", "135, I'm 140, 300, 42")]),
        ("my phone number is 175 I'm 457 I'm 1608", "en", [("PHONE", "175 I'm 457 I'm 1608")]),
        # not in Chinese, even where the character was a misheard digit (the price of not
        # joining "13806210344或18640877939" or "10元包100M")
        # (the nine digits after it are masked as read out)
        ("卡号六二二七三五 雅 四五七八六二三四九", "zh", [("PHONE", "四五七八六二三四九")]),
        # the first run is a whole ID: "一下" after it is no part of it
        (
            "证件号码三二零一零二一九七五零六一一七一七二，您核对一下",
            "zh",
            [("ID", "三二零一零二一九七五零六一一七一七二")],
        ),
        ("the card ending in 42 or 17", "en", []),  # too short, joined or not
        ("my phone bill is 10 bucks and 20 or 300", "en", []),  # a quantity before the gap
        # Chinese gaps are words of the sentence: two numbers, or amounts
        (
            "我的联系方式13806210344或18640877939",
            "zh",
            [("PHONE", "13806210344"), ("PHONE", "18640877939")],
        ),
        ("打电话说3G网络,10元包100M 20元包300M流量", "zh", []),
        ("I have 3 kids and 4 dogs", "en", []),  # no label
    ],
)
def test_a_short_word_asr_wrote_between_labelled_digits_is_bridged(
    text: str, language: str, masked: list
) -> None:
    assert found(text, language) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("SSN474-268-2008", [("SSN", "474-268-2008")]),  # validates as a US phone only
        ("S-S-N-P-1-2-3-5-3-5-6-0", [("SSN", "1-2-3-5-3-5-6-0")]),  # the label spelled out
        ("SSN on file. Call me at 474-268-2008", [("PHONE", "474-268-2008")]),
        ("card ok, my mobile is 415 555 2671", [("PHONE", "415 555 2671")]),
    ],
)
def test_the_label_right_before_wins_over_a_phone_plan(text: str, masked: list) -> None:
    assert found(text) == masked


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


def _utterances(texts: tuple[str, ...], agent: tuple[str, ...]) -> list[dict]:
    """Utterances 2.5 s apart; those in ``agent`` are the agent's, the rest the customer's."""
    return [
        {"role": "agent" if t in agent else "customer", "start": 2.5 * i, "end": 2.5 * i + 2}
        | {"text": t}
        for i, t in enumerate(texts)
    ]


def _call(*texts: str) -> list[dict]:
    """ "嗯" and the question are the agent's."""
    return _utterances(texts, ("嗯", "请问您收到的验证码是多少"))


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
        # words for digits right after a label lead its number
        ("The verification code is free to 7-3", [("CODE", "free to 7-3")]),
        ("the PIN is won 2 3 4", [("CODE", "won 2 3 4")]),
        (
            "My card number is for triple 1, double 3, 6, 7, 0, 1, 7, 0, 8, 7, 2, 5.",
            [("CARD", "for triple 1, double 3, 6, 7, 0, 1, 7, 0, 8, 7, 2, 5")],
        ),
        # a number that is whole by itself keeps "to" a word
        ("call me to 415 555 2671", [("PHONE", "415 555 2671")]),
        # anywhere else they are the words they are
        ("I need to talk to you for 5 minutes", []),
        ("I want to pay 2 for 1", []),
        ("the code is for 10 dollars", []),
        ("my order number is for 1 2 3 4 5 6 7 8", []),
        ("my phone number is for 2 weeks old", []),
    ],
)
def test_digit_homophones_right_after_a_label(text: str, masked: list) -> None:
    assert found(text) == masked


def _en_call(*texts: str) -> list[dict]:
    """ "and make him" (ASR's "mm-hm") and "Okay." are the agent's."""
    return _utterances(texts, ("and make him", "Okay."))


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # read on in the next utterance after a short word or two ASR wrote for a digit
        (
            ("My phone number is 866-67", "and make him", "I'm 7-086"),
            [("PHONE", "866-67"), ("PHONE", "7-086")],
        ),
        # a 3-2-4 shape under a phone label is the phone's, not an SSN
        (
            ("My phone number is 546-48.", "and make him", "and I'm 6745."),
            [("PHONE", "546-48"), ("PHONE", "6745")],
        ),
        # a quantity in the next utterance is not read on
        (
            ("My phone number is 555 1234.", "Okay.", "and I'm 30 years old"),
            [("PHONE", "555 1234")],
        ),
        # no label, no bridge
        (("I have 3 kids", "Okay.", "and I'm 45"), []),
        # not over a longer word, nor over an utterance of the speaker's between: the
        # pieces alone are too short to mask
        (("My phone number is 866-67", "Okay.", "because 7-086"), []),
        (("My phone number is 866-67", "and then", "I'm 7-086"), []),
    ],
)
def test_a_number_read_on_in_the_next_utterance_after_a_short_word(
    texts: tuple[str, ...], masked: list
) -> None:
    call = _en_call(*texts)
    spans = detect(call, "en")
    assert [(s.kind.value, call[s.utterance]["text"][s.start : s.end]) for s in spans] == masked
    assert len({s.group for s in spans}) <= 1


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
