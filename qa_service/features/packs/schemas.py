"""Rule packs and scorecards as the API and the pages show them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PackVersionCreate(BaseModel):
    """A rule pack or scorecard YAML document; its name is the one inside it."""

    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, max_length=1024 * 1024)
    comment: str = Field("", max_length=2000)


class PackVersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    name: str
    version: int
    label: str
    sha256: str
    scorecard_name: str | None
    comment: str
    created_by: int | None
    created_at: datetime


class PackVersionDetail(PackVersionPublic):
    content: str
    scorecard_content: str | None


class PackSummary(BaseModel):
    name: str
    builtin: bool
    latest_version: int | None
    versions: list[PackVersionPublic]


class ProblemPublic(BaseModel):
    """One reason a document is refused, where the editor can mark it."""

    file: str
    line: int | None
    loc: list[str | int]
    field: str
    message: str


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["pack", "scorecard"]
    content: str = Field(max_length=1024 * 1024)


class ValidateResult(BaseModel):
    ok: bool
    name: str | None
    problems: list[ProblemPublic]
