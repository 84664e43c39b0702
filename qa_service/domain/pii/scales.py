"""Long numbers whisper wrote as a value in words: a card read out fast comes back as "6
quadrillion, 222 trillion, 805 billion, 20 million, 819,521" (English; bench sets 19, 151,
160-161). Led by a scale no amount said on a call reaches (quadrillion and up), such a chain
is one number, and its digits are the value it spells (6222805020819521): the groups alone
would drop the zero "20 million" stands for. Led by a lower scale, a chain is one only right
after a label of personal data and when it spells a number as long as an SSN
("My Social Security number is 368 million 21,174", bench set 167): elsewhere it is an
amount.
"""

from __future__ import annotations

import re

from qa_service.domain.pii.labels import label_ends, nearest_label, reference_last

# Each scale's power of a thousand.
SCALES = {
    "thousand": 1, "million": 2, "billion": 3, "trillion": 4,
    "quadrillion": 5, "quintillion": 6, "sextillion": 7, "septillion": 8,
    # as whisper spells them (bench sets 162, 171, 173)
    "quadruillion": 5, "contillion": 6,
}  # fmt: skip
# Any other word whisper spells like a scale ("Contilian"): a scale of unknown power, so
# its chain spells no value, and its scales only separate the pieces.
_SCALE_ENDING = r"ill?ia?on|ill?ian"
_MISSPELT_SCALE = rf"(?!(?:m|b|tr)illion\b)[a-z]+?(?:{_SCALE_ENDING})"
# The scales that lead a chain.
WHISPER_SCALES = {name for name, power in SCALES.items() if power >= 5}
_GROUP = r"\d{1,3}(?:,\d{3})*"
_ANY_SCALE = "|".join([*SCALES, _MISSPELT_SCALE])
_CHAIN = re.compile(
    rf"\b{_GROUP},?\s+(?:{'|'.join([*WHISPER_SCALES, _MISSPELT_SCALE])})\b"
    rf"(?:,?\s*{_GROUP}(?:,?\s+(?:{_ANY_SCALE})\b)?)+",
    re.I,
)
# A chain led by a scale an amount may reach, its value as long as an SSN or longer.
_LOWER_CHAIN = re.compile(
    rf"\b{_GROUP}\s+(?:million|billion|trillion)\b"
    rf"(?:,?\s*{_GROUP}(?:\s+(?:{_ANY_SCALE})\b)?)+",
    re.I,
)
LABELLED_MIN_DIGITS = 9
# What may stand between that label and the chain: "SSN: ", "phone number is ", "card's ".
_LABEL_TO_CHAIN = re.compile(r"^(?:\s*number)?(?:\s*(?:is|'s)|:)?\s*$", re.I)
# How far back (characters) the label of a chain led by a lower scale is looked for.
LABEL_BEFORE_CHARS = 40
_ANY_SCALE_WORD = re.compile(_SCALE_ENDING, re.I)
_PART = re.compile(rf"({_GROUP})(?:,?\s+({_ANY_SCALE})\b)?", re.I)


def scale_chains(text: str) -> tuple[dict[int, tuple[int, str]], set[int]]:
    """Where each chain that spells one value starts: (where it ends, its digits); and
    where the scale words of the other chains start (a group too large for its place: the
    chain is still one number read out, its scales only separate the pieces)."""
    if not _ANY_SCALE_WORD.search(text):
        return {}, set()
    spelled, separators, taken = {}, set(), []
    chains = [*_CHAIN.finditer(text), *filter(_after_label, _LOWER_CHAIN.finditer(text))]
    for chain in chains:
        if any(a <= chain.start() < b for a, b in taken):
            continue  # inside a chain led by a higher scale
        taken.append(chain.span())
        digits = _value(chain.group())
        if digits is not None and len(digits) >= LABELLED_MIN_DIGITS:
            spelled[chain.start()] = (chain.end(), digits)
            continue
        for part in _PART.finditer(chain.group()):
            if part.group(2):
                separators.add(chain.start() + part.start(2))
    return spelled, separators


def _after_label(chain: re.Match[str]) -> bool:
    """Whether a chain led by million, billion or trillion follows a label of personal data
    right away (see the module doc)."""
    text = chain.string
    before = text[max(0, chain.start() - LABEL_BEFORE_CHARS) : chain.start()]
    kind = nearest_label(before)
    if kind is None or reference_last(before):
        return False
    return _LABEL_TO_CHAIN.match(before[label_ends(before)[kind] :]) is not None


def _value(chain: str) -> str | None:
    """The chain's value as digits, or None where its scales do not fall one after another
    or a group is too large for its place."""
    total, above = 0, None
    for part in _PART.finditer(chain):
        number = int(part.group(1).replace(",", ""))
        scale = part.group(2).lower() if part.group(2) else None
        if scale is not None and scale not in SCALES:
            return None  # misspelt: of no known power
        power = SCALES[scale] if scale else 0
        if above is not None and (power >= above or number >= 1000 ** (above - power)):
            return None
        total += number * 1000**power
        above = power
    return str(total)
