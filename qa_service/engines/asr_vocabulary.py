"""The centre's vocabulary in the recogniser: the biasing text, and the guard against echoes.

Whisper biased by hotwords (or a prompt) is known to write those words into silence and
noise: the prompt is the most likely text when the audio says nothing. So a recognised
term survives only where there is speech: a segment the model itself doubts is speech
loses its terms (``drop_terms``), and so does a term whose words lie on a stretch of the
channel that is not louder than its noise floor (``drop_unvoiced_terms``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from qa_service.domain.transcript import Word
from qa_service.engines.asr_guards import squash
from qa_service.engines.word_timing import FRAME_S, frame_levels_db, speech_threshold_db

if TYPE_CHECKING:
    from qa_service.engines.pcm import Samples

# Whisper keeps at most half its 448-token context for the prompt; a Chinese character is
# one to three tokens, so this many characters of terms stay well inside it.
MAX_PROMPT_CHARS = 120
# A term whose words are voiced for less than this share of their span was not said.
MIN_VOICED_SHARE = 0.2
# Speech lifts a channel at least this far above its floor; less is steady noise or silence.
MIN_DYNAMICS_DB = 6.0


def bias_text(terms: Sequence[str]) -> str | None:
    """The terms as one hotword / prompt string, cut at a term boundary to stay short."""
    parts: list[str] = []
    used = 0
    for term in terms:
        if used + len(term) + 1 > MAX_PROMPT_CHARS:
            break
        parts.append(term)
        used += len(term) + 1
    # A Chinese comma reads as a list to the model in either language.
    return " ".join(parts) or None


def term_spans(words: Sequence[Word], terms: Iterable[str]) -> list[tuple[str, int, int]]:
    """(term, first word, last word + 1) of every occurrence of a term in ``words``."""
    text, owner = [], []
    for index, word in enumerate(words):
        piece = squash(word.text)
        text.append(piece)
        owner += [index] * len(piece)
    joined = "".join(text)
    spans = []
    for term in dict.fromkeys(squash(t) for t in terms):
        if not term:
            continue
        at = joined.find(term)
        while at >= 0:
            spans.append((term, owner[at], owner[at + len(term) - 1] + 1))
            at = joined.find(term, at + len(term))
    return spans


def _without(
    words: list[Word], spans: list[tuple[str, int, int]], why: str
) -> tuple[list[Word], list[dict]]:
    gone: set[int] = set()
    dropped = []
    for term, a, b in spans:
        gone.update(range(a, b))
        dropped.append({"start": words[a].start, "end": words[b - 1].end, "text": term, "why": why})
    return [w for i, w in enumerate(words) if i not in gone], dropped


def drop_terms(words: list[Word], terms: Sequence[str]) -> tuple[list[Word], list[dict]]:
    """``words`` without any vocabulary term in them (a segment that is not speech)."""
    return _without(words, term_spans(words, terms), "vocabulary term in non-speech")


def drop_unvoiced_terms(
    words: list[Word], terms: Sequence[str], samples: Samples, sample_rate: int
) -> tuple[list[Word], list[dict]]:
    """``words`` without the terms that lie on the channel's silence or steady noise."""
    spans = term_spans(words, terms)
    if not spans:
        return words, []
    levels = frame_levels_db(samples, sample_rate)
    if len(levels) < 10:
        return words, []
    floor, loud = np.percentile(levels, [10, 95])
    if loud - floor < MIN_DYNAMICS_DB:
        # A channel with no dynamics (silence, hum, hiss) has no speech to hold a term.
        voiced = np.zeros(len(levels), dtype=bool)
    else:
        voiced = levels >= speech_threshold_db(levels)
    unvoiced = []
    for span in spans:
        _, a, b = span
        lo = min(len(voiced) - 1, max(0, int(words[a].start / FRAME_S)))
        hi = min(len(voiced), max(lo + 1, int(np.ceil(words[b - 1].end / FRAME_S))))
        if voiced[lo:hi].mean() < MIN_VOICED_SHARE:
            unvoiced.append(span)
    return _without(words, unvoiced, "vocabulary term on silence")
