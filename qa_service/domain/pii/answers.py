"""A number given as the whole of a short answer: what the question before it asked for.

Whisper adds or loses a digit of an English number read out and writes what is left as one
numeral ("It's 710960958." for 710 960 0958), which then validates as no plan. Said bare,
9 to 13 digits are no count, amount or date a caller gives without its unit; in a call
they answer the agent's question. So the question types them: a reference number asked for
("What is your order number?" / "1310020351258" in STC-3) stays, a QQ number or no question
at all leaves the caller's own number, masked as a phone (a card by its length past 12).
A bare number the agent says is the company's (a hotline, an order, an account to add) and
is left to the other rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa_service.domain.pii import spoken
from qa_service.domain.pii import validators as v
from qa_service.domain.pii.context import said_before, words_after, words_before
from qa_service.domain.pii.labels import nearest_label, reference_last
from qa_service.domain.pii.numbers import NumberHit, suppressed
from qa_service.domain.pii.runs import Line, Run
from qa_service.domain.pii.types import PiiType

# Digits of a bare answer: more than any date, time or small amount, no more than a phone
# with its country code.
ANSWER_DIGITS, ANSWER_MOST_DIGITS = 9, 13
# Words besides the number in an answer ("It's", "Yes, that's").
ANSWER_WORDS = 3
# Past this many digits a number ASR changed by one digit is nearer a card than a phone.
PHONE_MOST_DIGITS = 12
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def bare_answer(lines: Sequence[Line], run: Run) -> NumberHit | None:
    """The number of a short answer of the customer's that no plan validates, typed by the
    question before it (``said_before``); none when that question or the answer names a
    reference, a currency or a unit, or when the number is a company's hotline."""
    units = run.units
    utterance = units[0].utterance
    line = lines[utterance]
    if line.speaker == "agent" or any(u.utterance != utterance for u in units):
        return None
    n = len(run.digits)
    if not ANSWER_DIGITS <= n <= ANSWER_MOST_DIGITS or v.service_number(run.digits):
        return None
    rest = line.text[: units[0].start] + " " + line.text[units[-1].end :]
    if len(_WORD.findall(rest)) > ANSWER_WORDS:
        return None
    if not spoken.long(lines, run.segments, ANSWER_DIGITS):
        return None
    before, after = words_before(lines, units[0]), words_after(lines, units[-1])
    asked = " ".join(prev.text for prev in said_before(lines, utterance)) if utterance else ""
    context = f"{asked} {before}"
    if reference_last(context):
        return None
    kind = nearest_label(context) or _by_length(run.digits)
    if kind is None or suppressed(kind, before, after, run.digits):
        return None
    return NumberHit(kind, units)


def _by_length(digits: str) -> PiiType | None:
    if len(digits) <= PHONE_MOST_DIGITS:
        return PiiType.phone
    return spoken.read_out_kind(digits)
