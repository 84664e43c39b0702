"""Every page of every role on a 390 px phone: nothing wider than the screen (tables turn
into card lists), the menu folded behind a button that opens it, and the call page's
findings in the page's own scroll, not a box scrolling inside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from qa_service.http.deps import SESSION_COOKIE
from tests.web_fixtures_browser import set_language, wait_until
from tests.web_site import ROLE_USERS, site_pages

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser", "tests.web_site"]

PHONE = (390, 844)
SHOTS = Path("/work/notes/s4/shots/pages2")
# Elements sticking out of the screen, by tag#id.class, the page's width with them.
OVERFLOW_JS = """
const width = document.documentElement.clientWidth;
const out = [];
for (const node of document.body.querySelectorAll('*')) {
  const box = node.getBoundingClientRect();
  if (!box.width || !box.height) continue;
  if (box.right > width + 1 || box.left < -1) {
    const name = `${node.tagName.toLowerCase()}#${node.id}.${[...node.classList].join('.')}`;
    out.push(`${name} ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
}
return [document.documentElement.scrollWidth, out.slice(0, 8)];
"""


def sign_in_as(driver, service, username: str, lang: str) -> None:
    """The session cookie of the API's token: any account, the admin's too."""
    set_language(driver, service, lang)
    driver.add_cookie({"name": SESSION_COOKIE, "value": service.token(username), "path": "/"})


def shot(driver, name: str) -> None:
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(SHOTS / f"{name}.png"))


def ready(driver) -> None:
    """Wait for what the page builds after loading (the call page's transcript, the
    dashboard's charts and table)."""
    wait_until(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    if driver.find_elements(By.ID, "call-data"):
        wait_until(driver, lambda d: d.execute_script("return document.body.dataset.ready"), 30)
    if driver.find_elements(By.ID, "dashboard-data"):
        wait_until(driver, lambda d: d.execute_script("return document.body.dataset.charts"), 30)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_no_page_is_wider_than_a_phone(browser, site, role, lang):
    service = site.service
    browser.set_window_size(*PHONE)
    sign_in_as(browser, service, ROLE_USERS[role], lang)
    too_wide = {}
    for path in site_pages(site, role):
        browser.get(f"{service.url}{path}")
        ready(browser)
        width, out = browser.execute_script(OVERFLOW_JS)
        if width > PHONE[0] or out:
            too_wide[path] = (width, out)
        name = path.strip("/").split("?")[0].replace("/", "-") or "home"
        shot(browser, f"phone-{role}-{name}-{lang}")
    assert not too_wide


def test_the_phone_menu_is_folded_behind_a_button(browser, site):
    service = site.service
    browser.set_window_size(*PHONE)
    sign_in_as(browser, service, "qa1", "zh")
    browser.get(f"{service.url}/calls")
    links = browser.find_elements(By.CSS_SELECTOR, ".mainnav a")
    assert links and not any(a.is_displayed() for a in links), "folded"
    toggle = browser.find_element(By.ID, "menu-toggle")
    assert toggle.is_displayed() and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    wait_until(browser, lambda d: all(a.is_displayed() for a in links), 5, "the menu open")
    assert toggle.get_attribute("aria-expanded") == "true"
    line = browser.execute_script(
        "return parseFloat(getComputedStyle(arguments[0]).lineHeight) || 24", links[0]
    )
    for link in links:
        # One line per entry: a word wrapped one character per line is several lines tall.
        assert link.size["height"] < 2 * line, link.text
        assert link.size["width"] > link.size["height"], link.text
    shot(browser, "phone-menu-open-zh")
    dashboard = next(a for a in links if a.get_attribute("href").endswith("/dashboard"))
    dashboard.click()
    wait_until(browser, lambda d: "/dashboard" in d.current_url, 10)
    assert not browser.find_element(By.CSS_SELECTOR, ".mainnav a").is_displayed(), "closed"

    browser.set_window_size(1440, 900)
    browser.get(f"{service.url}/calls")
    assert not browser.find_element(By.ID, "menu-toggle").is_displayed()
    assert all(a.is_displayed() for a in browser.find_elements(By.CSS_SELECTOR, ".mainnav a"))


def test_tables_are_card_lists_and_findings_scroll_with_the_page(browser, site):
    service = site.service
    browser.set_window_size(*PHONE)
    sign_in_as(browser, service, "qa1", "en")
    browser.get(f"{service.url}/calls")
    row = browser.find_element(By.CSS_SELECTOR, "#calls-table tbody tr")
    assert browser.execute_script("return getComputedStyle(arguments[0]).display", row) != (
        "table-row"
    ), "a card, not a table row"
    cells = row.find_elements(By.CSS_SELECTOR, "td[data-label]")
    assert cells, "each cell says what it is once the header row is gone"
    assert browser.execute_script(
        "return getComputedStyle(arguments[0], '::before').content", cells[1]
    ).strip('"') == cells[1].get_attribute("data-label")

    browser.get(f"{service.url}/calls/{site.call_id}")
    ready(browser)
    findings = browser.find_element(By.ID, "findings")
    overflow = browser.execute_script("return getComputedStyle(arguments[0]).overflowY", findings)
    assert overflow == "visible", "the findings list grows with the page on a phone"
