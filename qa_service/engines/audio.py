"""Decoding recordings: probe, validate, decode once to 16 kHz, split channels.

Decoding writes straight into one float32 array per channel, sized from the declared length
(no list of pieces joined at the end, no second converted copy), so a recording costs its
decoded size once. A header's sample rate is checked first: a tiny file that declares 1 Hz
would otherwise pass as hours of audio once brought to 16 kHz.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa_service.config import Settings
from qa_service.errors import InputError, UnsupportedMediaError

SAMPLE_RATE = 16000
# Sample rates a call recording can have (telephony 8 kHz .. studio 192 kHz).
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 4_000, 192_000
# Channel correlation is summed over blocks of this many samples (bounded memory).
_CORRELATION_BLOCK = 1 << 20
# A decoded length this far below the length the container declares means a cut-off file.
_TRUNCATION_TOLERANCE = 0.9
# Two parties on separate channels correlate near 0; one signal copied twice near 1.
_SAME_SIGNAL_CORRELATION = 0.98


@dataclass(slots=True)
class AudioInfo:
    path: Path
    container: str
    codec: str
    sample_rate: int
    channels: int
    declared_duration_s: float | None


@dataclass(slots=True)
class DecodedAudio:
    info: AudioInfo
    channels: list[np.ndarray] = field(default_factory=list)  # float32, 16 kHz, one per channel

    @property
    def duration_s(self) -> float:
        return len(self.channels[0]) / SAMPLE_RATE if self.channels else 0.0


def _open(path: Path):
    import av

    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a recording")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    try:
        return av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise UnsupportedMediaError(f"{path}: not a readable audio file ({_reason(exc)})") from None


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(":")[0].strip() if text else type(exc).__name__


def _declared_duration(container, stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def probe_audio(path: Path, settings: Settings) -> AudioInfo:
    """Read the header only and refuse what cannot be a call recording."""
    path = Path(path)
    with _open(path) as container:
        if not container.streams.audio:
            raise UnsupportedMediaError(f"{path}: contains no audio stream")
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels
        info = AudioInfo(
            path=path,
            container=container.format.name,
            codec=stream.codec_context.name,
            sample_rate=stream.codec_context.sample_rate or 0,
            channels=channels,
            declared_duration_s=_declared_duration(container, stream),
        )
    if info.channels < 1 or info.sample_rate <= 0:
        raise InputError(f"{path}: the audio stream has no channels or no sample rate")
    if not MIN_SAMPLE_RATE <= info.sample_rate <= MAX_SAMPLE_RATE:
        raise InputError(
            f"{path}: the sample rate of {info.sample_rate} Hz is not one of a recording; "
            f"accepted: {MIN_SAMPLE_RATE // 1000}-{MAX_SAMPLE_RATE // 1000} kHz"
        )
    _check_duration(path, info.declared_duration_s, settings)
    return info


def _check_duration(path: Path, duration: float | None, settings: Settings) -> None:
    if duration is None:
        return
    if duration > settings.max_duration_s:
        raise InputError(
            f"{path}: recording is {duration / 3600:.1f} h long; the limit is "
            f"{settings.max_duration_s / 3600:.1f} h (QA_MAX_DURATION_S)"
        )
    if duration < settings.min_duration_s:
        raise InputError(f"{path}: recording holds no audio ({duration:.2f} s)")


class _ChannelBuffer:
    """Float32 channels filled in place; grows (rarely) when the header understated."""

    def __init__(self, n_channels: int, expected: int) -> None:
        size = max(expected, 60 * SAMPLE_RATE)
        # One array per channel: a channel dropped later frees its memory.
        self.rows = [np.empty(size, dtype=np.float32) for _ in range(n_channels)]
        self.filled = 0

    def append(self, planes: np.ndarray) -> None:
        n = planes.shape[1]
        if self.filled + n > len(self.rows[0]):
            size = (self.filled + n) * 3 // 2
            for k, row in enumerate(self.rows):
                grown = np.empty(size, dtype=np.float32)
                grown[: self.filled] = row[: self.filled]
                self.rows[k] = grown
        for row, plane in zip(self.rows, planes, strict=True):
            np.multiply(plane, 1 / 32768.0, out=row[self.filled : self.filled + n])
        self.filled += n

    def channels(self) -> list[np.ndarray]:
        return [row[: self.filled] for row in self.rows]


def _decode_channels(path: Path, info: AudioInfo, settings: Settings) -> list[np.ndarray]:
    import av

    n_channels = min(info.channels, 2)
    layout = "mono" if n_channels == 1 else "stereo"
    resampler = av.AudioResampler(format="s16p", layout=layout, rate=SAMPLE_RATE)
    limit = int(settings.max_duration_s * SAMPLE_RATE)
    declared = min(info.declared_duration_s or 0.0, settings.max_duration_s)
    buffer = _ChannelBuffer(n_channels, int(declared * SAMPLE_RATE) + SAMPLE_RATE)
    with _open(path) as container:
        try:
            for frame in container.decode(audio=0):
                frame.pts = None  # let the resampler cope with gaps in timestamps
                for out in resampler.resample(frame):
                    buffer.append(out.to_ndarray())
                if buffer.filled > limit:
                    _check_duration(path, buffer.filled / SAMPLE_RATE, settings)
            for out in resampler.resample(None):
                buffer.append(out.to_ndarray())
        except av.error.FFmpegError as exc:
            raise InputError(f"{path}: the audio data is damaged ({_reason(exc)})") from None
    if not buffer.filled:
        raise InputError(f"{path}: recording holds no audio (0 s)")
    return buffer.channels()


def wav_missing_bytes(path: Path) -> int:
    """Bytes a RIFF/WAVE file's data chunk declares but the file does not hold (0 if whole)."""
    with path.open("rb") as fh:
        header = fh.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return 0
        while chunk := fh.read(8):
            if len(chunk) < 8:
                return 0
            size = int.from_bytes(chunk[4:8], "little")
            if chunk[:4] == b"data":
                # 0 and 0xFFFFFFFF mark a stream written without knowing its length.
                if size in (0, 0xFFFFFFFF):
                    return 0
                remaining = path.stat().st_size - fh.tell()
                return max(0, size - remaining)
            fh.seek(size + (size & 1), 1)
    return 0


def same_signal(left: np.ndarray, right: np.ndarray) -> bool:
    """Both channels carry one recording (correlation near 1), not two parties."""
    if not left.any() or not right.any():
        return not left.any() and not right.any()
    return bool(correlation(left, right) >= _SAME_SIGNAL_CORRELATION)


def correlation(left: np.ndarray, right: np.ndarray) -> float:
    """Pearson correlation, summed block by block: no full-length float64 copies."""
    n = min(len(left), len(right))
    sx = sy = sxx = syy = sxy = 0.0
    for a in range(0, n, _CORRELATION_BLOCK):
        x = left[a : a + _CORRELATION_BLOCK].astype(np.float64)
        y = right[a : a + _CORRELATION_BLOCK].astype(np.float64)
        sx, sy = sx + x.sum(), sy + y.sum()
        sxx, syy, sxy = sxx + x @ x, syy + y @ y, sxy + x @ y
    cov = sxy - sx * sy / n
    var = (sxx - sx * sx / n) * (syy - sy * sy / n)
    return float(cov / np.sqrt(var)) if var > 0 else 0.0


def load_audio(path: Path, settings: Settings) -> DecodedAudio:
    """Decode a recording to float32 16 kHz, one array per channel (at most two)."""
    path = Path(path)
    info = probe_audio(path, settings)
    if missing := wav_missing_bytes(path):
        raise InputError(
            f"{path}: the file is truncated: {missing} bytes of audio data are missing"
        )
    channels = _decode_channels(path, info, settings)
    if len(channels) == 2 and same_signal(channels[0], channels[1]):
        # A mono recording stored as stereo: transcribing it twice would double every line.
        channels = channels[:1]
    audio = DecodedAudio(info, channels)
    _check_duration(path, audio.duration_s, settings)
    declared = info.declared_duration_s
    if declared and declared > 1.0 and audio.duration_s < declared * _TRUNCATION_TOLERANCE:
        raise InputError(
            f"{path}: the file is truncated: its header declares {declared:.1f} s "
            f"but only {audio.duration_s:.1f} s of audio is present"
        )
    return audio
