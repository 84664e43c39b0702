from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from qa_service.features.schemas import DbId, ORMModel
from qa_service.store.coaching import CoachingStatus

# A transcript line's position (MAX_UTTERANCES bounds a stored transcript) and how many
# lines one task may attach.
LinePosition = Annotated[int, Field(ge=0, le=20_000)]
MAX_LINES = 50
FOCUS_MAX = 2000


def sane_day(value: date | None) -> date | None:
    """A due date between 2000 and 2199, else a 422."""
    if value is not None and not date(2000, 1, 1) <= value < date(2200, 1, 1):
        raise ValueError("a date between 2000 and 2199 is needed")
    return value


DueDay = Annotated[date, AfterValidator(sane_day)]


class CoachingCreate(BaseModel):
    """A task for the agent of ``call_id``; ``finding_id`` when it comes from a finding."""

    model_config = ConfigDict(extra="forbid")

    call_id: DbId
    finding_id: DbId | None = None
    focus: str = Field(min_length=1, max_length=FOCUS_MAX, description="What to practise.")
    due_on: DueDay
    lines: list[LinePosition] = Field(default_factory=list, max_length=MAX_LINES)


class CoachingUpdate(BaseModel):
    """The coach edits ``focus``, ``due_on`` and ``lines`` or sets ``status`` to cancelled;
    the agent sets ``status`` to acknowledged or done (``note``: their word on it)."""

    model_config = ConfigDict(extra="forbid")

    focus: str | None = Field(None, min_length=1, max_length=FOCUS_MAX)
    due_on: DueDay | None = None
    lines: list[LinePosition] | None = Field(None, max_length=MAX_LINES)
    status: CoachingStatus | None = None
    note: str | None = Field(None, max_length=FOCUS_MAX)


class CoachingLine(BaseModel):
    """An attached line as anyone may see it: personal data masked."""

    line: int
    role: str | None
    start: float | None
    end: float | None
    text: str


class CoachingPublic(ORMModel):
    id: int
    call_id: int
    finding_id: int | None
    agent_user_id: int
    team: str | None
    focus: str
    due_on: date
    lines: list[int]
    status: CoachingStatus
    note: str
    created_by: int
    created_at: datetime
    acknowledged_at: datetime | None
    done_at: datetime | None
    overdue: bool = False
    # For the pages: the call's own id, names instead of user ids, the finding's category,
    # the attached lines' words.
    call_ref: str = ""
    agent_id: str | None = None
    agent_name: str = ""
    created_by_name: str = ""
    category: str = ""
    excerpt: list[CoachingLine] = Field(default_factory=list)


class CoachingAgentSummary(BaseModel):
    """An agent's coaching at a glance, for the dashboard."""

    agent_user_id: int
    agent_id: str | None
    agent_name: str
    team: str | None
    open: int
    overdue: int
    done: int
