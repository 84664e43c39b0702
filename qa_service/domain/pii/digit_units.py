"""A number's digits as units that remember where each was said, and which characters
between digits are digits: letters and homophones ASR wrote for them (``settle_chinese``,
``settle_letters``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from qa_service.domain.pii.validators import cn_mobile

# ASR writes a digit it half heard as a letter ("6-I-8-6-8-2", "O6", "3IN"): a short letter
# token between digits stands for one digit. "O" is zero ("oh"); any other letter is a digit
# of unknown value, ``GUESS``, which counts towards a number's length but never validates
# (whisper's "I" was "nine" or "five" as often as "one"; "a" was "eight"). Kept only between
# digits (see ``settle_letters``), where the article or a pronoun hardly stands.
GUESS = "?"
# At most this share of a number's digits may be letters ASR wrote for digits (GUESS).
MAX_GUESS_SHARE = 1 / 3
# Mandarin digits come back as homophones too ("三比零比零四" for 三幺零幺零四, "是" for 四):
# one Chinese character between two digit characters is a digit of unknown value, but only
# inside a long chain of digit characters (at least this many real ones, written without
# separators), where a word hardly stands: "一模一样", "三比零" and "密码一模一样" stay words.
ZH_GUESS_CHAIN = 6


# Fewer real digits do when homophones make up the chain's length with them ("5101动棋" for
# 510107), at least this many, and none of those homophones in a word of the dictionary
# with a character beside it ("移动10086": China Mobile's service line).
_FEWEST_REAL = 4


@dataclass(slots=True)
class Unit:
    digits: str
    utterance: int
    start: int
    end: int
    tens: bool = False  # "twenty": a digit word after it fills its place ("twenty one")
    guess: bool = False  # a letter standing for a digit (see GUESS)
    zh: bool = False  # a Chinese character: a digit (三, 幺) or one standing for one
    homophone: bool = False  # a word said as a digit (腰 for 幺): kept only in a number
    sounded: bool = False  # a homophone by its reading, not one of numerals.ZH_YAO
    worded: bool = False  # a homophone in a dictionary word with a character beside it
    nasal: bool = False  # sounded but for its nasal ending (邻, 请): never alone at an edge
    initial: bool = False  # 洞 heard with another initial (通, 共): as nasal, and never in a word

    @property
    def written(self) -> bool:
        """Written as digits, one character each ("7", "７"): not said as a word
        ("nine", "double five") or a character (三, 幺), nor a letter ASR wrote for one."""
        return (
            not self.zh
            and not self.guess
            and self.digits.isdigit()
            and self.end - self.start == len(self.digits)
        )


SOFT = "soft"  # punctuation, a filler word, a pause between utterances
SPACE = "space"  # white space: between the words of "one three eight" as much as between numbers
HARD = "hard"
Item = Unit | str


def too_guessed(digits: str) -> bool:
    """Too many digits are letters (or homophones) to call it a number."""
    return digits.count(GUESS) > len(digits) * MAX_GUESS_SHARE


def _next_unit(items: list[Item], i: int) -> Unit | bool | None:
    """What follows ``i`` past spaces and separators: a unit, True for the end of the
    text, None for a hard break."""
    for item in items[i + 1 :]:
        if isinstance(item, Unit):
            return item
        if item == HARD:
            return None
    return True


def _real(item: Item | None) -> bool:
    """A digit said as a digit: not a letter or character ASR may have written for one."""
    return isinstance(item, Unit) and not item.guess and not item.homophone


def _settle_homophones(items: list[Item]) -> list[Item]:
    """A character said as a digit kept only right next to a digit, in a number (its units
    and the separators between them, up to any word) with ZH_GUESS_CHAIN real digits or
    more, and (but for ``numerals.ZH_YAO``) where a word hardly stands; else a
    guess, which ``_settle_zh_guesses`` keeps only inside a chain of digit characters. One
    sounded but for its initial is never a digit inside a word of the dictionary
    ("13800138000中午": noon, not 洞五)."""
    items = [_guess(u) if isinstance(u, Unit) and u.initial and u.worded else u for u in items]
    out: list[Item] = list(items)
    for i, item in enumerate(items):
        if not (isinstance(item, Unit) and item.homophone):
            continue
        lo, hi = i, i + 1
        while lo > 0 and _in_number(items[lo - 1]):
            lo -= 1
        while hi < len(items) and _in_number(items[hi]):
            hi += 1
        real = sum(len(u.digits) for u in items[lo:hi] if _real(u))
        said = sum(_is_homophone(u) and not u.worded for u in items[lo:hi])
        # fewer real digits do when homophones that make no word make up the length with them
        enough = real >= ZH_GUESS_CHAIN or (
            real >= _FEWEST_REAL and not item.worded and real + said >= ZH_GUESS_CHAIN
        )
        if not enough or not _homophone_placed(items, i):
            out[i] = _guess(item)
    return out


def _guess(unit: Unit) -> Unit:
    return Unit(GUESS, unit.utterance, unit.start, unit.end, guess=True, zh=True)


def _is_homophone(item: Item | None) -> bool:
    return isinstance(item, Unit) and item.homophone


def _homophone_placed(items: list[Item], i: int) -> bool:
    """The homophone at ``i`` stands where a digit does (``numerals.ZH_YAO``, and the
    comment under it)."""
    lo, hi = i, i + 1  # its run of adjacent homophones
    while lo > 0 and _is_homophone(items[lo - 1]):
        lo -= 1
    while hi < len(items) and _is_homophone(items[hi]):
        hi += 1
    before = items[lo - 1] if lo > 0 else None
    after = items[hi] if hi < len(items) else None
    # a guess is any other Chinese character here: a word until settled
    digit_before, digit_after = _digit_like(before), _digit_like(after)
    if not (digit_before or digit_after):
        return _yao_across_pause(items, lo, hi)
    if (digit_before and digit_after) or hi - lo >= 2:
        return True
    char = items[i]
    if isinstance(char, Unit) and not char.sounded:
        return True
    if isinstance(char, Unit) and char.nasal:
        return False  # "请13800138000", "李13800138000": the words they are
    if digit_after and char.digits == "1" and _leads_a_mobile(items, hi):
        return True  # "点坏要363,2364,364": 幺 heard as 要 before a mobile's other ten
    outer = after if digit_before else before
    return outer in (None, SOFT, SPACE)


def _yao_across_pause(items: list[Item], lo: int, hi: int) -> bool:
    """Whether the homophones ``lo:hi`` are mostly, and at least two, said as 幺
    (``numerals.ZH_YAO``, not by a reading) with one pause, comma or utterance break between
    them and a digit: a group of a number read before the pause ("卡后射死腰腰腰,8-4-2-8" for
    四幺幺幺，八四二八)."""
    yao = sum(not _sounded(items[k]) for k in range(lo, hi))
    if yao < 2 or yao * 2 <= hi - lo:
        return False
    before = items[lo - 2] if lo > 1 and items[lo - 1] in (SOFT, SPACE) else None
    after = items[hi + 1] if hi + 1 < len(items) and items[hi] in (SOFT, SPACE) else None
    return _digit_like(before) or _digit_like(after)


def _sounded(item: Item) -> bool:
    return isinstance(item, Unit) and item.sounded


def _leads_a_mobile(items: list[Item], k: int) -> bool:
    """Whether the digits from ``k`` to the next word (or homophone) are ten that a one
    makes a mobile."""
    digits = ""
    for item in items[k:]:
        if not (_real(item) or item in (SOFT, SPACE)):
            break
        if isinstance(item, Unit):
            digits += item.digits
    return len(digits) == 10 and cn_mobile("1" + digits)


def _digit_like(item: Item | None) -> TypeGuard[Unit]:
    return isinstance(item, Unit) and not item.guess


def _in_number(item: Item | None) -> bool:
    """A digit, a homophone or a separator; a guess counts as a word here (settled after)."""
    return item in (SOFT, SPACE) or _digit_like(item)


def _zh_unit(item: Item | None, guess: bool) -> bool:
    return isinstance(item, Unit) and item.zh and item.guess == guess


def _settle_zh_guesses(items: list[Item]) -> list[Item]:
    """A Chinese character kept as a digit only right between two digit characters, in a
    chain of adjacent digit characters with at least ZH_GUESS_CHAIN real digits and at
    most MAX_GUESS_SHARE guesses; anywhere else it is a word and breaks the number."""
    keep = [
        _zh_unit(item, True)
        and 0 < i < len(items) - 1
        and _zh_unit(items[i - 1], False)
        and _zh_unit(items[i + 1], False)
        for i, item in enumerate(items)
    ]
    written = [_between_written_digits(items, i) for i in range(len(items))]
    out: list[Item] = list(items)
    i = 0
    while i < len(items):
        if not (_zh_unit(items[i], False) or keep[i]):
            if _zh_unit(items[i], True) and not written[i]:
                out[i] = HARD
            i += 1
            continue
        j = i  # a chain: adjacent digit characters and the guesses kept between them
        while j < len(items) and (_zh_unit(items[j], False) or keep[j]):
            j += 1
        guesses = sum(keep[i:j])
        real = sum(_real(items[k]) for k in range(i, j))
        if real < ZH_GUESS_CHAIN or guesses > (j - i) * MAX_GUESS_SHARE:
            for k in range(i, j):
                if keep[k]:
                    out[k] = HARD
        i = j
    return out


def _written(item: Item) -> bool:
    return isinstance(item, Unit) and item.written


def _between_written_digits(items: list[Item], i: int) -> bool:
    """A Chinese character right between two digits read out one by one (each written
    digit with a separator on its other side), in a number (written digits and separators)
    of ZH_GUESS_CHAIN real digits or more: "4-2-1-0-2-9-5-2动6-0-5-3". Between digits run
    together it is a word ("13008780031是10010")."""
    if not (_zh_unit(items[i], True) and 1 < i < len(items) - 2):
        return False
    if not (_written(items[i - 1]) and _written(items[i + 1])):
        return False
    if items[i - 2] != SOFT or items[i + 2] != SOFT:
        return False
    lo, hi = i, i + 1
    while lo > 0 and (_written(items[lo - 1]) or items[lo - 1] == SOFT):
        lo -= 1
    while hi < len(items) and (_written(items[hi]) or items[hi] == SOFT):
        hi += 1
    return sum(len(u.digits) for u in items[lo:hi] if _written(u)) >= ZH_GUESS_CHAIN


def settle_letters(items: list[Item]) -> list[Item]:
    """Letters kept as digits only after a digit and before a digit or the end of the text
    ("6-I-8", "6375 3IN"); anywhere else a letter is a word and breaks the number. Within
    one text: the end of an utterance is the end of its number's letters."""
    out: list[Item] = []
    for i, item in enumerate(items):
        if isinstance(item, Unit) and item.guess and not item.zh:
            keep = _real_unit_before(items, i) is not None and _next_unit(items, i) is not None
            out.append(item if keep else HARD)
        else:
            out.append(item)
    return out


def _real_unit_before(items: list[Item], i: int) -> Unit | None:
    """The nearest digit said as a digit before ``i``, past letters standing for digits."""
    j = i - 1
    while j >= 0:
        item = items[j]
        if _digit_like(item):
            return item
        if item == HARD:
            return None
        j -= 1
    return None


def settle_chinese(items: list[Item]) -> list[Item]:
    """Each homophone and Chinese guess kept as a digit or made a word (a guess or a hard
    break), item for item: the list keeps its length."""
    return _settle_zh_guesses(_settle_homophones(items))
