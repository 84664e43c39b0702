"""A number given as the whole of a short answer, which whisper wrote with a digit added or
lost, is typed by the question before it (``answers.bare_answer``; bench/README.md,
personal data, seventeenth round)."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import detect


def call(*lines: str) -> list[dict]:
    """Utterances "a: ..." (agent) and "c: ..." (customer), two seconds apart."""
    roles = {"a": "agent", "c": "customer"}
    out = []
    for i, line in enumerate(lines):
        role, _, text = line.partition(": ")
        out.append({"role": roles[role], "text": text, "start": 2.0 * i, "end": 2.0 * i + 1.5})
    return out


def masked(utterances: list[dict], language: str = "en") -> list[tuple[str, str]]:
    return [
        (s.kind.value, utterances[s.utterance]["text"][s.start : s.end])
        for s in detect(utterances, language)
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # no question at all: the caller's own number, a phone up to 12 digits
        (("c: It's 710960958.",), [("PHONE", "710960958")]),
        (("c: It's 2,694,509,16.",), [("PHONE", "2,694,509,16")]),
        (("c: It's 499292799191",), [("PHONE", "499292799191")]),
        (("c: It's 843-208-31750",), [("PHONE", "843-208-31750")]),
        # part of it validates by chance: the whole answer, not the part (sets 186, 209)
        (("c: It's 812-313-4000-6.",), [("PHONE", "812-313-4000-6")]),
        (("c: It's 5,2007,621,449.",), [("PHONE", "5,2007,621,449")]),
        # the question says what it is
        (
            ("a: And what's the best number to reach you?", "c: Yes, it's 173,256,146."),
            [("PHONE", "173,256,146")],
        ),
        (("a: Can you leave a QQ number?", "c: 954498837"), [("PHONE", "954498837")]),
        (
            ("a: Could you read me the card number, please?", "c: Sure, 6217538634992."),
            [("CARD", "6217538634992")],
        ),
        # past 12 digits with no question: a card where no phone's plan takes it
        (("c: It's 4,400,160,848,400.",), [("CARD", "4,400,160,848,400")]),
        # "SSN" as whisper hears it right before the digits (sets 160, 170, 186)
        (("c: Assess in 555,849,896.",), [("SSN", "555,849,896")]),
        (("c: Assess in 3, 4, 5, 3, 3, 2, 2, 4, 7.",), [("SSN", "3, 4, 5, 3, 3, 2, 2, 4, 7")]),
    ],
)
def test_a_bare_answer_is_what_was_asked_for(lines: tuple[str, ...], expected: list) -> None:
    assert masked(call(*lines)) == expected


@pytest.mark.parametrize(
    "lines",
    [
        # a reference number asked for (STC-3: "What is your order number?" / "1310020351258")
        ("a: What is your order number? I'll check the details for you.", "c: 1310020351258"),
        ("a: Please provide us with your mail number for check.", "c: 5069008629504"),
        ("a: Can I get the tracking number?", "c: It's 710960958."),
        # the agent's bare numbers are the company's
        ("a: It's 710960958.",),
        # a currency, a unit, or a quantity said with its scale
        ("c: It's $710,960,958.",),
        ("c: It's 710960958 miles.",),
        ("c: It's 710 million, 960 thousand.",),
        ("c: It's 3 hundred 45 thousand 678 9",),
        # a version, an address or a user name: dotted, or glued to letters
        ("c: It's 10.2.31.4455.",),
        ("c: It's user160315164.",),
        # not an answer: a sentence with a number in it
        ("c: 397277004 is the account I opened for my son last year.",),
        # no longer than a date or an amount, or a company's hotline
        ("c: It's 71096095.",),
        ("c: It's 8008205789.",),
        # "assistant" is a word, not the label
        ("c: My nickname of 91 assistant: 91user378884310192343.",),
    ],
)
def test_a_bare_number_that_is_no_answer_of_personal_data_stays(lines: tuple[str, ...]) -> None:
    assert masked(call(*lines)) == []


def test_a_bare_answer_in_mandarin_is_left_to_the_plans() -> None:
    # Mandarin phones validate by their plan; a bare rule there masked an order number
    assert masked(call("c: 是710960958"), "zh") == []
