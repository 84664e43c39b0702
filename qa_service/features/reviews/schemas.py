from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qa_service.features.schemas import DbId, FiniteFloat, ORMModel
from qa_service.store.calls import Verdict


class VerdictCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding_id: DbId
    verdict: Verdict
    reason: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _reason_for_overturn(self) -> VerdictCreate:
        if self.verdict == Verdict.overturned and not self.reason.strip():
            raise ValueError("overturning a finding needs a reason")
        return self


class ReviewCreate(BaseModel):
    """A reviewer's ruling on a call. Findings left out of ``verdicts`` are confirmed."""

    model_config = ConfigDict(extra="forbid")

    verdicts: list[VerdictCreate] = Field(default_factory=list, max_length=1000)
    score_adjustment: float = Field(0.0, ge=-100, le=100)
    comment: str = Field("", max_length=5000)

    @model_validator(mode="after")
    def _adjustment_explained(self) -> ReviewCreate:
        if self.score_adjustment and not self.comment.strip():
            raise ValueError("a score adjustment needs a comment saying why")
        ids = [v.finding_id for v in self.verdicts]
        if len(ids) != len(set(ids)):
            raise ValueError("one verdict per finding")
        return self


class VerdictPublic(ORMModel):
    finding_id: int
    rule_id: str
    verdict: str
    reason: str


class ReviewPublic(ORMModel):
    id: int
    call_id: int
    reviewer_id: int
    kind: str
    score_adjustment: float
    total: float | None
    comment: str
    current: bool
    created_at: datetime
    verdicts: list[VerdictPublic]


class ReviewOutcome(BaseModel):
    review: ReviewPublic
    reviewed_score: float | None
    second_review_required: bool
    calibration_flag: bool


class AcknowledgeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field("", max_length=2000)


class SelfAssessmentUpdate(BaseModel):
    """The agent's own score (0-100) per scorecard dimension of the call."""

    model_config = ConfigDict(extra="forbid")

    scores: dict[Annotated[str, Field(max_length=64)], FiniteFloat] = Field(
        min_length=1, max_length=50
    )
    comment: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _in_range(self) -> SelfAssessmentUpdate:
        for dimension, score in self.scores.items():
            if not 0 <= score <= 100:
                raise ValueError(f"{dimension}: a score is between 0 and 100")
        return self


class SelfAssessmentPublic(ORMModel):
    dimension: str
    score: float
    comment: str
    created_at: datetime


class CalibrationPublic(BaseModel):
    calibration_flag: bool
    threshold_points: float
    dimensions: dict[str, dict[str, float | None]]
