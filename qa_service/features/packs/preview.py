"""Trying an edited rule pack on stored calls before saving it: the findings it would add
and remove, and the score each call would get. Stored transcripts only (no audio, no ASR),
nothing is written, and the number of calls is bounded (each is a full run of the checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qa_service.analysis import inspect
from qa_service.config import Settings
from qa_service.domain.results import CallResult
from qa_service.domain.rulepack import Problem, RulePackError
from qa_service.engines.registry import Engines
from qa_service.errors import QAError
from qa_service.features.packs.names import rule_name
from qa_service.features.packs.service import create_version, load_version
from qa_service.store.accounts import User
from qa_service.store.calls import Call, CallStatus
from qa_service.store.packs import DocumentKind

MAX_PREVIEW_CALLS = 30
DEFAULT_PREVIEW_CALLS = 10


@dataclass(slots=True)
class CallPreview:
    id: int
    call_id: str
    score_before: float | None
    score_after: float | None
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "call_id": self.call_id,
            "score_before": self.score_before,
            "score_after": self.score_after,
            "added": self.added,
            "removed": self.removed,
        }


@dataclass(slots=True)
class PackPreview:
    name: str | None = None
    problems: list[Problem] = field(default_factory=list)
    calls: list[CallPreview] = field(default_factory=list)


def _key(finding: dict[str, Any]) -> tuple[str, float | None]:
    """One finding across two runs: its rule and where it starts (to the tenth second)."""
    start = finding.get("start")
    return str(finding.get("rule_id")), None if start is None else round(float(start), 1)


def _brief(finding: dict[str, Any]) -> dict[str, Any]:
    return {k: finding.get(k) for k in ("rule_id", "category", "severity", "start", "text")}


def diff_findings(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(added, removed): findings of ``after`` not in ``before``, and the other way round."""
    old, new = {_key(f) for f in before}, {_key(f) for f in after}
    added = [_brief(f) for f in after if _key(f) not in old]
    removed = [_brief(f) for f in before if _key(f) not in new]
    return added, removed


def preview_calls(session: Session, name: str, limit: int) -> list[Call]:
    """The newest analysed calls this pack scored (any version), transcripts kept."""
    limit = max(1, min(limit, MAX_PREVIEW_CALLS))
    query = (
        select(Call)
        .where(
            Call.status == CallStatus.analysed,
            Call.result.is_not(None),
            Call.transcript_purged_at.is_(None),
            Call.purge_pending.is_(None),
            or_(Call.rule_pack == name, Call.rule_pack.like(f"{name}@%")),
        )
        .order_by(Call.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def preview_pack(
    session: Session,
    settings: Settings,
    user: User,
    content: str,
    engines: Engines,
    limit: int = DEFAULT_PREVIEW_CALLS,
    language: str | None = None,
) -> PackPreview:
    """The draft's problems (nothing runs then), else what it would change on the newest
    calls its pack scored. The draft is loaded exactly as saving would load it, in a
    transaction that is rolled back."""
    try:
        version = create_version(session, settings, user, DocumentKind.pack, content, "")
        name, pack = version.name, load_version(settings, version)
    except RulePackError as exc:
        return PackPreview(problems=exc.structured)
    except QAError as exc:
        return PackPreview(problems=[Problem((), exc.message)])
    finally:
        session.rollback()
    found = PackPreview(name=name)
    for call in preview_calls(session, name, limit):
        stored = call.result or {}
        result = inspect.apply(CallResult.from_dict(stored), pack, engines).to_dict()
        added, removed = diff_findings(stored.get("findings") or [], result["findings"])
        for finding in (*added, *removed):
            # A rule the draft no longer has is named by nothing: the page shows its category.
            finding["rule_name"] = rule_name(pack, str(finding.get("rule_id")), language)
        after = (result.get("score") or {}).get("total")
        found.calls.append(
            CallPreview(call.id, call.call_id, call.score_total, after, added, removed)
        )
    return found
