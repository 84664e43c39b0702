"""Agent KPIs: what each one means, and the maths that is more than a SQL aggregate.

The store sums and counts per agent, team and period (``store/kpi_queries.py``); this module
defines every KPI (its unit, which way is better, what it counts), turns the counts into rates,
and holds the reference definitions the SQL follows: first-contact resolution within a window,
handling time against the agent's own baseline, sentiment recovery. The balanced scorecard,
tiers, ranking and trends live in ``domain/kpi_scorecard.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal

Unit = Literal["count", "score", "ratio", "seconds", "csat", "nps"]


@dataclass(frozen=True, slots=True)
class KpiDef:
    id: str
    label: str
    unit: Unit
    # None: neither direction is better in itself (handling time: too short is rushed).
    higher_is_better: bool | None
    description: str


KPIS: tuple[KpiDef, ...] = (
    KpiDef("calls", "Calls", "count", None, "Analysed calls started in the period."),
    KpiDef("qa_score", "QA score", "score", True, "Mean call score (0-100) of scored calls."),
    KpiDef(
        "compliance_rate",
        "Compliance rate",
        "ratio",
        True,
        "Share of scored calls without a critical failure.",
    ),
    KpiDef(
        "critical_failures",
        "Critical failures",
        "count",
        False,
        "Scored calls failed on a critical scorecard item.",
    ),
    KpiDef(
        "fcr_rate",
        "First-contact resolution",
        "ratio",
        True,
        "Share of calls with a known customer after which that customer did not call again "
        "within the FCR window (3 or 7 days); calls whose window has not yet passed are left out.",
    ),
    KpiDef("aht_s", "Average handling time", "seconds", None, "Mean call duration in seconds."),
    KpiDef(
        "aht_change",
        "Handling time vs baseline",
        "ratio",
        None,
        "Relative change of the average handling time against the agent's own baseline "
        "(the calls of the previous periods); -0.2 means 20% faster than usual.",
    ),
    KpiDef(
        "complaint_rate",
        "Complaint rate",
        "ratio",
        False,
        "Share of calls with a complaint or escalation finding that a reviewer did not overturn.",
    ),
    KpiDef(
        "negative_rate",
        "Customer negative-sentiment rate",
        "ratio",
        False,
        "Share of calls where the customer was negative at some point (an utterance the "
        "sentiment model called negative, or a customer_negative finding).",
    ),
    KpiDef(
        "recovery_rate",
        "Sentiment recovery rate",
        "ratio",
        True,
        "Of the calls where the customer was negative at some point, the share where the "
        "mean sentiment of the customer's last utterances was no longer negative (>= 0).",
    ),
    KpiDef(
        "silence_ratio",
        "Silence ratio",
        "ratio",
        False,
        "Total silence (gaps where nobody talks) over total call time.",
    ),
    KpiDef(
        "interruption_rate",
        "Interruption rate",
        "ratio",
        False,
        "Share of calls where the agent talked over the customer at least once.",
    ),
    KpiDef("csat", "CSAT", "csat", True, "Mean imported customer satisfaction (1-5)."),
    KpiDef(
        "nps",
        "NPS",
        "nps",
        True,
        "Net promoter score of imported 0-10 ratings: % promoters (9-10) - % detractors (0-6).",
    ),
    KpiDef(
        "dispute_rate",
        "Dispute rate",
        "ratio",
        None,
        "Share of scored calls the agent disputed.",
    ),
    KpiDef(
        "overturn_rate",
        "Overturn rate",
        "ratio",
        False,
        "Share of ruled disputes decided in the agent's favour: how often the first "
        "assessment was wrong.",
    ),
    KpiDef(
        "composite",
        "Composite score",
        "score",
        True,
        "Balanced scorecard: the weighted mean of the component KPIs, each mapped to 0-100 "
        "between its worst and best value.",
    ),
)
KPI_BY_ID = {k.id: k for k in KPIS}
# Per-dimension QA scores come as "dim:<dimension id>", one column per scorecard dimension.
DIMENSION_PREFIX = "dim:"


def kpi_def(kpi_id: str) -> KpiDef:
    if kpi_id.startswith(DIMENSION_PREFIX):
        dim = kpi_id[len(DIMENSION_PREFIX) :]
        return KpiDef(kpi_id, f"QA score: {dim}", "score", True, f"Mean {dim} dimension score.")
    return KPI_BY_ID[kpi_id]


def ratio(part: float | None, whole: float | None, digits: int = 4) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return round(part / whole, digits)


def net_promoter_score(promoters: int, detractors: int, responses: int) -> float | None:
    if not responses:
        return None
    return round(100.0 * (promoters - detractors) / responses, 2)


@dataclass(slots=True)
class KpiCounts:
    """The sums and counts one SQL aggregate gives for one agent, team or queue in a period."""

    calls: int = 0
    scored: int = 0
    score_sum: float = 0.0
    critical_known: int = 0
    critical_failures: int = 0
    duration_n: int = 0
    duration_sum: float = 0.0
    complaints: int = 0
    negatives: int = 0
    recovery_base: int = 0  # negative at some point, with an end-of-call sentiment
    recovered: int = 0
    silence_s: float = 0.0
    silence_base_s: float = 0.0  # duration of the calls whose silence was measured
    interruption_known: int = 0
    interrupted: int = 0
    csat_n: int = 0
    csat_sum: float = 0.0
    nps_n: int = 0
    promoters: int = 0
    detractors: int = 0
    disputed: int = 0  # scored calls with at least one dispute
    disputes_ruled: int = 0
    disputes_overturned: int = 0
    fcr_eligible: int = 0
    fcr_repeats: int = 0


def kpi_values(c: KpiCounts) -> dict[str, float | None]:
    """Every KPI of ``KPIS`` that counts alone decide (not the composite, not the baseline)."""
    return {
        "calls": c.calls,
        "qa_score": ratio(c.score_sum, c.scored, 2),
        "compliance_rate": ratio(c.critical_known - c.critical_failures, c.critical_known),
        "critical_failures": c.critical_failures,
        "fcr_rate": ratio(c.fcr_eligible - c.fcr_repeats, c.fcr_eligible),
        "aht_s": ratio(c.duration_sum, c.duration_n, 1),
        "complaint_rate": ratio(c.complaints, c.calls),
        "negative_rate": ratio(c.negatives, c.calls),
        "recovery_rate": ratio(c.recovered, c.recovery_base),
        "silence_ratio": ratio(c.silence_s, c.silence_base_s),
        "interruption_rate": ratio(c.interrupted, c.interruption_known),
        "csat": ratio(c.csat_sum, c.csat_n, 2),
        "nps": net_promoter_score(c.promoters, c.detractors, c.nps_n),
        "dispute_rate": ratio(c.disputed, c.scored),
        "overturn_rate": ratio(c.disputes_overturned, c.disputes_ruled),
    }


# -- first-contact resolution -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contact:
    call_id: str
    customer_ref: str | None
    started_at: datetime


def repeat_followed(contacts: Iterable[Contact], window: timedelta) -> set[str]:
    """Calls after which the same customer made their next contact within ``window``.

    Contacts of one customer are ordered by start time, then call id; a next contact that
    starts at most ``window`` after this one makes it a repeat.
    """
    by_customer: dict[str, list[Contact]] = defaultdict(list)
    for c in contacts:
        if c.customer_ref:
            by_customer[c.customer_ref].append(c)
    followed: set[str] = set()
    for calls in by_customer.values():
        calls.sort(key=lambda c: (c.started_at, c.call_id))
        for this, following in pairwise(calls):
            if following.started_at - this.started_at <= window:
                followed.add(this.call_id)
    return followed


def fcr_rate(
    calls: Sequence[Contact],
    history: Iterable[Contact],
    window_days: int,
    as_of: datetime | None = None,
) -> float | None:
    """FCR of ``calls`` given every contact (``history``, which includes later ones).

    A call counts when it has a customer and its window has passed by ``as_of``.
    """
    window = timedelta(days=window_days)
    followed = repeat_followed(history, window)
    eligible = [
        c for c in calls if c.customer_ref and (as_of is None or c.started_at + window <= as_of)
    ]
    resolved = sum(1 for c in eligible if c.call_id not in followed)
    return ratio(resolved, len(eligible))


# -- handling time against the agent's own baseline -----------------------------------------


@dataclass(frozen=True, slots=True)
class HandlingAnomaly:
    aht_s: float
    baseline_s: float
    change: float  # relative: -0.25 = 25% below baseline
    kind: Literal["rushed", "slow"]


def handling_baseline(previous: Iterable[tuple[float, int]]) -> tuple[float | None, int]:
    """Baseline AHT from earlier periods' (total seconds, calls): call-weighted, so a quiet
    month does not count as much as a busy one."""
    total_s, calls = 0.0, 0
    for seconds, n in previous:
        total_s += seconds
        calls += n
    return (total_s / calls if calls else None), calls


def handling_anomaly(
    total_s: float,
    calls: int,
    previous: Iterable[tuple[float, int]],
    *,
    threshold: float,
    min_calls: int,
) -> HandlingAnomaly | None:
    """An AHT at least ``threshold`` below (rushed) or above (slow) the agent's baseline.

    Both the period and the baseline need ``min_calls`` calls: a handful of calls says
    nothing about a habit.
    """
    baseline, baseline_calls = handling_baseline(previous)
    if baseline is None or not baseline or calls < min_calls or baseline_calls < min_calls:
        return None
    aht = total_s / calls
    change = (aht - baseline) / baseline
    if change <= -threshold:
        kind: Literal["rushed", "slow"] = "rushed"
    elif change >= threshold:
        kind = "slow"
    else:
        return None
    return HandlingAnomaly(round(aht, 2), round(baseline, 2), round(change, 4), kind)


def handling_change(
    total_s: float, calls: int, previous: Iterable[tuple[float, int]]
) -> float | None:
    """Relative AHT change against the baseline, or None without one."""
    baseline, _ = handling_baseline(previous)
    if not calls or not baseline:
        return None
    return round((total_s / calls - baseline) / baseline, 4)


# -- sentiment recovery ---------------------------------------------------------------------


def sentiment_recovered(
    was_negative: bool | None, end_score: float | None, threshold: float = 0.0
) -> bool | None:
    """Whether a customer who was negative at some point ended the call no longer negative.

    ``end_score`` is the mean sentiment score (p(positive) - p(negative)) of the customer's
    last utterances, as the sentiment summary of a call gives it. None when the customer was
    never negative: there was nothing to recover from.
    """
    if not was_negative or end_score is None:
        return None
    return end_score >= threshold
