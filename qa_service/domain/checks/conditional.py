"""Conditional rules: when something happens, the agent must respond within N turns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from qa_service.domain.checks.acts import Corroboration, corroborated
from qa_service.domain.checks.context import CheckContext, Hit
from qa_service.domain.checks.params import NegationMode, Params, Phrases, PhraseSet, Role
from qa_service.domain.checks.registry import register_check
from qa_service.domain.results import Finding
from qa_service.domain.vocabulary import Speaker

if TYPE_CHECKING:
    from qa_service.domain.rulepack import Rule

SentimentLabel = Literal["negative", "neutral", "positive"]


class Trigger(Params):
    role: Role = Speaker.customer
    phrases: Phrases | None = None
    sentiment: SentimentLabel | None = None
    min_score: float | None = Field(None, ge=0, le=1)
    fallback_phrases: Phrases | None = None
    negation: NegationMode = "exclude"
    corroborate: Corroboration | None = Field(
        None, description="acts the call-act model must also see in the triggering utterance"
    )

    @model_validator(mode="after")
    def _something(self) -> Trigger:
        if self.phrases is None and self.sentiment is None:
            raise ValueError("a trigger needs 'phrases', 'sentiment' or both")
        if self.fallback_phrases is not None and self.sentiment is None:
            raise ValueError("'fallback_phrases' stand in for 'sentiment', which is not set")
        return self


class Statement(Params):
    name: str
    phrases: Phrases


class Requirement(Params):
    role: Role = Speaker.agent
    phrases: Phrases | None = None
    all_of: list[Statement] | None = Field(None, min_length=1)
    within_turns: int | None = Field(None, gt=0)
    within_s: float | None = Field(None, gt=0)
    negation: NegationMode = "exclude"

    @model_validator(mode="after")
    def _one_kind(self) -> Requirement:
        if (self.phrases is None) == (self.all_of is None):
            raise ValueError("a requirement has exactly one of 'phrases' (any) or 'all_of' (every)")
        return self


class ConditionalParams(Params):
    when: Trigger
    then: Requirement
    scope: Literal["first", "each"] = "first"


@register_check("conditional", ConditionalParams)
def conditional(ctx: CheckContext, rule: Rule, params: ConditionalParams) -> list[Finding]:
    """When the trigger happens, the requirement must follow (first trigger, or each one)."""
    findings: list[Finding] = []
    answered_until = -1
    unjudged: list[int] = []
    for index, reason in _triggers(ctx, rule, params.when):
        if index <= answered_until:
            continue  # the same stretch of talk already has its verdict
        window = _response_window(ctx, index, params.then)
        if not ctx.spoken(window) and not _speaks_later(ctx, index, params.then.role):
            # The transcript ends before the responding role says anything: no verdict.
            unjudged.append(index)
            continue
        missing = _missing(ctx, window, params.then)
        if missing:
            findings.append(
                ctx.utterance_finding(
                    rule,
                    index,
                    trigger=reason,
                    missing=missing,
                    searched_utterances=window,
                )
            )
        if params.scope == "first":
            break
        answered_until = window[0] if window else index
    if unjudged and not findings:
        who = params.then.role
        ctx.note_not_evaluated(rule, f"no {who} speech after the trigger (utterance {unjudged[0]})")
    return findings


def _speaks_later(ctx: CheckContext, trigger: int, role: str) -> bool:
    return bool(ctx.spoken([i for i in ctx.role_indices(role) if i > trigger]))


def _triggers(ctx: CheckContext, rule: Rule, when: Trigger) -> list[tuple[int, dict[str, object]]]:
    use_sentiment = when.sentiment is not None and ctx.has_sentiment
    phrase_sets: list[PhraseSet] = [p for p in (when.phrases,) if p is not None]
    if when.sentiment is not None and not ctx.has_sentiment and when.fallback_phrases is not None:
        phrase_sets.append(when.fallback_phrases)
    min_score = ctx.settings.sentiment_min_score if when.min_score is None else when.min_score
    found: list[tuple[int, dict[str, object]]] = []
    for i in ctx.select(when.role, rule.window):
        reason = _phrase_reason(ctx, i, phrase_sets, when.negation)
        if reason is None and use_sentiment:
            reason = _sentiment_reason(ctx, i, when.sentiment, min_score)
        if reason is not None and corroborated(ctx, i, when.corroborate):
            found.append((i, reason))
    return found


def _phrase_reason(
    ctx: CheckContext, index: int, sets: list[PhraseSet], negation: str
) -> dict[str, object] | None:
    for phrases in sets:
        found = phrases.first(ctx.text(index), negation)
        if found is not None:
            hit = Hit(index, *found)
            return {
                "utterance": index,
                "phrase": hit.phrase.source,
                "matched": hit.match.text,
                # A critical item fails a call only on close matches (qa_service.domain.scoring).
                "similarity": hit.match.similarity,
            }
    return None


def _sentiment_reason(
    ctx: CheckContext, index: int, label: str | None, min_score: float
) -> dict[str, object] | None:
    value = ctx.sentiment(index)
    if value is None or value[0] != label or value[1] < min_score:
        return None
    return {"utterance": index, "sentiment": value[0], "score": round(value[1], 3)}


def _response_window(ctx: CheckContext, trigger: int, then: Requirement) -> list[int]:
    start = ctx.utterances[trigger].start
    indices = [i for i in ctx.role_indices(then.role) if i > trigger]
    if trigger in ctx.role_indices(then.role):
        # The party who must respond raised the subject; what it said then counts too.
        indices.insert(0, trigger)
    if then.within_s is not None:
        indices = [i for i in indices if ctx.utterances[i].start <= start + then.within_s]
    if then.within_turns is not None:
        indices = indices[: then.within_turns]
    return indices


def _missing(ctx: CheckContext, window: list[int], then: Requirement) -> list[str]:
    if then.phrases is not None:
        if ctx.first_hit(then.phrases, window, then.negation) is None:
            return then.phrases.sources[:5]
        return []
    assert then.all_of is not None
    return [s.name for s in then.all_of if ctx.first_hit(s.phrases, window, then.negation) is None]
