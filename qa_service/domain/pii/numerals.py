"""Spoken and written numbers as a stream of digits that remembers where each came from.

Numbers on the phone are read digit by digit, in pieces and in words: "幺三八 零零一三",
"one three eight, double zero", "洞两拐"... Each utterance's text becomes a list of items:
a ``Unit`` (one or more digits with the characters that said them), a soft separator
(a space, a comma, "呃", "uh": a number may go on after it) or a hard break (any other word).
Quantities said with 十/百/千/万 are amounts, never digit strings: they break the run.
"""

from __future__ import annotations

import re

from qa_service.domain.pii.digit_units import (
    GUESS,
    HARD,
    SOFT,
    SPACE,
    Item,
    Unit,
    settle_chinese,
    settle_letters,
)
from qa_service.domain.pii.labels import label_ends, nearest_label
from qa_service.domain.pii.scales import scale_chains
from qa_service.domain.pii.sounds import digit_by_initial, digit_by_nasal, digit_by_sound
from qa_service.domain.pii.types import PiiType
from qa_service.domain.pii.zh_quantities import (
    ZH_MAGNITUDES,
    decimal_wan_digits,
    read_out_quantity_words,
)
from qa_service.domain.segment import is_word

ZH_DIGITS = {
    "零": "0", "〇": "0", "洞": "0", "幺": "1", "一": "1", "二": "2", "两": "2", "三": "3",
    "四": "4", "五": "5", "六": "6", "七": "7", "拐": "7", "八": "8", "九": "9", "勾": "9",
}  # fmt: skip
# The check character of a resident ID, said or written.
ID_X = {"x", "X", "叉", "ｘ", "Ｘ"}
EN_DIGITS = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "one": "1", "two": "2", "three": "3",
    "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
EN_TEENS = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
    "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}  # fmt: skip
EN_TENS = {
    "twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
    "eighty": "8", "ninety": "9",
}  # fmt: skip
EN_REPEAT = {"double": 2, "triple": 3}
# "Two" as whisper writes it after "double": "6 triple to 9 double to 8".
REPEATED_TWO = {"to", "too"}
# What whisper writes between "double" and its digit: "Double-2-9", "four-double-one"; and
# inside a number read out, a comma ("6, 9, double, 8, 7": bench set 192).
REPEAT_JOINERS = {"-", "–"}
READ_OUT_REPEAT_JOINERS = {","}
EN_ZEROS = {"hundred": "00", "thousand": "000"}
# Digit groups of a number too long for an amount said on a call (ten digits or more): a
# currency sign before them is whisper's, on digits read out fast ("My car number is
# $6,222,912,304,291", "It's $2,894,544,435"), so it neither makes an amount nor breaks the
# number.
NO_AMOUNT_DIGITS = 10
_NO_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3}){3,}(?!\.?\d)")
# Three comma groups or more, not in thousands: whisper writes an amount in thousands, so a
# dollar sign before these is on digits read out ("$55,397,60,574,196", bench set 193).
_COMMA_GROUPS = re.compile(r"\d+(?:,\d+){2,}(?!\.?\d)")


# Said between the pieces of a number without ending it.
FILLERS = {"uh", "um", "er", "erm", "ah", "dash", "hyphen", "呃", "嗯", "啊", "额", "哦", "欸"}
SOFT_CHARS = set(",，、.。-—–_/·:;；：…~()（）")
# One group of an IP address: 0 to 255, no leading zero.
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)"
# Written shapes that hold digits but never personal data: a date, a clock time, an IP
# address, arithmetic. Their characters are a hard break.
_NOT_NUMBERS = re.compile(
    # a date, with its time if one follows ("2016-07-24-08-56-23"), that starts its chain of
    # digit groups and ends it: inside a longer chain ("3301-06-2004-03-03-6953") its groups
    # are pieces of a number read out, and so are they with a month or a day no calendar has
    # ("1947-34-63-64-49", a mobile)
    r"(?<!\d)(?<!\d[-/.])(?:19|20)\d\d[-/.年](?:0?[1-9]|1[0-2])[-/.月](?:0?[1-9]|[12]\d|3[01])"
    r"(?:[-/.:：\sT日号]\d{1,2}){0,3}(?![-/.]?\d)"
    r"|\b\d{1,2}[:：]\d{2}(?:[:：]\d{2})?\b"
    # four dotted groups, one of them two digits or more ("7.9.5.9" is digits read out), none
    # with a leading zero ("134.056.78.221" is a phone read out) nor past 255, as an
    # address's never are ("147.842.420.6" is a phone read out), as the whole of their
    # chain (the tail of "131.1.04.1958.1.1.2.8.48.6" is no address)
    rf"|(?<![\d.])(?=[\d.]*\d\d){_OCTET}(?:\.{_OCTET}){{3}}(?![.\d]?\d)"
    r"|\d[\d.]*\s*[+*×÷=]\s*[(\d]"
)
# Four dotted groups, no date and time, and what may stand between an ID's or a card's
# label and them (the 证号码 its pattern leaves out, 是, a colon): see
# ``_groups_under_label``.
_DOTTED_GROUPS = re.compile(r"(?!(?:19|20)\d\d\.)\d+(?:\.\d+){3}")
_LABEL_TO_GROUPS = re.compile(r"[证号码]*\s*[是:：]?\s*")
_GUESS_TOKEN = re.compile(r"[A-Za-z]|[A-Z]{2}")
# Characters between digits that say what the digits are: a unit, a range, a list, an
# ordinal ("一九九八到二零零五", "三号楼", "一或二"), never a misheard digit.
_ZH_NOT_GUESS = set("元块毛角分钱万亿个次天年月日号点秒岁斤米倍张件台户期楼层室位条周第") | set(
    "到至和与及或跟加减乘除"
)
# Characters said exactly as 幺 (yāo, first tone), the telephone "one": whisper has 幺 rarely
# in its text and writes what it hears as one of these ("三腰零腰，零四，腰九五零" for an
# ID). Unlike a guess their value is known, but they are words too ("腰疼", "邀请码"): one
# is a digit only right next to a digit, in a number holding ZH_GUESS_CHAIN real digits or
# more (``_settle_homophones``). Whisper hears yāo as yōu as well ("零三悠三零二悠",
# "320幽灵2幽"): those characters count the same way.
ZH_YAO = {
    "腰": "1", "吆": "1", "妖": "1", "邀": "1", "夭": "1", "优": "1", "悠": "1", "幽": "1",
}  # fmt: skip
# Any other character that sounds exactly like a digit ("身份证腰腰零腰动舞腰酒" for
# 幺幺零幺洞五幺九, "621769寺" for 6217694) is one only where a word hardly stands: right
# between two digits, or in a run of two or more such characters beside a digit, or alone at
# a number's edge with a pause or the end of the text on its other side. Sentence-final
# particles are words even there ("是13800138000吧").
_ZH_PARTICLES = set("吧")
# Signs whisper writes for a syllable of a number read out: the degree sign for 度 (dù),
# what it heard of 洞 (dòng, zero) without its nasal ("我的手机号是136,83°" / "停" / "04089").
# A digit of unknown value, kept as a letter is (``settle_letters``): after a digit, before
# a digit or the end of the utterance.
_DIGIT_SIGNS = set("°")
_TOKEN = re.compile(r"[A-Za-z]+|\d|\s+|.", re.S)
# Fullwidth digits as ASCII.
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}


def whisper_dollar(text: str, digits_at: int) -> bool:
    """Whether a dollar sign stands right before ``digits_at`` on digits no amount has."""
    if text[digits_at - 1 : digits_at] != "$":
        return False
    if _NO_AMOUNT.match(text, digits_at):
        return True
    groups = _COMMA_GROUPS.match(text, digits_at)
    sizes = [len(g) for g in groups.group().split(",")] if groups else []
    return bool(sizes) and (sizes[0] > 3 or any(n != 3 for n in sizes[1:]))


def _word_unit(word: str, i: int, start: int, end: int) -> Unit | None:
    lower = word.lower()
    if lower in EN_DIGITS:
        return Unit(EN_DIGITS[lower], i, start, end)
    if lower in EN_TEENS:
        return Unit(EN_TEENS[lower], i, start, end)
    if lower in EN_TENS:
        return Unit(EN_TENS[lower] + "0", i, start, end, tens=True)
    if word in ID_X:
        return Unit("X", i, start, end)
    return None


def char_digit(ch: str) -> str | None:
    """The digit one character is or may stand for as the digit stream reads it (a digit, a
    Chinese digit, 幺 heard as 腰, a character sounding exactly like one); None for a word,
    a separator or the check character X."""
    item = _char_item(ch, 0, 0)
    real = isinstance(item, Unit) and not item.guess and item.digits.isdigit()
    return item.digits if real else None


def _char_item(ch: str, i: int, start: int) -> Item:
    if ch.isascii() and ch.isdigit():
        return Unit(ch, i, start, start + 1)
    if ch in _FULLWIDTH:
        return Unit(_FULLWIDTH[ch], i, start, start + 1)
    if ch in ZH_DIGITS:
        return Unit(ZH_DIGITS[ch], i, start, start + 1, zh=True)
    if ch in ID_X:
        return Unit("X", i, start, start + 1)
    if ch in _DIGIT_SIGNS:
        return Unit(GUESS, i, start, start + 1, guess=True)
    if ch in ZH_YAO:
        return Unit(ZH_YAO[ch], i, start, start + 1, zh=True, homophone=True)
    if ch.isspace():
        return SPACE
    if ch in SOFT_CHARS or ch in FILLERS:
        return SOFT
    if _cjk(ch) and ch not in ZH_MAGNITUDES and ch not in _ZH_NOT_GUESS:
        sounded = digit_by_sound(ch)
        if sounded and ch not in _ZH_PARTICLES:
            return Unit(sounded, i, start, start + 1, zh=True, homophone=True, sounded=True)
        nasal, initial = digit_by_nasal(ch), digit_by_initial(ch)
        if nasal or initial:
            near = Unit(nasal or initial or GUESS, i, start, start + 1, zh=True, homophone=True)
            near.sounded = near.nasal = True
            near.initial = initial is not None
            return near
        # kept as a digit only inside a chain of digit characters (``_settle_zh_guesses``)
        return Unit(GUESS, i, start, start + 1, guess=True, zh=True)
    return HARD


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


_WORDS = sorted({*EN_DIGITS, *EN_TEENS, *EN_TENS}, key=len, reverse=True)
# Whether a text may hold a digit at all: most utterances do not, and need no tokenising.
# 幺 heard as 腰 or 妖 counts: "卡后是紫妖妖妖" ends a group the next utterance reads on from.
_MAYBE_DIGIT = re.compile(
    "[0-9" + "".join(_FULLWIDTH) + "".join(ZH_DIGITS) + "".join(ID_X) + "".join(ZH_YAO) + "]"
    r"|\b(?:" + "|".join(_WORDS) + r")\b",
    re.I,
)


def tokenize(text: str, utterance: int, settled: bool = True) -> list[Item]:
    """One utterance's text as digit units, soft separators and hard breaks; ``settled``
    False leaves homophones, guesses and tens to ``settle_speaker`` over several."""
    if not _MAYBE_DIGIT.search(text) and not all(
        ch in SOFT_CHARS or ch in FILLERS or ch.isspace() for ch in text
    ):
        return [HARD]
    items: list[Item] = []
    # (times, start of "double", whether it follows a digit of a number read out)
    pending_repeat: tuple[int, int, bool] | None = None
    shapes = [m.span() for m in _NOT_NUMBERS.finditer(text) if not _groups_under_label(text, m)]
    read_out_tens, misheard = read_out_quantity_words(text)
    wan_digits = decimal_wan_digits(text)
    (spelled, scale_separators), spelled_end = scale_chains(text), -1
    for match in _TOKEN.finditer(text):
        token, start, end = match.group(), match.start(), match.end()
        if start < spelled_end:
            continue
        if start in spelled:
            spelled_end, digits = spelled[start]
            items.append(Unit(digits, utterance, start, spelled_end))
            continue
        if shapes and any(a <= start < b for a, b in shapes):
            if not items or items[-1] != HARD:
                items.append(HARD)
            continue
        if token == "$" and whisper_dollar(text, end):
            continue
        lower = token.lower()
        if token[0].isalpha() and token.isascii():
            if lower in EN_REPEAT:
                pending_repeat = (EN_REPEAT[lower], start, _after_a_digit(items))
                continue
            if pending_repeat is not None and lower in REPEATED_TWO:
                items.append(Unit("2" * pending_repeat[0], utterance, pending_repeat[1], end))
                pending_repeat = None
                continue
            if lower in EN_ZEROS and items and isinstance(_last_unit(items), Unit):
                unit = _last_unit(items)
                assert isinstance(unit, Unit)
                unit.digits += EN_ZEROS[lower]
                unit.end = end
                continue
            item: Item = (
                _word_unit(token, utterance, start, end)
                or (SOFT if lower in FILLERS or start in scale_separators else None)
                or _guess_unit(token, utterance, start, end)
            )
        elif pending_repeat is not None and _repeat_joiner(token, pending_repeat[2]):
            continue  # "double  five", "four-double-one", "9, double, 8"
        elif token.isspace():
            item = SPACE
        elif start in read_out_tens:
            item = SOFT
        elif start in wan_digits:
            item = Unit(GUESS, utterance, start, end, guess=True)
        elif start in misheard:
            said = misheard[start]
            item = Unit(said, utterance, start, end, guess=said == GUESS, zh=True)
        else:
            item = _char_item(token, utterance, start)
            if isinstance(item, Unit) and item.homophone:
                item.worded = _in_a_word(text, start)
        if pending_repeat is not None:
            times, at, _ = pending_repeat
            pending_repeat = None
            if isinstance(item, Unit):
                item = Unit(item.digits * times, utterance, at, item.end)
            else:
                items.append(HARD)
        items.append(item)
    if pending_repeat is not None:
        items.append(HARD)
    return _join_tens(settle_letters(settle_chinese(items))) if settled else items


def _after_a_digit(items: list[Item]) -> bool:
    """Whether the items end in a digit, not a word that may be one ("a" for eight)."""
    unit = _last_unit(items)
    return isinstance(unit, Unit) and not unit.guess


def _repeat_joiner(token: str, read_on: bool) -> bool:
    """Whether a token between "double" and its digit keeps them together."""
    if token.isspace() or token in REPEAT_JOINERS:
        return True
    return read_on and token in READ_OUT_REPEAT_JOINERS


def _in_a_word(text: str, at: int) -> bool:
    """Whether the character at ``at`` makes a word of the dictionary with the Chinese
    character before or after it ("移动", "以上")."""
    pairs = (text[max(0, at - 1) : at + 1], text[at : at + 2])
    return any(len(p) == 2 and all(map(_cjk, p)) and is_word(p) for p in pairs)


def settle_speaker(utterances: list[list[Item]], breaks: list[Item]) -> list[Item]:
    """One speaker's utterances (``tokenize(..., settled=False)``) as one stream, with the
    break before each but the first: Chinese homophones and guesses are decided over the
    stream, so that "夭夭二三四" goes on the ID read in the utterance before; letters and
    tens words within each utterance, as ``tokenize`` does."""
    stream: list[Item] = []
    bounds: list[tuple[int, int]] = []
    for k, items in enumerate(utterances):
        if k:
            stream.append(breaks[k - 1])
        bounds.append((len(stream), len(stream) + len(items)))
        stream.extend(items)
    stream = settle_chinese(stream)
    out: list[Item] = []
    for k, (start, end) in enumerate(bounds):
        if k:
            out.append(breaks[k - 1])
        out.extend(_join_tens(settle_letters(stream[start:end])))
    return out


def _guess_unit(token: str, utterance: int, start: int, end: int) -> Item:
    """A letter token that may stand for a digit (kept only between digits, see
    ``settle_letters``), else a hard break."""
    if _GUESS_TOKEN.fullmatch(token):
        return Unit(GUESS, utterance, start, end, guess=True)
    return HARD


def _last_unit(items: list[Item]) -> Item | None:
    """The last item when it is a unit (only spaces after it)."""
    for item in reversed(items):
        if isinstance(item, Unit):
            return item
        if item == HARD:
            return None
    return None


def _join_tens(items: list[Item]) -> list[Item]:
    """ "fifty three" is 53, not 503: a tens word followed by a digit word takes its place."""
    out: list[Item] = []
    for item in items:
        prev = _last_unit(out)
        if (
            isinstance(item, Unit)
            and isinstance(prev, Unit)
            and prev.tens
            and len(item.digits) == 1
            and item.digits != "0"
            and prev.utterance == item.utterance
            and _only_spaces_between(out, prev)
        ):
            prev.digits = prev.digits[0] + item.digits
            prev.end, prev.tens = item.end, False
            continue
        out.append(item)
    return out


def _only_spaces_between(items: list[Item], unit: Unit) -> bool:
    tail = 0
    for item in reversed(items):
        if item is unit:
            break
        tail += 1
    return tail <= 1


def _groups_under_label(text: str, shape: re.Match[str]) -> bool:
    """Whether an address's four dotted groups stand right after an ID's or a card's label:
    nobody gives an address there, so they are its number read out in groups
    ("身份证号是101.0.105.1"); under a phone's label an address may be meant ("电话那边的IP是")."""
    if not _DOTTED_GROUPS.fullmatch(shape.group()):
        return False
    before = text[: shape.start()]
    kind = nearest_label(before)
    if kind not in (PiiType.resident_id, PiiType.card):
        return False
    return _LABEL_TO_GROUPS.fullmatch(before[label_ends(before)[kind] :]) is not None


def written_shapes(text: str) -> list[str]:
    """The dates, clock times, IP addresses and sums written in a text: shapes whose digits
    are never taken for personal data (``_NOT_NUMBERS``)."""
    return [m.group() for m in _NOT_NUMBERS.finditer(text)]


def digit_mapped(text: str) -> str:
    """The text with each one-character digit (Chinese, fullwidth) as an ASCII digit: the
    same length, so offsets found in it are offsets in the text."""
    return "".join(ZH_DIGITS.get(ch) or _FULLWIDTH.get(ch) or ch for ch in text)
