from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from qa_service.features.schemas import ORMModel


class PackVersionCreate(BaseModel):
    """A rule pack or scorecard YAML document; its name is the one inside it."""

    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, max_length=1024 * 1024)
    comment: str = Field("", max_length=2000)


class PackVersionPublic(ORMModel):
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
