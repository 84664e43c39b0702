"""Call acts: what an utterance does (deflects, apologises, complains...), scored by a model.

The act engine writes ``utterance.acts = {act: probability}``; these checks read it. Phrase
lists stay for exact wording; an act rule catches the same intent in words nobody listed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, get_args

from pydantic import Field

from qa_service.domain.checks.context import CheckContext
from qa_service.domain.checks.params import Params, Phrases, Role
from qa_service.domain.checks.registry import register_check
from qa_service.domain.results import Finding
from qa_service.domain.vocabulary import Speaker

if TYPE_CHECKING:
    from qa_service.domain.rulepack import Rule

# The acts the default model scores, in its output order. A model may add more.
ActName = Literal[
    "deflection",
    "empathy",
    "complaint",
    "escalation",
    "rudeness",
    "resolution",
    "thanks",
    "question",
]
CALL_ACTS: tuple[str, ...] = get_args(ActName)


def utterance_acts(ctx: CheckContext, index: int) -> dict[str, float] | None:
    """The act probabilities of an utterance, when the act engine scored it."""
    acts = ctx.utterances[index].extra.get("acts")
    return acts if isinstance(acts, dict) else None


def has_acts(ctx: CheckContext) -> bool:
    return any(utterance_acts(ctx, i) is not None for i in range(len(ctx.utterances)))


def act_probability(ctx: CheckContext, index: int, act: str) -> float:
    acts = utterance_acts(ctx, index) or {}
    try:
        return float(acts.get(act, 0.0))
    except (TypeError, ValueError):
        return 0.0  # a hand-edited transcript may hold anything; it is not evidence


class Corroboration(Params):
    """Acts that must back another check's evidence (a negative customer who also complains).

    A sentiment model reads a calm fault report or a plain question as negative; the act
    model says whether the utterance does what the rule claims. Without act scores on the
    transcript the other check decides alone, as it did before acts existed.
    """

    acts: list[ActName] = Field(min_length=1, max_length=len(CALL_ACTS))
    min_probability: float = Field(0.5, ge=0, le=1)


def corroborated(ctx: CheckContext, index: int, needed: Corroboration | None) -> bool:
    """Whether the utterance does one of ``needed``'s acts (always true without a need or acts)."""
    if needed is None or utterance_acts(ctx, index) is None:
        return True
    return any(act_probability(ctx, index, a) >= needed.min_probability for a in needed.acts)


def asks(ctx: CheckContext, index: int, min_probability: float = 0.5) -> bool:
    """The utterance asks the other side something: a question, or a request for details."""
    return ctx.text(index).is_question or act_probability(ctx, index, "question") >= min_probability


class AfterAct(Params):
    """The act that obliges the rule's role to answer (e.g. a customer complaint)."""

    act: ActName
    role: Role = Speaker.customer
    min_probability: float = Field(0.5, ge=0, le=1)
    within_turns: int = Field(2, ge=1, le=50, description="the rule role's next N utterances")
    or_phrases: Phrases | None = Field(
        None, description="a reply saying one of these does the act too (the pack's exact wording)"
    )


class ActParams(Params):
    act: ActName
    min_probability: float = Field(0.5, ge=0, le=1)
    per: Literal["utterance", "call"] = "call"
    min_utterances: int = Field(
        1, ge=1, le=1000, description="utterances with the act needed before anything is reported"
    )
    expect_after: AfterAct | None = None
    with_phrases: Phrases | None = Field(
        None, description="an utterance counts only when it also says one of these"
    )


@register_check("act", ActParams)
def act(ctx: CheckContext, rule: Rule, params: ActParams) -> list[Finding]:
    """Utterances of the role doing the act (model probability); or the act missing after one."""
    if not has_acts(ctx):
        # A call analysed without the act model (or a stored one from before it) says nothing
        # about acts: reporting "no deflection" or "no empathy" would be a guess.
        ctx.note_not_evaluated(rule, "no call-act scores on this transcript")
        return []
    if params.expect_after is not None:
        return _missing_after(ctx, rule, params, params.expect_after)
    indices = ctx.select(rule.role, rule.window)
    flagged = [
        (i, p)
        for i in indices
        if (p := act_probability(ctx, i, params.act)) >= params.min_probability
        and _names_the_object(ctx, i, params.with_phrases)
    ]
    if len(flagged) < params.min_utterances:
        return []
    findings = [
        ctx.utterance_finding(
            rule, i, act=params.act, probability=round(p, 3), act_utterances=len(flagged)
        )
        for i, p in flagged
    ]
    if params.per == "call":
        return [max(findings, key=lambda f: f.evidence["probability"])]
    return findings


def _names_the_object(ctx: CheckContext, index: int, phrases: Phrases | None) -> bool:
    """Whether the utterance says what the act is about, when the rule asks for it.

    The model hears the tone of a threat; a threat names what it threatens (a manager, a
    regulator, cancelling, a competitor). "Don't ask them to call me again, I will go mad"
    has the tone and names nothing (blind audit v25: 3 of 9 English findings without one).
    """
    return phrases is None or ctx.first_hit(phrases, [index], "exclude") is not None


def _missing_after(
    ctx: CheckContext, rule: Rule, params: ActParams, after: AfterAct
) -> list[Finding]:
    responders = ctx.select(rule.role, rule.window)
    findings: list[Finding] = []
    answered_until = -1
    for i in ctx.select(after.role, rule.window):
        trigger_p = act_probability(ctx, i, after.act)
        if i <= answered_until or trigger_p < after.min_probability:
            continue
        window = [j for j in responders if j > i][: after.within_turns]
        if not window:
            # Nobody of the role spoke afterwards: there was no chance to respond.
            continue
        best = max(act_probability(ctx, j, params.act) for j in window)
        # The model misses wordings a pack lists on purpose ("请您先消消气"): a reply the pack's
        # own lexicon calls an apology is not reported as none.
        said = after.or_phrases is not None and ctx.first_hit(after.or_phrases, window, "exclude")
        if best < params.min_probability and not said:
            findings.append(
                ctx.utterance_finding(
                    rule,
                    i,
                    trigger_act=after.act,
                    trigger_probability=round(trigger_p, 3),
                    missing_act=params.act,
                    best_probability=round(best, 3),
                    searched_utterances=window,
                )
            )
        answered_until = window[-1]
    if len(findings) < params.min_utterances:
        return []
    return findings[:1] if params.per == "call" else findings
