"""Calls and what the machine found in them: one row per call, per finding, per dimension.

The columns are what KPIs, sampling and review filter and aggregate on; ``result`` keeps the
whole result contract (transcript included) for display and rescoring.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from qa_service.errors import ConflictError, GoneError
from qa_service.store.base import Base, utcnow


class CallStatus(StrEnum):
    queued = "queued"
    processing = "processing"
    analysed = "analysed"
    failed = "failed"


class PurgeStep(StrEnum):
    """What a purge is removing from a call; ``Call.purge_pending`` holds it until done."""

    audio = "audio"  # the recording and files derived from it (retention)
    transcript = "transcript"  # transcript, result text, finding evidence (retention)
    request = "request"  # everything personal, on a deletion request


class PurgeReason(StrEnum):
    retention = "retention"
    request = "request"


class ReviewState(StrEnum):
    none = "none"  # not reviewed by a person
    reviewed = "reviewed"
    second_pending = "second_pending"  # picked for a second reviewer, who has not ruled yet


class Verdict(StrEnum):
    confirmed = "confirmed"
    overturned = "overturned"


# The media format of a call uploaded as transcript JSON: no recording, nothing to play.
TRANSCRIPT_FORMAT = "json"


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_agent_started", "agent_id", "started_at"),
        Index("ix_calls_team_started", "team", "started_at"),
        Index("ix_calls_queue_started", "queue", "started_at"),
        Index("ix_calls_customer_started", "customer_ref", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128), unique=True)
    # Uploads are idempotent by content: the same bytes always map to this one call.
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_path: Mapped[str] = mapped_column(String(512))
    media_format: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Metadata given at upload.
    agent_id: Mapped[str | None] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64))
    queue: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(index=True)
    direction: Mapped[str | None] = mapped_column(String(16))
    customer_ref: Mapped[str | None] = mapped_column(String(128))
    roles: Mapped[str] = mapped_column(String(32), default="agent,customer")
    language_hint: Mapped[str | None] = mapped_column(String(8))
    pack_request: Mapped[str | None] = mapped_column(String(128))
    csat: Mapped[float | None] = mapped_column(Float)
    nps: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict[str, Any] | None]

    # Analysis.
    status: Mapped[str] = mapped_column(String(16), default=CallStatus.queued, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    analysed_at: Mapped[datetime | None]
    language: Mapped[str | None] = mapped_column(String(8))
    duration_s: Mapped[float | None] = mapped_column(Float)
    rule_pack: Mapped[str | None] = mapped_column(String(128))
    scorecard: Mapped[str | None] = mapped_column(String(128))
    score_total: Mapped[float | None] = mapped_column(Float)
    critical_failed: Mapped[bool | None]
    findings_count: Mapped[int | None] = mapped_column(Integer)
    talk_ratio_agent: Mapped[float | None] = mapped_column(Float)
    silence_count: Mapped[int | None] = mapped_column(Integer)
    silence_total_s: Mapped[float | None] = mapped_column(Float)
    longest_silence_s: Mapped[float | None] = mapped_column(Float)
    interruptions_by_agent: Mapped[int | None] = mapped_column(Integer)
    interruptions_by_customer: Mapped[int | None] = mapped_column(Integer)
    customer_sentiment_start: Mapped[float | None] = mapped_column(Float)
    customer_sentiment_end: Mapped[float | None] = mapped_column(Float)
    customer_negative: Mapped[bool | None]
    result: Mapped[dict[str, Any] | None]

    # People's work on it.
    review_state: Mapped[str] = mapped_column(String(16), default=ReviewState.none, index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    # The score after verdicts and the reviewer's adjustment; KPIs prefer it when set.
    reviewed_score: Mapped[float | None] = mapped_column(Float)
    score_adjustment: Mapped[float | None] = mapped_column(Float)
    second_review_required: Mapped[bool] = mapped_column(default=False)
    calibration_flag: Mapped[bool] = mapped_column(default=False)
    acknowledged_at: Mapped[datetime | None]
    disputes_open: Mapped[int] = mapped_column(Integer, default=0)
    disputes_total: Mapped[int] = mapped_column(Integer, default=0)
    overturned_count: Mapped[int] = mapped_column(Integer, default=0)

    # Retention and deletion (features.retention): when the recording and the transcript
    # were removed and why; ``purge_pending`` marks a removal begun but not finished, which
    # the next purge completes (files may already be gone).
    audio_purged_at: Mapped[datetime | None]
    transcript_purged_at: Mapped[datetime | None]
    purge_reason: Mapped[str | None] = mapped_column(String(16))
    purge_pending: Mapped[str | None] = mapped_column(String(16), index=True)

    findings: Mapped[list[FindingRecord]] = relationship(
        back_populates="call", order_by="FindingRecord.position", cascade="all, delete-orphan"
    )
    dimensions: Mapped[list[CallDimension]] = relationship(
        back_populates="call", order_by="CallDimension.dimension", cascade="all, delete-orphan"
    )

    @property
    def has_audio(self) -> bool:
        """False for a text conversation (a chat or transcript uploaded as JSON)."""
        return self.media_format != TRANSCRIPT_FORMAT

    def score_snapshot(self) -> dict[str, Any]:
        """What the audit log records when a score changes."""
        return {
            "rule_pack": self.rule_pack,
            "score_total": self.score_total,
            "critical_failed": self.critical_failed,
            "reviewed_score": self.reviewed_score,
            "score_adjustment": self.score_adjustment,
        }


class FindingRecord(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_call_position", "call_id", "position", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # index in the result's findings list
    rule_id: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(String(16))
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, Any] | None]
    points: Mapped[float] = mapped_column(Float, default=0.0)  # signed points it moved
    critical: Mapped[bool] = mapped_column(default=False)
    verdict: Mapped[str | None] = mapped_column(String(16))
    verdict_reason: Mapped[str | None] = mapped_column(Text)
    disputed: Mapped[bool] = mapped_column(default=False)

    call: Mapped[Call] = relationship(back_populates="findings")


class CallDimension(Base):
    __tablename__ = "call_dimensions"

    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    score: Mapped[float] = mapped_column(Float)
    reviewed_score: Mapped[float | None] = mapped_column(Float)

    call: Mapped[Call] = relationship(back_populates="dimensions")


def require_analysed(call: Call) -> None:
    """Reviews, disputes, rescoring and the result's parts need an analysed call."""
    if call.status != CallStatus.analysed or call.result is None:
        raise ConflictError(f"call {call.id} is {call.status}, not analysed yet")


# The purges under way that have (perhaps) already removed each part of a call.
_REMOVING_AUDIO = (PurgeStep.audio, PurgeStep.request)
_REMOVING_TRANSCRIPT = (PurgeStep.transcript, PurgeStep.request)


def _gone(call: Call, what: str, at: datetime | None) -> GoneError:
    if at is None:
        return GoneError(f"the {what} of call {call.id} is being deleted")
    return GoneError(
        f"the {what} of call {call.id} was deleted by {call.purge_reason} on {at:%Y-%m-%d}"
    )


def require_audio(call: Call) -> None:
    """Playing or analysing the recording: refused (410) once retention or a deletion
    request removed it, or while that is under way."""
    if call.audio_purged_at is not None or call.purge_pending in _REMOVING_AUDIO:
        raise _gone(call, "recording", call.audio_purged_at)
    if not call.has_audio:
        # A text call's stored file is its transcript.
        require_transcript(call)


def require_transcript(call: Call) -> None:
    """Reading or rescoring the transcript: refused (410) once it was purged."""
    if call.transcript_purged_at is not None or call.purge_pending in _REMOVING_TRANSCRIPT:
        raise _gone(call, "transcript", call.transcript_purged_at)


def get_call_by_hash(session: Session, sha256: str) -> Call | None:
    return session.scalar(select(Call).where(Call.content_sha256 == sha256))


def call_id_taken(session: Session, call_id: str) -> bool:
    return session.scalar(select(Call.id).where(Call.call_id == call_id)) is not None


def _points_by_finding(score: dict[str, Any]) -> tuple[dict[int, float], set[int]]:
    points: dict[int, float] = {}
    critical: set[int] = set()
    for entry in score.get("items") or []:
        k = entry.get("finding")
        if k is None:
            continue
        points[k] = points.get(k, 0.0) + float(entry.get("points") or 0.0)
        if entry.get("critical"):
            critical.add(k)
    return points, critical


def _sentiment_summary(result: dict[str, Any]) -> dict[str, Any]:
    summary = (result.get("metrics") or {}).get("sentiment")
    return summary if isinstance(summary, dict) else {}


def apply_result(session: Session, call: Call, result: dict[str, Any]) -> None:
    """Store one analysis (the result contract) on ``call``, replacing any earlier one.

    Replacing, not appending, is what makes a job that ran twice leave one analysis.
    """
    session.execute(delete(FindingRecord).where(FindingRecord.call_id == call.id))
    session.execute(delete(CallDimension).where(CallDimension.call_id == call.id))
    session.expire(call, ["findings", "dimensions"])
    score = result.get("score") or {}
    metrics = result.get("metrics") or {}
    points, critical = _points_by_finding(score)
    for k, f in enumerate(result.get("findings") or []):
        session.add(
            FindingRecord(
                call_id=call.id,
                position=k,
                rule_id=f["rule_id"],
                category=f["category"],
                severity=f.get("severity", "minor"),
                role=f.get("role"),
                start_s=f.get("start"),
                end_s=f.get("end"),
                text=f.get("text", ""),
                evidence=f.get("evidence") or {},
                points=round(points.get(k, 0.0), 2),
                critical=k in critical,
            )
        )
    for dim_id, dim in (score.get("dimensions") or {}).items():
        session.add(
            CallDimension(
                call_id=call.id,
                dimension=dim_id,
                name=str(dim.get("name") or dim_id),
                weight=float(dim.get("weight") or 1.0),
                score=float(dim.get("score") or 0.0),
            )
        )
    sentiment = _sentiment_summary(result)
    negative_count = sentiment.get("customer_negative_count")
    call.result = result
    call.language = result.get("language")
    call.duration_s = result.get("duration_s")
    call.rule_pack = metrics.get("rule_pack")
    call.scorecard = score.get("scorecard")
    call.score_total = score.get("total")
    call.critical_failed = bool(score.get("critical_failed")) if score else None
    call.findings_count = len(result.get("findings") or [])
    call.talk_ratio_agent = metrics.get("talk_ratio_agent")
    call.silence_count = metrics.get("silence_count")
    call.silence_total_s = metrics.get("silence_total_s")
    call.longest_silence_s = metrics.get("longest_silence_s")
    call.interruptions_by_agent = metrics.get("interruptions_by_agent")
    call.interruptions_by_customer = metrics.get("interruptions_by_customer")
    call.customer_sentiment_start = sentiment.get("customer_start")
    call.customer_sentiment_end = sentiment.get("customer_end")
    # Negative by the sentiment model, or by a rule of the pack that says so.
    by_rule = any(f.get("category") == "customer_negative" for f in result.get("findings") or [])
    call.customer_negative = by_rule or (negative_count or 0) > 0
    call.status = CallStatus.analysed
    call.error = None
    call.analysed_at = utcnow()


def result_transcript(call: Call) -> dict[str, Any]:
    """The transcript part of the stored result contract (``apply_result`` stores it)."""
    result = call.result or {}
    return {
        "call_id": call.call_id,
        "language": result.get("language"),
        "duration_s": result.get("duration_s"),
        "channels": result.get("channels") or {},
        "utterances": result.get("utterances") or [],
    }


def result_score(call: Call) -> dict[str, Any]:
    """The score as stored: the columns ``apply_result`` filled and the result's items."""
    score = (call.result or {}).get("score") or {}
    return {
        "rule_pack": call.rule_pack,
        "scorecard": call.scorecard,
        "total": call.score_total,
        "critical_failed": call.critical_failed,
        "reviewed_score": call.reviewed_score,
        "score_adjustment": call.score_adjustment,
        "dimensions": call.dimensions,
        "items": score.get("items") or [],
        "explanation": score.get("explanation"),
    }
