"""Numbers as ASR writes them: letters for half-heard digits, short codes, labels that name
no secret, long numbers read out digit by digit with no label, short words ASR wrote between
labelled digits, words for digits right after a label, and a number read on in the next
utterance. The forms of Chinese ASR (traditional labels, homophones of digit characters,
Chinese numbers read out over a call, which Chinese label wins) are in
``test_pii_asr_forms_zh.py``."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import PiiType, detect, detect_text
from qa_service.domain.pii.digit_units import GUESS, Unit
from qa_service.domain.pii.numerals import tokenize


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
        # unless its digits, with it as one, are exactly as many as the label's type has
        # (tests/test_pii_digit_sounds.py)
        (
            "卡号六二二七三五 雅 四五七八六二三四九",
            "zh",
            [("CARD", "六二二七三五 雅 四五七八六二三四九")],
        ),
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


def utterances(texts: tuple[str, ...], agent: tuple[str, ...]) -> list[dict]:
    """Utterances 2.5 s apart; those in ``agent`` are the agent's, the rest the customer's."""
    return [
        {"role": "agent" if t in agent else "customer", "start": 2.5 * i, "end": 2.5 * i + 2}
        | {"text": t}
        for i, t in enumerate(texts)
    ]


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
    return utterances(texts, ("and make him", "Okay."))


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
    ("text", "language", "masked"),
    [
        # a whole number with written digits after it and only a space between
        ("my number is 415 555 2671 2 times", "en", [("PHONE", "415 555 2671")]),
        ("138 0013 8000 2", "zh", [("PHONE", "138 0013 8000")]),
        ("13923727636 2023", "zh", [("PHONE", "13923727636")]),
        # two mobiles with no label and only spaces between them
        ("13923727636 18923727236", "zh", [("PHONE", "13923727636"), ("PHONE", "18923727236")]),
        # digit words still may not start a number inside a longer read-out
        (
            "one three eight zero zero one three eight zero zero zero two",
            "en",
            [("PHONE", "one three eight zero zero one three eight zero zero zero two")],
        ),
        # a reference label still says what it is
        ("订单号 13923727636 2", "zh", []),
    ],
)
def test_a_valid_number_inside_a_longer_run_of_written_digits_is_found(
    text: str, language: str, masked: list
) -> None:
    assert found(text, language) == masked
