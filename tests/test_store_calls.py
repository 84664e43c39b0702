"""Calls and findings in the database: what KPIs aggregate is in real columns, one analysis
per call however often it is stored, and times stay UTC on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from qa_service.store.calls import Call, CallDimension, CallStatus, FindingRecord, apply_result
from qa_service.store.db import Database

pytest_plugins = ["tests.service_fixtures"]

STARTED = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def _result(total: float, categories: list[str], negative: int = 1) -> dict:
    findings = [
        {
            "rule_id": f"r-{c}",
            "category": c,
            "severity": "major",
            "role": "agent",
            "start": float(k),
            "end": k + 1.0,
            "text": c,
            "evidence": {"k": k},
        }
        for k, c in enumerate(categories)
    ]
    items = [
        {
            "item": f"i{k}",
            "dimension": "service",
            "points": -10.0,
            "critical": c == "forbidden_phrase",
            "finding": k,
            "rule_id": f"r-{c}",
            "category": c,
        }
        for k, c in enumerate(categories)
    ]
    return {
        "version": 1,
        "call_id": "x",
        "language": "zh",
        "duration_s": 61.5,
        "channels": {"left": "agent", "right": "customer"},
        "utterances": [],
        "findings": findings,
        "score": {
            "total": total,
            "critical_failed": "forbidden_phrase" in categories,
            "dimensions": {
                "service": {"name": "Service", "weight": 60, "score": total},
                "efficiency": {"name": "Efficiency", "weight": 40, "score": 90.0},
            },
            "items": items,
            "scorecard": "standard",
        },
        "metrics": {
            "rule_pack": "zh-default",
            "talk_ratio_agent": 0.55,
            "silence_count": 2,
            "silence_total_s": 9.5,
            "longest_silence_s": 6.0,
            "interruptions_by_agent": 3,
            "interruptions_by_customer": 1,
            "sentiment": {
                "customer_start": -0.4,
                "customer_end": 0.2,
                "customer_negative_count": negative,
            },
        },
        "metadata": {},
        "source": {},
    }


def _call(session, name: str, agent: str, started: datetime = STARTED) -> Call:
    call = Call(
        call_id=name,
        content_sha256=name.ljust(64, "0"),
        filename=f"{name}.wav",
        media_path=f"recordings/{name}.wav",
        media_format="wav",
        size_bytes=10,
        agent_id=agent,
        team="T1",
        queue="billing",
        started_at=started,
    )
    session.add(call)
    session.flush()
    return call


def test_a_result_fills_the_columns_kpis_aggregate(database: Database) -> None:
    with database.session() as session:
        call = _call(session, "c1", "A1")
        apply_result(session, call, _result(70.0, ["complaint", "forbidden_phrase"]))
    with database.session() as session:
        call = session.scalar(select(Call).where(Call.call_id == "c1"))
        assert (call.status, call.score_total, call.critical_failed) == (
            CallStatus.analysed,
            70.0,
            True,
        )
        assert (call.duration_s, call.language, call.rule_pack) == (61.5, "zh", "zh-default")
        assert (call.silence_count, call.silence_total_s, call.interruptions_by_agent) == (
            2,
            9.5,
            3,
        )
        assert (call.customer_sentiment_start, call.customer_sentiment_end) == (-0.4, 0.2)
        assert call.customer_negative is True and call.findings_count == 2
        assert [(f.category, f.points, f.critical) for f in call.findings] == [
            ("complaint", -10.0, False),
            ("forbidden_phrase", -10.0, True),
        ]
        assert {d.dimension: d.score for d in call.dimensions} == {
            "service": 70.0,
            "efficiency": 90.0,
        }
        assert call.result["findings"][1]["evidence"] == {"k": 1}
        assert call.started_at == STARTED and call.started_at.tzinfo is not None


def test_storing_again_replaces_the_analysis(database: Database) -> None:
    """A job that ran twice (a worker died after storing) leaves one analysis."""
    with database.session() as session:
        call = _call(session, "c2", "A1")
        apply_result(session, call, _result(50.0, ["complaint", "pii", "silence"]))
        apply_result(session, call, _result(80.0, ["silence"], negative=0))
    with database.session() as session:
        assert session.scalar(select(func.count(FindingRecord.id))) == 1
        assert session.scalar(select(func.count()).select_from(CallDimension)) == 2
        call = session.scalar(select(Call))
        assert (call.score_total, call.findings_count, call.customer_negative) == (80.0, 1, False)


def test_the_same_bytes_or_call_id_cannot_be_stored_twice(database: Database) -> None:
    with database.session() as session:
        _call(session, "c3", "A1")
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(
            Call(
                call_id="other",
                content_sha256="c3".ljust(64, "0"),
                filename="f",
                media_path="p",
                media_format="wav",
                size_bytes=1,
            )
        )
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(
            Call(
                call_id="c3",
                content_sha256="f" * 64,
                filename="f",
                media_path="p",
                media_format="wav",
                size_bytes=1,
            )
        )


def test_kpi_style_aggregation_runs_in_sql(database: Database) -> None:
    with database.session() as session:
        for k, (agent, total, cats) in enumerate(
            [("A1", 60.0, ["complaint"]), ("A1", 80.0, []), ("A2", 90.0, ["complaint", "pii"])]
        ):
            call = _call(session, f"k{k}", agent, STARTED + timedelta(days=k))
            apply_result(session, call, _result(total, cats))
    with database.session() as session:
        rows = session.execute(
            select(Call.agent_id, func.avg(Call.score_total), func.count(Call.id))
            .where(Call.started_at >= STARTED, Call.started_at < STARTED + timedelta(days=30))
            .group_by(Call.agent_id)
            .order_by(Call.agent_id)
        ).all()
        complaints = session.execute(
            select(Call.agent_id, func.count(FindingRecord.id))
            .join(FindingRecord)
            .where(FindingRecord.category == "complaint")
            .group_by(Call.agent_id)
            .order_by(Call.agent_id)
        ).all()
    assert [(a, float(avg), n) for a, avg, n in rows] == [("A1", 70.0, 2), ("A2", 90.0, 1)]
    assert [tuple(r) for r in complaints] == [("A1", 1), ("A2", 1)]


def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), database.session() as session:
        _call(session, "naive", "A1", started=datetime(2026, 1, 1))
