"""Personal data written with letters: email addresses and licence plates, written or spoken."""

from __future__ import annotations

import re
from collections.abc import Iterator

from qa_service.domain.pii.numerals import digit_mapped
from qa_service.domain.pii.types import PiiType

_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Read out: "zhang san at gmail dot com", "幺二三四 艾特 qq 点 com", or written with spaces
# ("li @ qq.com"). "at" with a written dot is a web site ("bought it at lashou.com").
_SPOKEN_EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._]*(?:\s+(?:dot|underscore|点)\s+[A-Za-z0-9]+)*"
    r"(?:\s*(?:\bat\b|艾特)\s*[A-Za-z0-9]+\s*(?:\bdot\b|点)\s*|\s*@\s*[A-Za-z0-9]+\s*(?:\bdot\b|点|\.)\s*)"
    r"(?:com|cn|net|org|edu|gov|io|co)(?:\s*(?:\bdot\b|点|\.)\s*[a-z]{2})?\b",
    re.I,
)
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Za-hj-np-z"
# Province, issuing-office letter, then 5 letters/digits (6 for a new-energy plate);
# spoken plates have spaces or a middle dot between the characters.
_PLATE = re.compile(
    rf"[{_PROVINCES}]\s?[{_LETTER}][\s·•-]?(?:[{_LETTER}0-9]\s?){{4,5}}[{_LETTER}0-9挂学警]"
    rf"(?![{_LETTER}0-9])"
)


def text_hits(text: str) -> Iterator[tuple[PiiType, int, int]]:
    """(type, start, end) of each email address and plate in one utterance's text."""
    mapped = digit_mapped(text)
    taken: list[tuple[int, int]] = []
    for pattern, kind in ((_EMAIL, PiiType.email), (_SPOKEN_EMAIL, PiiType.email)):
        for m in pattern.finditer(mapped):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            yield kind, m.start(), m.end()
    for m in _PLATE.finditer(mapped):
        end = m.end()
        while end > m.start() and text[end - 1].isspace():
            end -= 1
        yield PiiType.plate, m.start(), end
