"""The call review flow in a real browser: an agent opens their call (analysed by the real
pipeline), plays it from a transcript line, sees the findings and disputes one; the team
lead escalates, QA overturns, and the agent's appeal is in front of the next decider in the
dispute's thread; another agent cannot see the call at all, and the recording is served with
ranges and peaks. QA's review marks, the score explanation and the language switch on the
same page are in ``test_web_review_page.py``."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.web_call_page import PAGE_READY_S, dispute_from_page, finding_item, open_call, page_data
from tests.web_fixtures_browser import (
    page_mark,
    page_screenshots,
    save_screenshot,
    sign_in,
    wait_until,
)

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser", "tests.web_call_page"]

# Where the audio may be after a seek: the browser snaps to the recording's frames.
SEEK_TOLERANCE_S = 0.3
REGIONS_JS = """
const host = document.querySelector('#waveform > div');
return host && host.shadowRoot ? host.shadowRoot.querySelectorAll('[part~="region"]').length : -1;
"""


def current_time(driver) -> float:
    return driver.execute_script("return document.getElementById('audio').currentTime")


def test_agent_plays_from_a_line_sees_findings_and_disputes(browser, live_service, call):
    sign_in(browser, live_service, "agent_a1")
    assert browser.current_url.endswith("/home"), "an agent starts on their home page"
    browser.get(f"{live_service.url}/calls")
    save_screenshot(browser, "calls-agent")
    browser.find_element(By.LINK_TEXT, call["call_id"]).click()
    page_mark(browser, "ready", PAGE_READY_S)
    wave = wait_until(browser, lambda d: d.execute_script("return document.body.dataset.wave"))
    assert wave != "failed", browser.find_element(By.ID, "wave-status").text
    data = page_data(browser)

    with live_service.client("agent_a1") as api:
        findings = api.get(f"/api/calls/{call['id']}/findings").json()
    assert findings, "the real call has findings"
    items = browser.find_elements(By.CSS_SELECTOR, "#findings li.finding")
    assert len(items) == len(findings)
    timed = [f for f in data["findings"] if not f["whole_call"] and f["start_s"] is not None]
    assert browser.execute_script(REGIONS_JS) == len(timed), "one waveform region per finding"
    explained = [f for f in data["findings"] if f["description"]]
    assert explained, "findings carry their rule's explanation"
    first = finding_item(browser, explained[0]["id"])
    assert explained[0]["description"] in first.text
    assert "pts" in first.text

    lines = browser.find_elements(By.CSS_SELECTOR, "#transcript .line")
    assert len(lines) == len(data["utterances"]) > 3
    target = 3
    lines[target].find_element(By.CSS_SELECTOR, ".text").click()
    start = data["utterances"][target][1]
    wait_until(browser, lambda d: abs(current_time(d) - start) < SEEK_TOLERANCE_S, 10, "seek")
    assert "playing" in lines[target].get_attribute("class")
    save_screenshot(browser, "call-review-agent")

    disputed = next(f for f in data["findings"] if f["category"] == "deflection")
    item = finding_item(browser, disputed["id"])
    item.find_element(By.CSS_SELECTOR, "strong").click()
    wait_until(browser, lambda d: abs(current_time(d) - disputed["start_s"]) < SEEK_TOLERANCE_S)
    statement = "I offered the customer the bank's number because the charge was made by the bank."
    dispute_from_page(browser, disputed["id"], statement)
    assert "team lead" in browser.find_element(By.ID, "disputes").text.lower()

    browser.find_element(By.ID, "acknowledge").click()
    wait_until(browser, lambda d: "ok" in d.find_element(By.ID, "ack-state").get_attribute("class"))
    field = browser.find_element(By.CSS_SELECTOR, "#self-assessment-fields input")
    field.send_keys("95")
    browser.find_element(By.CSS_SELECTOR, "#self-assessment button[type=submit]").click()
    wait_until(browser, lambda d: d.find_element(By.ID, "agent-ok").is_displayed(), 10)
    save_screenshot(browser, "call-disputed-agent")

    with live_service.client("agent_a1") as api:
        disputes = api.get("/api/disputes", params={"call_id": call["id"]}).json()["items"]
        stored = api.get(f"/api/calls/{call['id']}").json()
        own = api.get(f"/api/calls/{call['id']}/self-assessment").json()
    assert [(d["finding_id"], d["stage"], d["status"]) for d in disputes] == [
        (disputed["id"], "team_lead", "open")
    ]
    assert stored["acknowledged_at"] is not None
    assert [(a["dimension"], a["score"]) for a in own] == [(field.get_attribute("name"), 95.0)]


def decide_in_inbox(driver, service, username: str, decision: str, comment: str) -> None:
    sign_in(driver, service, username, "/disputes")
    form = wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "form.decide"), 10)[0]
    form.find_element(By.CSS_SELECTOR, f"select option[value={decision}]").click()
    form.find_element(By.NAME, "comment").send_keys(comment)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "form.decide"), 10)


def test_team_lead_escalates_and_qa_overturns(browser, live_service, call):
    sign_in(browser, live_service, "lead_a", "/disputes")
    row = browser.find_element(By.CSS_SELECTOR, "#disputes-table article[data-dispute]")
    assert call["call_id"] in row.text
    assert row.find_elements(By.CSS_SELECTOR, "time[data-local]"), "the deadline is shown"
    save_screenshot(browser, "dispute-inbox-team-lead")
    decide_in_inbox(browser, live_service, "lead_a", "escalate", "The bank question is for QA.")

    sign_in(browser, live_service, "qa1", "/disputes")
    row = browser.find_element(By.CSS_SELECTOR, "#disputes-table article[data-dispute]")
    assert "reviewer" in row.text.lower()
    decide_in_inbox(browser, live_service, "qa1", "overturn", "Right: the bank made the charge.")
    browser.get(f"{live_service.url}/disputes?status=")
    assert "overturned" in browser.find_element(By.ID, "disputes-table").text
    save_screenshot(browser, "dispute-inbox-qa-ruled")

    with live_service.client("qa1") as api:
        (dispute,) = api.get("/api/disputes", params={"call_id": call["id"]}).json()["items"]
        findings = {f["id"]: f for f in api.get(f"/api/calls/{call['id']}/findings").json()}
    assert dispute["status"] == "overturned"
    assert [s["decision"] for s in dispute["steps"]] == ["escalate", "overturn"]
    assert findings[dispute["finding_id"]]["verdict"] == "overturned"

    sign_in(browser, live_service, "agent_a1")
    open_call(browser, live_service, call["id"])
    progress = browser.find_element(By.ID, "disputes").text.lower()
    assert "overturned" in progress and "escalated" in progress


def test_the_dispute_thread_shows_the_appeal_to_the_next_decider(browser, live_service, call):
    """The agent's appeal, written on the call page, is in front of QA in the inbox and on
    the call page, between the dispute and the team lead's ruling, with times and names."""
    with live_service.client("agent_a1") as agent:
        findings = agent.get(f"/api/calls/{call['id']}/findings").json()
        finding = next(f for f in findings if not f["disputed"])
        reason = "The customer asked for the bank: I answered the question."
        body = {"finding_id": finding["id"], "reason": reason}
        opened = agent.post(f"/api/calls/{call['id']}/disputes", json=body)
        assert opened.status_code == 201, opened.text
    dispute_id = opened.json()["id"]
    with live_service.client("lead_a") as lead:
        ruling = "The rule asks for the transfer to be offered."
        decided = lead.post(
            f"/api/disputes/{dispute_id}/decision", json={"decision": "uphold", "comment": ruling}
        )
        assert decided.status_code == 200, decided.text

    sign_in(browser, live_service, "agent_a1")
    open_call(browser, live_service, call["id"])
    box = browser.find_element(By.CSS_SELECTOR, f"#disputes [data-dispute='{dispute_id}']")
    appeal = "Listen at 0:20: the customer says the bank charged them, not us."
    box.find_element(By.CSS_SELECTOR, ".appeal-form textarea").send_keys(appeal)
    box.find_element(By.CSS_SELECTOR, ".appeal-form button").click()
    wait_until(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, ".appeal-form"), 15)
    page_mark(browser, "ready", PAGE_READY_S)

    sign_in(browser, live_service, "qa1", "/disputes")
    card = browser.find_element(By.CSS_SELECTOR, f"article[data-dispute='{dispute_id}']")
    entries = card.find_elements(By.CSS_SELECTOR, ".thread .entry")
    assert [e.get_attribute("data-kind") for e in entries] == ["dispute", "decision", "appeal"]
    assert [e.find_element(By.CSS_SELECTOR, ".reason").text for e in entries] == [
        reason,
        ruling,
        appeal,
    ]
    assert all(e.find_elements(By.CSS_SELECTOR, "time[data-local]") for e in entries)
    assert "lead_a" in entries[1].text and "agent_a1" in entries[2].text

    open_call(browser, live_service, call["id"])
    panel = browser.find_element(By.CSS_SELECTOR, f"#disputes [data-dispute='{dispute_id}']")
    texts = [p.text for p in panel.find_elements(By.CSS_SELECTOR, ".thread .entry .reason")]
    assert texts == [reason, ruling, appeal]
    times = panel.find_elements(By.CSS_SELECTOR, ".thread .entry time")
    assert all(t.text and t.text != "-" for t in times)

    def call_ready(driver) -> None:
        page_mark(driver, "ready", PAGE_READY_S)
        driver.execute_script(
            "document.querySelector(arguments[0]).scrollIntoView()",
            f"#disputes [data-dispute='{dispute_id}']",
        )

    page_screenshots(browser, live_service, f"/calls/{call['id']}", "thread-call", call_ready)
    page_screenshots(browser, live_service, "/disputes?status=", "thread-inbox")


def test_another_agent_cannot_open_the_call(browser, live_service, call):
    sign_in(browser, live_service, "agent_a2", "/calls")
    assert call["call_id"] not in browser.find_element(By.ID, "calls-table").text
    browser.get(f"{live_service.url}/calls/{call['id']}")
    message = browser.find_element(By.ID, "error-message").text
    assert message == f"call {call['id']} not found"
    assert not browser.find_elements(By.ID, "transcript")
    assert call["call_id"] not in browser.page_source
    save_screenshot(browser, "call-refused-other-agent")
    with live_service.client("agent_a2") as api:
        for path in ("audio", "peaks.json"):
            prefix = "/api/calls" if path == "audio" else "/calls"
            reply = api.get(f"{prefix}/{call['id']}/{path}")
            assert reply.status_code == 404, path
            assert call["call_id"] not in reply.text


def test_recording_is_served_with_ranges_and_peaks(live_service, call):
    with live_service.client("agent_a1") as api:
        whole = api.get(f"/api/calls/{call['id']}/audio")
        part = api.get(f"/api/calls/{call['id']}/audio", headers={"Range": "bytes=100-1099"})
        peaks = api.get(f"/calls/{call['id']}/peaks.json").json()
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1099/{len(whole.content)}"
    assert part.content == whole.content[100:1100]
    assert len(peaks["peaks"]) == 2, "both channels"
    assert abs(peaks["duration"] - call["duration_s"]) < 0.1
