"""How the call felt: sentiment (with a keyword fallback), raised voices, repeated questions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from qa_service.domain.checks.acts import Corroboration, corroborated
from qa_service.domain.checks.conditional import SentimentLabel
from qa_service.domain.checks.context import CheckContext, Hit
from qa_service.domain.checks.logic import cosine, ngram_profile
from qa_service.domain.checks.params import NegationMode, Params, Phrases, QuestionMode
from qa_service.domain.checks.registry import register_check
from qa_service.domain.metrics import speech_units
from qa_service.domain.results import Finding
from qa_service.domain.vocabulary import Speaker

if TYPE_CHECKING:
    from qa_service.domain.rulepack import Rule


class SentimentParams(Params):
    label: SentimentLabel = "negative"
    min_score: float | None = Field(None, ge=0, le=1)
    fallback_phrases: Phrases | None = None
    except_phrases: Phrases | None = None
    negation: NegationMode = "exclude"
    per: Literal["utterance", "call"] = "call"
    questions: QuestionMode = Field(
        "auto", description="auto: skip questions for the agent's negative sentiment"
    )
    corroborate: Corroboration | None = Field(
        None, description="the utterance must also do one of these acts (call-act model)"
    )


def _skips_questions(rule: Rule, params: SentimentParams) -> bool:
    """A diagnostic question ("重新连接也会这样吗？") reads as negative to a sentiment model."""
    if params.questions != "auto":
        return params.questions == "skip"
    return rule.role == Speaker.agent and params.label == "negative"


@register_check("sentiment", SentimentParams)
def sentiment(ctx: CheckContext, rule: Rule, params: SentimentParams) -> list[Finding]:
    """Utterances with the sentiment label; fallback phrases when no sentiment was computed."""
    indices = ctx.select(rule.role, rule.window)
    if params.except_phrases is not None:
        # An apology reads as negative to most sentiment models, yet it is good service.
        indices = [i for i in indices if params.except_phrases.first(ctx.text(i)) is None]
    if _skips_questions(rule, params) and ctx.has_sentiment:
        # The model reads a plain question as negative; a question that says 不满意 in so many
        # words is still caught by the fallback phrases when there is no model.
        indices = [i for i in indices if not ctx.text(i).is_question]
    if not indices:
        ctx.note_not_evaluated(rule, "every utterance in the window was excepted or a question")
        return []
    findings: list[Finding] = []
    if ctx.has_sentiment:
        min_score = (
            ctx.settings.sentiment_min_score if params.min_score is None else params.min_score
        )
        for i in indices:
            value = ctx.sentiment(i)
            if (
                value
                and value[0] == params.label
                and value[1] >= min_score
                and corroborated(ctx, i, params.corroborate)
            ):
                findings.append(
                    ctx.utterance_finding(rule, i, sentiment=value[0], score=round(value[1], 3))
                )
    elif params.fallback_phrases is not None:
        findings = [
            ctx.hit_finding(rule, Hit(i, *found), source="keywords")
            for i in indices
            if (found := params.fallback_phrases.first(ctx.text(i), params.negation))
        ]
    else:
        ctx.note_not_evaluated(rule, "no sentiment on this transcript and no fallback_phrases")
    return findings[:1] if params.per == "call" else findings


class RaisedVoiceParams(Params):
    cue: Literal["raised_voice", "agitation"] = Field(
        "raised_voice", description="which acoustic cue counts"
    )
    min_agitation: float = Field(
        0.5, ge=0, le=1, description="agitation an utterance needs when cue is agitation"
    )
    min_utterances: int = Field(
        1, ge=1, description="utterances with the cue needed before anything is reported"
    )
    per: Literal["utterance", "call"] = "call"


@register_check("raised_voice", RaisedVoiceParams)
def raised_voice(ctx: CheckContext, rule: Rule, params: RaisedVoiceParams) -> list[Finding]:
    """The role speaks markedly louder or higher than its own baseline in the call."""
    cues = {
        i: found
        for i in ctx.select(rule.role, rule.window)
        if (found := ctx.acoustic(i)) is not None
    }
    if not cues:
        # A transcript imported as text, or one whose audio was not kept, has no cues:
        # saying so beats reporting a calm call that nobody listened to.
        ctx.note_not_evaluated(rule, "no acoustic cues on this transcript (no audio analysed)")
        return []
    flagged = [i for i, found in cues.items() if _has_cue(found, params)]
    if len(flagged) < params.min_utterances:
        return []
    findings = [
        ctx.utterance_finding(rule, i, raised_utterances=len(flagged), **_voice_evidence(cues[i]))
        for i in flagged
    ]
    if params.per == "call":
        return [max(findings, key=lambda f: f.evidence["agitation"] or 0.0)]
    return findings


def _has_cue(cues: dict, params: RaisedVoiceParams) -> bool:
    if params.cue == "raised_voice":
        return bool(cues.get("raised_voice"))
    return float(cues.get("agitation") or 0.0) >= params.min_agitation


def _voice_evidence(cues: dict) -> dict:
    keys = ("loudness_delta_db", "pitch_delta_st", "agitation", "raised_voice")
    return {key: cues.get(key) for key in keys}


class RepetitionParams(Params):
    min_similarity: float = Field(0.7, gt=0, le=1)
    min_repeats: int = Field(2, ge=1, description="times the same thing is said again")
    min_units: int = Field(4, ge=1, description="shorter utterances are never repeats")


@register_check("repetition", RepetitionParams)
def repetition(ctx: CheckContext, rule: Rule, params: RepetitionParams) -> list[Finding]:
    """The role says the same thing again and again (the customer repeating a question)."""
    indices = [
        i
        for i in ctx.select(rule.role, rule.window)
        if speech_units(ctx.utterances[i].text) >= params.min_units
    ]
    profiles = {i: ngram_profile(ctx.text(i)) for i in indices}
    findings: list[Finding] = []
    reported: set[int] = set()
    for pos, i in enumerate(indices):
        if i in reported:
            continue
        repeats = [
            j
            for j in indices[pos + 1 :]
            if cosine(profiles[i], profiles[j]) >= params.min_similarity
        ]
        if len(repeats) >= params.min_repeats:
            reported.update(repeats)
            findings.append(
                ctx.utterance_finding(
                    rule,
                    repeats[-1],
                    first_said=ctx.utterances[i].text,
                    first_utterance=i,
                    repeats=len(repeats),
                )
            )
    return findings
