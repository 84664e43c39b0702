"""The words before (or right after) a number that say what it is: labels of personal data
(手机号, 身份证, card number, SSN, 验证码) and of reference numbers (订单号, tracking number),
as the detector in ``numbers`` reads them in the text around a digit run.
"""

from __future__ import annotations

import re

from qa_service.domain.pii.sounds import main_reading, sounds_like_shouji
from qa_service.domain.pii.types import PiiType

REFERENCE = re.compile(
    # 票号 ends any ticket's or invoice's number (发票号 heard as "8票号")
    r"订单|单号|快递|运单|邮件号|工单|流水|编号|合同|发票|票号|保单|金额|余额|价格|积分|"
    # invoice as whisper hears it before a number: "In voice 166...", "Envoice 4111-093...",
    # "En voice 55,565,...", "Envoy 6217-625...", "Invoys 723-..." (bench sets 15, 160-196)
    r"order|tracking|invoice|\b[ie]n[\s-]?voice|\b[ei]nvoys?\b|ticket|reference|\bref\b|case|"
    # 邮件号 and 运单 as STC-3's English writes them ("your mail number")
    r"\bmail number|waybill|"
    r"confirmation|account balance|"
    r"amount|total|balance|price",
    re.I,
)
PHONE_LABEL = re.compile(
    # not the handset itself: its model, version, system, case or screen
    r"手机(?!型号|版|系统|壳|屏)|电话|号码|座机|联系方式|打给|回拨|"
    r"(?<![iI])phone|mobile|cell|call me|reach me|contact",
    re.I,
)
CODE_LABEL = re.compile(
    r"验证码|校验码|动态码|短信码|密码|口令|安全码|"
    # an area, zip or error code is no secret
    r"(?<!area )(?<!zip )(?<!postal )(?<!error )(?<!post )code|otp|\bpin\b|passcode|password|"
    r"\bcvv\b|\bcvc\b",
    re.I,
)
# "card" heard without its d before "number", "is" or "to" ("My car number 6227-811-325-
# 1780", "The car to 6,222,654,388,108,6", "ICAR number 6, 227, ...": bench sets 162-175);
# it only types a number near a card's length
CARD_LABEL = re.compile(r"卡号|银行卡|信用卡|借记卡|card|\bi?car(?=\s+(?:number|is|to)\b)", re.I)
ID_LABEL = re.compile(r"身[份分]|证件号|\bID\b|identity|identification", re.I)

# A certificate's number (驾驶证号: a driving licence's is its holder's ID number; 身份证号
# heard as "宣传证号"), not a voucher's, a guarantee's, a permit's, a quality certificate's
# or a verification's; nor 身份证号's own (its 身份 is the ID's label). Weaker than an ID's
# label: it only types a number found by its digits.
CERTIFICATE_NUMBER = re.compile(r"(?<![凭保可格验份分])证号")

# "SSN", "S.S.N.", "S S N", "S-S-N" (ASR spells it out), also run into its digits ("SSN054"),
# with its N heard as M ("S.S.M.661-912-454", "SSM 028703517") or lost ("SS-295-759-876",
# "SS and 137-795-278"); "social" heard otherwise ("my so-full security number is"); the
# letters heard as words right before the digits ("Assess in 555,849,896"; "Assistant"
# is too common a word), or with a letter run into it ("SSNO-006-...", "SSNL 6-2-3-..."):
# whisper, bench sets 19, 150, 160-170, 183-209
SSN_LABEL = re.compile(
    r"social security|security number|\bs[.\s-]?s(?:[.\s-]?[nm])?(?![a-z])|social|"
    r"\b(?:assess in|s[.\s-]?s[.\s-]?n[a-z])(?=[\s,:-]*(?:\d|$))",
    re.I,
)


# What ends a label the label patterns leave out (手机|号, 身份|证号, 证件号|码), and what may
# stand between a label and its number right after it.
LABEL_TAIL = re.compile(r"^证?(?:号码?)?")
_LABEL_TO_NUMBER = re.compile(r"^\s*[是:：]?\s*$")


def right_after_label(before: str, label_end: int) -> bool:
    """Whether what follows ``before`` stands right after the label ending at ``label_end``
    in it: the rest of the label, 是 or a colon between at most."""
    rest = LABEL_TAIL.sub("", before[label_end:])
    return label_end >= 0 and _LABEL_TO_NUMBER.match(rest) is not None


def last_end(pattern: re.Pattern[str], text: str) -> int:
    ends = [m.end() for m in pattern.finditer(text)]
    return max(ends) if ends else -1


def phone_label_end(text: str) -> int:
    """Where the last phone label ends, leaving out one that only names a reference
    number ("发票号码", "order number") and a 号码 ("number") that ends an ID's or a card's
    label ("证件号码", "身份证号码", "银行卡号码"): that number is theirs."""
    references = [m.end() for m in REFERENCE.finditer(text)]
    owned = [m.end() for p in (ID_LABEL, CARD_LABEL) for m in p.finditer(text)]
    ends = [
        m.end()
        for m in PHONE_LABEL.finditer(text)
        if not any(m.start() - 2 <= r < m.end() for r in references)
        and not (m.group() == "号码" and any(m.start() - 2 <= e <= m.end() for e in owned))
    ]
    return max(ends) if ends else -1


def label_ends(before: str) -> dict[PiiType, int]:
    """Where the last label of each type ends in ``before`` (-1: none)."""
    return {
        PiiType.phone: phone_label_end(before),
        PiiType.card: last_end(CARD_LABEL, before),
        PiiType.resident_id: last_end(ID_LABEL, before),
        PiiType.ssn: last_end(SSN_LABEL, before),
        PiiType.code: last_end(CODE_LABEL, before),
    }


def certificate_last(before: str) -> bool:
    """Whether a certificate's number (see CERTIFICATE_NUMBER) is the last label before."""
    return last_end(CERTIFICATE_NUMBER, before) > max(label_ends(before).values())


def nearest_label(before: str) -> PiiType | None:
    """The type whose label ends last in ``before`` (phone, card, ID or SSN)."""
    ends = label_ends(before)
    del ends[PiiType.code]
    kind, end = max(ends.items(), key=lambda item: item[1])
    return kind if end >= 0 else None


_BARE_NUMBER = re.compile(r"(?<!手机)(?<!电话)(?<!座机)号码")
# Labels said right after a number, and the types they name (a card's otherwise).
_AFTER_WORDS = ("手机", "电话", "身份证", "银行卡", "卡号")
_LABEL_AFTER = re.compile(r"^[\s,，]*这?是我的?(" + "|".join(_AFTER_WORDS) + ")")
# The same heard by its sound ("认识我手机", "真是我设计"): a syllable shi before 我, and the
# label as written or 手机 heard as two syllables s(h)?-ji. Nowhere else: after a number,
# "...是我" followed by such a word is no everyday phrase.
_HEARD_LABEL_AFTER = re.compile(
    r"^[\s,，]*[\u4e00-\u9fff]?([\u4e00-\u9fff])我的?([\u4e00-\u9fff]{2,3})"
)
_AFTER_KINDS = {"手机": PiiType.phone, "电话": PiiType.phone, "身份证": PiiType.resident_id}


def bare_number(before: str) -> bool:
    """Whether the phone label before is a bare 号码, not 手机号码 or 电话号码."""
    end = phone_label_end(before)
    return end >= 0 and any(m.end() == end for m in _BARE_NUMBER.finditer(before))


def label_after(after: str) -> PiiType | None:
    """The type a label right after a number names ("，这是我手机", "是我的身份证")."""
    found = _LABEL_AFTER.match(after)
    if found:
        return _AFTER_KINDS.get(found.group(1), PiiType.card)
    heard = _HEARD_LABEL_AFTER.match(after)
    if heard is None or main_reading(heard.group(1)) != "shi":
        return None
    word = heard.group(2)
    said = next((w for w in _AFTER_WORDS if word.startswith(w)), None)
    if said:
        return _AFTER_KINDS.get(said, PiiType.card)
    return PiiType.phone if sounds_like_shouji(word[0], word[1]) else None


def reference_last(before: str) -> bool:
    """Whether a reference label ("订单号", "tracking number") is the last label before."""
    return last_end(REFERENCE, before) > max(label_ends(before).values())
