"""Longer calls made by joining the shared stereo calls, and their true turns, shifted."""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tests.conftest import call_truth
from tests.test_call_timeline import START_TOLERANCE_S

GAP_S = 1.0  # silence put between joined calls


def join_calls(
    paths: Sequence[Path], out: Path, settings, *, min_seconds: float = 0.0, min_calls: int = 1
) -> tuple[Path, list[dict]]:
    """A 16 kHz stereo WAV of ``paths`` in turn (cycling), at least ``min_calls`` of them and
    ``min_seconds`` long; and every true turn of it, at its time in the joined call."""
    from qa_service.engines.audio import SAMPLE_RATE, load_audio

    turns, offset, k = [], 0.0, 0
    with wave.open(str(out), "wb") as sink:
        sink.setnchannels(2)
        sink.setsampwidth(2)
        sink.setframerate(SAMPLE_RATE)
        while k < min_calls or offset < min_seconds:
            path = paths[k % len(paths)]
            k += 1
            with load_audio(path, settings) as audio:
                n = len(audio.channels[0])
                both = np.stack([audio.channels[0][0:n], audio.channels[1][0:n]], axis=1)
            gap = np.zeros((int(GAP_S * SAMPLE_RATE), 2), dtype=np.float32)
            pcm = np.concatenate([both, gap])
            sink.writeframes((np.clip(pcm, -1, 1) * 32767).astype("<i2").tobytes())
            turns += [
                {**t, "start": t["start"] + offset, "end": t["end"] + offset}
                for t in call_truth(path.stem)["turns"]
            ]
            offset += len(pcm) / SAMPLE_RATE
    return out, turns


def turns_found(result, turns: list[dict]) -> list[bool]:
    """For each true turn: an utterance of its speaker starts within the suite's tolerance."""
    utterances = result.transcript.utterances
    return [
        any(
            u.role == t["role"] and abs(u.start - t["start"]) <= START_TOLERANCE_S
            for u in utterances
        )
        for t in turns
    ]
