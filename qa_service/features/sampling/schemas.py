"""Sampling plans in and out: the request that draws one, and the JSON shapes of a plan,
its review queue, a re-derivation and review coverage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, Field

from qa_service.domain.sampling import DEFAULT_RATE, DEFAULT_SHORT_RATIO
from qa_service.features.schemas import MAX_DB_INT, PeriodText
from qa_service.store.calls import Call
from qa_service.store.sampling_plans import SamplingPlan, SamplingPlanCall
from qa_service.store.sampling_queries import Coverage, ReviewerLoad

MAX_PER_AGENT = 10_000
Name = Annotated[str, Field(min_length=1, max_length=64)]


class PlanCreate(BaseModel):
    period: PeriodText
    rate: float = Field(DEFAULT_RATE, ge=0, le=1)
    min_per_agent: int = Field(0, ge=0, le=MAX_PER_AGENT)
    max_per_agent: int | None = Field(None, ge=0, le=MAX_PER_AGENT)
    by: list[Name] = Field(
        default_factory=list, max_length=4, description="Strata: queue, direction."
    )
    oversample: str | None = Field(
        None,
        max_length=500,
        description="critical,complaint,negative,silence,short or critical=5,short=2",
    )
    seed: int | None = Field(
        None, ge=0, le=MAX_DB_INT, description="Default: a new random seed, stored."
    )
    short_ratio: float = Field(DEFAULT_SHORT_RATIO, ge=0, le=1)
    teams: list[Name] | None = Field(None, max_length=1000)
    queues: list[Name] | None = Field(None, max_length=1000)
    reviewers: list[Name] = Field(
        default_factory=list, max_length=1000, description="Usernames to share among."
    )
    note: str = Field("", max_length=2000)


def plan_summary(plan: SamplingPlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "period": plan.period,
        "parameters": plan.parameters,
        "filters": plan.filters,
        "seed": plan.seed,
        "population": plan.population,
        "selected": plan.selected,
        "selection_digest": plan.selection_digest,
        "note": plan.note,
        "created_by": plan.created_by,
        "created_at": plan.created_at,
    }


def plan_detail(plan: SamplingPlan, rows: list[tuple[SamplingPlanCall, Call]]) -> dict[str, Any]:
    """A plan with its review queue."""
    return {
        **plan_summary(plan),
        "calls": [
            {
                "id": call.id,
                "call_id": call.call_id,
                "agent_id": item.agent_id,
                "queue": call.queue,
                "started_at": call.started_at,
                "stratum": item.stratum,
                "risks": [r for r in item.risks.split(",") if r],
                "reviewer_id": item.reviewer_id,
                "review_state": call.review_state,
            }
            for item, call in rows
        ],
    }


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """A stored plan drawn again from its parameters and seed."""

    plan_id: int
    same_selection: bool
    same_population: bool
    added: list[int]  # calls the new draw picks that the plan did not
    removed: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "same_selection": self.same_selection,
            "same_population": self.same_population,
            "added": self.added,
            "removed": self.removed,
        }


@dataclass(frozen=True, slots=True)
class CoverageReport:
    """Machine-checked vs human-reviewed calls per group, and each reviewer's workload."""

    period: str
    by: str
    rows: list[Coverage]
    reviewers: list[ReviewerLoad]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "by": self.by,
            "rows": [c.to_dict() for c in self.rows],
            "reviewers": [
                {
                    "reviewer_id": w.reviewer_id,
                    "username": w.username,
                    "assigned": w.assigned,
                    "done": w.done,
                    "pending": w.pending,
                    "reviews": w.reviews,
                }
                for w in self.reviewers
            ],
        }
