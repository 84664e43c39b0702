"""Chinese quantity words (十百千万亿) among digit characters: whether they make an amount
or a count, or stand for a digit whisper misheard in a number read out ("四十三零七二",
"一千五五六九一五", "1589.97万5"). ``numerals.tokenize`` reads them through this module.
"""

from __future__ import annotations

import re

from qa_service.domain.pii.digit_units import GUESS

# Quantity words: what surrounds them is an amount or a count, not a digit string.
ZH_MAGNITUDES = set("十百千万亿拾佰仟萬")

# A quantity word alone in a chain of digit characters read out is none: 十 is whisper's tens
# word for two digits said one after the other ("四十三零七二" for 四三零七二) between two
# digit characters and followed by another; any other, after this many digit characters in
# a row and before another, a digit ASR misheard. A quantity has no digit after its units
# ("四十三", "三十五六个" is a range and has its unit).
MISHEARD_AFTER = 6
# Nor has a quantity three digit characters after its one quantity word 千: that is 七 (qī)
# heard with a nasal ending (qiān) in digits read out ("一千五五六九一五" for 一七五五六九一五,
# "八千六一九" for 八七六一九); "一千五", "两万零一", "三千五六百" (a range) stay amounts. Nor
# three before it, or a 零 first: a range has two ("三四千"), and no quantity starts with 零
# ("六四一千零四" for 六四一七零四, "零四千六六" for 零四七六六).
_NO_QUANTITY_TAIL = _NO_QUANTITY_HEAD = 3
_ZH_CHAIN = re.compile("[零〇一二两三四五六七八九幺十百千万亿拾佰仟萬]+")
_READ_OUT_TEN = re.compile(
    "(?<=[零〇一二两三四五六七八九幺])十(?=[一二两三四五六七八九幺][零〇一二两三四五六七八九幺])"
)

# An amount with a decimal fraction before 万 has no digit after it ("1.5万"; "3万5" has no
# fraction): whisper made digits read out into one ("我的手机号是1589.97万5" for
# 155-8909-7525), and its 万 stands for a digit, kept as a letter is (``settle_letters``).
_DECIMAL_WAN = re.compile(r"\d\.\d+(万)(?=\d)")


def read_out_quantity_words(text: str) -> tuple[set[int], dict[int, str]]:
    """Where a quantity word stands alone inside digits read out (see ``MISHEARD_AFTER``): the
    十 that stand for nothing, and the other words with the digit they stand for: 七 for a 千
    with three digits after it (``_NO_QUANTITY_TAIL``), else one of unknown value
    ("一七八二零三七八五万五": 万 for 五 or 零)."""
    nothing: set[int] = set()
    misheard: dict[int, str] = {}
    if not has_magnitude(text):
        return nothing, misheard
    for chain in _ZH_CHAIN.finditer(text):
        said = chain.group()
        words = [i for i, ch in enumerate(said) if ch in ZH_MAGNITUDES]
        if len(words) != 1:
            continue
        at = words[0]
        if said[at] == "十":
            if _READ_OUT_TEN.match(said, at):
                nothing.add(chain.start() + at)
        elif at and said[at] == "千" and _no_quantity_around(said, at):
            misheard[chain.start() + at] = "7"
        elif MISHEARD_AFTER <= at < len(said) - 1:
            misheard[chain.start() + at] = GUESS
    return nothing, misheard


def _no_quantity_around(said: str, at: int) -> bool:
    """Whether the digit characters around a chain's one 千 make no quantity (see
    ``_NO_QUANTITY_TAIL``)."""
    head_too_long = at >= _NO_QUANTITY_HEAD or said[0] == "零"
    return head_too_long or len(said) - at > _NO_QUANTITY_TAIL


def decimal_wan_digits(text: str) -> set[int]:
    """Where a 万 after a decimal fraction and before a digit stands for a digit
    (``_DECIMAL_WAN``)."""
    return {m.start(1) for m in _DECIMAL_WAN.finditer(text)}


def has_magnitude(text: str) -> bool:
    return any(ch in ZH_MAGNITUDES for ch in text)
