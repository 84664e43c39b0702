"""A labelled number ASR broke with one character glued between its pieces where none of
the other bridges (``chains``) reaches: a first digit heard apart from the rest right after
its label ("塔号是6案590994404175": 2 heard as 案), and a date character before more digits
than a day has ("卡号是622 8月92790567952588": no month is followed by a three-digit day) or
after more than a month has ("163月,5187-585");
and a mobile's first digit, 幺, written as 要 right after a phone's label ("手机号是要72137").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa_service.domain.pii.context import words_before
from qa_service.domain.pii.digit_units import Unit
from qa_service.domain.pii.labels import label_ends, nearest_label, right_after_label
from qa_service.domain.pii.numbers import validate
from qa_service.domain.pii.numerals import char_digit
from qa_service.domain.pii.runs import Line, Run
from qa_service.domain.pii.sounds import HAN, main_reading
from qa_service.domain.pii.spoken import NOT_LAST, ZH_NO_BRIDGE
from qa_service.domain.pii.types import PiiType

# The first digits of a number a glued character may follow: more are a piece of their own.
FIRST_DIGITS = 2
# Characters that end a date's month or day (or a house number) before a number's digits.
_DATE_CHARS = set("月日号")
# More digits right after one than any day has: a piece of the number, not a date.
_PAST_A_DAY = 3
# Counts after a first digit ("卡号是1张", "3位"): never a syllable of the number.
_COUNT_WORDS = set("个位张条次")
# A month's or a day's character, then a pause written at most (see
# ``date_char_after_digits``).
_DATE_CHAR_TO_DIGITS = re.compile(r"[月日][\s,，、]?")


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
    if len(first.digits) > FIRST_DIGITS or not right_after_label(before, label_end):
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


def date_char_after_digits(lines: Sequence[Line], first: Run, second: Run) -> bool:
    """Whether 月 or 日, a comma or a space after it at most, stands between two pieces of a
    number right after more digits in a row than a month or a day has ("手机号是163月,5187-585"
    for 163 5187 5585): no date then. Not 号 (a house number: "163号"). The caller checks the
    label and the length."""
    end, start = first.units[-1], second.units[0]
    if end.utterance != start.utterance:
        return False
    text = lines[end.utterance].text
    if not _DATE_CHAR_TO_DIGITS.fullmatch(text[end.end : start.start]):
        return False
    behind = text[max(0, end.end - _PAST_A_DAY) : end.end]
    return len(behind) == _PAST_A_DAY and all(char_digit(ch) for ch in behind)


def yao_led(lines: Sequence[Line], run: Run) -> Run:
    """The run with the character said yao glued before it (要, 药) as its first digit, 1,
    where a phone's label stands right before that character (是 or a colon between at
    most): a mobile starts with 1 said as 幺, which the digit stream keeps as the word 要 it
    cannot tell from ("手机号是要72137", "电话要75个2、2、10309"). Anywhere else, the run."""
    first = run.units[0]
    text = lines[first.utterance].text
    if first.start == 0 or main_reading(text[first.start - 1]) != "yao":
        return run
    if validate(run.digits, False) is not None:
        return run  # a whole number without it: "电话要13800138000" (want)
    yao = Unit("1", first.utterance, first.start - 1, first.start, zh=True, homophone=True)
    before = words_before(lines, yao)
    if nearest_label(before) is not PiiType.phone:
        return run
    if not right_after_label(before, label_ends(before)[PiiType.phone]):
        return run
    return Run(segments=[[yao, *run.segments[0]], *run.segments[1:]], strong=run.strong)
