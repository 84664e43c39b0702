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

from qa_service.domain.checks.acts import Corroboration, corroborated, does_act
from qa_service.domain.checks.context import CheckContext
from qa_service.domain.checks.params import Params
from qa_service.domain.checks.registry import register_check
from qa_service.domain.results import Finding

if TYPE_CHECKING:
    from qa_service.domain.rulepack import Rule

Measure = Literal["end", "satisfied", "negative_share", "worsened", "recovered"]
# Measures that compare the start with the end need two utterances that do not overlap;
# with one there is no trajectory (not an unknown one), so they simply find nothing.
TRAJECTORY_MEASURES = ("worsened", "recovered")


class OutcomeParams(Params):
    measure: Measure = Field(description="what is measured; see rules/SCHEMA.md")
    max_score: float = Field(
        -0.2, ge=-1, le=1, description="end: below this; recovered: the start below this"
    )
    min_end: float = Field(0.2, ge=-1, lt=1, description="satisfied: the end above this")
    min_share: float = Field(0.5, gt=0, le=1, description="negative_share: at least this")
    min_change: float = Field(0.3, gt=0, le=2, description="worsened/recovered: a move this big")
    min_score: float | None = Field(None, ge=0, le=1, description="confidence of a negative label")
    min_utterances: int = Field(1, ge=1, le=1000, description="judge only this many or more")
    corroborate: Corroboration | None = Field(
        None, description="the judged end (negative_share: each negative) must do one of these acts"
    )
    skip_backchannels: bool = Field(
        False, description="a bare acknowledgement (the pack's backchannels) is not judged"
    )
    end_turns: int | None = Field(
        None, ge=1, le=50, description="the end is the role's last N turns, not the last third"
    )
    skip_questions: bool = Field(
        False, description="a question in the end is left out unless it does such an act"
    )
    keep_questions_with: Corroboration | None = Field(
        None, description="skip_questions: a question doing one of these acts is kept"
    )
    min_turns: int = Field(
        1, ge=1, le=50, description="negative_share: negatives in at least this many turns"
    )
    unless_after: Corroboration | None = Field(
        None, description="satisfied/recovered: no finding when the thanks is followed by these"
    )


@dataclass(frozen=True, slots=True)
class Trajectory:
    """The role's scored utterances and the mean sentiment of their start and their end.

    ``edge`` utterances make the start (the first third); ``end_edge`` the end (the last
    third, or the role's last turns when a rule says so).
    """

    indices: list[int]
    scores: list[float]
    edge: int
    end_edge: int = 0

    @property
    def end_size(self) -> int:
        return self.end_edge or self.edge

    @property
    def start(self) -> float:
        return _mean(self.scores[: self.edge])

    @property
    def end(self) -> float:
        return _mean(self.scores[-self.end_size :])

    @property
    def change(self) -> float:
        return self.end - self.start


def trajectory(scores: list[float], indices: list[int], end_edge: int = 0) -> Trajectory:
    """Thirds rounded up, so two utterances compare the first with the last."""
    return Trajectory(indices, scores, max(1, math.ceil(len(scores) / 3)), end_edge)


def turn_numbers(ctx: CheckContext) -> list[int]:
    """Each utterance's turn: a run of one role's utterances with nobody else in between."""
    numbers, turn, previous = [], -1, None
    for utt in ctx.utterances:
        turn += utt.role != previous
        previous = utt.role
        numbers.append(turn)
    return numbers


def _last_turns(ctx: CheckContext, indices: list[int], count: int) -> int:
    """How many of ``indices`` (in order) lie in their last ``count`` turns."""
    numbers = turn_numbers(ctx)
    kept = sorted({numbers[i] for i in indices})[-count:]
    return sum(numbers[i] in kept for i in indices)


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


@register_check("sentiment_outcome", OutcomeParams)
def sentiment_outcome(ctx: CheckContext, rule: Rule, params: OutcomeParams) -> list[Finding]:
    """How the role's sentiment ends, how much is negative, whether it worsens or recovers."""
    if not ctx.has_sentiment:
        ctx.note_not_evaluated(rule, "no sentiment on this transcript")
        return []
    scored = [
        (i, value)
        for i in ctx.select(rule.role, rule.window)
        if (value := polarity(ctx.utterances[i].sentiment)) is not None
        and not (params.skip_backchannels and ctx.is_backchannel(i))
    ]
    if len(scored) < params.min_utterances or not scored:
        needed = max(1, params.min_utterances)
        ctx.note_not_evaluated(rule, f"fewer than {needed} {rule.role} utterances with sentiment")
        return []
    if params.measure in TRAJECTORY_MEASURES and len(scored) < 2:
        return []  # one utterance has no trajectory: nothing worsened, nothing recovered
    path = _path(ctx, params, scored)
    return [] if path is None else _judge(ctx, rule, params, path)


def _path(
    ctx: CheckContext, params: OutcomeParams, scored: list[tuple[int, float]]
) -> Trajectory | None:
    """The trajectory, its end the last third or the last turns, less the end's mere questions.

    None when the end holds nothing but questions: the customer ends by asking, which says
    nothing about how they leave.
    """
    indices = [i for i, _ in scored]
    size = _last_turns(ctx, indices, params.end_turns) if params.end_turns else 0
    if not params.skip_questions:
        return trajectory([v for _, v in scored], indices, size)
    size = size or trajectory([0.0] * len(scored), indices).edge
    head, end = scored[:-size], [p for p in scored[-size:] if not _mere_question(ctx, p[0], params)]
    if not end:
        return None
    kept = head + end
    return trajectory([v for _, v in kept], [i for i, _ in kept], len(end))


def _mere_question(ctx: CheckContext, index: int, params: OutcomeParams) -> bool:
    """A question asks; it says little about mood unless it also complains (a rhetorical one)."""
    if not ctx.text(index).is_question:
        return False
    return params.keep_questions_with is None or not does_act(
        ctx, index, params.keep_questions_with
    )


def _followed_by_demand(ctx: CheckContext, last: list[int], params: OutcomeParams) -> bool:
    """A thanks that goes on to a new demand or complaint is a formula, not contentment."""
    if params.unless_after is None:
        return False
    thanked = [i for i in last if corroborated(ctx, i, params.corroborate)]
    if not thanked:
        return False
    later = [i for i in last if i >= thanked[0]]
    # The question act is not used here: it reads many a plain "thanks!" as a request.
    return any(does_act(ctx, i, params.unless_after) or ctx.text(i).is_question for i in later)


def _judge(ctx: CheckContext, rule: Rule, params: OutcomeParams, path: Trajectory) -> list[Finding]:
    evidence = {
        "mood_start": round(path.start, 3),
        "mood_end": round(path.end, 3),
        "change": round(path.change, 3),
        "utterances": len(path.indices),
    }
    last = path.indices[-path.end_size :]
    if params.measure != "negative_share" and not any(
        corroborated(ctx, i, params.corroborate) for i in last
    ):
        return []  # the end does not do what the finding would claim (complain, thank...)
    if params.measure in ("satisfied", "recovered") and _followed_by_demand(ctx, last, params):
        return []
    if params.measure == "end":
        if path.end >= params.max_score:
            return []
        grade = _beyond(params.max_score - path.end, 1 + params.max_score)
        return [_finding(ctx, rule, last, grade, evidence)]
    if params.measure == "satisfied":
        if path.end <= params.min_end:
            return []
        grade = _beyond(path.end - params.min_end, 1 - params.min_end)
        return [_finding(ctx, rule, last, grade, evidence)]
    if params.measure == "negative_share":
        share, turns = _negative_share(ctx, path.indices, params)
        if share < params.min_share or turns < params.min_turns:
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
    grade = _beyond(path.change - params.min_change, 2 - params.min_change)
    return [_finding(ctx, rule, path.indices, grade, evidence)]


def _beyond(distance: float, room: float) -> float:
    """The grade: 0 at the threshold, 1 at the far end of the scale (no cliff at the threshold)."""
    return 1.0 if room <= 0 else distance / room


def _negative_share(
    ctx: CheckContext, indices: list[int], params: OutcomeParams
) -> tuple[float, int]:
    """The share of negative utterances, and in how many of the role's turns they fall."""
    min_score = ctx.settings.sentiment_min_score if params.min_score is None else params.min_score
    negative = [
        i
        for i in indices
        if (value := ctx.sentiment(i)) is not None
        and value[0] == "negative"
        and value[1] >= min_score
        and corroborated(ctx, i, params.corroborate)
    ]
    numbers = turn_numbers(ctx)
    return len(negative) / len(indices), len({numbers[i] for i in negative})


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
