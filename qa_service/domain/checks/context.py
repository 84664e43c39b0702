"""What a check sees: the transcript, its utterances tokenised once, and finding builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from qa_service.domain.checks.params import PackSettings, PhraseSet, Window
from qa_service.domain.results import Finding
from qa_service.domain.textmatch import Match, Phrase, TokenizedText, normalize, tokenize
from qa_service.domain.transcript import ROLES, Transcript, Utterance
from qa_service.domain.vocabulary import AudioChannel

if TYPE_CHECKING:
    from qa_service.domain.rulepack import Rule


@dataclass(frozen=True, slots=True)
class Hit:
    index: int  # utterance index in the transcript
    phrase: Phrase
    match: Match


def is_mono(transcript: Transcript) -> bool:
    """Both parties on one channel: overlaps between them cannot be observed."""
    channels = transcript.channels or {}
    if AudioChannel.mono in channels or AudioChannel.mono in {str(v) for v in channels.values()}:
        return True
    return any(u.channel == AudioChannel.mono for u in transcript.utterances)


@dataclass
class CheckContext:
    transcript: Transcript
    settings: PackSettings = field(default_factory=PackSettings)
    not_evaluated: list[dict[str, str]] = field(default_factory=list)
    vocabulary: frozenset[str] = frozenset()  # the pack's words, for Chinese word boundaries
    # What ``similar`` rules with ``method: semantic`` use: the engines' configured similarity.
    semantic: Callable[[str, list[str]], float] | None = None
    _texts: dict[int, TokenizedText] = field(default_factory=dict)

    @property
    def utterances(self) -> list[Utterance]:
        return self.transcript.utterances

    @cached_property
    def roles_known(self) -> bool:
        return any(u.role in ROLES for u in self.utterances)

    @cached_property
    def separate_channels(self) -> bool:
        return self.roles_known and not is_mono(self.transcript)

    @cached_property
    def has_sentiment(self) -> bool:
        return any(u.sentiment for u in self.utterances)

    @cached_property
    def backchannels(self) -> frozenset[str]:
        return frozenset(_squash(b) for b in self.settings.backchannels)

    def text(self, index: int) -> TokenizedText:
        if index not in self._texts:
            self._texts[index] = tokenize(self.utterances[index].text, self.vocabulary)
        return self._texts[index]

    def is_backchannel(self, index: int) -> bool:
        return _squash(self.utterances[index].text) in self.backchannels

    def role_indices(self, role: str) -> list[int]:
        """Indices of ``role``'s utterances; every utterance when roles are unknown (mono)."""
        if role == "any" or not self.roles_known:
            return list(range(len(self.utterances)))
        return [i for i, u in enumerate(self.utterances) if u.role == role]

    def select(self, role: str, window: Window | None = None) -> list[int]:
        indices = self.role_indices(role)
        if window is None:
            return indices
        utts, end = self.utterances, self.transcript.duration_s or _last_end(self.utterances)
        skipped = set(indices[: window.skip_first_turns or 0])
        if window.first_turns is not None:
            indices = indices[: window.first_turns]
        if window.last_turns is not None:
            indices = indices[-window.last_turns :]
        if skipped:
            indices = [i for i in indices if i not in skipped]
        if window.first_s is not None:
            indices = [i for i in indices if utts[i].start < window.first_s]
        if window.last_s is not None:
            indices = [i for i in indices if utts[i].end > end - window.last_s]
        if window.after_s is not None:
            indices = [i for i in indices if utts[i].start >= window.after_s]
        if window.before_s is not None:
            indices = [i for i in indices if utts[i].start < window.before_s]
        return indices

    def spoken(self, indices: list[int]) -> list[int]:
        """The utterances among ``indices`` that hold words (not empty, not only symbols)."""
        return [i for i in indices if self.text(i).tokens]

    def search(
        self, phrases: PhraseSet, indices: list[int], negation: str, questions: str = "count"
    ) -> list[Hit]:
        return [
            Hit(i, phrase, match)
            for i in indices
            for phrase, match in phrases.find(self.text(i), negation, questions)
        ]

    def first_hit(
        self, phrases: PhraseSet, indices: list[int], negation: str, questions: str = "count"
    ) -> Hit | None:
        for i in indices:
            found = phrases.first(self.text(i), negation, questions)
            if found is not None:
                return Hit(i, found[0], found[1])
        return None

    def sentiment(self, index: int) -> tuple[str, float] | None:
        """(label, confidence in that label) from whatever the sentiment engine wrote.

        The confidence is ``probs[label]`` when the engine gives probabilities, else the size
        of ``score`` (engines write either a confidence or a signed polarity there).
        """
        data = self.utterances[index].sentiment
        if not data or "label" not in data:
            return None
        label = str(data["label"])
        probs = data.get("probs")
        if isinstance(probs, dict) and label in probs:
            return label, float(probs[label])
        return label, abs(float(data.get("score", 1.0)))

    def acoustic(self, index: int) -> dict[str, Any] | None:
        """The acoustic cues of an utterance (loudness, pitch, raised voice), when measured."""
        cues = self.utterances[index].extra.get("acoustic")
        return cues if isinstance(cues, dict) else None

    def note_not_evaluated(self, rule: Rule, reason: str) -> None:
        self.not_evaluated.append({"rule_id": rule.id, "category": rule.category, "reason": reason})

    # Finding builders: evidence always says where and what, so a reviewer can check it.

    def hit_finding(self, rule: Rule, hit: Hit, **evidence: Any) -> Finding:
        return self.utterance_finding(
            rule,
            hit.index,
            phrase=hit.phrase.source,
            matched=hit.match.text,
            similarity=hit.match.similarity,
            match_mode=hit.phrase.mode,
            **evidence,
        )

    def utterance_finding(self, rule: Rule, index: int, **evidence: Any) -> Finding:
        utt = self.utterances[index]
        if not self.roles_known:
            evidence["role_unknown"] = True
        return Finding(
            rule_id=rule.id,
            category=rule.category,
            severity=evidence.pop("severity", rule.severity),
            role=utt.role,
            start=utt.start,
            end=utt.end,
            text=utt.text,
            evidence={"utterance": index, **evidence},
        )

    def span_finding(
        self, rule: Rule, start: float, end: float, text: str, role: str | None, **evidence: Any
    ) -> Finding:
        return Finding(
            rule_id=rule.id,
            category=rule.category,
            severity=evidence.pop("severity", rule.severity),
            role=role,
            start=start,
            end=end,
            text=text,
            evidence=evidence,
        )

    def call_finding(self, rule: Rule, text: str, **evidence: Any) -> Finding:
        """A finding about the call as a whole (something missing, a call-level metric)."""
        end = self.transcript.duration_s or _last_end(self.utterances)
        role = None if rule.role == "any" else rule.role
        return self.span_finding(rule, 0.0, end, text, role, **evidence)


def _squash(text: str) -> str:
    return "".join(ch for ch in normalize(text) if ch.isalnum())


def _last_end(utterances: list[Utterance]) -> float:
    return max((u.end for u in utterances), default=0.0)
