"""Who sees what: every role against calls of its own, its team's and other teams'.
A call someone may not see answers exactly like a call that does not exist."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]

MISSING = 999_999
READS = [
    "",
    "/transcript",
    "/findings",
    "/score",
    "/result",
    "/audio",
    "/reviews",
    "/self-assessment",
    "/calibration",
]


@pytest.fixture(scope="module")
def calls(service) -> dict[str, dict]:
    return {agent: service.new_call(agent) for agent in ("A1", "A2", "B1")}


# (user, agent whose call) -> may read
VISIBLE = {
    ("admin", "A1"): True,
    ("admin", "B1"): True,
    ("qa1", "A1"): True,
    ("qa1", "B1"): True,
    ("lead_a", "A1"): True,
    ("lead_a", "A2"): True,
    ("lead_a", "B1"): False,
    ("lead_b", "A1"): False,
    ("lead_b", "B1"): True,
    ("agent_a1", "A1"): True,
    ("agent_a1", "A2"): False,
    ("agent_a1", "B1"): False,
    ("agent_b1", "B1"): True,
    ("agent_b1", "A1"): False,
}


@pytest.mark.parametrize(("user", "agent"), list(VISIBLE))
def test_reading_a_call(service, calls, user: str, agent: str) -> None:
    call_id = calls[agent]["id"]
    for suffix in READS:
        reply = service.get(f"/api/calls/{call_id}{suffix}", user)
        if VISIBLE[(user, agent)]:
            assert reply.status_code == 200, (suffix, reply.text)
        else:
            missing = service.get(f"/api/calls/{MISSING}{suffix}", user)
            assert reply.status_code == missing.status_code == 404, suffix
            # Same code, same message shape: nothing tells the call exists.
            assert reply.json()["error"]["message"].replace(str(call_id), "N") == missing.json()[
                "error"
            ]["message"].replace(str(MISSING), "N")


@pytest.mark.parametrize(
    ("user", "agents"),
    [("agent_a1", {"A1"}), ("agent_b1", {"B1"}), ("lead_a", {"A1", "A2"}), ("lead_b", {"B1"})],
)
def test_listings_show_only_what_one_may_see(service, calls, user: str, agents: set) -> None:
    listed = service.get("/api/calls?limit=500", user).json()
    assert {c["agent_id"] for c in listed["items"]} == agents
    assert listed["total"] == len(listed["items"])
    other = sorted({"A1", "A2", "B1"} - agents)[0]
    filtered = service.get(f"/api/calls?agent_id={other}", user).json()
    assert filtered == {"items": [], "total": 0, "limit": 50, "offset": 0}


def test_staff_see_every_call(service, calls) -> None:
    for user in ("admin", "qa1"):
        listed = service.get("/api/calls?limit=500", user).json()
        assert {c["id"] for c in calls.values()} <= {c["id"] for c in listed["items"]}


@pytest.mark.parametrize("user", ["agent_a1", "agent_a2", "lead_a", "lead_b"])
def test_only_qa_reviews_and_rescores(service, calls, user: str) -> None:
    call_id = calls["A1"]["id"]
    review = service.post(f"/api/calls/{call_id}/reviews", user, json={"verdicts": []})
    rescore = service.post(f"/api/calls/{call_id}/rescore", user, json={"pack": "en-default"})
    missing = service.post(f"/api/calls/{MISSING}/reviews", user, json={"verdicts": []})
    # Refused by role before the call is looked at: the answer is the same for any id.
    assert review.status_code == rescore.status_code == missing.status_code == 403
    assert review.json() == missing.json()


def test_an_agent_cannot_act_on_another_agents_call(service, calls) -> None:
    theirs, mine = calls["A2"], calls["A1"]
    finding = service.get(f"/api/calls/{mine['id']}/findings", "agent_a1").json()[0]
    for path, body in (
        ("/disputes", {"finding_id": finding["id"], "reason": "not me"}),
        ("/acknowledge", {}),
    ):
        reply = service.post(f"/api/calls/{theirs['id']}{path}", "agent_a1", json=body)
        assert reply.status_code == 404 and reply.json()["error"]["code"] == "not_found"
        assert str(theirs["agent_id"]) not in reply.text
    reply = service.put(
        f"/api/calls/{theirs['id']}/self-assessment",
        "agent_a1",
        json={"scores": {"efficiency": 50}},
    )
    assert reply.status_code == 404
    audit = service.get(f"/api/audit?entity=call&entity_id={theirs['id']}", "admin").json()
    assert all(e["actor_id"] != service.ids["agent_a1"] for e in audit["items"])


def test_supervisors_and_qa_cannot_dispute_for_agents(service, calls) -> None:
    call_id = calls["A1"]["id"]
    finding = service.get(f"/api/calls/{call_id}/findings", "qa1").json()[0]
    for user in ("lead_a", "qa1", "admin"):
        reply = service.post(
            f"/api/calls/{call_id}/disputes",
            user,
            json={"finding_id": finding["id"], "reason": "x"},
        )
        assert reply.status_code == 403


def test_disputes_of_others_are_invisible(service, calls) -> None:
    call = calls["A2"]
    finding = service.get(f"/api/calls/{call['id']}/findings", "agent_a2").json()[0]
    opened = service.post(
        f"/api/calls/{call['id']}/disputes",
        "agent_a2",
        json={"finding_id": finding["id"], "reason": "I did greet"},
    )
    assert opened.status_code == 201, opened.text
    dispute_id = opened.json()["id"]
    for user, visible in (
        ("agent_a1", False),
        ("agent_b1", False),
        ("lead_b", False),
        ("lead_a", True),
        ("qa1", True),
        ("agent_a2", True),
    ):
        reply = service.get(f"/api/disputes/{dispute_id}", user)
        assert reply.status_code == (200 if visible else 404), user
        listed = service.get("/api/disputes", user).json()["items"]
        assert (dispute_id in {d["id"] for d in listed}) is visible, user
    for user in ("agent_a1", "lead_b"):
        reply = service.post(
            f"/api/disputes/{dispute_id}/decision",
            user,
            json={"decision": "overturn", "comment": "sure"},
        )
        assert reply.status_code == 404


@pytest.mark.parametrize("path", ["/api/calls", "/api/disputes", "/api/packs", "/api/auth/me"])
def test_nothing_without_signing_in(service, path: str) -> None:
    reply = service.client.get(path)
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "not_authenticated"
    forged = service.client.get(path, headers={"Authorization": "Bearer not.a.token"})
    assert forged.status_code == 401


@pytest.mark.parametrize("user", ["qa1", "lead_a", "agent_a1"])
def test_accounts_and_audit_are_for_admins(service, user: str) -> None:
    assert service.get("/api/users", user).status_code == 403
    body = {"username": "sneaky", "password": "password123", "role": "admin"}
    assert service.post("/api/users", user, json=body).status_code == 403
    if user != "qa1":
        assert service.get("/api/audit", user).status_code == 403
