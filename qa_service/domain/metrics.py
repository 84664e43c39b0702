"""Call-level timing metrics: talk ratio, silences, overlaps, speech rate, response time."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from qa_service.domain.textmatch import tokenize
from qa_service.domain.transcript import ROLES, Transcript, Utterance, gaps_between
from qa_service.domain.vocabulary import Channel, Speaker


@dataclass(frozen=True, slots=True)
class Overlap:
    by: str  # role of the party who started talking over the other
    at: float
    overlap_s: float
    index: int  # utterance index of the interrupter
    over_index: int  # utterance index of the party talked over


def find_overlaps(
    utterances: Sequence[Utterance],
    min_overlap_s: float,
    ignore: Callable[[int], bool] = lambda _i: False,
) -> list[Overlap]:
    """A party starting to talk while the other is still talking, for at least ``min_overlap_s``.

    Each role's utterances come from its own channel and never overlap each other, so the only
    candidate is the other role's last utterance that started before this one.
    """
    starts: dict[str, list[tuple[float, int]]] = {role: [] for role in ROLES}
    for i, u in enumerate(utterances):
        if u.role in starts:
            starts[u.role].append((u.start, i))
    found: list[Overlap] = []
    for i, u in enumerate(utterances):
        if u.role not in starts or ignore(i):
            continue
        other = starts[ROLES[1 - ROLES.index(u.role)]]
        pos = bisect_left(other, (u.start, -1)) - 1
        if pos < 0:
            continue
        j = other[pos][1]
        overlap = min(u.end, utterances[j].end) - u.start
        if overlap >= min_overlap_s and utterances[j].start < u.start:
            found.append(Overlap(u.role, u.start, round(overlap, 3), i, j))
    return found


@dataclass(frozen=True, slots=True)
class Response:
    waiting_index: int  # the first customer utterance not yet answered
    reply_index: int  # the agent's reply
    seconds: float


def response_times(
    utterances: Sequence[Utterance], ignore: Callable[[int], bool] = lambda _i: False
) -> list[Response]:
    """How long the customer waited each time for the agent's reply: from the end of the first
    customer message not yet answered to the start of the agent's next utterance. Messages the
    customer adds while waiting do not restart the clock; ``ignore`` skips backchannels."""
    found: list[Response] = []
    waiting: int | None = None
    for i, u in enumerate(utterances):
        if ignore(i):
            continue
        if u.role == Speaker.customer and waiting is None:
            waiting = i
        elif u.role == Speaker.agent and waiting is not None:
            seconds = max(0.0, u.start - utterances[waiting].end)
            found.append(Response(waiting, i, round(seconds, 3)))
            waiting = None
    return found


def speech_units(text: str) -> int:
    """Chinese characters plus words: the unit of speech rate (chars/min, words/min)."""
    return len(tokenize(text, words=False).tokens)


def speech_rate(utterances: Sequence[Utterance]) -> float | None:
    """Units per minute over the time the speaker actually talks."""
    seconds = sum(u.duration for u in utterances)
    if seconds <= 0:
        return None
    return round(sum(speech_units(u.text) for u in utterances) * 60.0 / seconds, 1)


def talk_time(utterances: Sequence[Utterance]) -> float:
    return round(sum(u.duration for u in utterances), 3)


def compute_metrics(
    transcript: Transcript,
    *,
    silence_min_s: float = 3.0,
    overlap_min_s: float = 0.5,
    separate_channels: bool = True,
    is_backchannel: Callable[[int], bool] = lambda _i: False,
) -> dict[str, Any]:
    """Timing metrics; on a transcript without real times (a chat log) they are null."""
    if not transcript.real_timestamps:
        return _untimed_metrics(transcript)
    utts = transcript.utterances
    agent, customer = transcript.by_role(Speaker.agent), transcript.by_role(Speaker.customer)
    talk_agent, talk_customer = talk_time(agent), talk_time(customer)
    gaps = gaps_between(utts, silence_min_s)
    metrics: dict[str, Any] = {
        "duration_s": round(transcript.duration_s, 3),
        "utterances": len(utts),
        "talk_time_agent_s": talk_agent,
        "talk_time_customer_s": talk_customer,
        "talk_ratio_agent": (
            round(talk_agent / (talk_agent + talk_customer), 3)
            if talk_agent + talk_customer > 0
            else None
        ),
        "silence_min_s": silence_min_s,
        "silence_count": len(gaps),
        "silence_total_s": round(sum(end - start for start, end in gaps), 3),
        "longest_silence_s": round(max((end - start for start, end in gaps), default=0.0), 3),
        "first_response_s": round(agent[0].start, 3) if agent else None,
        "speech_rate_agent": speech_rate(agent),
        "speech_rate_customer": speech_rate(customer),
    }
    if transcript.channel == Channel.chat:
        waits = [r.seconds for r in response_times(utts, is_backchannel)]
        metrics["response_time_mean_s"] = round(sum(waits) / len(waits), 3) if waits else None
        metrics["response_time_max_s"] = max(waits, default=None)
    if separate_channels:
        overlaps = find_overlaps(utts, overlap_min_s, is_backchannel)
        metrics["interruptions_by_agent"] = sum(1 for o in overlaps if o.by == Speaker.agent)
        metrics["interruptions_by_customer"] = sum(1 for o in overlaps if o.by == Speaker.customer)
        metrics["overlap_total_s"] = round(sum(o.overlap_s for o in overlaps), 3)
    else:
        metrics["interruptions_by_agent"] = None
        metrics["interruptions_by_customer"] = None
        metrics["overlap_total_s"] = None
    return metrics


TIMED_METRICS = (
    "talk_time_agent_s",
    "talk_time_customer_s",
    "talk_ratio_agent",
    "silence_count",
    "silence_total_s",
    "longest_silence_s",
    "first_response_s",
    "speech_rate_agent",
    "speech_rate_customer",
    "interruptions_by_agent",
    "interruptions_by_customer",
    "overlap_total_s",
    "response_time_mean_s",
    "response_time_max_s",
)


def _untimed_metrics(transcript: Transcript) -> dict[str, Any]:
    """Counts only: every time-based metric of a made-up timeline would be fiction."""
    metrics: dict[str, Any] = dict.fromkeys(TIMED_METRICS)
    metrics["duration_s"] = None
    metrics["utterances"] = len(transcript.utterances)
    metrics["messages_agent"] = len(transcript.by_role(Speaker.agent))
    metrics["messages_customer"] = len(transcript.by_role(Speaker.customer))
    return metrics
