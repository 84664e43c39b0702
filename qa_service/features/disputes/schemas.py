from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from qa_service.features.schemas import DbId, ORMModel
from qa_service.store.disputes import Decision


class DisputeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding_id: DbId
    reason: str = Field(min_length=1, max_length=5000)


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    comment: str = Field(min_length=1, max_length=5000)


class AppealCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=5000)


class DisputeStepPublic(ORMModel):
    stage: str
    opened_at: datetime
    due_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    decision: str | None
    comment: str
    statement: str


class DisputeEntryPublic(BaseModel):
    """One message of a dispute's thread: the agent's statement or a decider's ruling."""

    kind: Literal["dispute", "appeal", "decision"]
    stage: str
    by: int | None
    by_name: str
    at: datetime | None
    text: str
    decision: str | None = None


class DisputePublic(ORMModel):
    id: int
    call_id: int
    finding_id: int
    rule_id: str
    agent_user_id: int
    team: str | None
    reason: str
    stage: str
    status: str
    due_at: datetime | None
    appeal_until: datetime | None
    opened_at: datetime
    closed_at: datetime | None
    overdue: bool = False
    steps: list[DisputeStepPublic]
    agent_name: str = ""
    # The disputed finding's category, so a page can name it in words, not by rule id.
    category: str = ""
    withheld: bool = Field(
        default=False,
        description="The disputed model answer is withheld from you by an open calibration "
        "session you have not answered yet: the statements and rulings are left out "
        "(reason, steps' texts and thread empty) until you answer or it is closed.",
    )
    thread: list[DisputeEntryPublic] = Field(default_factory=list)
