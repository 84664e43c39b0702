"""Character offsets of an utterance's text and the words (with times) that said them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class WordAt:
    start: float
    end: float
    text: str
    begin: int  # its characters in the utterance's text; -1 when it cannot be found there
    stop: int


def align_words(text: str, words: Sequence[dict[str, Any]]) -> list[WordAt]:
    """Each word placed on the text, in order (the text was joined from the words, with or
    without spaces; a word not found where expected is left unplaced, not guessed)."""
    placed: list[WordAt] = []
    cursor = 0
    for w in words:
        word = str(w.get("text") or "").strip()
        begin = text.find(word, cursor) if word else -1
        # A word far ahead of the cursor is another occurrence: leave it unplaced.
        if begin >= 0 and begin - cursor > 3:
            begin = -1
        stop = begin + len(word) if begin >= 0 else -1
        if begin >= 0:
            cursor = stop
        start, end = float(w.get("start") or 0.0), float(w.get("end") or 0.0)
        placed.append(WordAt(start, max(start, end), str(w.get("text") or ""), begin, stop))
    return placed


def span_times(
    words: Sequence[WordAt], text_len: int, begin: int, stop: int, utt: tuple[float, float]
) -> tuple[float, float]:
    """When characters ``[begin, stop)`` were said: from the words over them, else by
    interpolating over the utterance (a transcript without word times)."""
    over = [w for w in words if w.begin >= 0 and w.begin < stop and begin < w.stop]
    if over:
        return min(w.start for w in over), max(w.end for w in over)
    start, end = utt
    if text_len <= 0:
        return start, end
    share = (end - start) / text_len
    return start + begin * share, start + stop * share
