"""Words, utterances and the two-party transcript they form."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qa_service.domain.vocabulary import Channel, Speaker

ROLES = (Speaker.agent, Speaker.customer)
# How the conversation took place: spoken (a recording, a vendor's ASR) or written (a chat).
CHANNEL_KINDS = tuple(Channel)
# Languages written without spaces between words.
UNSPACED_LANGUAGES = {"zh", "ja", "yue", "th", "lo", "my"}


@dataclass(slots=True)
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "probability": round(self.probability, 4),
        }


@dataclass(slots=True)
class Utterance:
    role: str
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    channel: str | None = None
    sentiment: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "role": self.role,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "words": [w.to_dict() for w in self.words],
            "sentiment": self.sentiment,
        }
        if self.channel is not None:
            data["channel"] = self.channel
        data.update(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Utterance:
        words = [
            Word(
                **{k: w[k] for k in ("start", "end", "text") if k in w},
                probability=w.get("probability", 1.0),
            )
            for w in data.get("words") or []
        ]
        known = {"role", "start", "end", "text", "words", "channel", "sentiment"}
        return cls(
            role=str(data["role"]),
            start=float(data["start"]),
            end=float(data["end"]),
            text=str(data.get("text", "")),
            words=words,
            channel=data.get("channel"),
            sentiment=data.get("sentiment"),
            extra={k: v for k, v in data.items() if k not in known},
        )


@dataclass(slots=True)
class Transcript:
    """Both parties' utterances on one timeline, ordered by start time."""

    utterances: list[Utterance]
    language: str | None = None
    duration_s: float = 0.0
    channels: dict[str, str] = field(default_factory=dict)
    channel: str = "voice"  # one of CHANNEL_KINDS
    # Whether start/end are the real times things were said or sent. A chat log without
    # times gets a made-up, evenly spaced timeline: silences, talk-over, speech rate and
    # answer times on it would be fiction, so rules that need them are not evaluated.
    real_timestamps: bool = True

    def by_role(self, role: str) -> list[Utterance]:
        return [u for u in self.utterances if u.role == role]

    @property
    def roles(self) -> set[str]:
        return {u.role for u in self.utterances}


def join_words(words: Sequence[Word], language: str | None) -> str:
    """Join word texts the way the language writes them."""
    if language in UNSPACED_LANGUAGES:
        return "".join(w.text.strip() for w in words).strip()
    return "".join(w.text for w in words).strip()


def _spoke_between(other_ends: Sequence[float], after: float, until: float) -> bool:
    """Whether another party finished a word in ``(after, until]``."""
    i = bisect_right(other_ends, after)
    return i < len(other_ends) and other_ends[i] <= until


def split_at_pauses(
    words: Sequence[Word],
    pause_s: float,
    *,
    other_word_ends: Sequence[float] = (),
    turn_pause_s: float = 0.15,
) -> list[list[Word]]:
    """Group consecutive words into utterances.

    A gap of at least ``pause_s`` starts a new group. So does a shorter gap (at least
    ``turn_pause_s``) right after the other party spoke during the current group: picking up
    again after an interjection is a new turn even when the pause is brief.
    """
    groups: list[list[Word]] = []
    for word in words:
        if groups:
            group = groups[-1]
            gap = word.start - group[-1].end
            new_turn = gap >= turn_pause_s and _spoke_between(
                other_word_ends, group[0].start, word.start
            )
            if gap < pause_s and not new_turn:
                group.append(word)
                continue
        groups.append([word])
    return groups


def build_utterances(
    words_by_role: dict[str, Sequence[Word]],
    *,
    pause_s: float,
    language: str | None,
    channel_of_role: dict[str, str] | None = None,
) -> list[Utterance]:
    """Cut each role's words at pauses and turn changes; merge all roles onto one timeline."""
    cleaned = {
        role: sorted((w for w in words if w.text.strip()), key=lambda w: w.start)
        for role, words in words_by_role.items()
    }
    utterances: list[Utterance] = []
    for role, ordered in cleaned.items():
        other_ends = sorted(w.end for r, ws in cleaned.items() if r != role for w in ws)
        for group in split_at_pauses(ordered, pause_s, other_word_ends=other_ends):
            text = join_words(group, language)
            if not text:
                continue
            utterances.append(
                Utterance(
                    role=role,
                    start=group[0].start,
                    end=max(w.end for w in group),
                    text=text,
                    words=list(group),
                    channel=(channel_of_role or {}).get(role),
                )
            )
    return sort_timeline(utterances)


def sort_timeline(utterances: Iterable[Utterance]) -> list[Utterance]:
    return sorted(utterances, key=lambda u: (u.start, u.end, u.role))


def gaps_between(utterances: Sequence[Utterance], min_gap_s: float) -> list[tuple[float, float]]:
    """Spans of at least ``min_gap_s`` in which nobody speaks."""
    gaps: list[tuple[float, float]] = []
    spoken_until: float | None = None
    for utt in sort_timeline(utterances):
        if spoken_until is not None and utt.start - spoken_until >= min_gap_s:
            gaps.append((spoken_until, utt.start))
        spoken_until = utt.end if spoken_until is None else max(spoken_until, utt.end)
    return gaps
