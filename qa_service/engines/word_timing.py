"""Tighten Whisper's word timestamps against the channel's own energy.

Whisper's alignment tends to start a word early, at the start of the padded speech chunk.
On a separated channel the real onset is where the energy rises, so each word's start is
moved forward (and its end back) to the first (last) frame loud enough to be speech.
Words are only ever shrunk, never stretched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qa_service.domain.transcript import Word

if TYPE_CHECKING:
    from qa_service.engines.pcm import Samples

FRAME_S = 0.01
_MIN_WORD_S = 0.05


# Frames converted to float64 at a time: an hours-long channel is never copied whole.
_BLOCK_FRAMES = 10_000


def frame_levels_db(samples: Samples, sample_rate: int) -> np.ndarray:
    hop = int(sample_rate * FRAME_S)
    n = len(samples) // hop
    levels = np.zeros(n, dtype=np.float32)
    for a in range(0, n, _BLOCK_FRAMES):
        b = min(n, a + _BLOCK_FRAMES)
        frames = samples[a * hop : b * hop].reshape(b - a, hop).astype(np.float64)
        rms = np.sqrt(np.mean(frames * frames, axis=1))
        levels[a:b] = 20 * np.log10(rms + 1e-9)
    return levels


def speech_threshold_db(levels: np.ndarray) -> float:
    """Half-way (in dB) between the channel's noise floor and its speech level."""
    floor, loud = np.percentile(levels, [10, 95])
    return float(floor + 0.35 * (loud - floor))


def refine_word_times(words: Sequence[Word], samples: Samples, sample_rate: int) -> None:
    """Shrink each word to the voiced part of its span, in place."""
    levels = frame_levels_db(samples, sample_rate)
    if len(levels) < 10 or not words:
        return
    voiced = levels >= speech_threshold_db(levels)
    for word in words:
        lo = max(0, int(word.start / FRAME_S))
        hi = min(len(voiced), int(np.ceil(word.end / FRAME_S)))
        idx = np.flatnonzero(voiced[lo:hi])
        if idx.size == 0:
            continue
        start = float((lo + idx[0]) * FRAME_S)
        end = float((lo + idx[-1] + 1) * FRAME_S)
        if end - start >= _MIN_WORD_S:
            word.start, word.end = max(word.start, start), min(word.end, end)
