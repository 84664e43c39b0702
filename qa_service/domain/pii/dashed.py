"""Numbers written as one token of digit groups joined by dashes ("4367-068-7938-5799"):
how whisper writes digits read out in groups, so the token is one number said once, whatever
pieces of it validate by chance or however many digits ASR wrote in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa_service.domain.pii.digit_units import Unit
from qa_service.domain.pii.runs import Line, Run

# Digits before a number found in a run's tail that join it when only dashes stand between
# (see ``dashed_head``): fewer are a country code ("86-138-0013-8000"). As many after one
# found at its head join it too (``dashed_tail``).
_DASHED_HEAD = 4
# a group may carry whisper's thousands comma ("6,217-721-160-2162")
_DASHED_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:-\d+(?:,\d{3})*)+")
# A US number's exchange and line as whisper writes them, and its digits give or take one.
_US_LOCAL = re.compile(r"\d{3}-\d{4}$")
US_PHONE_DIGITS = (9, 11)
_DASHED_DATE = re.compile(r"(?:19|20)\d\d-\d\d?-\d\d?")


def one_token(lines: Sequence[Line], run: Run) -> bool:
    """Whether a run is one written token of digit groups joined by dashes alone, in one
    utterance, with no date in it ("0086-138-0013-8000" is one; "2023-12-31-1380013" not)."""
    units = run.units
    if any(u.utterance != units[0].utterance or not u.written for u in units):
        return False
    token = _written(lines, run)
    return _DASHED_TOKEN.fullmatch(token) is not None and not _DASHED_DATE.search(token)


def _written(lines: Sequence[Line], run: Run) -> str:
    """The text from a run's first digit to its last, in its first utterance."""
    units = run.units
    return lines[units[0].utterance].text[units[0].start : units[-1].end]


def _position(run: Run, unit: Unit) -> int:
    return next(k for k, u in enumerate(run.units) if u is unit)


def us_phone_shape(lines: Sequence[Line], run: Run) -> bool:
    """Whether a run is one dashed token that ends as whisper writes a US number's last seven
    digits ("970-7882"), one digit more or fewer than ten in all: a phone ASR added or lost a
    digit of ("It's 4001-970-7882"), which validates as nothing."""
    if not US_PHONE_DIGITS[0] <= len(run.digits) <= US_PHONE_DIGITS[1]:
        return False
    return one_token(lines, run) and _US_LOCAL.search(_written(lines, run)) is not None


def dashed_tail(lines: Sequence[Line], run: Run, last: Unit) -> bool:
    """Whether the last number found in a run leaves four digits or more after it, joined to
    it by dashes alone in one written token: the rest of one number read out ("6217-721-160-
    2162": a card ASR lost digits of, its first ten a phone's by chance)."""
    tail = run.units[_position(run, last) + 1 :]
    return len("".join(u.digits for u in tail)) >= _DASHED_HEAD and one_token(lines, run)


def dashed_head(lines: Sequence[Line], run: Run, first: Unit) -> bool:
    """Whether the first number found in a run starts after four digits or more, not led by
    0, joined to it by dashes alone in one written token: groups of one number read out
    ("4367-068-7938-5799": no landline has four digits before its area code), not a country
    code ("0086-138-0013-8000") or a date before it."""
    head = run.units[: _position(run, first)]
    if len(head) < _DASHED_HEAD or head[0].digits == "0":
        return False
    return one_token(lines, run)
