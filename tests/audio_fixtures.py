"""Small recordings made on the fly: bad files, other formats, silence."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np


def wav_header(channels: int, rate: int, data_bytes: int, bits: int = 16) -> bytes:
    block = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def write_wav(path: Path, channels: list[np.ndarray], rate: int) -> Path:
    pcm = np.clip(np.stack(channels, axis=1), -1, 1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(len(channels))
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((pcm * 32767).astype("<i2").tobytes())
    return path


def sparse_long_wav(path: Path, hours: float, rate: int = 8000) -> Path:
    """A valid WAV of ``hours`` of silence that takes no disk space (a sparse file)."""
    data_bytes = int(hours * 3600 * rate * 2)
    with path.open("wb") as fh:
        fh.write(wav_header(1, rate, data_bytes))
        fh.truncate(44 + data_bytes)
    return path


def transcode(src: Path, dst: Path, codec: str, rate: int, layout: str = "stereo") -> Path:
    """Re-encode a recording with PyAV (which bundles FFmpeg), e.g. to mp3 or opus."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=rate)
        for frame in inp.decode(audio=0):
            frame.pts = None
            for converted in resampler.resample(frame):
                for packet in stream.encode(converted):
                    out.mux(packet)
        for converted in resampler.resample(None):
            for packet in stream.encode(converted):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return dst
