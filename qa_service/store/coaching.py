"""Coaching: a supervisor or QA asks an agent to practise something, from a call or one of
its findings, by a date; the agent acknowledges the task, then marks it done."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.store.base import Base, JSONType, utcnow


class CoachingStatus(StrEnum):
    open = "open"  # assigned, the agent has not reacted yet
    acknowledged = "acknowledged"  # the agent has read it
    done = "done"  # the agent says it is practised
    cancelled = "cancelled"  # the coach withdrew it


# Tasks still waiting on the agent: these can be overdue.
ACTIVE = (CoachingStatus.open, CoachingStatus.acknowledged)


class CoachingTask(Base):
    __tablename__ = "coaching_tasks"
    __table_args__ = (Index("ix_coaching_tasks_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    # The finding it was assigned from, if any (a finding id, like a dispute's).
    finding_id: Mapped[int | None]
    agent_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    focus: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    # Positions of the attached lines in the call's transcript, in time order.
    lines: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default=CoachingStatus.open)
    # The agent's word when marking it done.
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]

    def snapshot(self) -> dict[str, Any]:
        """What the audit log records of a task."""
        return {
            "focus": self.focus,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "lines": list(self.lines or []),
            "status": self.status,
            "note": self.note,
        }
