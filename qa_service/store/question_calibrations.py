"""Calibration sessions for evaluation questions: several reviewers answer the same calls'
questions blind, then see how they agreed with each other and with the model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_service.store.base import Base, JSONType, utcnow


class QuestionCalibration(Base):
    __tablename__ = "question_calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    # The calls and the questions (scorecard item ids) every participant answers.
    call_ids: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    rule_ids: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Answers are blind until the session is closed; then nobody may change them.
    closed_at: Mapped[datetime | None]

    answers: Mapped[list[CalibrationAnswer]] = relationship(
        back_populates="calibration", cascade="all, delete-orphan"
    )


class CalibrationAnswer(Base):
    __tablename__ = "calibration_answers"
    __table_args__ = (UniqueConstraint("calibration_id", "call_id", "rule_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calibration_id: Mapped[int] = mapped_column(
        ForeignKey("question_calibrations.id", ondelete="CASCADE"), index=True
    )
    # Not a foreign key: a call deleted on request leaves the session's other answers.
    call_id: Mapped[int]
    rule_id: Mapped[str] = mapped_column(String(128))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    calibration: Mapped[QuestionCalibration] = relationship(back_populates="answers")
