"""The agent's home page: an agent lands there after signing in and finds the calls to
acknowledge, their disputes (upheld ones still appealable, with the date the window
closes; open ones waiting on a decision) and their coaching tasks; acknowledging a call
there removes it with a confirmation."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from selenium.webdriver.common.by import By

from tests.web_fixtures import upload_scripted_call
from tests.web_fixtures_browser import page_mark, page_screenshots, sign_in, wait_until

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser"]


def _upload(service, folder, name: str, agent: str, seconds: float) -> dict:
    meta = {"agent_id": agent, "team": "A", "call_id": name}
    return upload_scripted_call(service, folder, name, meta, seconds)[0]


@pytest.fixture(scope="module")
def agenda(live_service, tmp_path_factory) -> dict:
    """Agent A1: three calls; on the first an upheld dispute (appealable) and an open one,
    and a coaching task. Agent A2: one call of their own."""
    folder = tmp_path_factory.mktemp("home")
    calls = [_upload(live_service, folder, f"home-a1-{k}", "A1", 2.0 + k / 10) for k in range(3)]
    other = _upload(live_service, folder, "home-a2-0", "A2", 2.5)
    first = calls[0]["id"]
    with live_service.client("agent_a1") as agent, live_service.client("lead_a") as lead:
        findings = agent.get(f"/api/calls/{first}/findings").json()
        assert len(findings) >= 2, "two findings to dispute"
        disputes = []
        for finding in findings[:2]:
            body = {"finding_id": finding["id"], "reason": "I offered to help."}
            reply = agent.post(f"/api/calls/{first}/disputes", json=body)
            assert reply.status_code == 201, reply.text
            disputes.append(reply.json())
        decision = {"decision": "uphold", "comment": "The phrase is there."}
        upheld = lead.post(f"/api/disputes/{disputes[0]['id']}/decision", json=decision).json()
        assert upheld["status"] == "upheld" and upheld["appeal_until"]
        task = {
            "call_id": first,
            "focus": "Say what you can do, not what you cannot.",
            "due_on": (date.today() + timedelta(days=5)).isoformat(),
            "lines": [0],
        }
        coaching = lead.post("/api/coaching", json=task)
        assert coaching.status_code == 201, coaching.text
    return {
        "calls": calls,
        "other": other,
        "upheld": upheld,
        "open": disputes[1],
        "coaching": coaching.json(),
    }


def test_an_agent_starts_on_their_home_page_and_finds_what_needs_them(live_service, agenda):
    with live_service.page_session("agent_a1") as agent:
        assert agent.get("/").headers["location"] == "/home"
        page = agent.get("/home")
        assert page.status_code == 200
        html = page.text
    acknowledge = re.search(r'<ul class="todo-list" id="ack-list">(.*?)</ul>', html, re.S)
    assert acknowledge
    for call in agenda["calls"]:
        assert f'data-call="{call["id"]}"' in acknowledge.group(1)
    assert agenda["other"]["call_id"] not in html
    upheld = re.search(
        rf'<li class="appealable" data-dispute="{agenda["upheld"]["id"]}">(.*?)</li>', html, re.S
    )
    assert upheld, "an upheld dispute inside its appeal window is listed"
    assert "appeal until" in upheld.group(1)
    assert f'datetime="{agenda["upheld"]["appeal_until"][:16]}' in upheld.group(1)
    assert "Due -" not in html
    waiting = re.search(
        rf'<li class="waiting" data-dispute="{agenda["open"]["id"]}">(.*?)</li>', html, re.S
    )
    assert waiting and "team lead" in waiting.group(1)
    assert agenda["coaching"]["focus"] in html


def test_acknowledged_calls_leave_the_list_and_other_roles_go_elsewhere(live_service, agenda):
    done = agenda["calls"][2]
    with live_service.client("agent_a1") as api:
        assert api.post(f"/api/calls/{done['id']}/acknowledge", json={"comment": ""}).is_success
    with live_service.page_session("agent_a1") as agent:
        html = agent.get("/home").text
    assert f'data-call="{done["id"]}"' not in html
    assert f'data-call="{agenda["calls"][0]["id"]}"' in html
    with live_service.page_session("lead_a") as lead:
        assert lead.get("/home").headers["location"] == "/dashboard"


def test_the_agents_dispute_list_keeps_appealable_disputes_with_their_date(live_service, agenda):
    with live_service.page_session("agent_a1") as agent:
        html = agent.get("/disputes").text
        closed = agent.get("/disputes?status=overturned").text
    row = re.search(rf'data-dispute="{agenda["upheld"]["id"]}">(.*?)</article>', html, re.S)
    assert row, "upheld and appealable: listed by default"
    assert "appeal until" in row.group(1)
    assert f'data-dispute="{agenda["open"]["id"]}"' in html
    assert f'data-dispute="{agenda["upheld"]["id"]}"' not in closed


def test_the_agent_acknowledges_on_the_home_page(browser, live_service, agenda):
    call = agenda["calls"][1]
    sign_in(browser, live_service, "agent_a1")
    assert browser.current_url.endswith("/home")
    page_mark(browser, "ready", 30)
    count = int(browser.find_element(By.ID, "ack-count").text)
    row = browser.find_element(By.CSS_SELECTOR, f"#ack-list li[data-call='{call['id']}']")
    row.find_element(By.CSS_SELECTOR, "button.ack-button").click()
    toast = wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".notice-msg"), 10)
    assert call["call_id"] in toast[0].text
    wait_until(
        browser,
        lambda d: not d.find_elements(By.CSS_SELECTOR, f"#ack-list li[data-call='{call['id']}']"),
        10,
    )
    assert int(browser.find_element(By.ID, "ack-count").text) == count - 1
    assert browser.find_elements(By.CSS_SELECTOR, "#coaching-list .coaching-task")
    with live_service.client("agent_a1") as api:
        assert api.get(f"/api/calls/{call['id']}").json()["acknowledged_at"]
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors
    ready = lambda d: page_mark(d, "ready", 30)  # noqa: E731
    page_screenshots(browser, live_service, "/home", "agent-home", ready)
    page_screenshots(browser, live_service, "/disputes", "agent-disputes")
