"""Numbers as ASR writes them: letters for half-heard digits, short codes, labels that name
no secret."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import PiiType, detect_text
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
