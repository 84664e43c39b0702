"""A service with something on every page, for the sweeps that visit every page of every
role (phones, languages): a month of KPI rows, two analysed calls of agent A1 (one failing
the standard scorecard, with findings), a dispute on one of its findings and a review plan.

The pages each role opens, with the ids filled in, are ``site_pages(site, role)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.kpi_month import insert_month
from tests.web_fixtures import LiveService, upload_scripted_call

RUDE = (
    ("agent", "What do you want?"),
    ("customer", "I was charged twice for my subscription."),
    ("agent", "I already told you, that is not my department."),
    ("customer", "This is ridiculous, I want to make a complaint."),
    ("agent", "I already told you, call the bank."),
    ("customer", "Fine."),
)
PERIOD = "2026-11"
# A user of each role and the pages the navigation bar gives them (plus a call's page).
ROLE_USERS = {"agent": "agent_a1", "supervisor": "lead_a", "qa": "qa1", "admin": "admin"}


@dataclass(frozen=True)
class Site:
    service: LiveService
    call_id: int  # the failed call's database id
    plan_id: int
    agent_names: dict[str, str]  # agent id -> full name given to the account


def _upload_rude_call(service: LiveService, folder) -> dict:
    meta = {
        "agent_id": "A1",
        "team": "A",
        "queue": "billing",
        "call_id": "site-rude-1",
        "started_at": f"{PERIOD}-25T10:00:00Z",
    }
    return upload_scripted_call(service, folder, "site-rude", meta, turns=RUDE)[0]


@pytest.fixture(scope="module")
def site(live_service: LiveService, tmp_path_factory) -> Site:
    names = {"A1": "Li Lei", "A2": "Wang Fang"}
    with live_service.client("admin") as admin:
        for username, agent in (("agent_a1", "A1"), ("agent_a2", "A2")):
            reply = admin.patch(
                f"/api/users/{live_service.ids[username]}", json={"full_name": names[agent]}
            )
            assert reply.status_code == 200, reply.text
    with live_service.app.state.db.session() as session:
        insert_month(session)
    call = _upload_rude_call(live_service, tmp_path_factory.mktemp("site"))
    with live_service.client("qa1") as qa:
        findings = qa.get(f"/api/calls/{call['id']}/findings").json()
        assert findings, "the rude call has findings"
        plan = qa.post("/api/sampling/plans", json={"period": PERIOD, "rate": 0.3, "seed": 3})
        assert plan.status_code == 201, plan.text
    with live_service.client("agent_a1") as agent:
        body = {"finding_id": findings[0]["id"], "reason": "The customer asked me to be brief."}
        reply = agent.post(f"/api/calls/{call['id']}/disputes", json=body)
        assert reply.status_code == 201, reply.text
    return Site(live_service, call["id"], plan.json()["id"], names)


def site_pages(site: Site, role: str) -> list[str]:
    """Every page a user of ``role`` reaches from the menu, and a call's page."""
    call = f"/calls/{site.call_id}"
    everyone = ["/calls", call, "/disputes?status="]
    if role == "agent":
        return everyone
    dashboard = [f"/dashboard?period={PERIOD}", f"/dashboard?period={PERIOD}&by=team"]
    if role == "supervisor":
        return [*dashboard, *everyone]
    return [
        "/qa/queue",
        f"/qa/queue?plan={site.plan_id}",
        "/qa/upload",
        "/qa/packs",
        "/qa/packs/pack/en-default",
        "/qa/packs/pack/zh-default",
        "/qa/packs/scorecard/standard",
        *dashboard,
        *everyone,
    ]
