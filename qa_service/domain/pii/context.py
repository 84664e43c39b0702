"""The words around a number on the call: where its label and its unit are looked for.

A label may stand in the utterance before the number's (a question answered: "验证码是多少?"
/ "八三九二"), or in the speaker's own words before the other side's backchannel ("卡号是..."
/ "嗯" / "6283..."); ASR may have written it by its sound (``sounds.heard_labels``) or in
traditional characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa_service.domain.pii.digit_units import Unit
from qa_service.domain.pii.runs import Line
from qa_service.domain.pii.sounds import heard_labels

# How far back (characters) a label is looked for, and forward for a unit.
BEFORE_CHARS, AFTER_CHARS = 32, 8
# How much of the number a label heard by its sound before it is read with (see ``sounds``).
AHEAD_CHARS = 24
# A code asked for in the previous utterance counts if the answer starts this soon after.
CODE_ANSWER_S = 20.0
# An utterance whose number starts within this many characters answers the one before.
ANSWER_LEAD_CHARS = 12
# The other side's words between two pieces of a number that only keep the line open.
BACKCHANNEL = 2
# Whisper often writes Mandarin in traditional characters ("我的手機號是"): the labels' and
# units' characters are read as their simplified forms (one for one, offsets unchanged).
SIMPLIFIED = str.maketrans(
    "機電號碼證驗動簡訊聯繫給撥訂單遞運編發餘額價積銀險約計塊個歲樓層張臺戶點萬億鐘",
    "机电号码证验动简讯联系给拨订单递运编发余额价积银险约计块个岁楼层张台户点万亿钟",
)


def heard(text: str) -> str:
    """``text`` with the labels ASR wrote by their sound or in traditional characters
    written as the labels (one for one: offsets unchanged)."""
    return heard_labels(text.translate(SIMPLIFIED))


def words_before(lines: Sequence[Line], unit: Unit) -> str:
    """The text before a unit in its utterance, after the previous utterance's tail, with
    labels ASR wrote by their sound written as the labels (``sounds``)."""
    line = lines[unit.utterance]
    text = line.text[max(0, unit.start - BEFORE_CHARS) : unit.start]
    # An answer ("Sure, 4 8 1 5", "好的，八三九二") to what the utterance before asked, or
    # the speaker's own words before the other side's "嗯" ("卡号是..." / "嗯" / "6283...").
    if unit.start <= ANSWER_LEAD_CHARS and unit.utterance > 0:
        for prev in said_before(lines, unit.utterance):
            text = prev.text[-BEFORE_CHARS:] + " " + text
    # with the number's first characters: a label heard by its sound may be one only right
    # before a digit ("塔号1411..."), after 他 or 它 only before a long number ("他后1411113-48-08")
    ahead = line.text[unit.start : unit.start + AHEAD_CHARS]
    return heard(text + ahead)[: len(text)]


def said_before(lines: Sequence[Line], utterance: int) -> list[Line]:
    """The utterance before, if soon before; and then the one before it, if that was the
    same speaker's and what came between was a backchannel of the other side."""
    line, prev = lines[utterance], lines[utterance - 1]
    if line.start - prev.end > CODE_ANSWER_S:
        return []
    if utterance < 2 or prev.speaker == line.speaker or len(prev.text.strip()) > BACKCHANNEL:
        return [prev]
    earlier = lines[utterance - 2]
    if earlier.speaker != line.speaker or line.start - earlier.end > CODE_ANSWER_S:
        return [prev]
    return [prev, earlier]


def words_after(lines: Sequence[Line], unit: Unit) -> str:
    return lines[unit.utterance].text[unit.end : unit.end + AFTER_CHARS].translate(SIMPLIFIED)


def after_last_digit(lines: Sequence[Line], unit: Unit) -> str:
    """The words after the last digit of the unit's utterance (a label after a number ASR
    broke into pieces: "148班233班468 这是我手机")."""
    text = lines[unit.utterance].text
    last = max((i for i, ch in enumerate(text) if ch.isdigit()), default=unit.end - 1)
    return text[last + 1 : last + 1 + AFTER_CHARS].translate(SIMPLIFIED)
