"""A transcript from JSON: our result contract, another vendor's ASR, or a chat log.

Top-level keys read: ``utterances`` (or ``turns``), ``language``, ``duration_s``, ``channels``,
``channel`` (``voice`` default, or ``chat``) and ``timestamps`` (``real`` or ``none``; default
``real`` for voice, ``none`` for chat). A chat message needs only ``role`` and ``text``; when
its times are not real (or missing) the messages are laid out ``CHAT_STEP_S`` apart in the
order given, and rules that need real times are not evaluated on it.
"""

from __future__ import annotations

import math
from typing import Any

from qa_service.domain.transcript import CHANNEL_KINDS, Transcript, Utterance, sort_timeline
from qa_service.domain.vocabulary import Channel
from qa_service.errors import InputError

TIMESTAMP_KINDS = ("real", "none")
# Made-up spacing of chat messages without real times (the same as rule-case turns).
CHAT_STEP_S = 3.0
CHAT_MESSAGE_S = 2.0
# Bounds on untrusted input: a day-long conversation, a very long chat.
MAX_TIME_S = 86_400.0 * 7
MAX_UTTERANCES = 20_000


def transcript_from_dict(data: dict[str, Any]) -> Transcript:
    """A transcript from our result contract, or from a chat log / vendor ASR with ``turns``."""
    rows = data.get("utterances", data.get("turns"))
    if not isinstance(rows, list) or not rows:
        raise InputError("a transcript needs a non-empty 'utterances' (or 'turns') list")
    if len(rows) > MAX_UTTERANCES:
        raise InputError(f"a transcript may hold at most {MAX_UTTERANCES} utterances")
    channel = data.get("channel") or Channel.voice
    if channel not in CHANNEL_KINDS:
        raise InputError(f"'channel' must be one of {', '.join(CHANNEL_KINDS)} (got {channel!r})")
    timestamps = data.get("timestamps") or ("none" if channel == Channel.chat else "real")
    if timestamps not in TIMESTAMP_KINDS:
        raise InputError(
            f"'timestamps' must be one of {', '.join(TIMESTAMP_KINDS)} (got {timestamps!r})"
        )
    real = timestamps == "real"
    if channel == Channel.chat and real:
        _require_times(rows)
    elif channel == Channel.chat:
        rows = _laid_out(rows)
    utterances = [_utterance(index, row) for index, row in enumerate(rows)]
    last_end = max(u.end for u in utterances)
    given = data.get("duration_s") if real else None
    duration = max(_number(given, "duration_s"), last_end) if given else last_end
    channels = dict(data.get("channels") or {})
    language = data.get("language")
    if language is not None and not isinstance(language, str):
        raise InputError("'language' must be a string such as 'zh' or 'en'")
    return Transcript(
        sort_timeline(utterances),
        language,
        duration,
        channels,
        channel=channel,
        real_timestamps=real,
    )


def _require_times(rows: list[Any]) -> None:
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or "start" not in row:
            raise InputError(f"utterance {index}: 'timestamps: real' needs a 'start' on it")


def _laid_out(rows: list[Any]) -> list[Any]:
    """Chat messages in the order given, on an evenly spaced made-up timeline."""
    out = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InputError(f"utterance {index}: a message is an object with role and text")
        start = index * CHAT_STEP_S
        out.append({**row, "start": start, "end": start + CHAT_MESSAGE_S})
    return out


def _utterance(index: int, row: Any) -> Utterance:
    if isinstance(row, dict) and "start" in row and "end" not in row:
        row = {**row, "end": row["start"]}  # a chat message is sent at one moment
    try:
        utt = Utterance.from_dict(row)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"utterance {index}: needs role, start, end and text ({exc.__class__.__name__}: {exc})"
        ) from None
    _number(utt.start, f"utterance {index}: start")
    _number(utt.end, f"utterance {index}: end")
    if utt.end < utt.start or utt.start < 0:
        raise InputError(f"utterance {index}: end {utt.end} is before start {utt.start}")
    return utt


def _number(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what}: not a number ({value!r})") from None
    if not math.isfinite(number) or not 0 <= number <= MAX_TIME_S:
        raise InputError(f"{what}: must be between 0 and {MAX_TIME_S:.0f} seconds")
    return number
