"""Disputes: an agent contests a finding; team lead, then a reviewer, then a final ruling."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_service.store.base import Base, utcnow


class Stage(StrEnum):
    team_lead = "team_lead"
    reviewer = "reviewer"
    final = "final"


STAGES = (Stage.team_lead, Stage.reviewer, Stage.final)


class DisputeStatus(StrEnum):
    open = "open"
    upheld = "upheld"  # the finding stands
    overturned = "overturned"  # the agent was right: the finding is removed from the score


class Decision(StrEnum):
    uphold = "uphold"
    overturn = "overturn"
    escalate = "escalate"  # hand it to the next level without ruling


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[int] = mapped_column(index=True)
    rule_id: Mapped[str] = mapped_column(String(128))
    agent_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16), default=Stage.team_lead)
    status: Mapped[str] = mapped_column(String(16), default=DisputeStatus.open)
    # The deadline of the step now open; past it while open, the dispute is overdue.
    due_at: Mapped[datetime | None]
    # An upheld step may be appealed to the next level until this moment.
    appeal_until: Mapped[datetime | None]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    steps: Mapped[list[DisputeStep]] = relationship(
        back_populates="dispute", order_by="DisputeStep.id", cascade="all, delete-orphan"
    )

    def snapshot(self) -> dict:
        return {
            "stage": self.stage,
            "status": self.status,
            "due_at": self.due_at.isoformat() if self.due_at else None,
        }


class DisputeStep(Base):
    __tablename__ = "dispute_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    # The agent's statement that opened this step: the dispute's reason on the first step,
    # the appeal's reason on an appealed step; empty when a decider escalated to it.
    statement: Mapped[str] = mapped_column(Text, default="", server_default="")

    dispute: Mapped[Dispute] = relationship(back_populates="steps")
