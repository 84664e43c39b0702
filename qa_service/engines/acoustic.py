"""How things were said: loudness, pitch level and spread, speaking rate, raised voice.

Every cue is judged against the same speaker's own baseline in the call (the median over their
utterances), not against a fixed level: phone lines, handsets and voices differ by more than
a raised voice does. Pitch is tracked with YIN on audio brought to the 8 kHz phone band at a
20 ms hop, only in frames loud enough to be voiced: a fraction of a second per minute of audio.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from math import gcd
from statistics import median
from typing import TYPE_CHECKING, Any

import numpy as np

from qa_service.domain.metrics import speech_rate
from qa_service.domain.transcript import Transcript, Utterance

if TYPE_CHECKING:
    from qa_service.engines.pcm import Samples


@dataclass(frozen=True, slots=True)
class AcousticOptions:
    pitch_rate: int = 8000
    frame_s: float = 0.064
    hop_s: float = 0.02
    fmin_hz: float = 65.0
    fmax_hz: float = 600.0  # a raised female voice goes past 500 Hz
    # Frames this far below the utterance's loudest frame are pauses and consonants.
    active_range_db: float = 20.0
    min_voiced_frames: int = 5
    # Raised voice: this much louder than the speaker's baseline, or half as much louder
    # together with a pitch this much higher (shouting raises both; a handset moved closer
    # raises only loudness, and not by as much).
    raised_db: float = 6.0
    raised_pitch_st: float = 2.0
    # A word or two ("喂!", "whatever") is too little voice to call raised against a baseline.
    min_raised_s: float = 0.8
    # How far above baseline each agitation component saturates.
    agitation_db: float = 12.0
    agitation_pitch_st: float = 4.0
    agitation_spread: float = 1.0  # relative growth of pitch variability
    agitation_rate: float = 0.5  # relative growth of speaking rate


AGITATION_WEIGHTS = {"loudness": 0.35, "pitch": 0.35, "spread": 0.15, "rate": 0.15}


@dataclass(slots=True)
class UtteranceSound:
    duration_s: float = 0.0
    loudness_db: float | None = None
    pitch_st: np.ndarray | None = None  # voiced frames, semitones above 1 Hz
    speech_rate: float | None = None

    @property
    def pitch_mean_st(self) -> float | None:
        return float(np.mean(self.pitch_st)) if self.pitch_st is not None else None

    @property
    def pitch_spread_st(self) -> float | None:
        return float(np.std(self.pitch_st)) if self.pitch_st is not None else None


def _semitones(hz: np.ndarray) -> np.ndarray:
    return 12.0 * np.log2(hz)


def _hz(semitones: float) -> float:
    return float(2.0 ** (semitones / 12.0))


def to_pitch_rate(samples: np.ndarray, sample_rate: int, target: int) -> np.ndarray:
    if sample_rate == target:
        return samples
    from scipy.signal import resample_poly

    g = gcd(sample_rate, target)
    return resample_poly(samples, target // g, sample_rate // g).astype(np.float32)


def measure(samples: np.ndarray, sr: int, options: AcousticOptions) -> UtteranceSound:
    """Loudness and voiced pitch frames of one utterance's samples (at ``options.pitch_rate``)."""
    import librosa

    frame, hop = int(options.frame_s * sr), int(options.hop_s * sr)
    if len(samples) < frame:
        return UtteranceSound(len(samples) / sr)
    rms = librosa.feature.rms(y=samples, frame_length=frame, hop_length=hop, center=False)[0]
    level = 20.0 * np.log10(np.maximum(rms, 1e-10))
    active = level >= level.max() - options.active_range_db
    loudness = 10.0 * np.log10(np.mean(np.square(rms[active])) + 1e-20)
    f0 = librosa.yin(
        samples,
        fmin=options.fmin_hz,
        fmax=options.fmax_hz,
        sr=sr,
        frame_length=frame,
        hop_length=hop,
        center=False,
    )
    n = min(len(f0), len(active))
    # YIN answers on every frame; at its search limits it found no period at all.
    voiced = active[:n] & (f0[:n] > options.fmin_hz * 1.05) & (f0[:n] < options.fmax_hz * 0.95)
    pitch = _semitones(f0[:n][voiced])
    if pitch.size >= options.min_voiced_frames:
        # Octave jumps of YIN are outliers against the utterance's own median.
        pitch = pitch[np.abs(pitch - np.median(pitch)) <= 7.0]
    return UtteranceSound(
        duration_s=len(samples) / sr,
        loudness_db=float(loudness),
        pitch_st=pitch if pitch.size >= options.min_voiced_frames else None,
    )


def _baseline(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return median(present) if present else None


def _excess(value: float | None, base: float | None, scale: float, relative: bool) -> float:
    if value is None or base is None or (relative and base <= 0):
        return 0.0
    grown = value / base - 1.0 if relative else value - base
    return float(np.clip(grown / scale, 0.0, 1.0))


def judge(sound: UtteranceSound, base: dict[str, float | None], options: AcousticOptions) -> dict:
    """The utterance's cues, its differences from the baseline, raised voice and agitation."""
    d_db = _delta(sound.loudness_db, base["loudness_db"])
    d_st = _delta(sound.pitch_mean_st, base["pitch_st"])
    parts = {
        "loudness": _excess(d_db, 0.0, options.agitation_db, False),
        "pitch": _excess(d_st, 0.0, options.agitation_pitch_st, False),
        "spread": _excess(sound.pitch_spread_st, base["spread_st"], options.agitation_spread, True),
        "rate": _excess(sound.speech_rate, base["speech_rate"], options.agitation_rate, True),
    }
    raised = (
        sound.duration_s >= options.min_raised_s
        and d_db is not None
        and (
            d_db >= options.raised_db
            or (
                d_db >= options.raised_db / 2
                and d_st is not None
                and d_st >= options.raised_pitch_st
            )
        )
    )
    return {
        "loudness_db": _round(sound.loudness_db, 1),
        "pitch_hz_mean": _round(_hz(sound.pitch_mean_st), 1)
        if sound.pitch_st is not None
        else None,
        "pitch_hz_std": _round(_pitch_std_hz(sound.pitch_st), 1),
        "speech_rate": sound.speech_rate,
        "loudness_delta_db": _round(d_db, 1),
        "pitch_delta_st": _round(d_st, 2),
        "raised_voice": bool(raised),
        "agitation": round(sum(AGITATION_WEIGHTS[k] * v for k, v in parts.items()), 3),
    }


def _delta(value: float | None, base: float | None) -> float | None:
    return None if value is None or base is None else value - base


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _pitch_std_hz(pitch_st: np.ndarray | None) -> float | None:
    return None if pitch_st is None else float(np.std(2.0 ** (pitch_st / 12.0)))


def role_baseline(sounds: list[UtteranceSound]) -> dict[str, float | None]:
    return {
        "loudness_db": _baseline([s.loudness_db for s in sounds]),
        "pitch_st": _baseline([s.pitch_mean_st for s in sounds]),
        "spread_st": _baseline([s.pitch_spread_st for s in sounds]),
        "speech_rate": _baseline([s.speech_rate for s in sounds]),
    }


def _utterance_samples(utt: Utterance, samples: Samples, sample_rate: int) -> np.ndarray:
    return samples[int(utt.start * sample_rate) : int(np.ceil(utt.end * sample_rate))]


# Margin resampled around an utterance: far beyond the resampling filter's reach (~1 ms).
_RESAMPLE_PAD_S = 0.05


def _utterance_at_rate(utt: Utterance, samples: Samples, sample_rate: int, rate: int):
    """The utterance's samples at ``rate``, as resampling the whole channel would give them,
    from a slice with a margin: no copy of a whole (hours long) channel."""
    if sample_rate == rate:
        return np.asarray(_utterance_samples(utt, samples, rate), dtype=np.float32)
    g = gcd(sample_rate, rate)
    step, out_step = sample_rate // g, rate // g
    pad = int(_RESAMPLE_PAD_S * sample_rate)
    # Start on a multiple of ``step``: the slice's output samples then fall on the channel's.
    a = max(0, int(utt.start * sample_rate) - pad) // step * step
    b = min(len(samples), int(np.ceil(utt.end * sample_rate)) + pad)
    local = to_pitch_rate(np.asarray(samples[a:b], dtype=np.float32), sample_rate, rate)
    offset = a // step * out_step
    return local[max(0, int(utt.start * rate) - offset) : int(np.ceil(utt.end * rate)) - offset]


def annotate_acoustics(
    transcript: Transcript,
    channel_samples: dict[str, Samples],
    sample_rate: int,
    options: AcousticOptions | None = None,
) -> dict[str, Any]:
    """Set ``utt.extra["acoustic"]`` on each utterance whose role has samples; call summary.

    ``channel_samples`` maps a role to the channel it speaks on (for a mono recording, the one
    channel under every role).
    """
    options = options or AcousticOptions()
    started = time.perf_counter()
    rate = options.pitch_rate
    sounds: dict[int, UtteranceSound] = {}
    for i, utt in enumerate(transcript.utterances):
        if utt.role in channel_samples:
            x = _utterance_at_rate(utt, channel_samples[utt.role], sample_rate, rate)
            sound = measure(x, rate, options)
            sound.speech_rate = speech_rate([utt])
            sounds[i] = sound
    summary: dict[str, Any] = {"roles": {}}
    for role in sorted({transcript.utterances[i].role for i in sounds}):
        indices = [i for i in sounds if transcript.utterances[i].role == role]
        base = role_baseline([sounds[i] for i in indices])
        for i in indices:
            transcript.utterances[i].extra["acoustic"] = judge(sounds[i], base, options)
        summary["roles"][role] = _role_summary(transcript, indices, base)
    summary["shared_channel"] = len({id(x) for x in channel_samples.values()}) < len(
        channel_samples
    )
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return summary


def _role_summary(transcript: Transcript, indices: list[int], base: dict) -> dict[str, Any]:
    cues = {i: transcript.utterances[i].extra["acoustic"] for i in indices}
    top = max(indices, key=lambda i: cues[i]["agitation"])
    return {
        "baseline": {
            "loudness_db": _round(base["loudness_db"], 1),
            "pitch_hz": _round(_hz(base["pitch_st"]), 1) if base["pitch_st"] is not None else None,
            "speech_rate": base["speech_rate"],
        },
        "utterances": len(indices),
        "raised_voice": sum(1 for c in cues.values() if c["raised_voice"]),
        "max_agitation": cues[top]["agitation"],
        "most_agitated": {
            "utterance": top,
            "start": round(transcript.utterances[top].start, 2),
            "text": transcript.utterances[top].text,
        },
    }
