"""A labelled number ASR broke with one character glued between its pieces where none of
the other bridges (``chains``) reaches: a first digit heard apart from the rest right after
its label ("塔号是6案590994404175": 2 heard as 案), and a date character before more digits
than a day has ("卡号是622 8月92790567952588": no month is followed by a three-digit day).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa_service.domain.pii.numbers import LABEL_TAIL
from qa_service.domain.pii.numerals import char_digit
from qa_service.domain.pii.runs import Line, Run
from qa_service.domain.pii.sounds import HAN
from qa_service.domain.pii.spoken import NOT_LAST, ZH_NO_BRIDGE

# The first digits of a number a glued character may follow: more are a piece of their own.
FIRST_DIGITS = 2
# Characters that end a date's month or day (or a house number) before a number's digits.
_DATE_CHARS = set("月日号")
# More digits right after one than any day has: a piece of the number, not a date.
_PAST_A_DAY = 3
# Counts after a first digit ("卡号是1张", "3位"): never a syllable of the number.
_COUNT_WORDS = set("个位张条次")
_LABEL_TO_NUMBER = re.compile(r"^\s*[是:：]?\s*$")


def _glued_gap(lines: Sequence[Line], first: Run, second: Run) -> str | None:
    """The one Chinese character glued between two runs of an utterance (no separator)."""
    end, start = first.units[-1], second.units[0]
    if end.utterance != start.utterance:
        return None
    gap = lines[end.utterance].text[end.end : start.start]
    return gap if HAN.fullmatch(gap) else None


def first_digits_before_char(
    lines: Sequence[Line], first: Run, second: Run, before: str, label_end: int
) -> bool:
    """Whether ``first`` is the first digit or two of a number right after its label (是 or
    a colon between at most), glued to a character that is no unit, date, range, list word
    or ordinal, and ``second`` the rest: the character is a syllable ASR wrote as a word.
    The caller checks the label and the length."""
    if len(first.digits) > FIRST_DIGITS or label_end < 0:
        return False
    if not _LABEL_TO_NUMBER.match(LABEL_TAIL.sub("", before[label_end:])):
        return False
    gap = _glued_gap(lines, first, second)
    return gap is not None and gap not in ZH_NO_BRIDGE | NOT_LAST | _COUNT_WORDS


def date_char_before_digits(lines: Sequence[Line], first: Run, second: Run) -> bool:
    """Whether a date character (月, 日, 号) is glued between two pieces of a number and
    more digits than a day has follow it in a row: no month, day or house number then.
    The caller checks the label and the length."""
    gap = _glued_gap(lines, first, second)
    start = second.units[0]
    ahead = lines[start.utterance].text[start.start : start.start + _PAST_A_DAY]
    in_a_row = len(ahead) == _PAST_A_DAY and all(char_digit(ch) for ch in ahead)
    return gap in _DATE_CHARS and in_a_row
