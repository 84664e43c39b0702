"""Coaching in a real browser: the team's supervisor assigns a task from a finding of a call
(the finding's lines attached, a due date), the dashboard counts it for the agent, the agent
finds it on the coaching page, acknowledges it and marks it done; every step is audited."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.web_fixtures import upload_scripted_call
from tests.web_fixtures_browser import (
    console_errors,
    page_mark,
    page_screenshots,
    sign_in,
    wait_until,
)

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser"]

FOCUS = "Own the problem: offer to check the charge yourself."


@pytest.fixture(scope="module")
def call(live_service, tmp_path_factory) -> dict:
    """A call of agent A1 (team A) with findings that a rule pack gives it."""
    meta = {"agent_id": "A1", "team": "A", "queue": "billing", "call_id": "coaching-call-1"}
    folder = tmp_path_factory.mktemp("coaching")
    return upload_scripted_call(live_service, folder, "coaching-call", meta)[0]


def task_status(driver, task_id: int) -> str | None:
    """The status a task's card shows (read in one step: the card replaces itself)."""
    script = "return document.getElementById(arguments[0])?.dataset.status || null"
    return driver.execute_script(script, f"coaching-{task_id}")


def open_call(driver, service, call_id: int) -> None:
    driver.get(f"{service.url}/calls/{call_id}")
    page_mark(driver, "ready", 30)


def test_a_supervisor_assigns_from_a_finding_and_the_agent_does_it(browser, live_service, call):
    with live_service.client("lead_a") as api:
        findings = api.get(f"/api/calls/{call['id']}/findings").json()
    assert findings, "the call needs a finding to coach on"

    sign_in(browser, live_service, "lead_a")
    open_call(browser, live_service, call["id"])
    page = json.loads(browser.find_element(By.ID, "call-data").get_attribute("textContent"))
    # A finding about some lines of the call (not the call as a whole).
    k = next(n for n, f in enumerate(page["findings"]) if f["lines"])
    lines = page["findings"][k]["lines"]
    item = browser.find_element(By.CSS_SELECTOR, f"#findings .finding[data-k='{k}']")
    item.find_element(By.CSS_SELECTOR, "button.coach-finding").click()
    picked = Select(browser.find_element(By.ID, "coaching-finding")).first_selected_option
    assert picked.get_attribute("value") == str(k)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#coaching-lines .chip")) == len(lines)
    focus = browser.find_element(By.ID, "coaching-focus")
    assert focus.get_attribute("value"), "the focus starts from the finding's category"
    focus.clear()
    focus.send_keys(FOCUS)
    browser.find_element(By.ID, "coaching-submit").click()
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".notice-msg"), 10, "a toast")
    card = wait_until(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#coaching-list .coaching-task"), 10
    )[0]
    assert FOCUS in card.text
    assert not console_errors(browser)

    with live_service.client("qa1") as api:
        (task,) = api.get("/api/coaching", params={"call_id": call["id"]}).json()["items"]
    assert task["focus"] == FOCUS and task["lines"] == sorted(lines)
    assert task["finding_id"] == page["findings"][k]["id"]
    assert task["agent_user_id"] == live_service.ids["agent_a1"]
    assert task["created_by"] == live_service.ids["lead_a"]

    browser.get(f"{live_service.url}/dashboard")
    row = browser.find_element(By.CSS_SELECTOR, "#coaching-summary-table tr[data-agent='A1']")
    cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
    assert cells[2:] == ["1", "0", "0"]
    row.find_element(By.TAG_NAME, "a").click()
    wait_until(browser, lambda d: "/coaching" in d.current_url, 10)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#coaching-list .coaching-task")) == 1

    sign_in(browser, live_service, "agent_a1", "/coaching")
    page_mark(browser, "ready", 30)
    card = browser.find_element(By.CSS_SELECTOR, f"#coaching-{task['id']}")
    assert FOCUS in card.text and len(
        card.find_elements(By.CSS_SELECTOR, ".coaching-lines li")
    ) == len(lines)
    card.find_element(By.CSS_SELECTOR, "button.coaching-ack").click()
    wait_until(browser, lambda d: task_status(d, task["id"]) == "acknowledged", 10)
    card = browser.find_element(By.ID, f"coaching-{task['id']}")
    card.find_element(By.CSS_SELECTOR, "textarea.coaching-note").send_keys("Practised on 3 calls")
    card.find_element(By.CSS_SELECTOR, "button.coaching-done").click()
    wait_until(browser, lambda d: task_status(d, task["id"]) == "done", 10)
    assert "Practised on 3 calls" in browser.find_element(By.ID, f"coaching-{task['id']}").text
    assert not console_errors(browser)

    # From the task to the call: its lines marked in the transcript, the player in view.
    browser.get(f"{live_service.url}/coaching?status=any")
    page_mark(browser, "ready", 30)
    browser.find_element(By.CSS_SELECTOR, f"#coaching-{task['id']} .coaching-lines a").click()
    wait_until(browser, lambda d: "/calls/" in d.current_url, 10, "the call page")
    page_mark(browser, "ready", 30)
    wait_until(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#transcript .line.selected"), 10
    )
    marked = browser.find_elements(By.CSS_SELECTOR, "#transcript .line.selected")
    assert sorted(int(m.get_attribute("data-i")) for m in marked) == sorted(lines)
    assert browser.execute_script("return window.scrollY") == 0

    with live_service.client("qa1") as api:
        audit = api.get("/api/audit", params={"entity": "coaching", "entity_id": task["id"]})
    actions = [e["action"] for e in reversed(audit.json()["items"])]
    assert actions == ["coaching.assign", "coaching.acknowledged", "coaching.done"]


def test_screenshots_of_the_coaching_pages(browser, live_service, call):
    with live_service.client("qa1") as api:
        findings = api.get(f"/api/calls/{call['id']}/findings").json()
        body = {
            "call_id": call["id"],
            "finding_id": findings[-1]["id"],
            "focus": "Greet the customer and say your name.",
            "due_on": (date.today() + timedelta(days=10)).isoformat(),
            "lines": [0, 1],
        }
        assert api.post("/api/coaching", json=body).status_code == 201
    ready = lambda d: page_mark(d, "ready", 30)  # noqa: E731
    sign_in(browser, live_service, "agent_a1")
    page_screenshots(browser, live_service, "/coaching?status=any", "coaching-agent", ready)
    sign_in(browser, live_service, "lead_a")
    panel = "document.getElementById('coaching-panel').scrollIntoView()"
    at_panel = lambda d: ready(d) and d.execute_script(panel)  # noqa: E731
    page_screenshots(browser, live_service, f"/calls/{call['id']}", "coaching-call-lead", at_panel)
    page_screenshots(browser, live_service, "/dashboard", "coaching-dashboard")
    assert not console_errors(browser)
