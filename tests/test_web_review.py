"""The call review flow in a real browser: an agent opens their call (analysed by the real
pipeline), plays it from a transcript line, sees the findings and disputes one; the team
lead escalates, QA overturns; QA reviews with keyboard shortcuts; another agent cannot see
the call at all."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.web_call_page import PAGE_READY_S, dispute_from_page, finding_item, open_call, page_data
from tests.web_fixtures import (
    page_mark,
    page_screenshots,
    save_screenshot,
    sign_in,
    upload_scripted_call,
    wait_until,
)
from tests.web_site import RUDE

pytest_plugins = ["tests.web_fixtures"]

# Where the audio may be after a seek: the browser snaps to the recording's frames.
SEEK_TOLERANCE_S = 0.3
REGIONS_JS = """
const host = document.querySelector('#waveform > div');
return host && host.shadowRoot ? host.shadowRoot.querySelectorAll('[part~="region"]').length : -1;
"""


@pytest.fixture(scope="module")
def call(live_service, real_call) -> dict:
    path, _result = real_call
    meta = {"agent_id": "A1", "team": "A", "queue": "billing", "call_id": "real-call-1"}
    uploaded = live_service.upload(path, meta)
    return live_service.wait_analysed(uploaded["id"])


@pytest.fixture(scope="module")
def failed_call(live_service, tmp_path_factory) -> dict:
    """A call the standard scorecard fails: a rude opening and an insult from the agent."""
    meta = {"agent_id": "A1", "team": "A", "queue": "billing", "call_id": "failed-call-1"}
    folder = tmp_path_factory.mktemp("failed")
    return upload_scripted_call(live_service, folder, "failed-call", meta, turns=RUDE)[0]


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


def test_a_failed_call_explains_its_score(browser, live_service, failed_call):
    """ "Why is my score 0?": the cap, the score without the critical item, the weighted
    mean, dimensions kept within 0-100 and findings counted for less, in both languages."""
    call_id = failed_call["id"]
    with live_service.client("agent_a1") as api:
        score = api.get(f"/api/calls/{call_id}/score").json()
        result = api.get(f"/api/calls/{call_id}/result").json()
    assert score["critical_failed"], "the scorecard fails a rude opening on strong evidence"
    why = score["explanation"]
    assert why == result["score"]["explanation"], "the API and the result JSON agree"
    assert why["critical"]["without_critical"] > why["total"] == score["total"]

    def one(value: float) -> str:
        return f"{value:.1f}"

    sign_in(browser, live_service, "agent_a1")
    open_call(browser, live_service, call_id)
    for line in browser.find_elements(By.CSS_SELECTOR, "#transcript .line"):
        chips = [m.text for m in line.find_elements(By.CSS_SELECTOR, ".marks .mark")]
        assert len(chips) == len(set(chips)), f"one chip per kind of finding: {chips}"
    browser.find_element(By.ID, "critical-why").click()
    box = browser.find_element(By.ID, "score-why")
    critical = box.find_element(By.CSS_SELECTOR, ".why-critical").text
    assert f"→ {one(why['total'])} ({one(why['critical']['without_critical'])} without it)" in (
        critical
    )
    weighted = box.find_element(By.CSS_SELECTOR, ".why-weighted").text
    assert f"dimensions: {one(why['weighted_total'])} = (" in weighted
    for dim in why["dimensions"]:
        assert f"{one(dim['score'])}×{dim['weight']:.0f}" in weighted
    clamped = [d for d in why["dimensions"] if d["clamped"]]
    assert len(box.find_elements(By.CSS_SELECTOR, ".why-clamped")) == len(clamped)
    limited = why["limited_findings"]
    assert len(box.find_elements(By.CSS_SELECTOR, ".why-limited")) == len(limited)
    notes = browser.find_elements(By.CSS_SELECTOR, "#findings .limit-note")
    assert len(notes) == len(limited)

    browser.find_element(By.CSS_SELECTOR, ".langs a[data-lang=zh]").click()
    page_mark(browser, "ready", PAGE_READY_S)
    box = browser.find_element(By.ID, "score-why")
    assert "关键项不合格" in box.text and "服务态度" in box.text
    table = browser.find_element(By.ID, "dimensions").text
    assert "服务态度" in table and "Service attitude" not in table
    browser.find_element(By.CSS_SELECTOR, ".langs a[data-lang=en]").click()
    page_mark(browser, "ready", PAGE_READY_S)

    def score_ready(driver) -> None:
        page_mark(driver, "ready", PAGE_READY_S)
        driver.execute_script("document.getElementById('score-panel').scrollIntoView()")

    page_screenshots(browser, live_service, f"/calls/{call_id}", "score-why", score_ready)


def test_qa_reviews_with_keyboard_shortcuts(browser, live_service, call):
    sign_in(browser, live_service, "qa1")
    data = open_call(browser, live_service, call["id"])
    assert len(data["findings"]) >= 3

    def press(*keys) -> None:
        # Keys go where the focus is, as a person's typing does.
        ActionChains(browser).send_keys(*keys).perform()

    def focused(driver, finding: dict) -> bool:
        return driver.switch_to.active_element == finding_item(driver, finding["id"])

    def selected(finding: dict):
        return lambda d: "selected" in finding_item(d, finding["id"]).get_attribute("class")

    first, second, third = data["findings"][:3]
    browser.find_element(By.TAG_NAME, "body").send_keys("j")
    wait_until(browser, selected(first))
    press("c", "j", "o")
    reason = finding_item(browser, second["id"]).find_element(By.CSS_SELECTOR, ".overturn-reason")
    wait_until(browser, lambda d: d.switch_to.active_element == reason, 5, "reason focused")
    reason_text = "The agent did greet: ASR missed it."

    def clear() -> None:  # a reason kept from an earlier review
        chain = ActionChains(browser).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL)
        chain.send_keys(Keys.BACKSPACE).perform()

    clear()
    press(reason_text, Keys.ENTER)
    # Enter keeps the reason and gives the keys back to the list: j moves on, untyped.
    wait_until(browser, lambda d: focused(d, second), 5, "focus back on the finding")
    press("j")
    wait_until(browser, selected(third), 5, "j after Enter moves to the next finding")
    press("k")
    wait_until(browser, selected(second), 5, "k moves back")
    saved = finding_item(browser, second["id"]).find_element(By.CSS_SELECTOR, ".overturn-reason")
    assert saved.get_attribute("value") == reason_text, "j/k were not typed into the reason"
    press("j", "o")
    third_reason = "A hold, not a silence."
    wait_until(
        browser,
        lambda d: "overturn-reason" in (d.switch_to.active_element.get_attribute("class") or ""),
        5,
    )
    clear()
    press(third_reason, Keys.ESCAPE)
    wait_until(browser, lambda d: focused(d, third), 5, "Esc leaves the reason too")
    item = finding_item(browser, third["id"])
    assert item.find_element(By.CSS_SELECTOR, ".overturn-reason").get_attribute("value") == (
        third_reason
    )
    # Marks start from the stored verdicts (a disputed finding may be overturned already).
    before = [f["verdict"] for f in data["findings"][3:]]
    confirmed, overturned = 1 + before.count("confirmed"), 2 + before.count("overturned")
    summary = browser.find_element(By.ID, "review-summary").text
    assert f"{confirmed} confirmed, {overturned} overturned" in summary
    save_screenshot(browser, "call-review-qa")
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#review-history p"), 15)

    with live_service.client("qa1") as api:
        reviews = api.get(f"/api/calls/{call['id']}/reviews").json()
    verdicts = {v["finding_id"]: (v["verdict"], v["reason"]) for v in reviews[-1]["verdicts"]}
    assert verdicts[first["id"]] == ("confirmed", "")
    assert verdicts[second["id"]] == ("overturned", reason_text)
    assert verdicts[third["id"]] == ("overturned", third_reason)


DRAFT_KEYS_JS = "return Object.keys(localStorage).filter((k) => k.startsWith('qa-review-draft'))"


def test_unsaved_marks_are_kept_as_a_draft_and_leaving_warns(browser, live_service, call):
    from selenium.webdriver.support import expected_conditions as EC

    sign_in(browser, live_service, "qa1")
    data = open_call(browser, live_service, call["id"])
    first = data["findings"][0]
    here = browser.current_url
    browser.find_element(By.TAG_NAME, "body").send_keys("j")
    ActionChains(browser).send_keys("o").perform()
    reason = "Draft: the greeting is there at 0:01."
    chain = ActionChains(browser).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL)
    chain.send_keys(Keys.BACKSPACE, reason).perform()
    assert browser.execute_script(DRAFT_KEYS_JS), "a draft is kept while typing"

    # A menu link asks first; staying keeps everything.
    browser.find_element(By.CSS_SELECTOR, ".mainnav a[href='/calls']").click()
    alert = wait_until(browser, EC.alert_is_present(), 5, "a warning before leaving")
    assert "not submitted" in alert.text
    alert.dismiss()
    assert browser.current_url == here

    # The language switch warns too; the marks come back on the page in Chinese.
    browser.find_element(By.CSS_SELECTOR, ".langs a[data-lang=zh]").click()
    wait_until(browser, EC.alert_is_present(), 5).accept()
    page_mark(browser, "ready", PAGE_READY_S)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    notice = browser.find_element(By.ID, "draft-notice")
    assert notice.is_displayed() and "已恢复" in notice.text
    item = finding_item(browser, first["id"])
    assert "verdict-overturned" in item.get_attribute("class")
    assert item.find_element(By.CSS_SELECTOR, ".overturn-reason").get_attribute("value") == reason
    for name, width, height in (("desktop", 1440, 900), ("phone", 390, 844)):
        browser.set_window_size(width, height)
        browser.execute_script("document.getElementById('review-panel').scrollIntoView()")
        save_screenshot(browser, f"draft-restored-zh-{name}")
    browser.set_window_size(1500, 1000)
    browser.find_element(By.CSS_SELECTOR, ".langs a[data-lang=en]").click()
    alert = wait_until(browser, EC.alert_is_present(), 5)
    assert "尚未提交" in alert.text, "the warning is in the page's language"
    alert.accept()
    page_mark(browser, "ready", PAGE_READY_S)
    for name, width, height in (("desktop", 1440, 900), ("phone", 390, 844)):
        browser.set_window_size(width, height)
        browser.execute_script("document.getElementById('review-panel').scrollIntoView()")
        save_screenshot(browser, f"draft-restored-en-{name}")
    browser.set_window_size(1500, 1000)

    # Submitted: the draft is gone and leaving asks nothing.
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    wait_until(browser, lambda d: not d.execute_script(DRAFT_KEYS_JS), 15, "the draft cleared")
    page_mark(browser, "ready", PAGE_READY_S)
    with live_service.client("qa1") as api:
        reviews = api.get(f"/api/calls/{call['id']}/reviews").json()
    verdicts = {v["finding_id"]: (v["verdict"], v["reason"]) for v in reviews[-1]["verdicts"]}
    assert verdicts[first["id"]] == ("overturned", reason)
    browser.find_element(By.CSS_SELECTOR, ".mainnav a[href='/calls']").click()
    wait_until(browser, lambda d: d.current_url.endswith("/calls"), 10, "left without a warning")


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


def test_language_switch_and_browser_language(browser, live_service, call):
    sign_in(browser, live_service, "agent_a1")
    open_call(browser, live_service, call["id"])
    browser.find_element(By.CSS_SELECTOR, ".langs a[data-lang=zh]").click()
    page_mark(browser, "ready", PAGE_READY_S)
    assert browser.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == "zh-CN"
    assert "转写" in browser.find_element(By.CSS_SELECTOR, ".transcript-card h2").text
    assert "坐席" in browser.find_element(By.ID, "transcript").text
    # Issue 15: an English call's rules are named in Chinese; a form's error from the
    # service (through the pages' api()) is said in Chinese too.
    names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#findings .rule-name")]
    assert names and all(re.search(r"[\u4e00-\u9fff]", n) for n in names), names
    said = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "import('/static/js/common.js').then((m) => m.api('POST', '/api/calls/999999/disputes',"
        " {finding_id: 1, reason: 'x'})).then(() => done('no error'), (e) => done(e.message));"
    )
    assert said == "找不到通话 999999"
    save_screenshot(browser, "call-review-agent-zh")
    browser.find_element(By.CSS_SELECTOR, ".langs a[data-lang=en]").click()
    page_mark(browser, "ready", PAGE_READY_S)
    assert "Transcript" in browser.find_element(By.CSS_SELECTOR, ".transcript-card h2").text

    def findings_ready(driver) -> None:
        page_mark(driver, "ready", PAGE_READY_S)
        driver.execute_script("document.getElementById('findings').scrollIntoView()")

    page_screenshots(browser, live_service, f"/calls/{call['id']}", "call-findings", findings_ready)
