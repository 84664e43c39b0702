"""A verification code answered in characters that only sound like digits.

Asked "请问您收到的验证码是多少", a customer reads four to eight digits and whisper, hearing
no number in so short a reply, often writes words: "救救救腰" for 9991, "幽灵酒就吃" for
1099. The digit stream (``numerals``) takes such characters as digits only inside a number
of six real digits or more, which a code is not. Here the question is the context instead:
the other side's reply right after a code was asked for, when it is nothing but characters
that sound like digits, with at most one other at either end, is the code.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from qa_service.domain.pii.context import BEFORE_CHARS, CODE_ANSWER_S, heard
from qa_service.domain.pii.labels import CODE_LABEL
from qa_service.domain.pii.numerals import SOFT_CHARS, char_digit
from qa_service.domain.pii.runs import Line

# Digits a code has (a short one: ASR may lose one), and words allowed besides them.
CODE_SOUNDS, EXTRA_WORDS = (4, 8), 1


def code_replies(lines: Sequence[Line]) -> Iterator[tuple[int, int, int]]:
    """(utterance, start, end) of each reply to a code question that is a code said in
    sound-alike characters."""
    for i in range(1, len(lines)):
        asked, line = lines[i - 1], lines[i]
        if asked.speaker == line.speaker or line.start - asked.end > CODE_ANSWER_S:
            continue
        # the reply's shape first: most replies are too long to be a code, and reading the
        # question's sounds costs a pinyin lookup per character
        span = _sounded_code(line.text)
        if span is not None and CODE_LABEL.search(heard(asked.text[-BEFORE_CHARS:])):
            yield (i, *span)


def _sounded_code(text: str) -> tuple[int, int] | None:
    """Where a text is a code said in characters sounding like digits, separators aside:
    its span; else None."""
    said = [(k, ch) for k, ch in enumerate(text) if not (ch.isspace() or ch in SOFT_CHARS)]
    low, high = CODE_SOUNDS
    if not low <= len(said) <= high + EXTRA_WORDS:
        return None
    digits = [char_digit(ch) is not None for _, ch in said]
    if not low <= sum(digits) <= high or len(said) - sum(digits) > EXTRA_WORDS:
        return None
    if not all(digits[1:-1]):
        return None  # the one other word only at an end ("幽灵酒就吃")
    kept = [k for (k, _), digit in zip(said, digits, strict=True) if digit]
    return kept[0], kept[-1] + 1
