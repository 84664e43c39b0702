"""The personal data in one digit run: the whole run when it is one number, else its valid
stretches from left to right; a long number ASR broke or garbled as one (``numbers``
classifies each stretch).
"""

from __future__ import annotations

from collections.abc import Sequence

from qa_service.domain.pii import answers, dashed, spoken
from qa_service.domain.pii import validators as v
from qa_service.domain.pii.context import words_after, words_before
from qa_service.domain.pii.labels import (
    CODE_LABEL,
    label_ends,
    nearest_label,
    reference_last,
    right_after_label,
)
from qa_service.domain.pii.numbers import (
    MAX_DIGITS,
    NEAR_LENGTH,
    UNIT_AFTER,
    NumberHit,
    classify,
    suppressed,
    validate,
)
from qa_service.domain.pii.runs import Line, Run
from qa_service.domain.pii.types import PiiType


def classify_run(lines: Sequence[Line], run: Run, english: bool) -> list[NumberHit]:
    """The personal data in one run: the whole run, else its longest valid stretches of
    segments from left to right, each starting and ending at a strong boundary."""
    run_before = words_before(lines, run.segments[0][0])
    if _unlabelled_read_out(run, run_before):
        # a long number begun digit by digit is one number, not pieces that validate
        whole = _long_number(lines, run)
        if whole is not None:
            return [whole]
    hits = _longest_from_the_left(lines, run, english, run_before)
    if not hits:
        hits = _valid_stretches(lines, run, english, run_before)
    if not hits and english and dashed.us_phone_shape(lines, run):
        hits = _phone_by_shape(lines, run)
    return _whole_run(lines, run, hits, english) or hits


def _longest_from_the_left(
    lines: Sequence[Line], run: Run, english: bool, run_before: str
) -> list[NumberHit]:
    segments, n = run.segments, len(run.segments)
    hits: list[NumberHit] = []
    ends = _whole_ends(lines, run)
    i = 0
    while i < n:
        if not run.strong[i]:
            i += 1
            continue
        for j in range(n, i, -1):
            if j < n and not run.strong[j]:
                continue
            whole = i == 0 and j in ends
            kind = classify(lines, segments[i:j], english, run_before, whole)
            if kind is not None:
                hits.append(NumberHit(kind, [u for seg in segments[i:j] for u in seg]))
                i = j
                break
        else:
            i += 1
    return hits


def _whole_run(
    lines: Sequence[Line], run: Run, hits: list[NumberHit], english: bool
) -> list[NumberHit] | None:
    """The whole run as one number where the numbers found leave some or all of it: a short
    answer's number ASR changed ("It's 812-313-4000-6.", English), or one too long for a
    quantity; None keeps ``hits``."""
    if english and sum(len(hit.units) for hit in hits) < len(run.units):
        answer = answers.bare_answer(lines, run)
        if answer:
            return [answer]
    if (
        not hits
        or _inside(hits, run)
        or dashed.dashed_head(lines, run, hits[0].units[0])
        or dashed.dashed_tail(lines, run, hits[-1].units[-1])
    ):
        last_resort = _long_number(lines, run)
        return [last_resort] if last_resort else None
    return None


def _phone_by_shape(lines: Sequence[Line], run: Run) -> list[NumberHit]:
    """A run in a US number's written shape (``dashed.us_phone_shape``) as a phone, unless
    a reference label or a unit says what it is, or it is a company's service number."""
    before, after = words_before(lines, run.units[0]), words_after(lines, run.units[-1])
    # a reference label last before it is one ``suppressed`` reads for a phone
    if v.service_number(run.digits) or suppressed(PiiType.phone, before, after, run.digits):
        return []
    return [NumberHit(PiiType.phone, run.units)]


def _whole_ends(lines: Sequence[Line], run: Run) -> tuple[int, ...]:
    """Where the whole of a run's number may end: at its last segment, or before it when that
    segment, said apart, is the quantity the unit after it counts ("1995903-6" / "两次")."""
    n = len(run.segments)
    last = run.segments[-1]
    if n > 1 and run.strong[-1] and UNIT_AFTER.match(words_after(lines, last[-1])):
        return (n, n - 1)
    return (n,)


def _inside(hits: list[NumberHit], run: Run) -> bool:
    """Whether the numbers found leave digits of a run no longer than a number on both
    sides: a piece that validated by chance inside a long number ASR broke
    ("62-18-08-765-6493-484": a mobile in the middle of a card)."""
    units = run.units
    return (
        len(run.digits) <= MAX_DIGITS
        and hits[0].units[0] is not units[0]
        and hits[-1].units[-1] is not units[-1]
    )


def _unlabelled_read_out(run: Run, before: str) -> bool:
    """A run begun digit by digit with no label before it (ASR lost it: "4-4-6-7-0" / "嗯" /
    "零三六五八二九一二五八"), no longer than a number; a label says what it is instead."""
    if len(run.digits) > MAX_DIGITS or not spoken.begun_one_by_one(run.segments):
        return False
    return nearest_label(before) is None and not CODE_LABEL.search(before)


def _valid_stretches(
    lines: Sequence[Line], run: Run, english: bool, run_before: str
) -> list[NumberHit]:
    """In a run nothing else took: its longest stretches of written digits that validate by
    themselves, from left to right, whatever boundary starts them ("415 555 2671 2 times",
    two mobiles with only a space between). Written digits only: a digit word inside "one
    three eight ..." may not start a number, and nothing is typed here by a label."""
    hits: list[NumberHit] = []
    segments, n = run.segments, len(run.segments)
    i = 0
    while i < n:
        for j in range(n, i, -1):
            units = [u for seg in segments[i:j] for u in seg]
            digits = "".join(u.digits for u in units)
            if all(u.written for u in units) and validate(digits, english) is not None:
                kind = classify(lines, segments[i:j], english, run_before)
                if kind is not None:
                    hits.append(NumberHit(kind, units))
                    i = j
                    break
        else:
            i += 1
    return hits


def _long_number(lines: Sequence[Line], run: Run) -> NumberHit | None:
    """A run no rule took and no part of which is a number, when it is too long for a
    quantity (``spoken.long``): typed by its length, unless a reference label or a unit
    says what it is. Longer than any type, only when said as one stretch ("宣份正好
    14201021983122447022"), begun digit by digit, looped by ASR, read on across a break
    ("H-24367-5760-7751-9064" / "等" / "2-3-4") or written as one dashed token right after
    a label: other pieces longer than that are a list ("400-830-8300/800-830-8300")."""
    if not spoken.long(lines, run.segments):
        return None
    units = run.units
    before, after = words_before(lines, units[0]), words_after(lines, units[-1])
    kind = spoken.read_out_kind(run.digits)
    said_whole = len(run.segments) == 1 or spoken.begun_one_by_one(run.segments)
    # already too long for a quantity before the other side's backchannel, then read on:
    # one number, not a list ("400-830-8300" / "嗯" / "800-830-8300" is one)
    first_said = [u for u in units if u.utterance == units[0].utterance]
    said_whole = said_whole or (first_said != units and spoken.long(lines, [first_said]))
    # one written token of dashed groups right after a label: its number with digits ASR
    # wrote again ("身份证号11101-0519-9909-0626-1626-162"); anywhere else, a list may be
    label = nearest_label(before)
    right_after = label in NEAR_LENGTH and right_after_label(before, label_ends(before)[label])
    labelled_token = right_after and dashed.one_token(lines, run)
    if kind is None and (said_whole or spoken.looped(run.segments) or labelled_token):
        # one stretch or a loop, no list of numbers: what its label says, else its digits
        kind = label if label in NEAR_LENGTH else spoken.overlong_kind(run.digits)
    if kind is None or reference_last(before) or suppressed(kind, before, after, run.digits):
        return None
    return NumberHit(kind, units)
