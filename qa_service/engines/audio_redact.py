"""A redacted copy of a recording: silence where personal data was said.

The copy is 16 kHz 16-bit PCM WAV (the decoded channels), written block by block so memory
does not grow with the call, and kept beside the recordings under a name made of the
recording's hash and the spans: the same spans are served from the file, new spans (a
better detector, a re-analysed call) make a new one.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa_service.config import Settings
from qa_service.datafiles import private_dir
from qa_service.engines.audio import SAMPLE_RATE, load_audio

# Silence starts this much before and ends this much after a span: word times from ASR are
# a few tens of milliseconds off, and a digit's first sound must not be left.
PAD_S = 0.12
_BLOCK = SAMPLE_RATE * 30
CACHE_VERSION = 1


def silent_ranges(
    spans: Sequence[tuple[float, float]], pad_s: float = PAD_S
) -> list[tuple[int, int]]:
    """Sample ranges to silence, padded and merged."""
    ranges = sorted(
        (max(0, math.floor((a - pad_s) * SAMPLE_RATE)), math.ceil((b + pad_s) * SAMPLE_RATE))
        for a, b in spans
        if b >= a
    )
    merged: list[tuple[int, int]] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def redacted_path(data_dir: Path, sha256: str, spans: Sequence[tuple[float, float]]) -> Path:
    key = ";".join(f"{a:.3f}-{b:.3f}" for a, b in sorted(spans))
    digest = hashlib.sha256(f"{CACHE_VERSION}|{PAD_S}|{key}".encode()).hexdigest()[:16]
    return Path(data_dir) / "redacted" / sha256[:2] / f"{sha256}.{digest}.wav"


def write_redacted(
    source: Path, spans: Sequence[tuple[float, float]], target: Path, settings: Settings
) -> Path:
    """``target``: the recording with ``spans`` (seconds) silenced; made once."""
    if target.is_file():
        return target
    ranges = silent_ranges(spans)
    private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".partial")
    os.close(fd)
    try:
        with load_audio(source, settings) as audio, wave.open(tmp, "wb") as out:
            out.setnchannels(len(audio.channels))
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            total = len(audio.channels[0])
            for begin in range(0, total, _BLOCK):
                stop = min(total, begin + _BLOCK)
                block = np.stack([np.asarray(ch[begin:stop]) for ch in audio.channels])
                for a, b in ranges:
                    if a < stop and begin < b:
                        block[:, max(a, begin) - begin : min(b, stop) - begin] = 0.0
                pcm = np.clip(np.rint(block * 32768.0), -32768, 32767).astype("<i2")
                out.writeframes(pcm.T.tobytes())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
