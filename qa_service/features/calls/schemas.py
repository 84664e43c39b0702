"""What goes in and out of the calls feature: upload metadata, calls, findings, scores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qa_service.analysis.pipeline import CHANNEL_NAMES, parse_roles
from qa_service.features.schemas import MAX_DB_INT, FiniteFloat, Moment, ORMModel

ID = r"^[^\x00-\x1f/\\]{1,128}$"
SHORT = r"^[^\x00-\x1f]{1,64}$"
ExtraValue = (
    Annotated[str, Field(max_length=1000)]
    | Annotated[int, Field(ge=-MAX_DB_INT, le=MAX_DB_INT)]
    | FiniteFloat
    | bool
    | None
)


class CallMetadata(BaseModel):
    """What the uploader tells about a recording. Unknown keys are refused, not dropped."""

    model_config = ConfigDict(extra="forbid")

    call_id: str | None = Field(None, pattern=ID, description="Default: the file name's stem.")
    agent_id: str | None = Field(None, pattern=SHORT)
    team: str | None = Field(None, pattern=SHORT)
    queue: str | None = Field(None, pattern=SHORT)
    started_at: Moment | None = Field(None, description="ISO 8601; no offset means UTC.")
    direction: Literal["inbound", "outbound"] | None = None
    customer_ref: str | None = Field(None, pattern=ID)
    channels: str | dict[str, str] | None = Field(
        None, description="Roles of the left,right channels: 'agent,customer' (default)."
    )
    language: Literal["zh", "en"] | None = None
    pack: str | None = Field(
        None, max_length=200, description="Rule pack NAME or NAME@VERSION; default by language."
    )
    csat: float | None = Field(None, ge=0, le=100, description="On the centre's own scale.")
    nps: int | None = Field(None, ge=0, le=10, description="The customer's 0-10 answer.")
    extra: dict[Annotated[str, Field(max_length=64)], ExtraValue] = Field(
        default_factory=dict, max_length=50
    )

    @field_validator("started_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @field_validator("channels")
    @classmethod
    def _roles(cls, value: str | dict[str, str] | None) -> str | None:
        if value is None:
            return None
        if isinstance(value, dict):
            if set(value) != set(CHANNEL_NAMES):
                raise ValueError("a channel map names 'left' and 'right'")
            value = ",".join(value[name] for name in CHANNEL_NAMES)
        return ",".join(parse_roles(value))


# The metadata fields by name, in declaration order: upload form fields, manifest columns and
# file-name pattern fields all come from this one list (``extra`` holds the rest).
METADATA_FIELDS = tuple(name for name in CallMetadata.model_fields if name != "extra")


class JobPublic(ORMModel):
    id: int
    status: str
    attempts: int
    max_attempts: int
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class CallPublic(ORMModel):
    id: int
    call_id: str
    filename: str
    media_format: str
    size_bytes: int
    created_at: datetime
    agent_id: str | None
    team: str | None
    queue: str | None
    started_at: datetime | None
    direction: str | None
    customer_ref: str | None
    roles: str
    csat: float | None
    nps: int | None
    status: str
    error: str | None
    analysed_at: datetime | None
    language: str | None
    duration_s: float | None
    rule_pack: str | None
    score_total: float | None
    critical_failed: bool | None
    findings_count: int | None
    review_state: str
    reviewed_score: float | None
    reviewed_at: datetime | None
    second_review_required: bool
    calibration_flag: bool
    acknowledged_at: datetime | None
    disputes_open: int
    disputes_total: int
    overturned_count: int
    audio_purged_at: datetime | None = Field(
        None, description="When retention or a deletion request removed the recording."
    )
    transcript_purged_at: datetime | None = Field(
        None, description="When the transcript and findings' evidence were removed."
    )
    purge_reason: Literal["retention", "request"] | None = None


WITHHELD_DOC = (
    "Evaluation questions whose model answers are withheld from you until you answer them in "
    "an open calibration session (or it is closed); while any is, the score is withheld too "
    "(null, no dimensions or items)."
)


class CallDetail(CallPublic):
    job: JobPublic | None = None
    withheld_questions: list[str] = Field(default_factory=list, description=WITHHELD_DOC)


class UploadedCall(BaseModel):
    filename: str
    created: bool = Field(description="False when the same bytes were uploaded before.")
    call: CallPublic


class UploadResult(BaseModel):
    calls: list[UploadedCall]


class TranscriptPublic(BaseModel):
    call_id: str
    language: str | None
    duration_s: float | None
    channels: dict[str, str]
    utterances: list[dict[str, Any]]


class FindingPublic(ORMModel):
    id: int
    position: int
    rule_id: str
    # The rule's name in the reader's language (the API's findings; "" where not named).
    rule_name: str = ""
    category: str
    severity: str
    role: str | None
    start_s: float | None
    end_s: float | None
    text: str
    evidence: dict[str, Any] | None
    points: float
    critical: bool
    verdict: str | None
    verdict_reason: str | None
    disputed: bool


class DimensionPublic(ORMModel):
    dimension: str
    name: str
    weight: float
    score: float
    reviewed_score: float | None


class ScorePublic(BaseModel):
    rule_pack: str | None
    scorecard: str | None
    total: float | None
    critical_failed: bool | None
    reviewed_score: float | None
    score_adjustment: float | None
    dimensions: list[DimensionPublic]
    items: list[dict[str, Any]]
    # The arithmetic from findings to total (domain.score_explanation); None for results
    # scored before it existed.
    explanation: dict[str, Any] | None = None
    withheld_questions: list[str] = Field(default_factory=list, description=WITHHELD_DOC)


class RescoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pack: str = Field(min_length=1, max_length=200, description="Rule pack NAME or NAME@VERSION.")
    dry_run: bool = Field(False, description="Return the new score without storing it.")


class RescoreResult(BaseModel):
    stored: bool
    rule_pack: str
    before: dict[str, Any]
    score: dict[str, Any]
    findings: list[dict[str, Any]]
