"""Analyse one call: audio -> engines -> domain. Also re-entry at the transcript step.

Every function takes the process's ``Engines`` (and its settings) instead of fetching models.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_service.config import Settings
from qa_service.domain.results import CallResult
from qa_service.domain.rulepack import RulePack
from qa_service.domain.transcript import Transcript, build_utterances
from qa_service.domain.transcript_json import transcript_from_dict
from qa_service.domain.vocabulary import AudioChannel, Speaker
from qa_service.errors import InputError

if TYPE_CHECKING:
    from qa_service.engines.audio import DecodedAudio
    from qa_service.engines.registry import Engines

DEFAULT_ROLES = (Speaker.agent, Speaker.customer)
CHANNEL_NAMES = (AudioChannel.left, AudioChannel.right)
MONO_ROLE = Speaker.unknown
TRANSCRIPT_SUFFIXES = {".json"}


@dataclass(slots=True)
class AnalyzeOptions:
    language: str | None = None  # "zh" | "en" | None: detect
    roles: tuple[str, ...] = DEFAULT_ROLES  # role of the left, then the right channel
    call_id: str | None = None
    rule_pack: str | Path | RulePack | None = None  # None: the default pack of the call
    # Its "vocabulary" (terms, or a comma-separated text) biases the recogniser.
    metadata: dict[str, Any] = field(default_factory=dict)
    # False: stop before the rule pack (the worker scores with the version it resolved).
    checks: bool = True


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


def _asr_options(
    language: str | None, settings: Settings, recognizer, terms: tuple[str, ...], duration_s: float
):
    from qa_service.engines.asr import ASROptions, batch_size_for
    from qa_service.engines.asr_vocabulary import bias_text

    mode = settings.asr_vocabulary_mode
    text = bias_text(terms) if mode != "off" else None
    return ASROptions(
        language=language,
        beam_size=settings.beam_size,
        hotwords=text if mode == "hotwords" else None,
        initial_prompt=text if mode == "prompt" else None,
        vocabulary=terms if text else (),
        # A test's stand-in recogniser has no batching of its own: it decodes sequentially.
        batch_size=batch_size_for(duration_s, getattr(recognizer, "batch_size", 0)),
    )


def transcribe_audio(
    audio: DecodedAudio, options: AnalyzeOptions, engines: Engines
) -> tuple[Transcript, dict[str, Any]]:
    """Transcribe each channel and put both roles on one timeline (mono: separate speakers)."""
    from qa_service.analysis.vocabulary import call_vocabulary
    from qa_service.engines.asr import transcribe_long
    from qa_service.engines.asr_vocabulary import drop_unvoiced_terms
    from qa_service.engines.audio import SAMPLE_RATE
    from qa_service.engines.word_timing import refine_word_times

    settings = engines.settings
    recognizer = engines.recognizer
    language = options.language or settings.language
    vocabulary = call_vocabulary(options, language, settings.rules_dir, settings.asr_pii_terms)
    stereo = len(audio.channels) == 2
    roles = options.roles if stereo else (MONO_ROLE,)
    words_by_role, dropped = {}, []
    started = time.perf_counter()
    for role, samples in zip(roles, audio.channels, strict=True):
        options_asr = _asr_options(
            language, settings, recognizer, vocabulary.terms, audio.duration_s
        )
        channel = transcribe_long(recognizer, samples, SAMPLE_RATE, options_asr)
        # The first channel's detected language is used for the other: one call, one language.
        language = language or channel.language
        refine_word_times(channel.words, samples, SAMPLE_RATE)
        words, echoes = drop_unvoiced_terms(
            channel.words, options_asr.vocabulary, samples, SAMPLE_RATE
        )
        words_by_role[role] = words
        dropped += [{**d, "role": role} for d in channel.dropped + echoes]
    source: dict[str, Any] = {
        "asr_seconds": round(time.perf_counter() - started, 3),
        "asr_batch_size": options_asr.batch_size,
        "asr_vocabulary": vocabulary.summary(settings.asr_vocabulary_mode),
    }
    if stereo:
        channel_map = dict(zip(CHANNEL_NAMES, roles, strict=True))
        channel_of_role = {r: n for n, r in channel_map.items()}
    else:
        words_by_role, source["diarization"] = _separate_mono(
            audio, words_by_role[MONO_ROLE], language, engines
        )
        channel_map = {AudioChannel.mono: "+".join(DEFAULT_ROLES)}
        channel_of_role = dict.fromkeys(words_by_role, AudioChannel.mono)
    utterances = build_utterances(
        words_by_role,
        pause_s=settings.utterance_pause_s,
        language=language,
        channel_of_role=channel_of_role,
    )
    if settings.pii_second_listen and language:
        from qa_service.analysis.second_listen import listen_again

        # Each role's own channel; on a mono call both roles share the one channel.
        samples_of_role = (
            dict(zip(roles, audio.channels, strict=True))
            if stereo
            else dict.fromkeys(words_by_role, audio.channels[0])
        )
        utterances, source["pii_second_listen"] = listen_again(
            utterances, samples_of_role, SAMPLE_RATE, language, recognizer, settings.beam_size
        )
    source |= {"asr_model": settings.asr_model, "dropped_segments": dropped}
    return Transcript(utterances, language, audio.duration_s, channel_map), source


def _separate_mono(audio: DecodedAudio, words, language, engines: Engines):
    from qa_service.engines.diarization import separate_speakers

    encoder = engines.speaker_encoder
    split = separate_speakers(audio.channels[0], words, language, engines.settings, encoder=encoder)
    return split.words_by_role, split.summary()


def _audio_source(audio: DecodedAudio) -> dict[str, Any]:
    info = audio.info
    return {
        "path": str(info.path),
        "format": info.container,
        "codec": info.codec,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
    }


def analyze_file(path: Path, options: AnalyzeOptions | None, engines: Engines) -> CallResult:
    """Full analysis of one recording, or of a transcript JSON file (ASR skipped)."""
    from qa_service.engines.audio import load_audio

    path = Path(path)
    options = options or AnalyzeOptions()
    if path.suffix.lower() in TRANSCRIPT_SUFFIXES:
        return analyze_transcript(load_transcript_json(path), options, engines)
    # The decoded channels live in temporary files until the audio stages are done.
    with load_audio(path, engines.settings) as audio:
        transcript, source = transcribe_audio(audio, options, engines)
        result = CallResult(
            options.call_id or path.stem, transcript, source=_audio_source(audio) | source
        )
        result.metrics["acoustic"] = _annotate_acoustics(transcript, audio)
    return finish(result, options, engines)


def _annotate_acoustics(transcript: Transcript, audio: DecodedAudio) -> dict[str, Any]:
    from qa_service.engines.acoustic import annotate_acoustics
    from qa_service.engines.audio import SAMPLE_RATE

    roles = [role for name, role in transcript.channels.items() if name in CHANNEL_NAMES]
    if roles:
        channel_samples = dict(zip(roles, audio.channels, strict=True))
    else:  # mono: both speakers share the one channel
        channel_samples = dict.fromkeys(transcript.roles, audio.channels[0])
    return annotate_acoustics(transcript, channel_samples, SAMPLE_RATE)


def finish(result: CallResult, options: AnalyzeOptions, engines: Engines) -> CallResult:
    """Everything after the transcript: cheap, and re-runnable on a stored transcript."""
    from qa_service.analysis import inspect
    from qa_service.analysis.packs import pack_for
    from qa_service.engines.acts import annotate_acts
    from qa_service.engines.sentiment import annotate_sentiment

    result.metadata = {**result.metadata, **options.metadata}
    result.metrics["sentiment"] = annotate_sentiment(result.transcript, engines)
    result.metrics["acts"] = annotate_acts(result.transcript, engines)
    if not options.checks:
        return result
    pack = options.rule_pack
    if not isinstance(pack, RulePack):
        pack = pack_for(result.transcript, pack, engines.settings.rules_dir)
    return inspect.apply(result, pack, engines)


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


def analyze_transcript(
    data: dict[str, Any], options: AnalyzeOptions | None, engines: Engines
) -> CallResult:
    options = options or AnalyzeOptions()
    transcript = transcript_from_dict(data)
    if options.language:
        transcript.language = options.language
    call_id = options.call_id or str(data.get("call_id") or "call")
    source = {"transcript": True, "channel": transcript.channel}
    result = CallResult(call_id, transcript, source=source)
    result.metadata = dict(data.get("metadata") or {})
    return finish(result, options, engines)
