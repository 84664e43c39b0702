"""What was said: phrase presence and absence, counts, required sequences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from qa_service.domain.checks.acts import asks
from qa_service.domain.checks.context import CheckContext, Hit
from qa_service.domain.checks.params import (
    NegationMode,
    Params,
    Phrases,
    QuestionMode,
    Role,
    question_mode,
)
from qa_service.domain.checks.registry import register_check
from qa_service.domain.results import Finding

if TYPE_CHECKING:
    from qa_service.domain.rulepack import Rule

# How many expected phrases a "missing" finding quotes; the rest are in the pack.
QUOTED_PHRASES = 5


class PhraseParams(Params):
    phrases: Phrases
    negation: NegationMode = "exclude"
    per: Literal["utterance", "call"] = "utterance"
    questions: QuestionMode = "auto"


class MissingPhraseParams(Params):
    phrases: Phrases
    negation: NegationMode = "exclude"
    unless_last_asks: bool = Field(
        False, description="not evaluated when the role's last utterance asks something"
    )


class CountParams(Params):
    phrases: Phrases
    negation: NegationMode = "exclude"
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)
    unit: Literal["match", "utterance"] = "match"
    min_utterances: int = Field(
        0, ge=0, le=1000, description="not evaluated when the role said fewer utterances"
    )

    @model_validator(mode="after")
    def _bounds(self) -> CountParams:
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("'min' is larger than 'max'")
        return self


class Step(Params):
    name: str
    phrases: Phrases
    role: Role | None = None


class SequenceParams(Params):
    steps: list[Step] = Field(min_length=2)
    negation: NegationMode = "exclude"


@register_check("phrase", PhraseParams)
def phrase(ctx: CheckContext, rule: Rule, params: PhraseParams) -> list[Finding]:
    """A finding for each utterance (or the first, per: call) that says one of the phrases."""
    findings: list[Finding] = []
    questions = question_mode(params.questions, rule.category)
    for i in ctx.select(rule.role, rule.window):
        found = params.phrases.first(ctx.text(i), params.negation, questions)
        if found is None:
            continue
        findings.append(ctx.hit_finding(rule, Hit(i, *found)))
        if params.per == "call":
            break
    return findings


@register_check("missing_phrase", MissingPhraseParams)
def missing_phrase(ctx: CheckContext, rule: Rule, params: MissingPhraseParams) -> list[Finding]:
    """One finding when none of the phrases is said in the rule's role and window."""
    indices = ctx.select(rule.role, rule.window)
    if ctx.first_hit(params.phrases, indices, params.negation) is not None:
        return []
    if params.unless_last_asks and indices and asks(ctx, indices[-1]):
        # The role handed the conversation back (a question, a request for details): it did
        # not end here, so a missing closing would be a guess.
        ctx.note_not_evaluated(rule, f"the {rule.role}'s last utterance asks something")
        return []
    utts = ctx.utterances
    start = utts[indices[0]].start if indices else 0.0
    end = utts[indices[-1]].end if indices else ctx.transcript.duration_s
    role = None if rule.role == "any" else rule.role
    return [
        ctx.span_finding(
            rule,
            start,
            end,
            "",
            role,
            expected=params.phrases.sources[:QUOTED_PHRASES],
            searched_utterances=indices,
        )
    ]


@register_check("count", CountParams)
def count(ctx: CheckContext, rule: Rule, params: CountParams) -> list[Finding]:
    """A finding when the phrases are said fewer than ``min`` or more than ``max`` times."""
    indices = ctx.spoken(ctx.select(rule.role, rule.window))
    if len(indices) < params.min_utterances:
        # One or two short written replies are too little to judge a habit of courtesy on.
        ctx.note_not_evaluated(rule, f"fewer than {params.min_utterances} utterances to count in")
        return []
    if params.unit == "utterance" and params.min is not None and len(indices) < params.min:
        # Fewer utterances than the minimum could never pass: too little talk to judge.
        ctx.note_not_evaluated(rule, f"fewer than {params.min} utterances to count in")
        return []
    hits = ctx.search(params.phrases, indices, params.negation)
    n = len({h.index for h in hits}) if params.unit == "utterance" else len(hits)
    too_few = params.min is not None and n < params.min
    too_many = params.max is not None and n > params.max
    if not (too_few or too_many):
        return []
    return [
        ctx.call_finding(
            rule,
            f"{n} {params.unit}(es) with the phrases",
            count=n,
            min=params.min,
            max=params.max,
            hits=[{"utterance": h.index, "matched": h.match.text} for h in hits],
        )
    ]


@register_check("sequence", SequenceParams)
def sequence(ctx: CheckContext, rule: Rule, params: SequenceParams) -> list[Finding]:
    """A finding when the steps are not all said, each after the one before it."""
    after = -1
    done: list[dict[str, object]] = []
    for step in params.steps:
        indices = [i for i in ctx.select(step.role or rule.role, rule.window) if i > after]
        hit = ctx.first_hit(step.phrases, indices, params.negation)
        if hit is None:
            return [
                ctx.call_finding(
                    rule,
                    f"step {step.name!r} missing or out of order",
                    missing_step=step.name,
                    expected=step.phrases.sources[:QUOTED_PHRASES],
                    steps_found=done,
                )
            ]
        done.append({"step": step.name, "utterance": hit.index, "matched": hit.match.text})
        after = hit.index
    return []
