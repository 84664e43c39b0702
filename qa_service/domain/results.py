"""The analysis result of one call: the result contract of DESIGN.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qa_service.domain.transcript import Transcript, Utterance
from qa_service.domain.vocabulary import Channel

RESULT_VERSION = 1

# Finding categories shared by every rule pack (DESIGN.md); packs may add their own.
CATEGORIES = (
    "greeting_missing",
    "closing_missing",
    "courtesy_low",
    "deflection",
    "forbidden_phrase",
    "interruption",
    "silence",
    "hold_unannounced",
    "speech_rate",
    "empathy_missing",
    "risk_disclosure_missing",
    "complaint",
    "escalation",
    "customer_negative",
    "agent_negative",
    "repetition",
    "late_answer",
    "pii",
)


@dataclass(slots=True)
class Finding:
    rule_id: str
    category: str
    severity: str
    role: str | None
    start: float | None
    end: float | None
    text: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "category": self.category,
            "severity": self.severity,
            "role": self.role,
            "start": None if self.start is None else round(self.start, 3),
            "end": None if self.end is None else round(self.end, 3),
            "text": self.text,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            rule_id=data["rule_id"],
            category=data["category"],
            severity=data.get("severity", "minor"),
            role=data.get("role"),
            start=data.get("start"),
            end=data.get("end"),
            text=data.get("text", ""),
            evidence=dict(data.get("evidence") or {}),
        )


@dataclass(slots=True)
class CallScore:
    total: float | None = None
    dimensions: dict[str, Any] = field(default_factory=dict)
    critical_failed: bool = False
    items: list[dict[str, Any]] = field(default_factory=list)
    scorecard: str | None = None
    # A failed call: the total without the failing findings, and what failed it.
    without_critical: float | None = None
    critical_items: list[dict[str, Any]] = field(default_factory=list)
    # The arithmetic from findings to total (domain.score_explanation); None in results
    # written before it.
    explanation: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "total": self.total,
            "dimensions": self.dimensions,
            "critical_failed": self.critical_failed,
        }
        if self.items:
            data["items"] = self.items
        if self.scorecard:
            data["scorecard"] = self.scorecard
        if self.critical_failed and self.without_critical is not None:
            data["without_critical"] = self.without_critical
            data["critical_items"] = self.critical_items
        if self.explanation is not None:
            data["explanation"] = self.explanation
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> CallScore:
        data = data or {}
        return cls(
            total=data.get("total"),
            dimensions=dict(data.get("dimensions") or {}),
            critical_failed=bool(data.get("critical_failed", False)),
            items=list(data.get("items") or []),
            scorecard=data.get("scorecard"),
            without_critical=data.get("without_critical"),
            critical_items=list(data.get("critical_items") or []),
            explanation=data.get("explanation"),
        )


@dataclass(slots=True)
class CallResult:
    call_id: str
    transcript: Transcript
    findings: list[Finding] = field(default_factory=list)
    score: CallScore = field(default_factory=CallScore)
    metrics: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        t = self.transcript
        return {
            "version": RESULT_VERSION,
            "call_id": self.call_id,
            "language": t.language,
            "duration_s": round(t.duration_s, 3),
            "channels": dict(t.channels),
            "channel": t.channel,
            "timestamps": "real" if t.real_timestamps else "none",
            "utterances": [u.to_dict() for u in t.utterances],
            "findings": [f.to_dict() for f in self.findings],
            "score": self.score.to_dict(),
            "metrics": self.metrics,
            "metadata": self.metadata,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallResult:
        transcript = Transcript(
            utterances=[Utterance.from_dict(u) for u in data.get("utterances") or []],
            language=data.get("language"),
            duration_s=float(data.get("duration_s") or 0.0),
            channels=dict(data.get("channels") or {}),
            channel=str(data.get("channel") or Channel.voice),
            real_timestamps=data.get("timestamps", "real") == "real",
        )
        return cls(
            call_id=str(data.get("call_id") or "call"),
            transcript=transcript,
            findings=[Finding.from_dict(f) for f in data.get("findings") or []],
            score=CallScore.from_dict(data.get("score")),
            metrics=dict(data.get("metrics") or {}),
            metadata=dict(data.get("metadata") or {}),
            source=dict(data.get("source") or {}),
        )
