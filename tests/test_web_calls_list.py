"""The calls list: in the order the calls happened, sortable, searchable by call id, agent
id or the agent's name, with a date range and a critical-failures-only filter."""

from __future__ import annotations

from contextlib import suppress

import pytest
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from qa_service.analysis.pipeline import transcript_from_dict
from qa_service.domain.results import CallResult
from tests.web_fixtures import prepare, write_turns_wav
from tests.web_fixtures_browser import page_screenshots, sign_in, wait_until

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser"]

POLITE = (
    ("agent", "Good morning, thank you for calling, how can I help you?"),
    ("customer", "I was charged twice for my subscription."),
    ("agent", "I am sorry about that, let me check the billing for you."),
    ("customer", "Thank you."),
    ("agent", "Thank you for calling, have a nice day."),
)
RUDE = (
    ("agent", "What do you want?"),
    ("customer", "I was charged twice for my subscription."),
    ("agent", "I already told you, that is not my department."),
    ("customer", "This is ridiculous, I want to make a complaint."),
)
# (call id, agent, started, lines, spoken at a different pitch so each recording differs),
# uploaded in this order: not the order they happened in.
CALLS = (
    ("list-nov-20", "A1", "2026-11-20T09:00:00Z", POLITE, 1.0),
    ("list-oct-05", "A1", "2026-10-05T09:00:00Z", RUDE, 1.5),
    ("list-nov-10", "A2", "2026-11-10T09:00:00Z", POLITE, 2.0),
)


@pytest.fixture(scope="module")
def calls(live_service, tmp_path_factory) -> dict[str, dict]:
    with live_service.client("admin") as admin:
        reply = admin.patch(
            f"/api/users/{live_service.ids['agent_a2']}", json={"full_name": "Wang Fang"}
        )
        assert reply.status_code == 200, reply.text
    folder = tmp_path_factory.mktemp("calls-list")
    stored = {}
    for call_id, agent, started, lines, seconds_per_turn in CALLS:
        data = {
            "turns": [
                {
                    "role": role,
                    "start": seconds_per_turn * k + 0.2,
                    "end": seconds_per_turn * k + seconds_per_turn - 0.1,
                    "text": text,
                }
                for k, (role, text) in enumerate(lines)
            ],
            "language": "en",
            "duration_s": seconds_per_turn * len(lines),
        }
        path = write_turns_wav(folder / f"{call_id}.wav", data)
        prepare(path, CallResult(call_id, transcript_from_dict(data)))
        meta = {"agent_id": agent, "team": "A", "call_id": call_id, "started_at": started}
        uploaded = live_service.upload(path, meta)
        stored[call_id] = live_service.wait_analysed(uploaded["id"])
    return stored


def expect_listed(driver, expected: list[str], why: str = "", timeout_s: float = 10) -> None:
    """The table lists ``expected`` call ids within ``timeout_s``: a search or a sort loads
    the page again, and rows read mid-load are stale."""
    seen: list[list[str]] = [[]]

    def listed(d) -> bool:
        try:
            seen[0] = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#calls-table a.call-link")]
        except StaleElementReferenceException:
            return False
        return seen[0] == expected

    with suppress(TimeoutException):
        wait_until(driver, listed, timeout_s)
    assert seen[0] == expected, why


def test_calls_are_in_date_order_and_can_be_searched_sorted_and_filtered(
    browser, live_service, calls
):
    sign_in(browser, live_service, "qa1", "/calls")
    expect_listed(browser, ["list-nov-20", "list-nov-10", "list-oct-05"], "newest first")
    browser.get(f"{live_service.url}/calls?sort=oldest")
    expect_listed(browser, ["list-oct-05", "list-nov-10", "list-nov-20"])

    scores = {k: c["reviewed_score"] or c["score_total"] for k, c in calls.items()}
    browser.get(f"{live_service.url}/calls?sort=score_low")
    expect_listed(browser, sorted(scores, key=lambda k: (scores[k], -calls[k]["id"])))
    browser.get(f"{live_service.url}/calls?sort=longest")
    durations = {k: c["duration_s"] for k, c in calls.items()}
    expect_listed(browser, sorted(durations, key=lambda k: (-durations[k], -calls[k]["id"])))

    # The search box: by the agent's name, then by part of a call id.
    browser.get(f"{live_service.url}/calls")
    box = browser.find_element(By.ID, "calls-search")
    box.send_keys("wang", Keys.ENTER)
    expect_listed(browser, ["list-nov-10"])
    assert "Wang Fang" in browser.find_element(By.CSS_SELECTOR, "#calls-table tbody").text
    box = browser.find_element(By.ID, "calls-search")
    box.clear()
    box.send_keys("OCT", Keys.ENTER)
    expect_listed(browser, ["list-oct-05"])
    browser.get(f"{live_service.url}/calls?q=a1")
    expect_listed(browser, ["list-nov-20", "list-oct-05"], "by agent id")
    browser.get(f"{live_service.url}/calls?q=%25")
    expect_listed(browser, [], "% is a character, not a wildcard")

    # Dates: the end day counts whole.
    browser.get(f"{live_service.url}/calls?from=2026-11-01&to=2026-11-10")
    expect_listed(browser, ["list-nov-10"])
    critical = sorted(k for k, c in calls.items() if c["critical_failed"])
    assert critical == ["list-oct-05"], "the rude call fails the standard scorecard"
    browser.find_element(By.CSS_SELECTOR, "input[name=critical]").click()
    expect_listed(browser, [], "the checkbox applies at once, with the dates kept")
    browser.get(f"{live_service.url}/calls?critical=true")
    expect_listed(browser, critical)

    with live_service.client("qa1") as api:
        listed = api.get("/api/calls", params={"search": "wang", "sort": "oldest"}).json()
    assert [c["call_id"] for c in listed["items"]] == ["list-nov-10"]
    page_screenshots(browser, live_service, "/calls?sort=newest", "calls-list")
