"""How the customer left: the sentiment trajectory of a role over the call, graded.

Appraisal schemes put customer feedback at 20-30% of an agent's score; on a recording the
closest evidence is how the customer's own words move from the start of the call to its
end. Each finding carries ``evidence.grade`` (0 to 1, how strongly it holds) so that a
scorecard item with ``graded: true`` deducts (or adds) in proportion rather than all or
nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from qa_service.domain.checks.acts import (
    ActName,
    Corroboration,
    act_probability,
    asks,
    corroborated,
    utterance_acts,
)
from qa_service.domain.checks.context import CheckContext
from qa_service.domain.checks.params import Params, Phrases
from qa_service.domain.checks.registry import register_check
from qa_service.domain.results import Finding

if TYPE_CHECKING:
    from qa_service.domain.rulepack import Rule

Measure = Literal["end", "satisfied", "negative_share", "worsened", "recovered"]
# Measures that compare the start with the end need two utterances that do not overlap;
# with one there is no trajectory (not an unknown one), so they simply find nothing.
TRAJECTORY_MEASURES = ("worsened", "recovered")


class Settlement(Params):
    """A grievance of the role that has to be settled before its contentment counts."""

    grievance: Corroboration = Field(description="acts of the role's that open a grievance")
    settled_by: Corroboration = Field(description="acts, by either side after it, that settle it")


class OutcomeParams(Params):
    measure: Measure = Field(description="what is measured; see rules/SCHEMA.md")
    max_score: float = Field(
        -0.2, ge=-1, le=1, description="end: below this; recovered: the start below this"
    )
    min_end: float = Field(0.2, ge=-1, lt=1, description="satisfied, recovered: the end above this")
    min_share: float = Field(0.5, gt=0, le=1, description="negative_share: at least this")
    min_change: float = Field(0.3, gt=0, le=2, description="worsened/recovered: a move this big")
    min_score: float | None = Field(None, ge=0, le=1, description="confidence of a negative label")
    min_utterances: int = Field(1, ge=1, le=1000, description="judge only this many or more")
    corroborate: Corroboration | None = Field(
        None, description="the judged end (negative_share: each negative) must do one of these acts"
    )
    answer_corroborate: Corroboration | None = Field(
        None,
        description="an utterance answering the other side's question needs one of these instead",
    )
    unless: Corroboration | None = Field(
        None, description="no utterance of the judged end may do one of these acts"
    )
    settled: Settlement | None = Field(
        None, description="satisfied: after a grievance, only once something settles it"
    )
    except_phrases: Phrases | None = Field(
        None, description="no utterance of the judged end may say one of these"
    )
    after_reply: bool = Field(
        False, description="satisfied: judge only the role's end after the other side first spoke"
    )
    accepting_ack: bool = Field(
        False, description="end: a bare acknowledgement as the role's last word is acceptance"
    )
    skip_backchannels: bool = Field(
        False, description="a bare acknowledgement (the pack's backchannels) is not judged"
    )
    mood_acts: list[ActName] | None = Field(
        None,
        min_length=1,
        description="an utterance's negative sentiment counts in proportion to its best act here",
    )


@dataclass(frozen=True, slots=True)
class Trajectory:
    """The role's scored utterances and the mean sentiment of their first and last third."""

    indices: list[int]
    scores: list[float]
    edge: int

    @property
    def start(self) -> float:
        return _mean(self.scores[: self.edge])

    @property
    def end(self) -> float:
        return _mean(self.scores[-self.edge :])

    @property
    def change(self) -> float:
        return self.end - self.start


def trajectory(scores: list[float], indices: list[int]) -> Trajectory:
    """Thirds rounded up, so two utterances compare the first with the last."""
    return Trajectory(indices, scores, max(1, math.ceil(len(scores) / 3)))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def polarity(sentiment: dict | None) -> float | None:
    """p(positive) - p(negative) from whatever the engine wrote, -1 to 1."""
    if not sentiment:
        return None
    probs = sentiment.get("probs")
    if isinstance(probs, dict) and ("positive" in probs or "negative" in probs):
        return float(probs.get("positive", 0.0)) - float(probs.get("negative", 0.0))
    if "score" in sentiment and sentiment.get("label") != "neutral":
        return max(-1.0, min(1.0, float(sentiment["score"])))
    return 0.0 if sentiment.get("label") == "neutral" else None


def mood(ctx: CheckContext, index: int, value: float, acts: list[str] | None) -> float:
    """The polarity, its negative part weighed by how surely the utterance does ``acts``.

    Sentiment models read a calm fault report ("it shows this page when I open it") as
    negative; dissatisfaction is a complaint, a threat or an insult. Weighing the negative part
    by the act model's probability keeps a furious customer at full weight and brings a calm
    report close to neutral, graded rather than cut at a threshold. Without act scores on the
    transcript the polarity stands as it is.
    """
    if value >= 0 or not acts or utterance_acts(ctx, index) is None:
        return value
    return value * max(act_probability(ctx, index, act) for act in acts)


@register_check("sentiment_outcome", OutcomeParams)
def sentiment_outcome(ctx: CheckContext, rule: Rule, params: OutcomeParams) -> list[Finding]:
    """How the role's sentiment ends, how much is negative, whether it worsens or recovers."""
    if not ctx.has_sentiment:
        ctx.note_not_evaluated(rule, "no sentiment on this transcript")
        return []
    own = ctx.select(rule.role, rule.window)
    if params.accepting_ack and params.measure == "end" and _ends_acknowledging(ctx, own):
        return []
    scored = [
        (i, mood(ctx, i, value, params.mood_acts))
        for i in own
        if (value := polarity(ctx.utterances[i].sentiment)) is not None
        and not (params.skip_backchannels and ctx.is_backchannel(i))
    ]
    if len(scored) < params.min_utterances or not scored:
        needed = max(1, params.min_utterances)
        ctx.note_not_evaluated(rule, f"fewer than {needed} {rule.role} utterances with sentiment")
        return []
    if params.measure in TRAJECTORY_MEASURES and len(scored) < 2:
        return []  # one utterance has no trajectory: nothing worsened, nothing recovered
    path = trajectory([v for _, v in scored], [i for i, _ in scored])
    return _judge(ctx, rule, params, path)


def _judge(ctx: CheckContext, rule: Rule, params: OutcomeParams, path: Trajectory) -> list[Finding]:
    evidence = {
        "mood_start": round(path.start, 3),
        "mood_end": round(path.end, 3),
        "change": round(path.change, 3),
        "utterances": len(path.indices),
    }
    last = path.indices[-path.edge :]
    if params.after_reply and params.measure == "satisfied":
        last = [i for i in last if _after_other_side(ctx, i)]
    if not last:
        return []  # the role only spoke before the other side did: no reaction to judge
    if params.measure != "negative_share" and not any(
        corroborated(ctx, i, _needed(ctx, i, params)) for i in last
    ):
        return []  # the end does not do what the finding would claim (complain, thank...)
    if params.unless is not None and any(
        utterance_acts(ctx, i) is not None and corroborated(ctx, i, params.unless) for i in last
    ):
        return []  # a thanks beside a complaint at the end is politeness, not contentment
    if params.except_phrases is not None and ctx.first_hit(params.except_phrases, last, "exclude"):
        return []  # "thanks, but please solve it": what follows the "but" is the point
    if params.measure == "end":
        if path.end >= params.max_score:
            return []
        grade = _beyond(params.max_score - path.end, 1 + params.max_score)
        return [_finding(ctx, rule, last, grade, evidence)]
    if params.measure == "satisfied":
        if path.end <= params.min_end or not _settled(ctx, path.indices, params.settled):
            return []
        grade = _beyond(path.end - params.min_end, 1 - params.min_end)
        return [_finding(ctx, rule, last, grade, evidence)]
    if params.measure == "negative_share":
        share = _negative_share(ctx, path.indices, params)
        if share < params.min_share:
            return []
        grade = _beyond(share - params.min_share, 1 - params.min_share)
        return [_finding(ctx, rule, path.indices, grade, evidence | {"share": round(share, 3)})]
    if params.measure == "worsened":
        if -path.change < params.min_change:
            return []
        grade = _beyond(-path.change - params.min_change, 2 - params.min_change)
        return [_finding(ctx, rule, path.indices, grade, evidence)]
    if path.start >= params.max_score or path.change < params.min_change:
        return []
    if path.end <= params.min_end:
        return []  # less negative is not calmer: "thanks, but it still won't boot" ends low
    grade = _beyond(path.change - params.min_change, 2 - params.min_change)
    return [_finding(ctx, rule, path.indices, grade, evidence)]


def _needed(ctx: CheckContext, index: int, params: OutcomeParams) -> Corroboration | None:
    """What backs an utterance: an answer to a question holds what was asked for.

    A customer who answers "which campus?" or "what did the message say?" states facts the
    question called for; a sentiment model reads the fault in them as mood, so an answer has
    to show the displeasure more surely than a message the customer chose to write.
    """
    if params.answer_corroborate is None or index == 0:
        return params.corroborate
    before = index - 1
    if ctx.utterances[before].role == ctx.utterances[index].role or not asks(ctx, before):
        return params.corroborate
    return params.answer_corroborate


def _ends_acknowledging(ctx: CheckContext, own: list[int]) -> bool:
    """Whether the role's last word is a bare "OK" / "好的" to the other side's reply.

    A customer who complained and then answers the agent's last reply with a plain "OK" has
    taken it: reading the complaint before it as how they leave contradicts the last thing
    they said (the blind audits judged such endings wrong).
    """
    if not own or own[-1] == 0 or not ctx.is_backchannel(own[-1]):
        return False
    return ctx.utterances[own[-1] - 1].role != ctx.utterances[own[-1]].role


def _after_other_side(ctx: CheckContext, index: int) -> bool:
    """Whether the other side spoke before ``index``.

    Contentment is a reaction to the service: the "thank you" that closes an opening request
    ("please help me solve it, thank you") says nothing about how the customer leaves.
    """
    role = ctx.utterances[index].role
    return any(u.role != role for u in ctx.utterances[:index])


def _settled(ctx: CheckContext, indices: list[int], needed: Settlement | None) -> bool:
    """Whether the role's first grievance, if any, was followed by what settles it.

    A customer who complained and thanks for a problem that was only passed on is polite, not
    content: on the benches' ratings such endings scored far below thanks after a fix.
    """
    if needed is None:
        return True
    opened = next(
        (i for i in indices if utterance_acts(ctx, i) and corroborated(ctx, i, needed.grievance)),
        None,
    )
    if opened is None:
        return True
    after = range(opened + 1, len(ctx.utterances))
    return any(utterance_acts(ctx, j) and corroborated(ctx, j, needed.settled_by) for j in after)


def _beyond(distance: float, room: float) -> float:
    """The grade: 0 at the threshold, 1 at the far end of the scale (no cliff at the threshold)."""
    return 1.0 if room <= 0 else distance / room


def _negative_share(ctx: CheckContext, indices: list[int], params: OutcomeParams) -> float:
    min_score = ctx.settings.sentiment_min_score if params.min_score is None else params.min_score
    negative = 0
    for i in indices:
        value = ctx.sentiment(i)
        negative += (
            value is not None
            and value[0] == "negative"
            and value[1] >= min_score
            and corroborated(ctx, i, params.corroborate)
        )
    return negative / len(indices)


def _finding(
    ctx: CheckContext, rule: Rule, span: list[int], grade: float, evidence: dict
) -> Finding:
    first, last = ctx.utterances[span[0]], ctx.utterances[span[-1]]
    summary = (
        f"{rule.role} sentiment {evidence['mood_start']:+.2f} at the start, "
        f"{evidence['mood_end']:+.2f} at the end"
    )
    return ctx.span_finding(
        rule,
        first.start,
        last.end,
        summary,
        None if rule.role == "any" else rule.role,
        grade=round(min(1.0, max(0.0, grade)), 3),
        first_utterance=span[0],
        last_utterance=span[-1],
        **evidence,
    )
