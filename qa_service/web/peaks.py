"""Waveform peaks computed on the server, so a browser never decodes an hour of audio.

The recording is decoded once, frame by frame (memory stays flat however long the call),
reduced to the loudest sample of every 10 ms per channel, then to at most ``MAX_BUCKETS``
buckets per channel. The result is cached beside the recordings as JSON and served to the
page, where the waveform player draws it; playback streams the file with HTTP ranges.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_service.datafiles import private_dir
from qa_service.errors import InputError

BLOCK_S = 0.01
MAX_BUCKETS = 16_000
MAX_PER_SECOND = 20
# Peaks travel as integers 0..SCALE: a third of the size of floats in JSON.
SCALE = 1000
# Decoded samples gathered before they are reduced (fewer, larger numpy operations).
BATCH_S = 5.0
CACHE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Peaks:
    duration_s: float
    sample_rate: int
    per_second: float
    channels: list[list[int]]

    def to_dict(self) -> dict:
        return {
            "duration": round(self.duration_s, 3),
            "sample_rate": self.sample_rate,
            "per_second": round(self.per_second, 4),
            "scale": SCALE,
            "peaks": self.channels,
        }


def _block_maxima(samples: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel max |x| of each whole block, and the samples left over."""
    whole = samples.shape[1] // block * block
    head = np.abs(samples[:, :whole]).reshape(samples.shape[0], -1, block).max(axis=2)
    return head, samples[:, whole:]


def block_peaks(path: Path) -> tuple[np.ndarray, int, int]:
    """(channels x blocks) maxima of 10 ms blocks, the sample rate, and the sample count."""
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise InputError(f"{path.name}: cannot open the recording ({exc})") from None
    with container:
        if not container.streams.audio:
            raise InputError(f"{path.name}: the file holds no audio stream")
        stream = container.streams.audio[0]
        rate = int(stream.rate or stream.codec_context.sample_rate)
        n_channels = min(int(stream.channels or 1), 2)
        layout = "mono" if n_channels == 1 else "stereo"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        block = max(1, int(rate * BLOCK_S))
        batch_limit = int(rate * BATCH_S)
        reduced: list[np.ndarray] = []
        pending: list[np.ndarray] = []
        pending_n = total = 0
        carry = np.zeros((n_channels, 0), dtype=np.float32)

        def flush() -> None:
            nonlocal carry, pending, pending_n
            joined = np.concatenate([carry, *pending], axis=1)
            head, carry = _block_maxima(joined, block)
            reduced.append(head)
            pending, pending_n = [], 0

        try:
            for frame in container.decode(stream):
                frame.pts = None
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().astype(np.float32, copy=False)
                    pending.append(samples)
                    pending_n += samples.shape[1]
                    total += samples.shape[1]
                if pending_n >= batch_limit:
                    flush()
            for out in resampler.resample(None):
                pending.append(out.to_ndarray().astype(np.float32, copy=False))
                total += pending[-1].shape[1]
        except av.error.FFmpegError as exc:
            raise InputError(f"{path.name}: the audio data is damaged ({exc})") from None
        flush()
        if carry.shape[1]:
            reduced.append(np.abs(carry).max(axis=1, keepdims=True))
    if total == 0:
        raise InputError(f"{path.name}: the recording holds no audio")
    return np.concatenate(reduced, axis=1), rate, total


def reduce_blocks(blocks: np.ndarray, duration_s: float) -> tuple[np.ndarray, float]:
    """At most MAX_BUCKETS buckets (and MAX_PER_SECOND per second): max over each bucket."""
    wanted = max(1, min(MAX_BUCKETS, math.ceil(duration_s * MAX_PER_SECOND)))
    per_bucket = max(1, math.ceil(blocks.shape[1] / wanted))
    padded_len = math.ceil(blocks.shape[1] / per_bucket) * per_bucket
    padded = np.zeros((blocks.shape[0], padded_len), dtype=np.float32)
    padded[:, : blocks.shape[1]] = blocks
    buckets = padded.reshape(blocks.shape[0], -1, per_bucket).max(axis=2)
    per_second = buckets.shape[1] / duration_s if duration_s > 0 else 0.0
    return buckets, per_second


def compute_peaks(path: Path) -> Peaks:
    blocks, rate, total = block_peaks(path)
    duration = total / rate
    buckets, per_second = reduce_blocks(blocks, duration)
    scaled = np.clip(np.rint(buckets * SCALE), 0, SCALE).astype(int)
    return Peaks(duration, rate, per_second, [row.tolist() for row in scaled])


def cache_path(data_dir: Path, sha256: str) -> Path:
    return Path(data_dir) / "peaks" / sha256[:2] / f"{sha256}.v{CACHE_VERSION}.json"


def cached_peaks(data_dir: Path, sha256: str, recording: Path) -> bytes:
    """The peaks JSON of a recording, computed on first use and kept beside the recordings."""
    target = cache_path(data_dir, sha256)
    if target.is_file():
        return target.read_bytes()
    data = json.dumps(compute_peaks(recording).to_dict(), separators=(",", ":")).encode()
    private_dir(target.parent)
    # Write then rename: two requests computing at once each leave a whole file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".partial")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)
    return data
