"""Everything the call review page shows, gathered in one pass and sent as one JSON document.

The transcript goes as compact rows (``[role, start, end, text, sentiment]``) without word
timings: a 60-minute call is a few hundred kilobytes, and the page renders it without
another request. Findings carry their rule's explanation, the points they cost and the
scorecard dimensions they moved.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.domain.llm_questions import QUESTION_CATEGORY
from qa_service.domain.transcript_lines import time_order
from qa_service.features.access import (
    PII_VIEW,
    has_permission,
    is_own_call,
    is_staff,
    may_decide,
    visible_disputes,
)
from qa_service.features.calls.explanation import call_explanation
from qa_service.features.calls.privacy import call_spans, mask_finding_rows, shown_result
from qa_service.features.calls.schemas import CallPublic, FindingPublic
from qa_service.features.calls.withheld import SCORE_FIELDS, visible_findings
from qa_service.features.disputes.service import public_many
from qa_service.features.packs.names import PackNames
from qa_service.features.question_calibrations.service import Withheld, withheld_on_call
from qa_service.features.reviews.scores import calibration
from qa_service.features.reviews.service import review_views
from qa_service.store.accounts import AccountRole, User
from qa_service.store.base import utcnow
from qa_service.store.calls import Call, CallStatus, PurgeReason, PurgeStep, ReviewState
from qa_service.store.db import Database
from qa_service.store.disputes import Dispute, DisputeStatus
from qa_service.store.reviews import SelfAssessment
from qa_service.store.sampling_queries import plan_progress, plan_queue
from qa_service.web.coaching_view import call_coaching
from qa_service.web.queries import usernames

CHANNELS = ("left", "right")
MONO = "mono"
# A finding spanning this share of the call is about the call as a whole (too few courtesy
# phrases): listed, but not pinned to lines or drawn as a region over the whole waveform.
WHOLE_CALL_SHARE = 0.9


def compact_utterances(result: dict[str, Any]) -> tuple[list[list[Any]], list[int]]:
    """Rows in time order, and where each of the result's utterances went among them."""
    utterances = result.get("utterances") or []
    order = time_order(utterances)
    rows = []
    for k in order:
        u = utterances[k]
        sentiment = u.get("sentiment") or {}
        row = [u.get("role"), u.get("start"), u.get("end"), u.get("text", "")]
        rows.append([*row, sentiment.get("label")])
    position = [0] * len(utterances)
    for line, k in enumerate(order):
        position[k] = line
    return rows, position


def finding_lines(
    finding: Any,
    rows: list[list[Any]],
    starts: list[float],
    position: list[int],
    duration: float | None,
) -> list[int] | None:
    """The transcript lines a finding is about; None when it is about the whole call.

    The check's own evidence names utterances where it can (the phrase's line, the lines
    searched for a greeting); otherwise the lines of the same role overlapping its time.
    """
    evidence = finding.evidence or {}
    named = [evidence.get("utterance"), *(evidence.get("searched_utterances") or [])]
    # An evaluation question's answer rests on the lines the model cited.
    named += [c.get("index") for c in evidence.get("cited") or [] if isinstance(c, dict)]
    named = sorted({position[k] for k in named if isinstance(k, int) and 0 <= k < len(position)})
    if named:
        return named
    if finding.start_s is None:
        return None
    start, end = finding.start_s, max(finding.end_s or finding.start_s, finding.start_s)
    if duration and end - start >= WHOLE_CALL_SHARE * duration:
        return None
    lines = [
        i
        for i in range(bisect_right(starts, end) - 1, -1, -1)
        if (rows[i][2] or rows[i][1] or 0.0) >= start and finding.role in (None, rows[i][0])
    ]
    if lines:
        return sorted(lines)
    # A gap (a silence, a hold): the line it follows.
    before = bisect_right(starts, start) - 1
    return [before] if before >= 0 else None


def channel_roles(call: Call) -> dict[str, str]:
    """``{"left": role, "right": role}``, or ``{"mono": "agent+customer"}`` for one channel."""
    given = (call.result or {}).get("channels") or {}
    known = {k: v for k, v in given.items() if k in (*CHANNELS, MONO)}
    if known:
        return known
    return dict(zip(CHANNELS, call.roles.split(","), strict=False))


def _dimensions_by_finding(score: dict[str, Any]) -> dict[int, list[str]]:
    moved: dict[int, list[str]] = defaultdict(list)
    for item in score.get("items") or []:
        if item.get("finding") is not None and item.get("dimension"):
            moved[item["finding"]].append(item["dimension"])
    return moved


def findings_view(
    call: Call,
    names: PackNames,
    rows: list[list[Any]],
    position: list[int],
    explanation: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    moved = _dimensions_by_finding((call.result or {}).get("score") or {})
    # Why a finding counted fewer points than its item gives (a cap, once per call, ...).
    limits = {x["finding"]: x for x in (explanation or {}).get("limited_findings") or []}
    starts = [r[1] or 0.0 for r in rows]
    out = []
    for finding in call.findings:
        row = FindingPublic.model_validate(finding).model_dump(mode="json")
        # Names and explanations in the reader's language; the id stays for tooltips.
        row["rule_name"] = names.rule(call.rule_pack, finding.rule_id)
        row["description"] = names.rule_description(call.rule_pack, finding.rule_id)
        if finding.category == QUESTION_CATEGORY and finding.evidence:
            # A scorecard question, not a rule: the question and the model's answer.
            row["description"] = (
                f"{finding.evidence.get('question', '')} → {finding.evidence.get('answer')}"
            )
        row["dimensions"] = sorted(set(moved.get(finding.position, [])))
        row["limit"] = limits.get(finding.position)
        lines = finding_lines(finding, rows, starts, position, call.duration_s)
        row["lines"] = lines or []
        row["whole_call"] = lines is None
        out.append(row)
    return out


def dimensions_view(call: Call, names: dict[str, str]) -> list[dict[str, Any]]:
    """``names``: the scorecard's dimension names in the reader's language (the stored
    name is the result's, in English)."""
    scored = ((call.result or {}).get("score") or {}).get("dimensions") or {}
    out = []
    for dim in call.dimensions:
        extra = scored.get(dim.dimension) or {}
        out.append(
            {
                "id": dim.dimension,
                "name": names.get(dim.dimension) or dim.name,
                "weight": dim.weight,
                "score": dim.score,
                "reviewed_score": dim.reviewed_score,
                "lost": extra.get("lost", 0.0),
                "gained": extra.get("gained", 0.0),
            }
        )
    return out


def named_explanation(
    explanation: dict[str, Any] | None, names: PackNames, call: Call
) -> dict[str, Any] | None:
    """The score's explanation with its dimensions and rules named in the reader's language."""
    if not explanation:
        return explanation
    known = names.dimensions(call.rule_pack)
    dimensions = [
        {**d, "name": known.get(d.get("id"), d.get("name"))}
        for d in explanation.get("dimensions") or []
    ]
    limited = [
        {**x, "rule_name": names.rule(call.rule_pack, str(x.get("rule_id")))}
        for x in explanation.get("limited_findings") or []
    ]
    named = {**explanation, "dimensions": dimensions, "limited_findings": limited}
    if explanation.get("critical"):
        critical = explanation["critical"]
        items = [
            {**c, "name": names.item(call.rule_pack, str(c.get("item")))}
            for c in critical.get("items") or []
        ]
        named["critical"] = {**critical, "items": items}
    return named


def disputes_view(
    session: Session, user: User, call: Call, withheld: Withheld | None = None
) -> list[dict[str, Any]]:
    """``withheld``: disputes of answers an open calibration session hides are left out
    (an agent's statement argues with the model's answer)."""
    rows = session.scalars(
        select(Dispute)
        .where(Dispute.call_id == call.id, visible_disputes(user))
        .order_by(Dispute.id)
    ).all()
    if withheld is not None:
        rows = [d for d in rows if d.rule_id not in withheld.rule_ids]
    now = utcnow()
    out = []
    for dispute, public in zip(rows, public_many(session, rows, user), strict=True):
        view = public.model_dump(mode="json")
        view["can_decide"] = dispute.status == DisputeStatus.open and may_decide(user, dispute)
        view["can_appeal"] = (
            dispute.agent_user_id == user.id
            and dispute.status == DisputeStatus.upheld
            and dispute.appeal_until is not None
            and now <= dispute.appeal_until
        )
        out.append(view)
    names = usernames(session, [s["decided_by"] for d in out for s in d["steps"]])
    for view in out:
        for step in view["steps"]:
            step["decided_by_name"] = names.get(step["decided_by"], "")
    return out


def reviews_view(
    session: Session, user: User, call: Call, withheld: Withheld | None
) -> list[dict[str, Any]]:
    out = review_views(session, user, call, withheld)
    names = usernames(session, [r["reviewer_id"] for r in out])
    for review in out:
        review["reviewer_name"] = names.get(review["reviewer_id"], "")
    return out


def self_assessment_view(session: Session, call: Call) -> dict[str, float]:
    rows = session.scalars(select(SelfAssessment).where(SelfAssessment.call_id == call.id))
    return {a.dimension: a.score for a in rows}


def queue_position(session: Session, plan_id: int, call: Call) -> dict[str, Any]:
    """Where this call stands in a plan's review queue, and the next call still to review."""
    rows = plan_queue(session, plan_id)
    order = {c.id: k for k, (_item, c) in enumerate(rows)}
    here = order.get(call.id, -1)
    pending = [c.id for _item, c in rows if c.review_state == ReviewState.none and c.id != call.id]
    after = [i for i in pending if order[i] > here]
    reviewed, _total = plan_progress(session, plan_id)
    return {
        "plan_id": plan_id,
        "position": here + 1 if here >= 0 else None,
        "total": len(rows),
        "reviewed": reviewed,
        "next_call_id": (after or pending or [None])[0],
    }


def deleted_view(call: Call) -> dict[str, Any]:
    """What retention or a deletion request removed, and when ("" while under way)."""

    def removed(at: Any, steps: tuple[str, ...]) -> str | None:
        if at is not None:
            return f"{at:%Y-%m-%d}"
        return "" if call.purge_pending in steps else None

    request = (PurgeStep.request,)
    return {
        "audio": removed(call.audio_purged_at, (PurgeStep.audio, *request)),
        "transcript": removed(call.transcript_purged_at, (PurgeStep.transcript, *request)),
        "reason": call.purge_reason
        or (PurgeReason.request if call.purge_pending in request else PurgeReason.retention),
    }


def withheld_view(withheld: Withheld | None) -> dict[str, Any] | None:
    """The page's notice: per open session, how many of its questions' answers are hidden."""
    if withheld is None:
        return None
    sessions = [
        {"id": s.calibration_id, "name": s.name, "questions": len(s.rule_ids)}
        for s in withheld.sessions
    ]
    return {"questions": len(withheld.rule_ids), "sessions": sessions}


def call_page_data(
    session: Session,
    settings: Settings,
    user: User,
    call: Call,
    plan_id: int | None = None,
    db: Database | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """``db``: where a view of personal data is audited (``privacy.record_view``);
    ``language``: the reader's, for the names of rules and dimensions."""
    analysed = call.status == CallStatus.analysed and call.result is not None
    own = is_own_call(user, call)
    staff = is_staff(user)
    deleted = deleted_view(call)
    playable = call.has_audio and not deleted["audio"]
    # The model's answers an open calibration session holds back, and with them the score.
    withheld = withheld_on_call(session, user, call.id)
    public = CallPublic.model_validate(call).model_dump(mode="json")
    data: dict[str, Any] = {
        "call": {**public, **dict.fromkeys(SCORE_FIELDS)} if withheld else public,
        "withheld": withheld_view(withheld),
        "analysed": analysed,
        # The review draft kept in the browser is per reviewer (web/static/js/call/draft.js).
        "user_id": user.id,
        "roles": channel_roles(call),
        "has_audio": playable,
        "deleted": deleted,
        "audio_url": f"/api/calls/{call.id}/audio" if playable else None,
        "peaks_url": f"/calls/{call.id}/peaks.json" if playable else None,
        # A review rules on every finding, the withheld ones too: refused until answered.
        "can": {
            "acknowledge": own and analysed,
            "dispute": own and analysed,
            "review": staff and withheld is None,
        },
        "queue": queue_position(session, plan_id, call) if plan_id and staff else None,
    }
    if not analysed:
        return data
    spans = call_spans(call)
    # A transcript being deleted is not shown any more, even before its rows are scrubbed.
    result = shown_result(session, user, call, "page", db) if deleted["transcript"] is None else {}
    flagged, table = calibration(session, settings, call)
    rows, position = compact_utterances(result)
    names = PackNames(session, settings, language)
    explanation = call_explanation(result, names.pack(call.rule_pack))
    explanation = named_explanation(explanation, names, call)
    findings = findings_view(call, names, rows, position, explanation)
    if spans and not has_permission(user, PII_VIEW):
        findings = mask_finding_rows(findings, call.result or {}, spans)
    data.update(
        utterances=rows,
        # Taken out here, the answers have no marker on the transcript or the waveform.
        findings=visible_findings(findings, withheld),
        explanation=None if withheld else explanation,
        dimensions=[] if withheld else dimensions_view(call, names.dimensions(call.rule_pack)),
        self_assessment=self_assessment_view(session, call),
        calibration={"flag": flagged, "dimensions": {} if withheld else table},
        disputes=disputes_view(session, user, call, withheld),
        reviews=reviews_view(session, user, call, withheld)
        if staff or user.role == AccountRole.supervisor
        else [],
        duration_s=result.get("duration_s") or call.duration_s,
        coaching=call_coaching(session, user, call),
    )
    return data
