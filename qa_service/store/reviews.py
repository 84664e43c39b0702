"""People's judgements on a call: QA reviews with per-finding verdicts, the agent's side."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from qa_service.store.base import Base, utcnow
from qa_service.store.calls import Call, ReviewState


class ReviewKind(StrEnum):
    primary = "primary"
    second = "second"  # the random share of reviewed calls a second reviewer looks at


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=ReviewKind.primary)
    score_adjustment: Mapped[float] = mapped_column(Float, default=0.0)
    total: Mapped[float | None] = mapped_column(Float)  # the call's score after this review
    comment: Mapped[str] = mapped_column(Text, default="")
    # False once the call was rescored with another pack: its verdicts name old findings.
    current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    verdicts: Mapped[list[FindingVerdict]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )


class FindingVerdict(Base):
    __tablename__ = "finding_verdicts"
    __table_args__ = (UniqueConstraint("review_id", "finding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    # Not a foreign key: findings are replaced on rescoring, verdicts stay as history.
    finding_id: Mapped[int] = mapped_column(index=True)
    rule_id: Mapped[str] = mapped_column(String(128))
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="verdicts")


class SelfAssessment(Base):
    """The agent's own score for one scorecard dimension of one of their calls."""

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("call_id", "dimension"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    dimension: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def discard_reviews(session: Session, call: Call) -> None:
    """Reviews name findings; once the findings are replaced they no longer apply."""
    session.execute(update(Review).where(Review.call_id == call.id).values(current=False))
    call.review_state = ReviewState.none
    call.reviewer_id = None
    call.reviewed_at = None
    call.reviewed_score = None
    call.score_adjustment = None
    call.second_review_required = False
    call.calibration_flag = False
    call.overturned_count = 0
