"""Analyse one call: audio -> engines -> domain. Also re-entry at the transcript step."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa_service.config import Settings, get_settings
from qa_service.domain.results import CallResult
from qa_service.domain.transcript import Transcript, Utterance, build_utterances, sort_timeline
from qa_service.errors import InputError

DEFAULT_ROLES = ("agent", "customer")
CHANNEL_NAMES = ("left", "right")
MONO_ROLE = "unknown"
TRANSCRIPT_SUFFIXES = {".json"}


@dataclass(slots=True)
class AnalyzeOptions:
    language: str | None = None  # "zh" | "en" | None: detect
    roles: tuple[str, ...] = DEFAULT_ROLES  # role of the left, then the right channel
    call_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def parse_roles(value: str | None) -> tuple[str, ...]:
    """``"agent,customer"`` -> ``("agent", "customer")``: the roles of left and right."""
    if not value:
        return DEFAULT_ROLES
    roles = tuple(part.strip() for part in value.split(","))
    if len(roles) != 2 or set(roles) != set(DEFAULT_ROLES):
        raise InputError(
            f"--channels must name both roles once, left first, e.g. 'agent,customer' "
            f"or 'customer,agent' (got '{value}')"
        )
    return roles


def _asr_options(language: str | None, settings: Settings):
    from qa_service.engines.asr import ASROptions

    return ASROptions(language=language, beam_size=settings.beam_size)


def transcribe_file(
    path: Path, options: AnalyzeOptions, settings: Settings
) -> tuple[Transcript, dict]:
    """Decode, transcribe each channel, and put both roles on one timeline."""
    from qa_service.engines.asr import get_recognizer
    from qa_service.engines.audio import SAMPLE_RATE, load_audio
    from qa_service.engines.word_timing import refine_word_times

    audio = load_audio(path, settings)
    recognizer = get_recognizer(settings)
    language = options.language or settings.language
    stereo = len(audio.channels) == 2
    roles = options.roles if stereo else (MONO_ROLE,)
    names = CHANNEL_NAMES if stereo else ("mono",)
    words_by_role, dropped = {}, []
    started = time.perf_counter()
    for role, samples in zip(roles, audio.channels, strict=True):
        channel = recognizer.transcribe(samples, _asr_options(language, settings))
        # The first channel's detected language is used for the other: one call, one language.
        language = language or channel.language
        refine_word_times(channel.words, samples, SAMPLE_RATE)
        words_by_role[role] = channel.words
        dropped += [{**d, "role": role} for d in channel.dropped]
    asr_s = time.perf_counter() - started
    channel_map = dict(zip(names, roles, strict=True))
    utterances = build_utterances(
        words_by_role,
        pause_s=settings.utterance_pause_s,
        language=language,
        channel_of_role={r: n for n, r in channel_map.items()},
    )
    transcript = Transcript(utterances, language, audio.duration_s, channel_map)
    source = {
        "path": str(path),
        "format": audio.info.container,
        "codec": audio.info.codec,
        "sample_rate": audio.info.sample_rate,
        "channels": audio.info.channels,
        "asr_model": settings.asr_model,
        "asr_seconds": round(asr_s, 3),
        "dropped_segments": dropped,
    }
    return transcript, source


def analyze_file(
    path: Path, options: AnalyzeOptions | None = None, settings: Settings | None = None
) -> CallResult:
    """Full analysis of one recording, or of a transcript JSON file (ASR skipped)."""
    path = Path(path)
    options = options or AnalyzeOptions()
    settings = settings or get_settings()
    if path.suffix.lower() in TRANSCRIPT_SUFFIXES:
        return analyze_transcript(load_transcript_json(path), options)
    transcript, source = transcribe_file(path, options, settings)
    return finish(CallResult(options.call_id or path.stem, transcript, source=source), options)


def finish(result: CallResult, options: AnalyzeOptions) -> CallResult:
    """Everything after the transcript: cheap, and re-runnable on a stored transcript."""
    result.metadata = {**result.metadata, **options.metadata}
    return result


def load_transcript_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a valid transcript JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a transcript JSON must be an object with 'utterances'")
    data.setdefault("call_id", Path(path).stem)
    return data


def transcript_from_dict(data: dict[str, Any]) -> Transcript:
    """A transcript from our result contract, or from a chat log / vendor ASR with ``turns``."""
    rows = data.get("utterances", data.get("turns"))
    if not isinstance(rows, list) or not rows:
        raise InputError("a transcript needs a non-empty 'utterances' (or 'turns') list")
    utterances: list[Utterance] = []
    for index, row in enumerate(rows):
        try:
            utt = Utterance.from_dict(row)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"utterance {index}: needs role, start, end and text "
                f"({exc.__class__.__name__}: {exc})"
            ) from None
        if utt.end < utt.start or utt.start < 0:
            raise InputError(f"utterance {index}: end {utt.end} is before start {utt.start}")
        utterances.append(utt)
    duration = float(data.get("duration_s") or max(u.end for u in utterances))
    channels = dict(data.get("channels") or {})
    return Transcript(sort_timeline(utterances), data.get("language"), duration, channels)


def analyze_transcript(data: dict[str, Any], options: AnalyzeOptions | None = None) -> CallResult:
    options = options or AnalyzeOptions()
    transcript = transcript_from_dict(data)
    if options.language:
        transcript.language = options.language
    call_id = options.call_id or str(data.get("call_id") or "call")
    result = CallResult(call_id, transcript, source={"transcript": True})
    result.metadata = dict(data.get("metadata") or {})
    return finish(result, options)
