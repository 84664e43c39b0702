"""Disputes: team lead, then a reviewer one level up, then a final ruling, each with a
working-day deadline and an overdue flag; overturned findings leave the score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from qa_service.features.disputes.deadlines import add_working_days
from qa_service.store.disputes import Dispute

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]


def _dispute(service, agent: str = "A1", user: str = "agent_a1") -> tuple[dict, dict, dict]:
    call = service.new_call(agent)
    finding = next(
        f
        for f in service.get(f"/api/calls/{call['id']}/findings", user).json()
        if f["points"] < 0 and not f["critical"]
    )
    reply = service.post(
        f"/api/calls/{call['id']}/disputes",
        user,
        json={"finding_id": finding["id"], "reason": "I did say it"},
    )
    assert reply.status_code == 201, reply.text
    return call, finding, reply.json()


def _decide(service, dispute_id: int, user: str, decision: str, comment: str = "looked at it"):
    return service.post(
        f"/api/disputes/{dispute_id}/decision",
        user,
        json={"decision": decision, "comment": comment},
    )


def test_a_dispute_opens_at_the_team_lead_with_a_deadline(service) -> None:
    call, finding, dispute = _dispute(service)
    assert (dispute["stage"], dispute["status"], dispute["overdue"]) == ("team_lead", "open", False)
    opened = datetime.fromisoformat(dispute["opened_at"])
    assert datetime.fromisoformat(dispute["due_at"]) == add_working_days(opened, 3)
    state = service.get(f"/api/calls/{call['id']}", "agent_a1").json()
    assert (state["disputes_open"], state["disputes_total"]) == (1, 1)
    again = service.post(
        f"/api/calls/{call['id']}/disputes",
        "agent_a1",
        json={"finding_id": finding["id"], "reason": "again"},
    )
    assert again.status_code == 409


def test_team_lead_overturns_and_the_score_follows(service) -> None:
    call, finding, dispute = _dispute(service)
    assert _decide(service, dispute["id"], "lead_b", "overturn").status_code == 404
    assert _decide(service, dispute["id"], "qa1", "overturn").status_code == 403  # not their step
    reply = _decide(service, dispute["id"], "lead_a", "overturn", "the greeting is there")
    assert reply.status_code == 200, reply.text
    assert (reply.json()["status"], reply.json()["due_at"]) == ("overturned", None)
    findings = {f["id"]: f for f in service.get(f"/api/calls/{call['id']}/findings", "qa1").json()}
    assert findings[finding["id"]]["verdict"] == "overturned"
    state = service.get(f"/api/calls/{call['id']}", "qa1").json()
    assert (state["disputes_open"], state["overturned_count"]) == (0, 1)
    assert state["reviewed_score"] is not None
    assert _decide(service, dispute["id"], "lead_a", "uphold").status_code == 409


def test_upheld_appealed_to_reviewer_then_final_ruling(service) -> None:
    _call, _finding, dispute = _dispute(service)
    upheld = _decide(service, dispute["id"], "lead_a", "uphold", "the phrase is in the audio")
    assert upheld.json()["status"] == "upheld" and upheld.json()["appeal_until"]
    appeal = service.post(
        f"/api/disputes/{dispute['id']}/appeal", "agent_a1", json={"reason": "listen at 0:07"}
    )
    assert appeal.status_code == 200, appeal.text
    assert (appeal.json()["stage"], appeal.json()["status"]) == ("reviewer", "open")
    assert _decide(service, dispute["id"], "lead_a", "uphold").status_code == 403
    escalated = _decide(service, dispute["id"], "qa1", "escalate", "needs the QA lead")
    assert escalated.json()["stage"] == "final"
    # The reviewer who escalated does not give the final ruling.
    assert _decide(service, dispute["id"], "qa1", "overturn").status_code == 403
    final = _decide(service, dispute["id"], "qa2", "uphold", "finding stands")
    assert final.json()["status"] == "upheld" and final.json()["appeal_until"] is None
    steps = [(s["stage"], s["decision"]) for s in final.json()["steps"]]
    assert steps == [("team_lead", "uphold"), ("reviewer", "escalate"), ("final", "uphold")]
    assert all(s["due_at"] for s in final.json()["steps"])
    again = service.post(f"/api/disputes/{dispute['id']}/appeal", "agent_a1", json={"reason": "x"})
    assert again.status_code == 409
    assert _decide(service, dispute["id"], "admin", "escalate").status_code == 409
    audit = service.get(f"/api/audit?entity=dispute&entity_id={dispute['id']}", "qa1").json()
    assert [e["action"] for e in reversed(audit["items"])] == [
        "dispute.open",
        "dispute.uphold",
        "dispute.appeal",
        "dispute.escalate",
        "dispute.uphold",
    ]
    assert audit["items"][0]["before"]["stage"] == "final"


def test_overdue_disputes_are_flagged_and_filtered(service) -> None:
    _call, _finding, dispute = _dispute(service, "A2", "agent_a2")
    with service.db.session() as session:
        session.execute(
            update(Dispute)
            .where(Dispute.id == dispute["id"])
            .values(due_at=datetime.now(UTC) - timedelta(hours=1))
        )
    shown = service.get(f"/api/disputes/{dispute['id']}", "lead_a").json()
    assert shown["overdue"] is True
    overdue = service.get("/api/disputes?overdue=true", "lead_a").json()["items"]
    assert dispute["id"] in {d["id"] for d in overdue}
    on_time = service.get("/api/disputes?overdue=false", "lead_a").json()["items"]
    assert dispute["id"] not in {d["id"] for d in on_time}


def test_the_final_ruling_cannot_be_escalated(service) -> None:
    _call, _finding, dispute = _dispute(service)
    _decide(service, dispute["id"], "lead_a", "escalate")
    _decide(service, dispute["id"], "qa1", "escalate")
    reply = _decide(service, dispute["id"], "admin", "escalate")
    assert reply.status_code == 422 and "final" in reply.json()["error"]["message"]


def test_a_finding_of_another_call_cannot_be_disputed(service) -> None:
    call = service.new_call("A1")
    other = service.new_call("A1")
    finding = service.get(f"/api/calls/{other['id']}/findings", "agent_a1").json()[0]
    reply = service.post(
        f"/api/calls/{call['id']}/disputes",
        "agent_a1",
        json={"finding_id": finding["id"], "reason": "x"},
    )
    assert reply.status_code == 422


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (datetime(2026, 11, 23, 10, tzinfo=UTC), 3, datetime(2026, 11, 26, 10, tzinfo=UTC)),  # Mon
        (datetime(2026, 11, 27, 10, tzinfo=UTC), 3, datetime(2026, 12, 2, 10, tzinfo=UTC)),  # Fri
        (datetime(2026, 11, 28, 10, tzinfo=UTC), 1, datetime(2026, 11, 30, 10, tzinfo=UTC)),  # Sat
        (datetime(2026, 11, 23, 10, tzinfo=UTC), 0, datetime(2026, 11, 23, 10, tzinfo=UTC)),
    ],
)
def test_working_days(start: datetime, days: int, due: datetime) -> None:
    assert add_working_days(start, days) == due


def test_the_thread_shows_each_partys_statement_and_ruling_with_times(service) -> None:
    """The appeal's reason reaches the next decider, not only the audit log."""
    renamed = service.patch(
        f"/api/users/{service.ids['lead_a']}", "admin", json={"full_name": "Lin Team-Lead"}
    )
    assert renamed.status_code == 200, renamed.text
    _call, finding, dispute = _dispute(service)
    assert dispute["category"] == finding["category"], "named by its category, not its rule id"
    _decide(service, dispute["id"], "lead_a", "uphold", "the phrase is in the audio")
    appeal = service.post(
        f"/api/disputes/{dispute['id']}/appeal",
        "agent_a1",
        json={"reason": "at 0:07 the customer interrupts before I can greet"},
    )
    assert appeal.status_code == 200, appeal.text
    shown = service.get(f"/api/disputes/{dispute['id']}", "qa1").json()
    thread = [(e["kind"], e["stage"], e["by_name"], e["text"]) for e in shown["thread"]]
    assert thread == [
        ("dispute", "team_lead", "agent_a1", "I did say it"),
        ("decision", "team_lead", "Lin Team-Lead", "the phrase is in the audio"),
        ("appeal", "reviewer", "agent_a1", "at 0:07 the customer interrupts before I can greet"),
    ]
    assert shown["thread"][1]["decision"] == "uphold"
    times = [datetime.fromisoformat(e["at"]) for e in shown["thread"]]
    assert times == sorted(times) and times[0] == datetime.fromisoformat(shown["opened_at"])
    assert [s["statement"] for s in shown["steps"]][1].startswith("at 0:07")
    listed = service.get("/api/disputes", "qa1", params={"stage": "reviewer"}).json()["items"]
    (same,) = [d for d in listed if d["id"] == dispute["id"]]
    assert same["thread"] == shown["thread"] and same["agent_name"] == "agent_a1"
    # An escalation opens the next step without a statement from the agent.
    _decide(service, dispute["id"], "qa1", "escalate", "needs the QA lead")
    after = service.get(f"/api/disputes/{dispute['id']}", "qa1").json()
    kinds = [e["kind"] for e in after["thread"]]
    assert kinds == ["dispute", "decision", "appeal", "decision"]
