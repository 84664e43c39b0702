"""What the way a number was said tells when ASR lost part of it.

Signs that hold without the number validating:

- *read out*: a long run said digit by digit ("nine, nine, four, one, nine, oh five",
  "幺三八零零一三八") is how people give a phone, card or ID number; amounts, dates, times
  and counts are said as quantities ("three hundred", "三千五百", "2026年"), and a reference
  number still says what it is (its label suppresses it, as for any number).
- *long*: 14 digits or more are no quantity however they were said ("塔号是523-497-4625-7201",
  a card under a label ASR lost).
- *bridged*: under a label, one or two short words between two pieces of digits are digits
  ASR wrote as words ("reach me at 175, 457, I'm 160"), not the end of the number. English
  only: a Chinese character between digits is as often a word ("或", "元", "月") as a misheard
  digit, and treating it as a digit masked dates and amounts in real text (one character
  inside a long chain of digits is another matter: ``numerals.ZH_GUESS_CHAIN``).
- *homophones first*: right after a label, English words that sound like digits ("code is
  free to 7-3" for three two seven three, "the card is for triple 1") are the number's first
  digits; anywhere else "to" and "for" are the words they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from qa_service.domain.pii.digit_units import GUESS, Unit, too_guessed
from qa_service.domain.pii.numerals import SOFT_CHARS, whisper_dollar
from qa_service.domain.pii.runs import MAX_SPLIT_GAP_S, Line, Run
from qa_service.domain.pii.sounds import HAN, digit_by_sound
from qa_service.domain.pii.types import PiiType
from qa_service.domain.pii.validators import has_birth_date, no_phone_plan, resident_id

# Digits said one by one that make a number worth masking without a label: a local phone
# number (7) is the shortest.
READ_OUT_DIGITS = 7
# One group ASR ran together (at most this many digits) among at least this many digits
# read one by one is still a read-out.
MERGED_GROUP_DIGITS, MERGED_AMONG_SINGLES = 3, 8
# Digits read one by one that begin a number read out (``begun_one_by_one``).
BEGUN_SINGLES = 4
# Digits no quantity has: a card's or an ID's (a mobile with its country code is 13).
LONG_DIGITS = 14
# The most digits of any number (a 19-digit card).
_MOST_DIGITS = 19
# Words that hold a quantity, not digits read out ("one hundred", "two thousand").
_QUANTITY = re.compile(r"hundred|thousand|million|billion", re.I)
# A gap that may be digits ASR wrote as words: at most this many pieces, each this short.
BRIDGE_WORDS, BRIDGE_CHARS = 2, 4
# Between written digits, what makes a version number or a list, not digits read out.
_LISTING = ".、"
_GAP_SEPARATORS = re.compile("[" + re.escape("".join(SOFT_CHARS)) + r"\s]+")
# The characters that never break a Chinese number (a unit, a date, a time, a range),
# unless a caller allows some (chains: 个 and 和 under a label).
_ZH_BRIDGE_SIDE = 3
# The last digits of a number that a character ASR wrote may stand before (see
# ``last_digits_after_char``).
_LAST_DIGITS = 2
# Words before a last digit that make it a count or an ordinal ("第5", "共5", "约5").
NOT_LAST = set("第共约")
ZH_NO_BRIDGE = set("元块毛角钱万亿千百十年月日号点分秒岁到至或和")
# What ASR may write around a break before the rest of a number is read on: Chinese
# characters, or one Latin word of this many letters at most (see ``read_on``).
_READ_ON_HAN, _READ_ON_LATIN = 3, 6
# Of those, at most this many after the first piece: three there are words ("就职了"),
# unless this many of them sound exactly like digits ("名武器": wu, qi), a piece of the
# number ASR wrote as words.
_READ_ON_TAIL, _READ_ON_TAIL_HEARD = 2, 2


def gap_chars(text: str) -> int:
    """How many characters ``text`` holds besides separators and spaces."""
    return len(_GAP_SEPARATORS.sub("", text))


def _between(lines: Sequence[Line], units: list[Unit]) -> str:
    """The characters between a run's units in their utterances."""
    return "".join(
        lines[a.utterance].text[a.end : b.start]
        for a, b in pairwise(units)
        if a.utterance == b.utterance
    )


def said_together(lines: Sequence[Line], units: list[Unit]) -> bool:
    """Whether a number's units were said in one utterance with no word between them."""
    if len({u.utterance for u in units}) > 1:
        return False
    return not any(ch.isalpha() for ch in _between(lines, units))


def _said(lines: Sequence[Line], unit: Unit) -> str:
    return lines[unit.utterance].text[unit.start : unit.end]


def read_out(lines: Sequence[Line], segments: list[list[Unit]]) -> bool:
    """Whether the run was said digit by digit: every digit its own word or character
    ("nine", "幺", "double five"), or a separator after every written digit ("4-6-3-5")."""
    units = [u for seg in segments for u in seg]
    digits = "".join(u.digits for u in units)
    known = digits.replace(GUESS, "")
    if len(digits) < READ_OUT_DIGITS or not known.isdigit() or too_guessed(digits):
        return False
    if _one_by_one(segments):
        # "4-6-3-5", "1, 8, 9": but not a version or a list ("2.0.1、2.0.2")
        return not any(ch in _LISTING for ch in _between(lines, units))
    for unit in units:
        said = _said(lines, unit)
        if said.isdigit() or _QUANTITY.search(said):
            return False  # written digits run together ("9941905"), or a quantity
    return True


def _one_by_one(segments: list[list[Unit]]) -> bool:
    """Written digits each followed by a separator, but for at most one group of two or
    three that ASR ran together inside a long read-out ("3-3-0-0-6-9-56-1-2-1-8-4-4-7-3")."""
    sizes = [sum(len(u.digits) for u in seg) for seg in segments]
    merged = [n for n in sizes if n > 1]
    if not merged:
        return True
    return (
        len(merged) == 1
        and merged[0] <= MERGED_GROUP_DIGITS
        and sizes.count(1) >= (MERGED_AMONG_SINGLES)
    )


def begun_one_by_one(segments: list[list[Unit]]) -> bool:
    """Whether a number starts with BEGUN_SINGLES digits each its own segment ("4-4-6-7-0",
    then "零三六五八二九一二五八" after the agent's "嗯"): read out from its start, so one
    number, whatever groups ASR wrote for the rest."""
    sizes = [sum(len(u.digits) for u in seg) for seg in segments[:BEGUN_SINGLES]]
    return len(sizes) == BEGUN_SINGLES and all(n == 1 for n in sizes)


def long(lines: Sequence[Line], segments: list[list[Unit]], least: int = LONG_DIGITS) -> bool:
    """Whether a number is too long to be a quantity however it was said: nobody says an
    amount, a count, a date or a time of LONG_DIGITS digits, so it is an ID, a card or a
    reference number (whose label, when ASR kept it, leaves it alone). Not a dotted version
    ("7.5.0.5550") unless ASR looped in it, not with "hundred" or "thousand" in it, not
    glued to letters (an order or user code: "lzl160315164539304"). ``least`` lowers the
    digits asked for where the context already rules out a quantity (``answers``)."""
    units = [u for seg in segments for u in seg]
    digits = "".join(u.digits for u in units)
    if len(digits.replace(GUESS, "")) < least:
        return False
    if not looped(segments) and any(ch in _LISTING for ch in _between(lines, units)):
        return False
    if any(_QUANTITY.search(_said(lines, u)) for u in units):
        return False  # "one hundred twenty three thousand ...": said as a quantity
    lead = lines[units[0].utterance].text[: units[0].start][-1:]
    return not (lead.isascii() and lead.isalpha())


def read_out_kind(digits: str) -> PiiType | None:
    """The type a number read out is taken for by its length: up to 13 digits a phone's
    (a card's where no phone's plan takes it), then a card's, but 17 to 19 (an ID's 18, one
    lost or added) an ID's where a birth date stands where an ID holds it."""
    if len(digits) <= 13:
        return PiiType.card if no_phone_plan(digits) else PiiType.phone
    if len(digits) in (17, 18, 19) and has_birth_date(digits):
        return PiiType.resident_id
    return PiiType.card if len(digits) <= 19 else None


def overlong_kind(digits: str) -> PiiType:
    """The type of a number longer than any type's, ASR's repeats and stray digits in it
    ("14201021983122447022"): an ID where 18 of its digits in a row validate as one (the
    check character holds about one time in eleven by chance), else a card."""
    ids = (digits[i : i + 18] for i in range(len(digits) - 17))
    return PiiType.resident_id if any(resident_id(w) for w in ids) else PiiType.card


def looped(segments: list[list[Unit]]) -> bool:
    """Whether ASR looped inside the number: a piece of two to four digits written three
    times in a row ("1320102.198.198.198.198"). Nobody lists one number three times, so
    the pieces are one number said once, not a list. So is a last piece written twice
    (``_repeated_last``)."""
    pieces = ["".join(u.digits for u in seg) for seg in segments]
    thrice = any(
        2 <= len(p) <= 4 and p == pieces[i + 1] == pieces[i + 2] for i, p in enumerate(pieces[:-2])
    )
    return thrice or _repeated_last(pieces)


def _repeated_last(pieces: list[str]) -> bool:
    """Whether ASR wrote a long number's last piece, of three digits or more, a second time
    ("4367,5836,9868,910488,910488"): at least three pieces, and too long for a quantity
    already without the repeat but no longer than a number, as a list of two numbers the
    same never is ("400-830-8300,8300": ten digits)."""
    if len(pieces) < 3 or len(pieces[-1]) < 3 or pieces[-1] != pieces[-2]:
        return False
    return LONG_DIGITS <= len("".join(pieces[:-1])) <= _MOST_DIGITS


def bridgeable(lines: Sequence[Line], first: Run, second: Run) -> bool:
    """Whether only one or two short words stand between two runs of one utterance, or
    between one that ends an utterance and one that starts the speaker's next utterance
    soon after ("866-67" / "I'm 7-086": a number read on after the agent's "mm-hm")."""
    end, start = first.units[-1], second.units[0]
    if end.utterance == start.utterance:
        gap = lines[end.utterance].text[end.end : start.start]
    elif _next_of_speaker(lines, end.utterance) == start.utterance:
        a, b = lines[end.utterance], lines[start.utterance]
        if b.start - a.end > MAX_SPLIT_GAP_S:
            return False
        gap = a.text[end.end :] + " " + b.text[: start.start]
    else:
        return False
    pieces = [p for p in _GAP_SEPARATORS.split(gap) if p]
    return 0 < len(pieces) <= BRIDGE_WORDS and all(_word(p) for p in pieces)


def one_zh_char_between(lines: Sequence[Line], first: Run, second: Run) -> bool:
    """One Chinese character between two runs of an utterance (separators aside), or one
    or two ending an utterance whose number the speaker's next one reads on soon after
    ("61011319就职" / "3-0-4-2-3-2-7-9-4"); no unit, date or range among them, and three
    digits or more on each side (the 一 of "来一个4006571979" is a word)."""
    return _zh_gap(lines, first, second, most_within=1) > 0


def two_zh_chars_between(
    lines: Sequence[Line], first: Run, second: Run, allowed: frozenset[str] = frozenset()
) -> bool:
    """One or two Chinese characters between two runs, as ``one_zh_char_between`` takes
    one."""
    return _zh_gap(lines, first, second, most_within=2, allowed=allowed) > 0


def last_digits_after_char(lines: Sequence[Line], first: Run, second: Run) -> bool:
    """Whether one Chinese character (no unit, date or range), glued after a digit heard
    by its sound or not, stands between a number and a last digit or two that end its
    utterance, where ASR wrote a syllable of the number as a word ("6217248244085案5",
    "四五一 多二八" after a space ASR put there, "6708动速5"): a digit after a word anywhere
    else is a count or an ordinal of the sentence."""
    end, last = first.units[-1], second.units[-1]
    if len(second.digits) > _LAST_DIGITS or last.utterance != end.utterance:
        return False
    text = lines[end.utterance].text
    if any(ch.isalnum() for ch in text[last.end :]):
        return False
    # glued, or after a space: after a comma it is a new clause
    gap = text[end.end : second.units[0].start]
    if len(gap) == 2 and digit_by_sound(gap[0]):
        # glued, a digit by its sound before the character: two syllables of the number
        # ("6708动速5": dong, a zero, that the stream keeps only among digits)
        gap = gap[1]
    gap = gap.strip()
    return bool(HAN.fullmatch(gap)) and gap not in ZH_NO_BRIDGE | NOT_LAST


def zh_chars_between(lines: Sequence[Line], first: Run, second: Run) -> bool:
    """One or two Chinese characters of any kind between two runs, as
    ``two_zh_chars_between`` takes them, units and date characters included
    ("440305月199103220470"): for a number whose digits either side validate together as one
    a check digit guards."""
    return _zh_gap(lines, first, second, most_within=2, allowed=ZH_NO_BRIDGE) > 0


def _zh_gap(
    lines: Sequence[Line],
    first: Run,
    second: Run,
    most_within: int,
    allowed: frozenset[str] | set[str] = frozenset(),
) -> int:
    """How many Chinese characters stand between two runs (see ``one_zh_char_between``,
    with up to ``most_within`` inside one utterance); 0 where they may not be bridged: a
    unit, date, range or list character never, unless ``allowed``."""
    end, start = first.units[-1], second.units[0]
    if min(len(first.digits), len(second.digits)) < _ZH_BRIDGE_SIDE:
        return 0
    if end.utterance == start.utterance:
        gap, most = lines[end.utterance].text[end.end : start.start], most_within
    elif _next_of_speaker(lines, end.utterance) == start.utterance:
        a, b = lines[end.utterance], lines[start.utterance]
        if b.start - a.end > MAX_SPLIT_GAP_S:
            return 0
        gap, most = a.text[end.end :] + b.text[: start.start], 2
    else:
        return 0
    gap = _GAP_SEPARATORS.sub("", gap)
    bridgeable = all(HAN.match(ch) and (ch in allowed or ch not in ZH_NO_BRIDGE) for ch in gap)
    return len(gap) if 0 < len(gap) <= most and bridgeable else 0


def read_on(lines: Sequence[Line], first: Run, second: Run) -> bool:
    """Whether ``second`` is where the speaker read on after a break: ``first`` ends an
    utterance and ``second`` starts the speaker's next one soon after, with at most what
    ASR wrote for sounds it did not catch around the break (three Chinese characters in
    all, at most two of them after the first: "我的手机号是1703351秒" / "停" / "要六七二",
    "卡号是621-728-531-865" / "您您的设计和设计" / "摇白摇,96"; three where two of them sound
    like digits: "卡号是52324619 名武器" / "停" / "915898"; or one short Latin word before the
    second). More are words ("1703351还没换过", "42010219就职了"). Whether
    ``first`` was cut short is the caller's to check."""
    end, start = first.units[-1], second.units[0]
    if _next_of_speaker(lines, end.utterance) != start.utterance:
        return False
    a, b = lines[end.utterance], lines[start.utterance]
    tail = _GAP_SEPARATORS.sub("", a.text[end.end :])
    if b.start - a.end > MAX_SPLIT_GAP_S or len(tail) > _READ_ON_TAIL + _heard_digits(tail):
        return False
    if not all(HAN.match(ch) for ch in tail):
        return False
    head = _GAP_SEPARATORS.sub("", b.text[: start.start])
    if whisper_dollar(b.text, start.start):
        head = head.removesuffix("$")
    if all(HAN.match(ch) for ch in head):
        return len(tail + head) <= _READ_ON_HAN
    return not tail and len(head) <= _READ_ON_LATIN and head.isascii() and head.isalpha()


def _heard_digits(tail: str) -> int:
    """One more character allowed after a number's first piece where enough of them sound
    exactly like digits (see ``_READ_ON_TAIL_HEARD``)."""
    heard = sum(digit_by_sound(ch) is not None for ch in tail)
    return int(heard >= _READ_ON_TAIL_HEARD)


def _next_of_speaker(lines: Sequence[Line], utterance: int) -> int | None:
    speaker = lines[utterance].speaker
    return next((k for k in range(utterance + 1, len(lines)) if lines[k].speaker == speaker), None)


def _word(piece: str) -> bool:
    """A short word in Latin letters ("I'm", "I.N."), an apostrophe or a dot; no sign ("*").
    Chinese is written without spaces, so a gap there is a word of the sentence ("元包",
    "或"), not a digit misheard: Chinese gaps never bridge."""
    return (
        len(piece) <= BRIDGE_CHARS
        and piece.isascii()
        and any(ch.isalpha() for ch in piece)
        and all(ch.isalpha() or ch in "'’." for ch in piece)
    )


# English words ASR writes for a digit said after a label, and how many may lead a number.
EN_HOMOPHONES = {
    "to": "2",
    "too": "2",
    "for": "4",
    "free": "3",
    "tree": "3",
    "won": "1",
    "ate": "8",
}
_LEADING = re.compile(
    r"(?:\b(?:" + "|".join(EN_HOMOPHONES) + r")\b[\s,.-]*){1,3}$",
    re.I,
)


def with_homophones(lines: Sequence[Line], run: Run) -> Run | None:
    """The run with the digit homophones right before it in its utterance as its first
    digits (one segment each), or None when none stand there. Whether a label precedes
    them is the caller's to check."""
    first = run.units[0]
    text = lines[first.utterance].text
    lead = _LEADING.search(text, 0, first.start)
    if lead is None:
        return None
    units = [
        Unit(EN_HOMOPHONES[w.group().lower()], first.utterance, w.start(), w.end())
        for w in re.finditer(r"[A-Za-z]+", text[: lead.end()])
        if w.start() >= lead.start()
    ]
    return Run(
        segments=[[u] for u in units] + run.segments,
        strong=[True] + [False] * (len(units) - 1) + run.strong,
    )


def joined(first: Run, second: Run) -> Run:
    """The two runs as one, the second starting strongly (it follows a word)."""
    return Run(
        segments=[*first.segments, *second.segments],
        strong=[*first.strong, True, *second.strong[1:]],
    )
