"""Personal data detection: validators, spoken numbers, split utterances, the negatives."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import PiiType, detect, detect_text
from qa_service.domain.pii import validators as v

PHONE, ID, CARD, CODE = PiiType.phone, PiiType.resident_id, PiiType.card, PiiType.code
EMAIL, PLATE, SSN = PiiType.email, PiiType.plate, PiiType.ssn


def found(text: str, language: str = "zh") -> list[tuple[str, str]]:
    return [(s.kind.value, text[s.start : s.end]) for s in detect_text(text, language)]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110105194912310021", False),  # wrong check character
        ("11010519491331002X", False),  # month 13
        ("91010519491231002X", False),  # no region 9
        ("440308199901011235", False),
        ("440308199901011234", True),
        ("1101051949123100", False),
    ],
)
def test_resident_id_check_character(value: str, ok: bool) -> None:
    assert v.resident_id(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("6222021234567890128", True),
        ("6222021234567890127", False),
        ("378282246310005", True),  # American Express, 15 digits
        ("123456789012345", False),
        ("0000000000000000", False),  # passes Luhn, no card starts with 0
    ],
)
def test_bank_card_luhn(value: str, ok: bool) -> None:
    assert v.bank_card(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("13800138000", True),
        ("19912345678", True),
        ("12800138000", False),
        ("1380013800", False),
        ("02012345678", False),  # landline, not a mobile
    ],
)
def test_cn_mobile(value: str, ok: bool) -> None:
    assert v.cn_mobile(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("01062345678", True),
        ("057188123456", True),
        ("057108123456", False),
        ("05718812345", True),
        ("0101234567", False),
        ("01312345678", False),
    ],
)
def test_cn_landline(value: str, ok: bool) -> None:
    assert v.cn_landline(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("123456789", True), ("000456789", False), ("666456789", False), ("923456789", False)],
)
def test_ssn_rules(value: str, ok: bool) -> None:
    assert v.ssn(value) is ok


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        ("我的手机号是13800138000", PHONE, "13800138000"),
        ("号码是138-0013-8000好吗", PHONE, "138-0013-8000"),
        ("幺三八 零零一三 八零零零", PHONE, "幺三八 零零一三 八零零零"),
        ("一三八，零零一三，八零零零", PHONE, "一三八，零零一三，八零零零"),
        ("138零零13八000", PHONE, "138零零13八000"),
        ("幺三八呃零零幺三八零零零", PHONE, "幺三八呃零零幺三八零零零"),
        ("+86 138 0013 8000", PHONE, "86 138 0013 8000"),
        ("座机是010-62345678", PHONE, "010-62345678"),
        ("身份证号11010519491231002X", ID, "11010519491231002X"),
        ("幺幺零幺零五幺九四九幺二三幺零零二叉", ID, "幺幺零幺零五幺九四九幺二三幺零零二叉"),
        ("卡号6222 0212 3456 7890 128", CARD, "6222 0212 3456 7890 128"),
        ("验证码是839271", CODE, "839271"),
        ("验证码八三九二七一", CODE, "八三九二七一"),
        ("车牌京A12345", PLATE, "京A12345"),
        ("车牌是粤B·D12345", PLATE, "粤B·D12345"),
        ("我的邮箱是 zhangsan 艾特 qq 点 com", EMAIL, "zhangsan 艾特 qq 点 com"),
        ("邮箱li.si@163.com谢谢", EMAIL, "li.si@163.com"),
    ],
)
def test_chinese_personal_data_is_found(text: str, kind: PiiType, said: str) -> None:
    assert found(text) == [(kind.value, said)]


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        ("my number is 415 555 2671", PHONE, "415 555 2671"),
        ("call me at (415) 555-2671", PHONE, "415) 555-2671"),
        ("four one five, eight six seven, fifty three oh nine", PHONE, None),
        ("one three eight, double zero one three, eight triple zero", PHONE, None),
        ("it's oh seven seven double zero, nine double zero, one two three", PHONE, None),
        # whisper joins double and triple to their digit with a hyphen, and writes the two
        # after them as "to" (Piper sets 162-169)
        ("My phone number is 5-6-3-9-double-5-4257.", PHONE, "5-6-3-9-double-5-4257"),
        ("My phone number is 1877 030, Double-2-9, 9.", PHONE, "1877 030, Double-2-9, 9"),
        ("The card is 4-triple-1967-580-3935-970.", CARD, "4-triple-1967-580-3935-970"),
        (
            "Card number 6 triple to 9 double to 821406712198, please.",
            CARD,
            "6 triple to 9 double to 821406712198",
        ),
        # a number after its label that whisper wrote as a value below quadrillions (set 167)
        ("My Social Security number is 368 million 21,174.", SSN, "368 million 21,174"),
        (
            "My phone number is 2 billion, 894 million, 544 thousand, 435.",
            PHONE,
            "2 billion, 894 million, 544 thousand, 435",
        ),
        # and one whose scales do not fall in order: the pieces of one number (set 168)
        (
            "My card number is 52 trillion, 340 billion, 823 thousand, 635 thousand, 373,488.",
            CARD,
            "52 trillion, 340 billion, 823 thousand, 635 thousand, 373,488",
        ),
        # one dashed token whose head validates as a phone by chance: the whole is the
        # number (a card ASR lost digits of, set 164)
        ("The car to 6,217-721-160-2162", CARD, "6,217-721-160-2162"),
        ("It's 6217-721-160-2162", CARD, "6217-721-160-2162"),
        # a US number with a digit added, in the shape whisper writes one (set 162)
        ("It's 4001-970-7882.", PHONE, "4001-970-7882"),
        # a comma before the scale, whisper's spelling of quintillion (sets 171-173)
        (
            "Card number 5, quadrillion, 234,721,540,232,477, please.",
            CARD,
            "5, quadrillion, 234,721,540,232,477",
        ),
        # a scale whisper spelt some other way: no value, but the pieces of one number
        (
            "Card number 6 Contilian 217 Quadrillion, 433 Trillion, 211,910,964,935, please.",
            CARD,
            "6 Contilian 217 Quadrillion, 433 Trillion, 211,910,964,935",
        ),
        # card heard as "car" before "to", "is" or "number" (sets 164, 170, 173)
        ("The car to 6,222,654,388,108,6.", CARD, "6,222,654,388,108,6"),
        ("ICAR number 6, 227, 124, 241,891,500.", CARD, "6, 227, 124, 241,891,500"),
        # whisper's dollar sign on a number too long for an amount (sets 167, 170, 175)
        ("My car number is $6,222,912,304,291.", CARD, "6,222,912,304,291"),
        ("It's $2,894,544,435.", PHONE, "2,894,544,435"),
        ("SSN 123-45-6789", SSN, "123-45-6789"),
        # the label run into its digits, or its N heard as M (whisper, bench sets 19 and 150)
        ("SSN123456789", SSN, "123456789"),
        ("SSM 028703517", SSN, "028703517"),
        ("S.S.M.661-912-454", SSN, "661-912-454"),
        # its N lost, social heard otherwise (bench sets 162-165)
        ("SS-295-759-876", SSN, "295-759-876"),
        ("SS and 137-795-278.", SSN, "137-795-278"),
        ("My so-full security number is 249-064-032.", SSN, "249-064-032"),
        # the label run into its first digit said "oh" (sets 183, 192)
        ("SSNO-006-Double 4895-0", SSN, "006-Double 4895-0"),
        ("SSNL 6-2-3-9-2-6-5-6.", SSN, "6-2-3-9-2-6-5-6"),
        # a reference word inside the label ASR wrote: the label after it wins (set 209)
        ("My total security number is 060-917-084.", SSN, "060-917-084"),
        # a comma after "double" inside a number read out (set 192)
        (
            "my phone number is 2, 3, double, 8, 7, 6, 5, 8, 1, 9",
            PHONE,
            "2, 3, double, 8, 7, 6, 5, 8, 1, 9",
        ),
        # but not after a word: the room, then the number
        ("We took a double, 4155552671 is my cell", PHONE, "4155552671"),
        # card heard as car
        ("My car number 6227-811-325-1780", CARD, "6227-811-325-1780"),
        # whisper's scales inside a long number read out digit by digit (bench sets 19, 151)
        (
            "The card is 5 quadrillion, 234,436,144,131,658",
            CARD,
            "5 quadrillion, 234,436,144,131,658",
        ),
        (
            "Card number 4 quintillion, 367 quadrillion, 473,446,155,157,672 please.",
            CARD,
            "4 quintillion, 367 quadrillion, 473,446,155,157,672",
        ),
        (
            "Card number 6 quadrillion, 222 trillion, 805 billion, 20 million, 819,521 please.",
            CARD,
            "6 quadrillion, 222 trillion, 805 billion, 20 million, 819,521",
        ),
        ("my social security number is one two three four five six seven eight nine", SSN, None),
        ("card four one one one, one one one one, one one one one, one one one one", CARD, None),
        ("the code is four seven two nine", CODE, "four seven two nine"),
        # a code's last digit after a word ASR put in (sets 164, 168, 169)
        ("The verification code is 036, I'll, 9.", CODE, "036, I'll, 9"),
        ("The verification code is 226 up 8.", CODE, "226 up 8"),
        ("The verification code is triple-one, up to seven.", CODE, "triple-one, up to seven"),
        ("The verification code is 22645 up 8.", CODE, "22645 up 8"),
        ("email me at john.doe@example.com", EMAIL, "john.doe@example.com"),
        ("it's john dot doe at gmail dot com", EMAIL, "john dot doe at gmail dot com"),
    ],
)
def test_english_personal_data_is_found(text: str, kind: PiiType, said: str | None) -> None:
    hits = found(text, "en")
    assert [k for k, _ in hits] == [kind.value]
    if said is not None:
        assert hits[0][1] == said


@pytest.mark.parametrize(
    "text",
    [
        "订单号13800138000",
        "您的订单号是 一三八零零一三八零零零",
        "快递单号 6222021234567890128",
        "一共13800138000元",
        "退您138元",
        "2024年3月5号下午3点",
        "二零二四年三月五号",
        "一百三十八块钱",
        "三千八百八十八元",
        "我等了十五分钟",
        "工单编号4111111111111111",
        "金额是4111111111111111",
        "尾号1234的卡",  # four digits without a code word: not a code
    ],
)
def test_chinese_negatives_are_not_masked(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "your order number is 4155552671",
        "the total is $4155552671",
        "I paid twenty five dollars",
        "we open at nine thirty am",
        "it was 2024 and I had 3 cards",
        "tracking number one three eight double zero one three eight triple zero",
        "invoice 4111111111111111",
        "it costs one hundred and fifty dollars",
        # an M after two S is an SSN's label only on its own, not inside a word
        "the ssmith account 123456789 was closed",
        "order SSM-2024 shipped",
        "the order total was 4 million, 367 thousand and 12 dollars",
        "the fund is worth 2 quadrillion dollars",
        # a value in millions is an amount unless it follows its label right away
        "my card limit is $368 million 21,174",
        "SSN? we served 368 million 21,174 customers",
        "my card number is 2 million, 300 thousand",
        "I parked the car at 5 and waited 20 minutes",
        "ticket 6217-721-160-2162",
        "I have 5 quadrillion reasons",  # a scale alone is a word, no number read out
        "we had 5 gazillion, 3 customers",
        "the car is 5 years old and did 120,000 miles",
        # an amount: with cents, or short enough to be one
        "the bill was $2,894,544,435.50",
        "my card was charged $4,992,080",
        "my phone bill came to $415,555,267",
        "I paid $12,34,567 for it",  # groups no amount has, but an amount's length
        # that shape, but a reference number, a company's hotline or no phone's length
        "your order is 4001-970-7882",
        "call us on 400-810-1616",
        "the part on the box is 40012-970-7882 I think",
        "a double-decker bus for 2 people at 10 to 9",
        "we ordered double to go and 4 sides",
        "the SS Minnow sailed in 1964",
        # a reference number whisper wrote with scales, its groups too large for their places
        "Ticket number 6 quadrillion, 217 trillion, 590 billion, 300, 8,680,723.",
        # invoice as whisper hears it (bench sets 15, 160-161)
        "In voice 166, 4168, double 521.",
        "Envoys 295, 1-7-3, 3-084, 0-7-367-6-2169",
        "Envoy 6217-625-07-W1405-45.",
        "Envoice 4111-093-0166-8687",
        "En voice 55,565,103,955,531.",
        "Invoys 723-830-0602",
        # a reference read out with a comma after "double": one number, not a phone after it
        "Ticket number 5, 2, 3, 4, 7, 4, 6, 9, double, 8, 7, 6, 5, 8, 1, 9.",
        "the ssno 12 was late",
    ],
)
def test_english_negatives_are_not_masked(text: str) -> None:
    assert found(text, "en") == []


@pytest.mark.parametrize(
    "text",
    [
        "the problem started at 2015-09-16 13:12:00",
        "dropped at 13:15:59, 14:15:59, 15:15:59 every day",
        "the server is at 14.215.137.138 in Shenzhen",
        "my phone bill should be 4988+(189-87)*24",
        "call our hotline at 4006 701 777",
        "I bought it at lashou.com last week",
    ],
)
def test_written_shapes_that_are_not_personal_data(text: str) -> None:
    assert found(text, "en") == []


@pytest.mark.parametrize(
    "text", ["客服热线为4006668800", "2015-09-16 13:12:00开始的", "套餐费4988+(189-87)*24元"]
)
def test_chinese_written_shapes_that_are_not_personal_data(text: str) -> None:
    assert found(text) == []


def test_us_numbers_are_not_looked_for_in_chinese() -> None:
    assert found("4155552671", "zh") == []
    assert found("4155552671", "en") == [("PHONE", "4155552671")]


def utt(role: str, start: float, end: float, text: str, words: list | None = None) -> dict:
    return {"role": role, "start": start, "end": end, "text": text, "words": words or []}


def test_a_number_split_over_two_utterances_gives_a_span_in_each() -> None:
    words = [
        {"start": 0.0, "end": 0.6, "text": "号码是"},
        {"start": 0.6, "end": 1.2, "text": "幺三八"},
        {"start": 1.2, "end": 1.9, "text": "零零一三"},
    ]
    call = [
        utt("customer", 0.0, 2.0, "号码是幺三八零零一三", words),
        utt("agent", 2.1, 2.3, "嗯"),
        utt("customer", 2.5, 3.5, "八零零零。"),
    ]
    spans = detect(call, "zh")
    assert [(s.kind, s.utterance, s.start, s.end) for s in spans] == [
        (PHONE, 0, 3, 10),
        (PHONE, 2, 0, 4),
    ]
    assert spans[0].group == spans[1].group
    assert (spans[0].start_s, spans[0].end_s) == (0.6, 1.9)
    # No words in the second utterance: times interpolated over its text.
    assert spans[1].start_s == pytest.approx(2.5)
    assert spans[1].end_s == pytest.approx(2.5 + 4 / 5)


def test_another_speakers_digits_do_not_complete_a_number() -> None:
    call = [utt("customer", 0.0, 2.0, "号码是幺三八零零一三"), utt("agent", 2.1, 3.0, "八零零零")]
    # The customer's seven labelled digits are masked on their own; the agent's are not.
    assert [(s.utterance, s.start, s.end) for s in detect(call, "zh")] == [(0, 3, 10)]
    # Without the label, six digits are too few to mask on their own (seven read out digit
    # by digit would be: spoken.READ_OUT_DIGITS), and the agent's five do not complete them.
    call[0]["text"], call[1]["text"] = "幺三八零零一", "三八零零零"
    assert detect(call, "zh") == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The card is 5-2-3-4-2-5-3-8-2-3-8-7-8-2-5-1-4", CARD),  # ASR lost two digits
        ("my phone number is 415 555 267", PHONE),
        ("身份证号31010419700917662", ID),
    ],
)
def test_a_labelled_number_that_does_not_validate_is_still_masked(text: str, kind) -> None:
    assert [s.kind for s in detect_text(text, "en")] == [kind]


@pytest.mark.parametrize(
    "text",
    ["order number 5-2-3-4-2-5-3-8-2-3-8-7-8", "the card is 1234", "我的卡号是多少"],
)
def test_a_label_alone_does_not_mask_what_is_not_that_long(text: str) -> None:
    assert detect_text(text, "en") == []


def test_a_long_pause_ends_the_number() -> None:
    # Six digits and five, 28 s apart: joined they would be a mobile number.
    call = [utt("customer", 0.0, 2.0, "幺三八零零一"), utt("customer", 30.0, 31.0, "三八零零零")]
    assert detect(call, "zh") == []
    call[1]["start"], call[1]["end"] = 3.0, 4.0
    assert [s.kind for s in detect(call, "zh")] == [PHONE, PHONE]


def test_a_code_asked_for_by_the_other_party_is_found() -> None:
    call = [utt("agent", 0.0, 2.0, "请告诉我短信验证码"), utt("customer", 2.5, 4.0, "四七二九")]
    spans = detect(call, "zh")
    assert [(s.kind, s.utterance) for s in spans] == [(CODE, 1)]


def test_a_code_answered_after_a_few_words_is_found() -> None:
    call = [
        utt("agent", 0.0, 2.0, "What's the code on your screen?"),
        utt("customer", 2.5, 4.0, "OK it's 7 7 3 1"),
    ]
    assert [(s.kind, s.utterance) for s in detect(call, "en")] == [(CODE, 1)]
    # Without a question about a code before, four digits are nothing.
    assert detect([utt("customer", 2.5, 4.0, "OK it's 7 7 3 1")], "en") == []


@pytest.mark.parametrize(
    "read_on",
    [
        "$71,404,686,739.",
        # comma groups no amount is written in (set 193)
        "$55,397,60,574,196",
    ],
)
def test_whisper_s_dollar_sign_does_not_break_a_number_read_on(read_on: str) -> None:
    call = [
        utt("customer", 0.0, 3.3, "My card number is 62,176"),
        utt("agent", 3.8, 4.4, "mhm"),
        utt("customer", 4.9, 10.2, read_on),
    ]
    spans = detect(call, "en")
    assert [(s.kind, s.utterance) for s in spans] == [(CARD, 0), (CARD, 2)]
    assert spans[0].group == spans[1].group


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("The code is 4729 and 3 more", "4729"),  # whole already: the 3 is a count
        ("The code is 12 up 5", None),  # 3 digits in all: no code's length
    ],
)
def test_a_stray_digit_after_a_code_stays_out(text: str, said: str | None) -> None:
    assert found(text, "en") == ([(CODE.value, said)] if said else [])


def test_two_numbers_in_one_run_are_split_at_their_pieces() -> None:
    text = "13800138000，13912345678"
    assert found(text) == [("PHONE", "13800138000"), ("PHONE", "13912345678")]


def test_en_word_spans_get_word_times() -> None:
    words = [
        {"start": 0.0, "end": 0.3, "text": " call"},
        {"start": 0.3, "end": 0.5, "text": " me"},
        {"start": 0.5, "end": 1.0, "text": " 415"},
        {"start": 1.0, "end": 1.5, "text": " 555"},
        {"start": 1.5, "end": 2.2, "text": " 2671"},
        {"start": 2.2, "end": 2.6, "text": " please"},
    ]
    spans = detect([utt("customer", 0.0, 2.6, "call me 415 555 2671 please", words)], "en")
    assert [(s.kind, s.start_s, s.end_s) for s in spans] == [(PHONE, 0.5, 2.2)]


@pytest.mark.parametrize(
    ("chain", "digits"),
    [
        # "20 million" is 020: the groups alone would drop its zero
        ("6 quadrillion, 222 trillion, 805 billion, 20 million, 819,521", "6222805020819521"),
        ("5 quadrillion, 234,436,144,131,658", "5234436144131658"),
        ("4 quintillion, 367 quadrillion, 473,446,155,157,672", "4367473446155157672"),
        ("6 quadruillion, 222 trillion, 126 billion, 297 million, 14,989", "6222126297014989"),
        ("6 quadrillion, 217 trillion, 590 billion, 300, 8,680,723", None),  # 300 then 8,680,723
        ("6 quadrillion, 7 quadrillion, 12", None),  # a scale that does not fall
        ("5, quadrillion, 234,721,540,232,477", "5234721540232477"),
        (
            "4, Contillion, 111 quadrillion, 226 trillion, 67 billion, 180 million, "
            "877 thousand, 842",
            "4111226067180877842",
        ),
        ("368 million 21,174", "368021174"),  # led by a lower scale right after the label
        ("2 million, 300", None),  # so led, shorter than any number of personal data
    ],
)
def test_a_chain_of_scales_spells_its_value(chain: str, digits: str | None) -> None:
    from qa_service.domain.pii.scales import scale_chains

    spelled, _ = scale_chains(f"Card number {chain} please")
    assert [d for _, d in spelled.values()] == ([digits] if digits else [])
