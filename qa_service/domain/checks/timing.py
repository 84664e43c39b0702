"""When things were said: silence and holds, talk-over, speech rate, answer, reply and hang-up
times. All of them need real times (``needs_timing``): a chat log without them is not judged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from qa_service.domain.checks.context import CheckContext
from qa_service.domain.checks.params import Params, Phrases
from qa_service.domain.checks.registry import register_check
from qa_service.domain.metrics import find_overlaps, response_times, speech_rate, talk_time
from qa_service.domain.results import Finding
from qa_service.domain.transcript import gaps_between
from qa_service.domain.vocabulary import Speaker

if TYPE_CHECKING:
    from qa_service.domain.rulepack import Rule

# An announcement this long before the silence still counts as announcing it.
HOLD_ANNOUNCE_LOOKBACK_S = 15.0


class SilenceParams(Params):
    min_s: float = Field(5.0, gt=0)
    hold_phrases: Phrases | None = None
    hold_max_s: float = Field(60.0, gt=0)
    thanks_phrases: Phrases | None = None
    report: Literal["all", "unexcused"] = "all"


@register_check("silence", SilenceParams, needs_timing=True)
def silence(ctx: CheckContext, rule: Rule, params: SilenceParams) -> list[Finding]:
    """A finding for each gap of ``min_s`` or more; an announced, thanked hold is only info."""
    findings: list[Finding] = []
    utts = ctx.utterances
    for start, end in gaps_between(utts, params.min_s):
        before = [i for i in ctx.role_indices(Speaker.agent) if utts[i].end <= start + 1e-6]
        after = [i for i in ctx.role_indices(Speaker.agent) if utts[i].start >= end - 1e-6]
        announced = _announced(ctx, before, start, params)
        thanked = params.thanks_phrases is None or (
            bool(after) and params.thanks_phrases.first(ctx.text(after[0])) is not None
        )
        duration = end - start
        evidence: dict[str, object] = {
            "duration_s": round(duration, 3),
            "hold_announced": announced,
            "thanked": thanked,
        }
        if announced and duration <= params.hold_max_s:
            evidence["severity"] = "info" if thanked else "minor"
            evidence["excused"] = thanked
        elif announced:
            evidence["hold_too_long"] = True
        if params.report == "unexcused" and evidence.get("excused"):
            continue
        findings.append(
            ctx.span_finding(rule, start, end, f"{duration:.1f} s silence", None, **evidence)
        )
    return findings


def _announced(
    ctx: CheckContext, before: list[int], gap_start: float, params: SilenceParams
) -> bool:
    if params.hold_phrases is None or not before:
        return False
    last = before[-1]
    if gap_start - ctx.utterances[last].end > HOLD_ANNOUNCE_LOOKBACK_S:
        return False
    return params.hold_phrases.first(ctx.text(last)) is not None


class InterruptionParams(Params):
    min_overlap_s: float | None = Field(None, ge=0)
    ignore_backchannels: bool = True


@register_check("interruption", InterruptionParams, needs_channels=True, needs_timing=True)
def interruption(ctx: CheckContext, rule: Rule, params: InterruptionParams) -> list[Finding]:
    """A finding each time the rule's role starts talking over the other party."""
    min_overlap = (
        ctx.settings.overlap_min_s if params.min_overlap_s is None else params.min_overlap_s
    )
    ignore = ctx.is_backchannel if params.ignore_backchannels else (lambda _i: False)
    findings = []
    for overlap in find_overlaps(ctx.utterances, min_overlap, ignore):
        if rule.role not in ("any", overlap.by):
            continue
        over = ctx.utterances[overlap.over_index]
        findings.append(
            ctx.utterance_finding(
                rule, overlap.index, overlap_s=overlap.overlap_s, talked_over=over.text
            )
        )
    return findings


class SpeechRateParams(Params):
    min_rate: float | None = Field(None, gt=0)
    max_rate: float | None = Field(None, gt=0)
    min_speech_s: float = Field(10.0, ge=0)
    per: Literal["call", "utterance"] = "call"

    @model_validator(mode="after")
    def _bounds(self) -> SpeechRateParams:
        if self.min_rate is None and self.max_rate is None:
            raise ValueError("give 'min_rate', 'max_rate' or both")
        return self


@register_check("speech_rate", SpeechRateParams, needs_timing=True)
def speech_rate_check(ctx: CheckContext, rule: Rule, params: SpeechRateParams) -> list[Finding]:
    """Characters (Chinese) or words per minute outside [min_rate, max_rate]."""
    indices = ctx.select(rule.role, rule.window)
    groups = [[i] for i in indices] if params.per == "utterance" else [indices]
    findings = []
    for group in groups:
        utts = [ctx.utterances[i] for i in group]
        rate = speech_rate(utts)
        if rate is None or talk_time(utts) < params.min_speech_s:
            if params.per == "call":
                ctx.note_not_evaluated(rule, f"less than {params.min_speech_s:g} s of speech")
            continue
        too_slow = params.min_rate is not None and rate < params.min_rate
        too_fast = params.max_rate is not None and rate > params.max_rate
        if too_slow or too_fast:
            evidence = {"rate_per_min": rate, "too_fast": too_fast}
            if params.per == "utterance":
                findings.append(ctx.utterance_finding(rule, group[0], **evidence))
            else:
                findings.append(ctx.call_finding(rule, f"{rate:.0f} per minute", **evidence))
    return findings


class LateParams(Params):
    max_s: float = Field(gt=0)


@register_check("late_answer", LateParams, needs_timing=True)
def late_answer(ctx: CheckContext, rule: Rule, params: LateParams) -> list[Finding]:
    """The role's first words come later than ``max_s`` into the call."""
    indices = ctx.role_indices(rule.role)
    first = ctx.utterances[indices[0]].start if indices else ctx.transcript.duration_s
    if first <= params.max_s:
        return []
    return [ctx.span_finding(rule, 0.0, first, "", rule.role, first_words_s=round(first, 3))]


@register_check("late_hangup", LateParams, needs_timing=True)
def late_hangup(ctx: CheckContext, rule: Rule, params: LateParams) -> list[Finding]:
    """The line stays open more than ``max_s`` after the last words."""
    last = max((u.end for u in ctx.utterances), default=0.0)
    idle = ctx.transcript.duration_s - last
    if idle <= params.max_s:
        return []
    return [
        ctx.span_finding(rule, last, ctx.transcript.duration_s, "", None, idle_s=round(idle, 3))
    ]


class TalkRatioParams(Params):
    min: float | None = Field(None, ge=0, le=1)
    max: float | None = Field(None, ge=0, le=1)
    min_talk_s: float = Field(20.0, ge=0)


@register_check("talk_ratio", TalkRatioParams, needs_timing=True)
def talk_ratio(ctx: CheckContext, rule: Rule, params: TalkRatioParams) -> list[Finding]:
    """The role's share of the talk time outside [min, max]."""
    if not ctx.roles_known or rule.role == "any":
        ctx.note_not_evaluated(rule, "talk ratio needs agent and customer roles")
        return []
    mine = talk_time(ctx.transcript.by_role(rule.role))
    total = sum(talk_time(ctx.transcript.by_role(r)) for r in (Speaker.agent, Speaker.customer))
    if total < params.min_talk_s:
        ctx.note_not_evaluated(rule, f"less than {params.min_talk_s:g} s of talk")
        return []
    share = mine / total
    if (params.min is None or share >= params.min) and (params.max is None or share <= params.max):
        return []
    return [ctx.call_finding(rule, f"{share:.0%} of the talk time", talk_ratio=round(share, 3))]


class ResponseTimeParams(Params):
    max_s: float = Field(gt=0, le=86_400)
    per: Literal["reply", "call"] = "reply"
    ignore_backchannels: bool = True


@register_check("response_time", ResponseTimeParams, needs_timing=True)
def response_time(ctx: CheckContext, rule: Rule, params: ResponseTimeParams) -> list[Finding]:
    """The agent replies to the customer more than ``max_s`` seconds after they wrote or spoke."""
    ignore = ctx.is_backchannel if params.ignore_backchannels else (lambda _i: False)
    slow = [r for r in response_times(ctx.utterances, ignore) if r.seconds > params.max_s]
    if params.per == "call":
        slow = sorted(slow, key=lambda r: r.seconds)[-1:]
    return [
        ctx.utterance_finding(
            rule,
            r.reply_index,
            response_s=r.seconds,
            max_s=params.max_s,
            waiting_since=round(ctx.utterances[r.waiting_index].end, 3),
            customer_text=ctx.utterances[r.waiting_index].text,
        )
        for r in slow
    ]
