"""The whole workflow on PostgreSQL: upload, analysis, review, dispute, rescoring, listings."""

from __future__ import annotations

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]


def test_workflow_on_postgresql(pg_service) -> None:
    svc = pg_service
    content = svc.wav()
    call = svc.new_call("A1", queue="billing", started_at="2026-11-03T09:30:00Z")
    again = svc.upload(
        "qa2", [("again.wav", svc.get(f"/api/calls/{call['id']}/audio", "qa1").content)]
    )
    assert again.status_code == 200 and again.json()["calls"][0]["call"]["id"] == call["id"]
    assert (
        svc.upload("qa1", [("x.wav", content)], {"agent_id": "B1", "team": "B"}).status_code == 201
    )
    svc.run_jobs()
    assert {c["agent_id"] for c in svc.get("/api/calls", "agent_a1").json()["items"]} == {"A1"}
    assert svc.get("/api/calls?started_from=2026-11-01T00:00:00Z", "qa1").json()["total"] == 1

    findings = svc.get(f"/api/calls/{call['id']}/findings", "agent_a1").json()
    target = next(f for f in findings if f["points"] < 0 and not f["critical"])
    review = svc.post(
        f"/api/calls/{call['id']}/reviews",
        "qa1",
        json={
            "verdicts": [
                {"finding_id": target["id"], "verdict": "overturned", "reason": "misheard"}
            ]
        },
    )
    assert review.status_code == 201, review.text
    other = next(f for f in findings if f["id"] != target["id"] and not f["critical"])
    dispute = svc.post(
        f"/api/calls/{call['id']}/disputes",
        "agent_a1",
        json={"finding_id": other["id"], "reason": "not what I said"},
    ).json()
    decided = svc.post(
        f"/api/disputes/{dispute['id']}/decision",
        "lead_a",
        json={"decision": "overturn", "comment": "agreed"},
    )
    assert decided.json()["status"] == "overturned"
    state = svc.get(f"/api/calls/{call['id']}", "qa1").json()
    assert (state["overturned_count"], state["disputes_open"]) == (2, 0)
    assert svc.get("/api/disputes?overdue=false", "lead_a").json()["total"] == 1
    rescored = svc.post(
        f"/api/calls/{call['id']}/rescore", "qa1", json={"pack": "en-default", "dry_run": True}
    )
    assert rescored.status_code == 200
    audit = svc.get(f"/api/audit?entity=call&entity_id={call['id']}", "admin").json()
    assert {"call.upload", "review.primary"} <= {e["action"] for e in audit["items"]}
