"""Runs of one speaker that are one number: a labelled number ASR broke with a word or
two, or cut short and read on after the other side's "嗯", is tried as one number before
each run is classified alone (``run_numbers.classify_run``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa_service.domain.pii import spoken
from qa_service.domain.pii import validators as v
from qa_service.domain.pii.context import after_last_digit, words_after, words_before
from qa_service.domain.pii.glued import (
    date_char_after_digits,
    date_char_before_digits,
    first_digits_before_char,
    yao_led,
)
from qa_service.domain.pii.labels import (
    CODE_LABEL,
    label_after,
    label_ends,
    nearest_label,
    reference_last,
)
from qa_service.domain.pii.numbers import (
    NEAR_LENGTH,
    UNIT_AFTER,
    NumberHit,
    classify,
    most_digits,
    validate,
)
from qa_service.domain.pii.run_numbers import classify_run
from qa_service.domain.pii.runs import Line, Run
from qa_service.domain.pii.types import PiiType

# Characters that may break a number under its label however many digits ASR kept (one or
# two of them, as any other but a unit): whisper writes 个 and 和 for a pause inside a number
# read out ("卡号是628个5297894597", "卡号是4367和22276161 2836"). A list of two numbers
# ("138和139") then does not make one: the chain is classified whole and is none.
_LABELLED_ZH_BRIDGE = frozenset("个和")
# How many digits codes sent by text message have.
CODE_LENGTHS = (4, 6)
# The fewest digits a whole number of each type has (a 15-digit ID is the old format).
_FULL_LENGTH = {PiiType.phone: 11, PiiType.card: 16, PiiType.resident_id: 15, PiiType.ssn: 9}
# A number cut short has at least this many digits before the break ("两个表情" is a count).
_CUT_SHORT_FEWEST = 4


def _bridge(lines: Sequence[Line], first: Run, second: Run, english: bool) -> bool:
    """Whether two runs may be one number ASR broke with a word: short words between them
    (in Chinese one or two characters, see ``_zh_bridge``), a label of personal data
    before the first, the first no number by itself (a whole ID followed by "您核对一下" is
    done) and the second more than a stray digit word."""
    if validate(first.digits, english) is not None:
        return False
    before = words_before(lines, first.units[0])
    label, referenced = nearest_label(before), reference_last(before)
    if not english and _last_digits(lines, first, second, label, referenced):
        return True
    if not english and _glued(lines, first, second, before):
        return True
    if len(second.digits) < 2 and not _code_digit_left(first, second, before):
        return False  # a stray digit word
    cut_short = not referenced and _cut_short(first.digits, second.digits, label)
    if cut_short and spoken.read_on(lines, first, second):
        return True
    # in Chinese a label after the number says what it is too ("163和5496976，这是我手机"),
    # after its last piece in the utterance ("148班233班468 这是我手机")
    typed = label or label_after(words_after(lines, second.units[-1]))
    typed = typed or label_after(after_last_digit(lines, second.units[-1]))
    if not english and not referenced and _zh_bridge(lines, first, second, typed):
        return True
    if not spoken.bridgeable(lines, first, second):
        return False
    if UNIT_AFTER.match(words_after(lines, first.units[-1])):
        return False  # "10 dollars and 20": quantities, not one number
    return label is not None or bool(CODE_LABEL.search(before))


def _zh_bridge(lines: Sequence[Line], first: Run, second: Run, label: PiiType | None) -> bool:
    """Chinese characters ASR wrote into a number: under its label, one or two characters,
    个 and 和 included, where the digits come to no more than the type's ("卡昊141英文19164-435",
    "银行卡后523次108427237969"), or without one where the digits either side validate
    together."""
    joined = first.digits + second.digits  # "4367热281252954347"
    # not too few yet: a chain of pieces is classified whole once it is complete
    near = label in NEAR_LENGTH and len(joined) <= most_digits(label)
    if near and spoken.two_zh_chars_between(lines, first, second, _LABELLED_ZH_BRIDGE):
        return True
    if spoken.one_zh_char_between(lines, first, second) and validate(joined, False):
        return True
    # an ID's check digit and birth date: no chance match
    return v.resident_id(joined) and spoken.zh_chars_between(lines, first, second)


def _last_digits(
    lines: Sequence[Line], first: Run, second: Run, label: PiiType | None, referenced: bool
) -> bool:
    """Whether ``second`` is the last digit or two of the labelled number ``first`` that ASR
    broke with a character ("完整的卡号是6217248244085案5"), within the type's length."""
    if label not in NEAR_LENGTH or referenced:
        return False
    fits = len(first.digits + second.digits) <= most_digits(label)
    return fits and spoken.last_digits_after_char(lines, first, second)


def _glued(lines: Sequence[Line], first: Run, second: Run, before: str) -> bool:
    """Whether one character glued inside a labelled number is a syllable ASR wrote as a
    word (see ``glued``), within the type's length and under no reference label."""
    label = nearest_label(before)
    if label not in NEAR_LENGTH or reference_last(before):
        return False
    if len(first.digits + second.digits) > most_digits(label):
        return False
    first_char = first_digits_before_char(lines, first, second, before, label_ends(before)[label])
    dated = date_char_before_digits(lines, first, second)
    return first_char or dated or date_char_after_digits(lines, first, second)


def _code_digit_left(first: Run, second: Run, before: str) -> bool:
    """Whether ``second`` is the one digit a code read out under its label lacks after a
    word ASR put in ("The verification code is 226 up 8", "036, I'll, 9")."""
    if nearest_label(before) is not None or not CODE_LABEL.search(before):
        return False
    return len(first.digits) + len(second.digits) in CODE_LENGTHS


def _cut_short(first: str, second: str, label: PiiType | None) -> bool:
    """Whether a labelled number stopped short of its type's length and the digits after
    it make up no more than ASR leaves of one (an interruption: "停", "嗯")."""
    if label not in NEAR_LENGTH or len(first) < _CUT_SHORT_FEWEST:
        return False
    return len(first) < _FULL_LENGTH[label] and len(first + second) <= most_digits(label)


def classify_runs(lines: Sequence[Line], runs: Sequence[Run], english: bool) -> list[NumberHit]:
    """The personal data in a speaker's runs, in order. A labelled run and the ones after it
    with only a short word or two between each (see ``spoken``) are tried as one number
    first, the longest chain first; when none is a number, each run is classified alone."""
    hits: list[NumberHit] = []
    runs = [yao_led(lines, run) for run in runs] if not english else runs
    i = 0
    while i < len(runs):
        chain = [runs[i]]
        while i + len(chain) < len(runs) and _bridge(
            lines, _chained(chain), runs[i + len(chain)], english
        ):
            chain.append(runs[i + len(chain)])
        hit = _bridged_hit(lines, chain, english)
        if hit is not None:
            hits.append(hit[0])
            i += hit[1]
            continue
        led = _homophone_hit(lines, runs[i], english)
        hits.extend([led] if led else classify_run(lines, runs[i], english))
        i += 1
    return hits


# What may stand between a label and the homophones that lead its number ("code is free
# to 7-3", "card number: for 1 1 1...").
_LABEL_TO_NUMBER = re.compile(r"^\s*(?:number|no\.?|#)?\s*(?:is|was|:)?\s*$", re.I)


def _homophone_hit(lines: Sequence[Line], run: Run, english: bool) -> NumberHit | None:
    """The run with the digit homophones said right after a label before it, when that is
    a number (see ``spoken.with_homophones``)."""
    if not english or validate(run.digits, english) is not None:
        return None  # a whole number by itself ("call me to 415 555 2671")
    led = spoken.with_homophones(lines, run)
    if led is None:
        return None
    before = words_before(lines, led.units[0])
    end = max(label_ends(before).values())
    if end < 0 or not _LABEL_TO_NUMBER.match(before[end:]):
        return None
    kind = classify(lines, led.segments, english, before, whole=True)
    return NumberHit(kind, led.units) if kind is not None else None


def _chained(chain: Sequence[Run]) -> Run:
    run = chain[0]
    for nxt in chain[1:]:
        run = spoken.joined(run, nxt)
    return run


def _bridged_hit(
    lines: Sequence[Line], chain: list[Run], english: bool
) -> tuple[NumberHit, int] | None:
    """The longest prefix of two or more runs of ``chain`` that is one number, and how many
    runs it took."""
    before = words_before(lines, chain[0].units[0])
    for n in range(len(chain), 1, -1):
        run = _chained(chain[:n])
        kind = classify(lines, run.segments, english, before, whole=True)
        if kind is not None:
            return NumberHit(kind, run.units), n
    return None
