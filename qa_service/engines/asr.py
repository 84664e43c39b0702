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
from qa_service.engines.asr_vocabulary import drop_terms
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
    # The centre's vocabulary, as Whisper's hotwords (every 30-second window) or its initial
    # prompt; the terms themselves, for the guard that drops them from non-speech.
    hotwords: str | None = None
    initial_prompt: str | None = None
    vocabulary: tuple[str, ...] = ()
    # > 1: voice chunks decoded this many at a time (BatchedInferencePipeline); else sequential.
    batch_size: int = 0
    # Set: one decoding temperature (no fallback to sampling) and a cap on a segment's
    # tokens, as the second listen to a number decodes (analysis/second_listen.py).
    temperature: float | None = None
    max_new_tokens: int | None = None


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

    def __init__(self, model_path: Path, choice: DeviceChoice, batch_size: int = 0) -> None:
        # Idle OpenMP threads of CTranslate2 otherwise spin after each call and starve the
        # engines that run next (sentiment, diarization) on small machines.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from faster_whisper import WhisperModel

        self.choice = choice
        self.model_path = model_path
        # What the pipeline puts in ASROptions.batch_size for this model and device.
        self.batch_size = batch_size
        self.model = WhisperModel(
            str(model_path),
            device=choice.device,
            compute_type=choice.compute_type,
            cpu_threads=choice.cpu_threads,
        )
        # CTranslate2 models are not re-entrant across threads of one process.
        self._lock = threading.Lock()
        self._pipeline = None

    def transcribe(self, audio: np.ndarray, options: ASROptions) -> ChannelTranscript:
        common = {
            "language": options.language,
            "beam_size": options.beam_size,
            "word_timestamps": True,
            "condition_on_previous_text": options.condition_on_previous_text,
            "vad_filter": options.vad_filter,
            "vad_parameters": {
                "min_silence_duration_ms": options.vad_min_silence_ms,
                "speech_pad_ms": options.vad_speech_pad_ms,
            },
            "compression_ratio_threshold": options.guards.compression_ratio_threshold,
            "log_prob_threshold": options.guards.log_prob_threshold,
            "no_speech_threshold": options.guards.no_speech_threshold,
            "hotwords": options.hotwords or None,
            "initial_prompt": options.initial_prompt or None,
        }
        if options.temperature is not None:
            common["temperature"] = options.temperature
        if options.max_new_tokens is not None:
            common["max_new_tokens"] = options.max_new_tokens
        with self._lock:
            if options.batch_size > 1:
                # The pipeline ignores the silence threshold (it skips silence by VAD chunks)
                # and decodes without segment timestamps: words still carry theirs.
                segments, info = self._batched().transcribe(
                    audio, batch_size=options.batch_size, without_timestamps=False, **common
                )
            else:
                segments, info = self.model.transcribe(
                    audio,
                    hallucination_silence_threshold=options.hallucination_silence_threshold,
                    **common,
                )
            return _collect(list(segments), info.language, info.language_probability, options)

    def _batched(self):
        from faster_whisper import BatchedInferencePipeline

        # Stateless between calls apart from a timestamp it resets itself: one per model.
        if self._pipeline is None:
            self._pipeline = BatchedInferencePipeline(self.model)
        return self._pipeline


def _collect(segments, language: str | None, probability: float, options: ASROptions):
    words: list[Word] = []
    dropped: list[dict] = []
    for seg in segments:
        reason = rejection_reason(seg.text, seg.no_speech_prob, seg.avg_logprob, options.guards)
        if reason:
            dropped.append({"start": seg.start, "end": seg.end, "text": seg.text, "why": reason})
            continue
        seg_words = [
            Word(
                float(w.start),
                float(w.end),
                to_simplified(w.word) if language == "zh" else w.word,
                float(w.probability),
            )
            for w in seg.words or []
        ]
        if options.vocabulary and seg.no_speech_prob > options.guards.no_speech_threshold:
            # The model doubts this is speech: a vocabulary term in it is the prompt echoed.
            seg_words, removed = drop_terms(seg_words, options.vocabulary)
            dropped += removed
        words += seg_words
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


# Batch size on CPU when none is set (bench/README.md, asr_batched.py).
CPU_BATCH_SIZE = 8
# Calls shorter than this are decoded sequentially whatever the batch size: on 15-45 s calls
# batching was no faster and placed one true turn late; on 5-minute calls it was 1.8x faster
# and placed more turns right.
BATCH_MIN_S = 120.0


def batch_size_for(duration_s: float, batch_size: int) -> int:
    """The batch size a call of ``duration_s`` is decoded with (0: sequential)."""
    return batch_size if duration_s >= BATCH_MIN_S else 0


MAX_BATCH_SIZE = 32
# GPU memory one more 30-second chunk in a batch costs (encoder output, beams, attention),
# with margin: published faster-whisper figures for large-v2 fp16 put it near 200 MB.
GPU_BYTES_PER_ITEM = 256 << 20


def cuda_free_bytes() -> int | None:
    """Free memory on the current CUDA device, or None where torch cannot tell."""
    try:
        import torch

        return int(torch.cuda.mem_get_info()[0]) if torch.cuda.is_available() else None
    except Exception:
        return None


def choose_batch_size(settings: Settings, choice: DeviceChoice) -> int:
    """The setting when given; on CUDA as many chunks as half the free memory holds."""
    if settings.asr_batch_size is not None:
        return settings.asr_batch_size
    if choice.device != "cuda":
        return CPU_BATCH_SIZE
    free = cuda_free_bytes()
    if free is None:
        return CPU_BATCH_SIZE
    return max(1, min(MAX_BATCH_SIZE, free // 2 // GPU_BYTES_PER_ITEM))


def load_recognizer(settings: Settings) -> SpeechRecognizer:
    """The configured model on the configured device; ``Engines`` keeps one per process."""
    choice = choose_device(settings)
    path = require_model(settings.asr_model, settings)
    model = WhisperRecognizer(path, choice)
    # Measured after the model is on the device: what is left is what batches can use.
    model.batch_size = choose_batch_size(settings, choice)
    return model
