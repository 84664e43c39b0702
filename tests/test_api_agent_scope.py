"""Agent-side endpoints (acknowledge, self-assess, dispute) follow the same visibility rule as
reads, against the running service: an agent account without an agent id sees and touches
nothing, and a call without an agent id is nobody's. Refusals do not tell what exists."""

from __future__ import annotations

import pytest

from tests.service_api_fixtures import PASSWORD

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]

ABSENT = 10**6


@pytest.fixture(scope="module")
def svc(service):
    """An agent without an agent id (the id taken away after creation), and calls of
    teams A and B uploaded without any agent id."""
    body = {"username": "agent_noid", "password": PASSWORD, "role": "agent", "team": "A"}
    created = service.post("/api/users", "admin", json=body)
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    cleared = service.patch(f"/api/users/{user_id}", "admin", json={"agent_id": None})
    assert cleared.status_code == 200 and cleared.json()["agent_id"] is None, cleared.text
    service.ids["agent_noid"] = user_id
    service.ids["orphans"] = []
    for team in ("A", "B"):
        reply = service.upload("qa1", [(f"orphan-{team}.wav", service.wav())], {"team": team})
        assert reply.status_code == 201, reply.text
        service.ids["orphans"].append(reply.json()["calls"][0]["call"]["id"])
    service.run_jobs()
    return service


def _actions(call_id: int, finding_id: int) -> list[tuple[str, str, dict]]:
    return [
        ("post", f"/api/calls/{call_id}/acknowledge", {"comment": "seen"}),
        ("put", f"/api/calls/{call_id}/self-assessment", {"scores": {"x": 50}}),
        ("post", f"/api/calls/{call_id}/disputes", {"finding_id": finding_id, "reason": "no"}),
    ]


def _first_finding(svc, call_id: int) -> int:
    findings = svc.get(f"/api/calls/{call_id}/findings", "qa1").json()
    assert findings, "the fake analysis gives every call findings"
    return findings[0]["id"]


def _not_found_alike(reply, absent_reply, call_id: int) -> None:
    """404, word for word what a call that does not exist gets."""
    assert reply.status_code == 404, reply.text
    assert reply.text.replace(str(call_id), "ID") == absent_reply.text.replace(str(ABSENT), "ID")


@pytest.mark.parametrize("agent", ["agent_noid", "agent_a1", "agent_b1"])
def test_no_agent_acts_on_a_call_without_an_agent_id(svc, agent: str) -> None:
    for call_id in svc.ids["orphans"]:
        finding_id = _first_finding(svc, call_id)
        for (method, path, body), (_, absent_path, _) in zip(
            _actions(call_id, finding_id), _actions(ABSENT, finding_id), strict=True
        ):
            absent = getattr(svc, method)(absent_path, agent, json=body)
            _not_found_alike(getattr(svc, method)(path, agent, json=body), absent, call_id)
    call = svc.get(f"/api/calls/{svc.ids['orphans'][0]}", "qa1").json()
    assert call["acknowledged_at"] is None and call["disputes_total"] == 0
    assert svc.get(f"/api/calls/{svc.ids['orphans'][0]}/self-assessment", "qa1").json() == []


def test_an_agent_without_an_agent_id_sees_nothing(svc) -> None:
    own_of_a1 = svc.new_call("A1", started_at="2026-10-05T10:00:00")
    assert svc.get("/api/calls", "agent_noid").json()["total"] == 0
    assert svc.get("/api/disputes", "agent_noid").json()["total"] == 0
    kpis = svc.get("/api/kpi?period=2026-10", "agent_noid")
    assert kpis.status_code == 200 and kpis.json()["rows"] == [], kpis.text
    seen_by_qa = svc.get("/api/kpi?period=2026-10", "qa1").json()["rows"]
    assert "A1" in {r["key"] for r in seen_by_qa}  # there are figures to hide
    for call_id in (*svc.ids["orphans"], own_of_a1["id"]):
        assert svc.get(f"/api/calls/{call_id}", "agent_noid").status_code == 404
        for method, path, body in _actions(call_id, _first_finding(svc, call_id)):
            assert getattr(svc, method)(path, "agent_noid", json=body).status_code == 404


def test_dispute_refusals_do_not_tell_which_findings_exist(svc) -> None:
    own = svc.new_call("A1")
    other = _first_finding(svc, svc.ids["orphans"][1])
    answers = []
    for finding_id in (other, ABSENT):
        body = {"finding_id": finding_id, "reason": "not me"}
        reply = svc.post(f"/api/calls/{own['id']}/disputes", "agent_a1", json=body)
        assert reply.status_code == 422, reply.text
        answers.append(reply.json()["error"]["message"].replace(str(finding_id), "ID"))
    assert answers[0] == answers[1]
    assert str(svc.ids["orphans"][1]) not in answers[0]
    ok = svc.post(
        f"/api/calls/{own['id']}/disputes",
        "agent_a1",
        json={"finding_id": _first_finding(svc, own["id"]), "reason": "not me"},
    )
    assert ok.status_code == 201, ok.text
