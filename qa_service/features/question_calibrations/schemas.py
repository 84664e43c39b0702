"""What a calibration session takes and gives back."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from qa_service.domain.question_spec import Answer
from qa_service.features.schemas import DbId

# One sitting: a reviewer answers every question of every call.
MAX_CALLS = 50
MAX_QUESTIONS = 15
RuleId = Annotated[str, Field(min_length=1, max_length=128)]


class CalibrationCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    call_ids: list[DbId] = Field(min_length=1, max_length=MAX_CALLS)
    # The questions to answer; empty: every question the model answered on these calls.
    rule_ids: list[RuleId] = Field(default_factory=list, max_length=MAX_QUESTIONS)


class BlindAnswerIn(BaseModel):
    call_id: DbId
    rule_id: RuleId
    answer: Answer


class CalibrationAnswers(BaseModel):
    answers: list[BlindAnswerIn] = Field(min_length=1, max_length=MAX_CALLS * MAX_QUESTIONS)
