"""Stored sampling plans: the parameters and seed that re-derive a sample, and its calls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_service.store.base import Base, utcnow


class SamplingPlan(Base):
    __tablename__ = "sampling_plans"
    __table_args__ = (Index("ix_sampling_plans_period", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(16))  # a label: 2026-11, 2026-W45, ...
    # SamplingOptions.to_dict(): rate, bounds, strata, oversampling weights, seed.
    parameters: Mapped[dict[str, Any]]
    # The scope the population was drawn from: agent_ids, teams, queues (None: all).
    filters: Mapped[dict[str, Any]]
    seed: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    selected: Mapped[int] = mapped_column(Integer)
    # SHA-256 over the sorted call ids: a re-derivation compares against these.
    population_digest: Mapped[str] = mapped_column(String(64))
    selection_digest: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    calls: Mapped[list[SamplingPlanCall]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="SamplingPlanCall.call_id"
    )


class SamplingPlanCall(Base):
    """One call a plan picked for a person to review, and who is to review it."""

    __tablename__ = "sampling_plan_calls"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("sampling_plans.id", ondelete="CASCADE"), primary_key=True
    )
    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    agent_id: Mapped[str] = mapped_column(String(64))
    stratum: Mapped[str] = mapped_column(String(128))
    risks: Mapped[str] = mapped_column(String(128), default="")  # comma-separated flags
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    plan: Mapped[SamplingPlan] = relationship(back_populates="calls")
