"""Speech recognition with faster-whisper: the model, and per-channel transcription."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from qa_service.config import Settings
from qa_service.domain.transcript import Word
from qa_service.engines.asr_guards import GuardOptions, rejection_reason, to_simplified
from qa_service.engines.device import DeviceChoice, choose_device
from qa_service.modelhub.store import require_model

if TYPE_CHECKING:
    from qa_service.engines.pcm import Samples


@dataclass(frozen=True, slots=True)
class ASROptions:
    language: str | None = None
    # Defaults are the settings' (QA_BEAM_SIZE), written once, on Settings.
    beam_size: int = Settings.model_fields["beam_size"].default
    vad_filter: bool = True
    vad_min_silence_ms: int = 2000
    vad_speech_pad_ms: int = 400
    # Off: conditioning on earlier text is what lets one error loop for minutes.
    condition_on_previous_text: bool = False
    # With word timestamps, skips silences longer than this when a hallucination is suspected.
    hallucination_silence_threshold: float | None = 2.0
    guards: GuardOptions = field(default_factory=GuardOptions)


@dataclass(slots=True)
class ChannelTranscript:
    words: list[Word]
    language: str | None
    language_probability: float
    dropped: list[dict] = field(default_factory=list)


class SpeechRecognizer(Protocol):
    def transcribe(self, audio: np.ndarray, options: ASROptions) -> ChannelTranscript: ...


class WhisperRecognizer:
    """faster-whisper behind the SpeechRecognizer protocol."""

    def __init__(self, model_path: Path, choice: DeviceChoice) -> None:
        # Idle OpenMP threads of CTranslate2 otherwise spin after each call and starve the
        # engines that run next (sentiment, diarization) on small machines.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from faster_whisper import WhisperModel

        self.choice = choice
        self.model_path = model_path
        self.model = WhisperModel(
            str(model_path),
            device=choice.device,
            compute_type=choice.compute_type,
            cpu_threads=choice.cpu_threads,
        )
        # CTranslate2 models are not re-entrant across threads of one process.
        self._lock = threading.Lock()

    def transcribe(self, audio: np.ndarray, options: ASROptions) -> ChannelTranscript:
        with self._lock:
            segments, info = self.model.transcribe(
                audio,
                language=options.language,
                beam_size=options.beam_size,
                word_timestamps=True,
                condition_on_previous_text=options.condition_on_previous_text,
                vad_filter=options.vad_filter,
                vad_parameters={
                    "min_silence_duration_ms": options.vad_min_silence_ms,
                    "speech_pad_ms": options.vad_speech_pad_ms,
                },
                hallucination_silence_threshold=options.hallucination_silence_threshold,
                compression_ratio_threshold=options.guards.compression_ratio_threshold,
                log_prob_threshold=options.guards.log_prob_threshold,
                no_speech_threshold=options.guards.no_speech_threshold,
            )
            return _collect(list(segments), info.language, info.language_probability, options)


def _collect(segments, language: str | None, probability: float, options: ASROptions):
    words: list[Word] = []
    dropped: list[dict] = []
    for seg in segments:
        reason = rejection_reason(seg.text, seg.no_speech_prob, seg.avg_logprob, options.guards)
        if reason:
            dropped.append({"start": seg.start, "end": seg.end, "text": seg.text, "why": reason})
            continue
        for w in seg.words or []:
            text = to_simplified(w.word) if language == "zh" else w.word
            words.append(Word(float(w.start), float(w.end), text, float(w.probability)))
    return ChannelTranscript(words, language, probability, dropped)


# Long channels are transcribed in windows of about this length, cut at a quiet moment:
# the model's features and voice detection then cost a window's memory, not the call's.
WINDOW_S = 20 * 60.0
# Where to look for the quietest moment before a window's nominal end.
CUT_SEARCH_S = 30.0
CUT_BLOCK_S = 0.25


def _quiet_cut(samples: Samples, start: int, end: int, rate: int) -> int:
    """The start of the quietest CUT_BLOCK_S block in the CUT_SEARCH_S before ``end``."""
    block = int(CUT_BLOCK_S * rate)
    first = max(start + block, end - int(CUT_SEARCH_S * rate))
    n = (end - first) // block
    if n < 1:
        return end
    energy = np.square(samples[first : first + n * block].reshape(n, block)).sum(axis=1)
    return first + int(np.argmin(energy)) * block


def transcribe_long(
    recognizer: SpeechRecognizer, samples: Samples, rate: int, options: ASROptions
) -> ChannelTranscript:
    """A channel of any length, window by window; times are of the whole channel."""
    words: list[Word] = []
    dropped: list[dict] = []
    language, probability = options.language, None
    size = int(WINDOW_S * rate)
    start = 0
    while start < len(samples):
        end = len(samples)
        if end - start > size:
            end = _quiet_cut(samples, start, start + size, rate)
        part = recognizer.transcribe(samples[start:end], replace(options, language=language))
        # The first window's language holds for the rest: one call, one language.
        if probability is None:
            language, probability = language or part.language, part.language_probability
        offset = start / rate
        words += [Word(w.start + offset, w.end + offset, w.text, w.probability) for w in part.words]
        dropped += [
            {**d, "start": d["start"] + offset, "end": d["end"] + offset} for d in part.dropped
        ]
        start = end
    return ChannelTranscript(words, language, probability or 0.0, dropped)


def load_recognizer(settings: Settings) -> SpeechRecognizer:
    """The configured model on the configured device; ``Engines`` keeps one per process."""
    return WhisperRecognizer(require_model(settings.asr_model, settings), choose_device(settings))
