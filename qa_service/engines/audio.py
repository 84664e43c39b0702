"""Decoding recordings: probe, validate, decode once to 16 kHz, split channels.

Decoding writes each channel to a temporary file on disk (``pcm.PcmChannel``), and every stage
reads the window it needs from it: a worker's memory does not grow with the call's length.
A header's sample rate is checked first: a tiny file that declares 1 Hz would otherwise pass
as hours of audio once brought to 16 kHz.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa_service.config import Settings
from qa_service.datafiles import private_dir
from qa_service.engines.pcm import PcmChannel, Samples
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
    """16 kHz channels (at most two) on disk, sliced like float32 arrays; close when done
    (``with load_audio(...) as audio:``), which frees their disk space."""

    info: AudioInfo
    channels: list[PcmChannel] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return len(self.channels[0]) / SAMPLE_RATE if self.channels else 0.0

    def close(self) -> None:
        for channel in self.channels:
            channel.close()

    def __enter__(self) -> DecodedAudio:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def temp_dir(settings: Settings) -> Path:
    """Where decoded audio is written: the data folder's owner-only ``tmp``."""
    path = Path(settings.data_dir) / "tmp"
    try:
        return private_dir(path)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            f"the folder for decoded audio {path} (QA_DATA_DIR/tmp) cannot be created: {reason}"
        ) from None


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


def _decode_channels(
    path: Path, info: AudioInfo, channels: list[PcmChannel], settings: Settings
) -> None:
    """Decode into ``channels`` (one per channel kept), at 16 kHz, frame by frame."""
    import av

    layout = "mono" if len(channels) == 1 else "stereo"
    resampler = av.AudioResampler(format="s16p", layout=layout, rate=SAMPLE_RATE)
    limit = int(settings.max_duration_s * SAMPLE_RATE)

    def append(planes: np.ndarray) -> None:
        for channel, plane in zip(channels, planes, strict=True):
            channel.append(plane)

    with _open(path) as container:
        try:
            for frame in container.decode(audio=0):
                frame.pts = None  # let the resampler cope with gaps in timestamps
                for out in resampler.resample(frame):
                    append(out.to_ndarray())
                if len(channels[0]) > limit:
                    _check_duration(path, len(channels[0]) / SAMPLE_RATE, settings)
            for out in resampler.resample(None):
                append(out.to_ndarray())
        except av.error.FFmpegError as exc:
            raise InputError(f"{path}: the audio data is damaged ({_reason(exc)})") from None
    for channel in channels:
        channel.finish()
    if not len(channels[0]):
        raise InputError(f"{path}: recording holds no audio (0 s)")


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


def same_signal(left: Samples, right: Samples) -> bool:
    """Both channels carry one recording (correlation near 1), not two parties."""
    sums = _moments(left, right)
    left_silent, right_silent = sums[2] == 0, sums[3] == 0  # no non-zero sample
    if left_silent or right_silent:
        return left_silent and right_silent
    return bool(_pearson(*sums) >= _SAME_SIGNAL_CORRELATION)


def correlation(left: Samples, right: Samples) -> float:
    """Pearson correlation, summed block by block: no full-length float64 copies."""
    return _pearson(*_moments(left, right))


def _moments(left: Samples, right: Samples) -> tuple[float, float, float, float, float, int]:
    """Sums of x, y, x², y², xy over the common length, read block by block."""
    n = min(len(left), len(right))
    sx = sy = sxx = syy = sxy = 0.0
    for a in range(0, n, _CORRELATION_BLOCK):
        b = min(n, a + _CORRELATION_BLOCK)
        x = left[a:b].astype(np.float64)
        y = right[a:b].astype(np.float64)
        sx, sy = sx + x.sum(), sy + y.sum()
        sxx, syy, sxy = sxx + x @ x, syy + y @ y, sxy + x @ y
    return sx, sy, sxx, syy, sxy, n


def _pearson(sx: float, sy: float, sxx: float, syy: float, sxy: float, n: int) -> float:
    if not n:
        return 0.0
    cov = sxy - sx * sy / n
    var = (sxx - sx * sx / n) * (syy - sy * sy / n)
    return float(cov / np.sqrt(var)) if var > 0 else 0.0


def load_audio(path: Path, settings: Settings) -> DecodedAudio:
    """Decode a recording to 16 kHz channels on disk (at most two); close it when done."""
    path = Path(path)
    info = probe_audio(path, settings)
    if missing := wav_missing_bytes(path):
        raise InputError(
            f"{path}: the file is truncated: {missing} bytes of audio data are missing"
        )
    directory = temp_dir(settings)
    audio = DecodedAudio(info, [PcmChannel(directory) for _ in range(min(info.channels, 2))])
    try:
        _decode_and_check(path, audio, settings)
    except BaseException:
        audio.close()
        raise
    return audio


def _decode_and_check(path: Path, audio: DecodedAudio, settings: Settings) -> None:
    info = audio.info
    _decode_channels(path, info, audio.channels, settings)
    if len(audio.channels) == 2 and same_signal(*audio.channels):
        # A mono recording stored as stereo: transcribing it twice would double every line.
        audio.channels.pop().close()
    _check_duration(path, audio.duration_s, settings)
    declared = info.declared_duration_s
    if declared and declared > 1.0 and audio.duration_s < declared * _TRUNCATION_TOLERANCE:
        raise InputError(
            f"{path}: the file is truncated: its header declares {declared:.1f} s "
            f"but only {audio.duration_s:.1f} s of audio is present"
        )


def load_arrays(path: Path, settings: Settings) -> list[np.ndarray]:
    """Whole float32 channels in memory: for short recordings only (benches, tests)."""
    with load_audio(path, settings) as audio:
        return [channel[:] for channel in audio.channels]
