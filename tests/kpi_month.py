"""A generated month of stored calls (November 2026) whose KPIs are known by hand.

Six agents in two teams and three queues, each described by a few counts (which calls
failed critically, complained, went negative, ...). The builder turns the counts into call,
finding, dimension, dispute and follow-up contact rows, inserted straight into the store
with no ASR. ``EXPECTED`` in the tests is worked out from these counts by hand.

Call ``i`` of an agent starts on day ``first_day + i`` at 09:00 (+ one hour per agent).
Scores alternate ``score_even`` / ``score_odd``; durations alternate ``aht - 60`` /
``aht + 60``; the first ``critical`` calls failed critically, the first ``complaints`` have
a complaint finding, the last ``negative`` calls had a negative customer (the first
``recovered`` of them ending at +0.2, the rest at -0.3) and the ``negative_finding`` calls
just before them a customer_negative finding only (ending at +0.5).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from qa_service.store.accounts import User
from qa_service.store.calls import Call, CallDimension, CallStatus, FindingRecord
from qa_service.store.disputes import Dispute
from qa_service.store.migrate import upgrade

NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AgentMonth:
    agent: str
    team: str
    queues: tuple[str, ...]
    n: int = 20
    first_day: int = 1
    aht: float = 300.0
    score_even: float = 80.0
    score_odd: float = 80.0
    reviewed: dict[int, float] | None = None  # call index -> reviewed score
    critical: int = 0
    complaints: int = 0
    overturned_complaint: bool = False  # one more complaint, overturned: must not count
    negative: int = 0
    recovered: int = 0
    negative_finding: int = 0
    silence_s: float = 0.0
    interrupted: int = 0
    csat: tuple[float, ...] = ()
    nps: tuple[int, ...] = ()
    disputes: tuple[str, ...] = ()  # statuses, one dispute on each of the first calls
    # (call index, days later): the same customer calls again (a failed upload of theirs).
    repeats: tuple[tuple[int, float], ...] = ()
    # (call index, call index): the later call is the same customer as the earlier one.
    same_customer: tuple[tuple[int, int], ...] = ()
    no_customer: int = 0  # the last calls have no customer reference
    october: tuple[int, float] = (0, 0.0)  # (calls, duration) in October: the baseline


AGENTS = (
    AgentMonth(
        "a1",
        "T1",
        ("billing", "tech"),
        score_even=90,
        score_odd=70,
        reviewed={1: 100.0},
        critical=2,
        complaints=4,
        overturned_complaint=True,
        negative=5,
        recovered=3,
        negative_finding=1,
        silence_s=30,
        interrupted=5,
        csat=(4, 5) * 5,
        nps=(10, 9, 9, 8, 7, 6, 3),
        disputes=("overturned", "upheld", "open"),
        repeats=((0, 2), (1, 5), (2, 9)),
    ),
    AgentMonth(
        "a2",
        "T1",
        ("sales",),
        aht=240,
        score_even=85,
        score_odd=85,
        negative=2,
        recovered=2,
        silence_s=12,
        same_customer=((5, 6),),
        no_customer=2,
    ),
    AgentMonth(
        "a3",
        "T1",
        ("billing",),
        score_even=75,
        score_odd=65,
        critical=4,
        complaints=2,
        negative=4,
        recovered=1,
        silence_s=60,
        interrupted=10,
        csat=(3, 2) * 10,
        nps=(5,) * 20,
        disputes=("upheld", "upheld"),
        repeats=((10, 3), (11, 7), (12, 8)),  # exactly 3 and exactly 7 days count
        october=(10, 400.0),
    ),
    AgentMonth(
        "a4",
        "T2",
        ("tech",),
        first_day=11,
        aht=330,
        score_even=95,
        score_odd=95,
        complaints=1,
        interrupted=1,
        csat=(5,) * 5,
        nps=(9, 10),
        disputes=("overturned",),
        repeats=((19, 2),),  # Nov 30 -> Dec 2: seen past the period's end
        october=(12, 300.0),
    ),
    AgentMonth(
        "a5",
        "T2",
        ("tech", "sales"),
        n=5,
        aht=200,
        score_even=60,
        score_odd=50,
        critical=1,
        complaints=2,
        negative=1,
        silence_s=20,
        interrupted=2,
        csat=(1,),
    ),
    AgentMonth(
        "a6",
        "T2",
        ("billing",),
        aht=360,
        score_even=88,
        score_odd=82,
        critical=1,
        complaints=3,
        negative=2,
        recovered=1,
        silence_s=36,
        interrupted=4,
        csat=(4,) * 8,
        nps=(9, 8),
        october=(10, 360.0),
    ),
)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def stored_call(call_id: str, **fields) -> Call:
    base = dict(
        call_id=call_id,
        content_sha256=_sha(call_id),
        filename=f"{call_id}.wav",
        media_path=f"/media/{call_id}.wav",
        media_format="wav",
        size_bytes=1000,
        direction="inbound",
        roles="agent,customer",
    )
    base.update(fields)
    return Call(**base)


def _finding(position: int, category: str, verdict: str | None = None) -> FindingRecord:
    return FindingRecord(
        position=position,
        rule_id=f"rule.{category}",
        category=category,
        severity="major",
        role="customer",
        text="",
        verdict=verdict,
    )


def month_calls(spec: AgentMonth, index: int) -> list[Call]:
    """The agent's November calls (and October baseline calls), with findings and dimensions."""
    calls: list[Call] = []
    negative_from = spec.n - spec.negative
    finding_only_from = negative_from - spec.negative_finding
    customers = {i: f"{spec.agent}-cust-{i}" for i in range(spec.n - spec.no_customer)}
    for earlier, later in spec.same_customer:
        customers[later] = customers[earlier]
    for i in range(spec.n):
        started = NOVEMBER + timedelta(days=spec.first_day - 1 + i, hours=9 + index)
        score = spec.score_even if i % 2 == 0 else spec.score_odd
        negative = i >= negative_from
        finding_only = finding_only_from <= i < negative_from
        if negative:
            end = 0.2 if i - negative_from < spec.recovered else -0.3
        else:
            end = 0.5 if finding_only else 0.1
        call = stored_call(
            f"{spec.agent}-{i:02d}",
            agent_id=spec.agent,
            team=spec.team,
            queue=spec.queues[i % len(spec.queues)],
            started_at=started,
            customer_ref=customers.get(i),
            status=CallStatus.analysed,
            duration_s=spec.aht - 60 if i % 2 == 0 else spec.aht + 60,
            score_total=score,
            reviewed_score=(spec.reviewed or {}).get(i),
            critical_failed=i < spec.critical,
            customer_negative=negative,
            customer_sentiment_end=end,
            silence_total_s=spec.silence_s,
            interruptions_by_agent=1 if i < spec.interrupted else 0,
            csat=spec.csat[i] if i < len(spec.csat) else None,
            nps=spec.nps[i] if i < len(spec.nps) else None,
            disputes_total=1 if i < len(spec.disputes) else 0,
        )
        findings = []
        if i < spec.complaints:
            findings.append(_finding(len(findings), "complaint"))
        if spec.overturned_complaint and i == spec.n - 1:
            findings.append(_finding(len(findings), "complaint", verdict="overturned"))
        if finding_only:
            findings.append(_finding(len(findings), "customer_negative"))
        call.findings = findings
        call.dimensions = [
            CallDimension(dimension="courtesy", score=score),
            CallDimension(dimension="compliance", score=0.0 if i < spec.critical else 100.0),
        ]
        calls.append(call)
    for k in range(spec.october[0]):
        calls.append(
            stored_call(
                f"{spec.agent}-oct-{k:02d}",
                agent_id=spec.agent,
                team=spec.team,
                queue=spec.queues[0],
                started_at=datetime(2026, 10, 1 + k, 10, tzinfo=UTC),
                status=CallStatus.analysed,
                duration_s=spec.october[1],
                score_total=80.0,
                critical_failed=False,
            )
        )
    return calls


def follow_ups(spec: AgentMonth, index: int) -> list[Call]:
    """Repeat contacts that failed to analyse: they count as contacts, not as calls."""
    found = []
    for i, days in spec.repeats:
        started = NOVEMBER + timedelta(days=spec.first_day - 1 + i + days, hours=9 + index)
        found.append(
            stored_call(
                f"{spec.agent}-again-{i:02d}",
                agent_id="x-other",
                team="T9",
                queue="billing",
                started_at=started,
                customer_ref=f"{spec.agent}-cust-{i}",
                status=CallStatus.failed,
            )
        )
    return found


def noise() -> list[Call]:
    """Calls no November KPI may count: queued, outside the month."""
    return [
        stored_call(
            "queued-1",
            agent_id="a1",
            team="T1",
            queue="billing",
            started_at=NOVEMBER + timedelta(days=3),
            status=CallStatus.queued,
        ),
        stored_call(
            "dec-1",
            agent_id="a1",
            team="T1",
            queue="billing",
            started_at=datetime(2026, 12, 5, tzinfo=UTC),
            status=CallStatus.analysed,
            duration_s=999.0,
            score_total=10.0,
            critical_failed=True,
        ),
    ]


def insert_month(session) -> dict[str, Call]:
    """Everything above into ``session``; returns the November calls by call id."""
    users = {
        spec.agent: User(
            username=spec.agent,
            role="agent",
            team=spec.team,
            agent_id=spec.agent,
            password_hash="x",
        )
        for spec in AGENTS
    }
    session.add_all(users.values())
    calls: dict[str, Call] = {}
    for index, spec in enumerate(AGENTS):
        for call in month_calls(spec, index):
            calls[call.call_id] = call
        session.add_all(follow_ups(spec, index))
    session.add_all(calls.values())
    session.add_all(noise())
    session.flush()
    for spec in AGENTS:
        for i, status in enumerate(spec.disputes):
            call = calls[f"{spec.agent}-{i:02d}"]
            session.add(
                Dispute(
                    call_id=call.id,
                    finding_id=0,
                    rule_id="rule.any",
                    agent_user_id=users[spec.agent].id,
                    team=spec.team,
                    reason="I disagree",
                    status=status,
                )
            )
    session.flush()
    return calls


BACKENDS = ["sqlite", "postgresql"]


def month_database(request, tmp_path_factory):
    """The month in a fresh database of ``request.param``: the body of a module's fixture."""
    # Imported here: test modules load tests.service_fixtures as a plugin first.
    from tests.service_fixtures import fresh_database

    with fresh_database(request.param, tmp_path_factory.mktemp("kpi"), request) as db:
        upgrade(db)
        with db.session() as session:
            insert_month(session)
        yield db
