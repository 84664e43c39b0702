"""The review queue as QA works through it: the plan form folded compactly above the queue,
"N of M reviewed" on the queue and on each call, a message once a review is saved, and the
"needs a reason" error beside the empty reason field, in view."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.web_fixtures_browser import (
    page_mark,
    page_screenshots,
    save_screenshot,
    sign_in,
    wait_until,
)
from tests.web_site import PERIOD

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser", "tests.web_site"]


@pytest.fixture(scope="module")
def whole_month_plan(site) -> dict:
    """Every call of the month, the site's failed call among them."""
    with site.service.client("qa1") as qa:
        reply = qa.post("/api/sampling/plans", json={"period": PERIOD, "rate": 1.0, "seed": 1})
        assert reply.status_code == 201, reply.text
        plan = qa.get(f"/api/sampling/plans/{reply.json()['id']}").json()
    assert site.call_id in {c["id"] for c in plan["calls"]}
    return plan


def in_view(driver, node) -> bool:
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight",
        node,
    )


def test_queue_progress_review_message_and_reason_error(browser, site, whole_month_plan):
    service, plan = site.service, whole_month_plan
    total = len(plan["calls"])
    browser.set_window_size(1440, 900)
    sign_in(browser, service, "qa1", f"/qa/queue?plan={plan['id']}")
    assert browser.find_element(By.ID, "queue-progress").text == f"0 of {total} reviewed"
    # The queue has the page's width; the plan form is one folded block above it.
    table = browser.find_element(By.ID, "queue-table").size["width"]
    main = browser.find_element(By.TAG_NAME, "main").size["width"]
    assert table > 0.9 * main, (table, main)
    form = browser.find_element(By.ID, "plan-form")
    assert not form.is_displayed(), "folded while plans exist"
    browser.find_element(By.CSS_SELECTOR, "#new-plan summary").click()
    assert form.is_displayed() and form.size["height"] < 200, form.size
    save_screenshot(browser, "queue-plan-open-en-desktop")

    browser.get(f"{service.url}/calls/{site.call_id}?queue={plan['id']}")
    page_mark(browser, "ready", 30)
    assert f"0 of {total} reviewed" in browser.find_element(By.ID, "queue-nav").text
    first = browser.find_element(By.CSS_SELECTOR, "#findings .finding").get_attribute("data-id")
    # The list redraws an item when its verdict changes: found again by its id each time.
    here = f"#findings .finding[data-id='{first}']"
    browser.find_element(By.CSS_SELECTOR, f"{here} [data-action=overturn]").click()
    browser.find_element(By.ID, "review-submit").click()
    error = wait_until(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, f"{here} .reason-error"), 5, "error"
    )[0]
    item = browser.find_element(By.CSS_SELECTOR, here)
    wait_until(browser, lambda d: in_view(d, error), 5, "the error in view")
    assert error.text == "An overturned finding needs a reason."
    reason = item.find_element(By.CSS_SELECTOR, ".overturn-reason")
    assert in_view(browser, reason) and reason.get_attribute("aria-invalid") == "true"
    assert browser.switch_to.active_element == reason
    save_screenshot(browser, "review-reason-needed-en-desktop")
    reason.send_keys("The customer was the rude one.")
    assert not error.is_displayed(), "gone once the reason is typed"
    browser.find_element(By.ID, "review-submit").click()

    toast = wait_until(browser, lambda d: d.find_elements(By.ID, "flash"), 20, "the message")[0]
    assert toast.text == "Review of site-rude-1 saved."
    assert f"/calls/{site.call_id}" not in browser.current_url, "on to the next call"
    assert f"1 of {total} reviewed" in browser.find_element(By.ID, "queue-nav").text
    save_screenshot(browser, "review-saved-en-desktop")
    browser.get(f"{service.url}/qa/queue?plan={plan['id']}")
    assert browser.find_element(By.ID, "queue-progress").text == f"1 of {total} reviewed"
    assert not browser.find_elements(By.ID, "flash"), "said once"
    with service.client("qa1") as api:
        call = api.get(f"/api/calls/{site.call_id}").json()
    assert call["review_state"] != "none"


def test_queue_screenshots(browser, site, whole_month_plan):
    sign_in(browser, site.service, "qa1", "/qa/queue")
    page_screenshots(browser, site.service, f"/qa/queue?plan={whole_month_plan['id']}", "queue")
