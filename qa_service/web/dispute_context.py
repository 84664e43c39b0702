"""What the dispute inbox shows beside each dispute so it can be ruled from there: the
disputed finding's lines (personal data masked), the moment to play, the points at stake,
and people by name with their usernames."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.domain.pii import redact_result
from qa_service.features.calls.privacy import call_spans
from qa_service.features.disputes.schemas import DisputePublic
from qa_service.features.packs.names import PackNames
from qa_service.store.accounts import User
from qa_service.store.calls import Call, FindingRecord
from qa_service.web.call_view import compact_utterances, deleted_view, finding_lines

# Lines of a finding the inbox quotes; the call page has the rest.
QUOTED_LINES = 3


def dispute_rule_names(
    session: Session, names: PackNames, disputes: Sequence[Any]
) -> dict[int, str]:
    """Dispute id -> the disputed rule's name in the reader's language ("" when its pack is
    gone: the page shows the category then, never the id)."""
    packs = dict(
        session.execute(
            select(Call.id, Call.rule_pack).where(Call.id.in_({d.call_id for d in disputes}))
        ).all()
    )
    return {d.id: names.rule(packs.get(d.call_id), d.rule_id) for d in disputes}


def people_labels(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """User id -> "Full Name (username)", or the username alone when no name was given."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, User.full_name, User.username).where(User.id.in_(wanted))
    )
    return {i: f"{full} ({username})" if full else username for i, full, username in rows}


def _transcript(call: Call) -> tuple[list[list[Any]], list[int]]:
    """The call's lines in time order, masked; none when its transcript is (being) deleted."""
    if not call.result or deleted_view(call)["transcript"] is not None:
        return [], []
    spans = call_spans(call)
    result = redact_result(call.result, spans) if spans else call.result
    return compact_utterances(result)


def _context(
    finding: FindingRecord, call: Call, rows: list[list[Any]], position: list[int]
) -> dict[str, Any]:
    starts = [r[1] or 0.0 for r in rows]
    found = finding_lines(finding, rows, starts, position, call.duration_s)
    # A finding about the call as a whole has no moment to quote or play.
    lines = found or []
    quoted = [
        {"role": rows[i][0], "start": rows[i][1], "end": rows[i][2], "text": rows[i][3]}
        for i in lines[:QUOTED_LINES]
    ]
    # The finding's own moment; a finding without one plays the lines it is about.
    start, end = finding.start_s, finding.end_s
    if start is None and quoted:
        start, end = quoted[0]["start"], quoted[-1]["end"]
    playable = found is not None and call.has_audio and deleted_view(call)["audio"] is None
    playable = playable and start is not None
    return {
        "category": finding.category,
        "severity": finding.severity,
        "points": finding.points,
        "critical": finding.critical,
        "lines": quoted,
        "more_lines": max(0, len(lines) - QUOTED_LINES),
        "start": start,
        "end": end if end is not None and start is not None and end > start else None,
        "audio_url": f"/api/calls/{call.id}/audio" if playable else None,
    }


def dispute_contexts(
    session: Session, disputes: Sequence[DisputePublic], hidden: set[int] | None = None
) -> dict[int, dict]:
    """Dispute id -> its finding's context (absent when the finding is gone or ``hidden``)."""
    disputes = [d for d in disputes if d.id not in (hidden or set())]
    findings = {
        f.id: f
        for f in session.scalars(
            select(FindingRecord).where(FindingRecord.id.in_({d.finding_id for d in disputes}))
        )
    }
    calls = {
        c.id: c
        for c in session.scalars(select(Call).where(Call.id.in_({d.call_id for d in disputes})))
    }
    transcripts: dict[int, tuple[list[list[Any]], list[int]]] = {}
    out = {}
    for dispute in disputes:
        finding, call = findings.get(dispute.finding_id), calls.get(dispute.call_id)
        if finding is None or call is None:
            continue
        if call.id not in transcripts:
            transcripts[call.id] = _transcript(call)
        out[dispute.id] = _context(finding, call, *transcripts[call.id])
    return out
