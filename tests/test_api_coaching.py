"""Coaching: QA or the team's supervisor assigns a task from a call or a finding, with the
call lines attached and a due date; the agent sees it, acknowledges it and marks it done;
open and overdue tasks are counted per agent; every step is in the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from qa_service.store.coaching import CoachingTask

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]


def _in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def _assign(service, call: dict, as_: str = "qa1", **fields):
    findings = service.get(f"/api/calls/{call['id']}/findings", "qa1").json()
    finding = next(f for f in findings if f["points"] < 0)
    body = {
        "call_id": call["id"],
        "finding_id": finding["id"],
        "focus": "Offer the refund before the customer asks",
        "due_on": _in_days(7),
        "lines": [2, 0, 2],
        **fields,
    }
    return service.post("/api/coaching", as_, json=body), finding


@pytest.fixture(scope="module")
def call_a1(service) -> dict:
    return service.new_call("A1")


def test_qa_assigns_from_a_finding_and_only_the_right_people_see_it(service, call_a1):
    reply, finding = _assign(service, call_a1)
    assert reply.status_code == 201, reply.text
    task = reply.json()
    assert task["agent_user_id"] == service.ids["agent_a1"]
    assert (task["status"], task["overdue"], task["lines"]) == ("open", False, [0, 2])
    assert task["finding_id"] == finding["id"] and task["category"] == finding["category"]
    assert task["call_ref"] == call_a1["call_id"] and task["created_by_name"] == "qa1"
    # The attached lines' words, in the transcript's time order.
    transcript = service.get(f"/api/calls/{call_a1['id']}/transcript", "qa1").json()
    ordered = sorted(transcript["utterances"], key=lambda u: u["start"])
    assert [x["text"] for x in task["excerpt"]] == [ordered[0]["text"], ordered[2]["text"]]
    for user in ("agent_a1", "lead_a", "qa2", "admin"):
        assert service.get(f"/api/coaching/{task['id']}", user).status_code == 200, user
        listed = service.get("/api/coaching", user).json()["items"]
        assert task["id"] in {t["id"] for t in listed}, user
    for user in ("agent_a2", "lead_b", "agent_b1"):
        assert service.get(f"/api/coaching/{task['id']}", user).status_code == 404, user
        listed = service.get("/api/coaching", user).json()["items"]
        assert task["id"] not in {t["id"] for t in listed}, user


def test_who_may_assign(service, call_a1):
    assert _assign(service, call_a1, "agent_a1")[0].status_code == 403
    # Another team's supervisor does not even see the call.
    assert _assign(service, call_a1, "lead_b")[0].status_code == 404
    reply, _finding = _assign(service, call_a1, "lead_a", finding_id=None, lines=[])
    assert reply.status_code == 201, reply.text
    assert reply.json()["finding_id"] is None and reply.json()["excerpt"] == []


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"lines": [100_000]}, 422),  # beyond any transcript: refused by the schema
        ({"lines": [900]}, 422),  # beyond this call's lines
        ({"lines": list(range(51))}, 422),
        ({"due_on": _in_days(-1)}, 422),
        ({"due_on": "2400-01-01"}, 422),
        ({"focus": ""}, 422),
        ({"focus": "x" * 2001}, 422),
        ({"unknown": 1}, 422),
        ({"call_id": 2**31}, 422),
        ({"finding_id": 999_999}, 422),
    ],
)
def test_bad_tasks_are_refused(service, call_a1, fields, status):
    reply, _finding = _assign(service, call_a1, **fields)
    assert reply.status_code == status, reply.text


def test_a_call_without_an_agent_account_cannot_be_coached(service):
    call = service.new_call("Z9")
    reply, _finding = _assign(service, call)
    assert reply.status_code == 422
    assert "no agent account" in reply.json()["error"]["message"]


def test_the_agent_acknowledges_then_marks_it_done(service, call_a1):
    task = _assign(service, call_a1)[0].json()
    path = f"/api/coaching/{task['id']}"
    # The agent neither edits the task nor cancels it; another agent cannot touch it.
    assert service.patch(path, "agent_a1", json={"focus": "nothing"}).status_code == 403
    assert service.patch(path, "agent_a1", json={"status": "cancelled"}).status_code == 403
    assert service.patch(path, "agent_a2", json={"status": "done"}).status_code == 404
    assert service.patch(path, "agent_a1", json={}).status_code == 422
    seen = service.patch(path, "agent_a1", json={"status": "acknowledged"})
    assert seen.status_code == 200, seen.text
    assert seen.json()["status"] == "acknowledged" and seen.json()["acknowledged_at"]
    assert service.patch(path, "agent_a1", json={"status": "acknowledged"}).status_code == 409
    done = service.patch(path, "agent_a1", json={"status": "done", "note": "practised twice"})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["note"]) == ("done", "practised twice")
    assert done.json()["done_at"]
    assert service.patch(path, "agent_a1", json={"status": "done"}).status_code == 409
    assert service.patch(path, "qa1", json={"focus": "late edit"}).status_code == 409
    audit = service.get(f"/api/audit?entity=coaching&entity_id={task['id']}", "qa1").json()
    actions = [e["action"] for e in reversed(audit["items"])]
    assert actions == ["coaching.assign", "coaching.acknowledged", "coaching.done"]
    assert audit["items"][0]["after"]["note"] == "practised twice"


def test_the_coach_edits_and_cancels(service, call_a1):
    task = _assign(service, call_a1)[0].json()
    path = f"/api/coaching/{task['id']}"
    assert service.patch(path, "lead_b", json={"focus": "x"}).status_code == 404
    assert service.patch(path, "lead_a", json={"status": "done"}).status_code == 403
    assert service.patch(path, "lead_a", json={"note": "mine"}).status_code == 403
    edited = service.patch(path, "lead_a", json={"focus": "Confirm the amount", "lines": [1]})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["focus"], edited.json()["lines"]) == ("Confirm the amount", [1])
    cancelled = service.patch(path, "qa1", json={"status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    assert service.patch(path, "agent_a1", json={"status": "done"}).status_code == 409
    audit = service.get(f"/api/audit?entity=coaching&entity_id={task['id']}", "qa1").json()
    edit = audit["items"][1]
    assert edit["action"] == "coaching.edit"
    assert (edit["before"]["lines"], edit["after"]["lines"]) == ([0, 2], [1])


def test_overdue_tasks_are_flagged_filtered_and_counted_per_agent(service):
    call = service.new_call("A2")
    task = _assign(service, call)[0].json()
    with service.db.session() as session:
        session.execute(
            update(CoachingTask)
            .where(CoachingTask.id == task["id"])
            .values(due_on=date.today() - timedelta(days=2))
        )
    assert service.get(f"/api/coaching/{task['id']}", "agent_a2").json()["overdue"] is True
    late = service.get("/api/coaching?overdue=true", "lead_a").json()["items"]
    assert [t["id"] for t in late] == [task["id"]]
    on_time = service.get("/api/coaching?overdue=false&active=true", "lead_a").json()["items"]
    assert task["id"] not in {t["id"] for t in on_time} and on_time
    summary = {s["agent_id"]: s for s in service.get("/api/coaching/summary", "lead_a").json()}
    assert summary["A2"]["overdue"] == 1 and summary["A2"]["open"] >= 1
    assert summary["A1"]["overdue"] == 0 and summary["A1"]["done"] >= 1
    assert "B1" not in summary
    assert service.get("/api/coaching/summary", "lead_b").json() == []
    assert service.get("/api/coaching/summary", "agent_a2").status_code == 403


def test_a_number_typed_into_a_task_is_masked_for_the_agent(service, call_a1):
    focus = "Read back the callback number 13812345678 before ending"
    reply, _ = _assign(service, call_a1, focus=focus)
    assert reply.status_code == 201, reply.text
    path = f"/api/coaching/{reply.json()['id']}"
    # QA holds pii:view and reads what was typed; the agent and the supervisor do not.
    assert service.get(path, "qa1").json()["focus"] == focus
    for user in ("agent_a1", "lead_a"):
        shown = service.get(path, user).json()["focus"]
        assert "13812345678" not in shown and "[PHONE]" in shown, (user, shown)
    done = service.patch(path, "agent_a1", json={"status": "acknowledged"})
    assert done.status_code == 200 and "13812345678" not in done.json()["focus"]
