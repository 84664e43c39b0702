"""The dashboard as a supervisor reads it: headline tiles with the change since the period
before, an agent's name that opens their calls, a KPI table that fits a 1440 px screen, and
"small sample" instead of a tier for an agent with too few calls."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By

from tests.web_fixtures_browser import page_screenshots, save_screenshot, sign_in, wait_until
from tests.web_site import PERIOD

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser", "tests.web_site"]

TILES = ["calls", "qa_score", "compliance_rate", "complaint_rate", "dispute_rate"]


def charts_ready(driver) -> None:
    wait_until(driver, lambda d: d.execute_script("return document.body.dataset.charts"), 30)


def test_headline_tiles_links_to_calls_and_small_samples(browser, site):
    service = site.service
    browser.set_window_size(1440, 900)
    sign_in(browser, service, "qa1", f"/dashboard?period={PERIOD}")
    charts_ready(browser)
    with service.client("qa1") as api:
        report = api.get("/api/kpi", params={"period": PERIOD}).json()
        before = api.get("/api/kpi", params={"period": "2026-10"}).json()
    # The charts name agents as the table does (issue 15): a name, the id in a tooltip at most.
    page = json.loads(browser.find_element(By.ID, "dashboard-data").get_attribute("textContent"))
    names = page["calls_link"]["names"]
    rows = page["report"]["rows"]
    ranked = [r["key"] for r in rows if r["composite"] is not None][:30]
    labels = browser.execute_script("return Chart.getChart('ranking-chart').data.labels")
    assert labels == [names.get(k, k) for k in ranked]
    series = browser.execute_script(
        "return Chart.getChart('trend-chart').data.datasets.map((d) => d.label)"
    )
    assert series == [names.get(r["key"], r["key"]) for r in rows[:8]]
    assert set(names.values()) & {*labels, *series}, "a named agent is charted by name"
    tiles = browser.find_elements(By.CSS_SELECTOR, "#headline .tile")
    assert [t.get_attribute("data-kpi") for t in tiles] == TILES
    calls = tiles[0]
    total = sum(r["values"]["calls"] for r in report["rows"])
    assert calls.find_element(By.CSS_SELECTOR, ".tile-value").text == str(total)
    earlier = sum(r["values"]["calls"] for r in before["rows"])
    change = calls.find_element(By.CSS_SELECTOR, ".tile-change").text
    assert f"{total - earlier:+d}" in change and "2026-10" in change
    compliance = tiles[2].find_element(By.CSS_SELECTOR, ".tile-change")
    assert "pp" in compliance.text
    assert "good" in compliance.get_attribute("class") or "bad" in compliance.get_attribute(
        "class"
    ), "a change of a rate with a better direction is coloured"

    # The table fits: no horizontal scrolling at 1440 px, all main columns shown.
    table = browser.find_element(By.ID, "kpi-table")
    fits = browser.execute_script(
        "const t = arguments[0]; return [t.scrollWidth, t.parentElement.clientWidth,"
        " document.documentElement.scrollWidth]",
        table,
    )
    assert fits[0] <= fits[1] and fits[2] <= 1440, fits
    browser.execute_script("arguments[0].scrollIntoView()", table)
    save_screenshot(browser, "dashboard-table-en-desktop")

    # Too few calls: a warning instead of a tier.
    rows = {r["key"]: r for r in report["rows"]}
    small = [k for k, r in rows.items() if r["values"]["calls"] < report["tier_min_calls"]]
    assert "a5" in small and len(small) < len(rows), "a5 has 5 calls in the month"
    for key in rows:
        row = browser.find_element(By.CSS_SELECTOR, f"#kpi-table tr[data-key='{key}']")
        badges = row.find_elements(By.CSS_SELECTOR, ".small-sample")
        tiers = row.find_elements(By.CSS_SELECTOR, ".tier")
        if key in small:
            assert badges and not tiers and not rows[key]["tier"]
            assert str(rows[key]["values"]["calls"]) in badges[0].get_attribute("title")
        else:
            assert tiers and not badges

    # An agent's name opens their calls of the period.
    browser.find_element(By.CSS_SELECTOR, "#kpi-table tr[data-key=a1] a.row-calls").click()
    wait_until(browser, lambda d: "/calls?" in d.current_url, 10)
    assert "agent_id=a1" in browser.current_url and "from=2026-11-01" in browser.current_url
    assert "to=2026-11-30" in browser.current_url
    agents = {
        td.text.split()[-1]
        for td in browser.find_elements(By.CSS_SELECTOR, "#calls-table td.agent-cell")
    }
    assert agents == {"a1"}
    shown = browser.find_element(By.CSS_SELECTOR, "h1 .count").text
    with service.client("qa1") as api:
        reply = api.get(
            "/api/calls",
            params={"agent_id": "a1", "started_from": "2026-11-01", "started_to": "2026-12-01"},
        )
    assert reply.status_code == 200, "dates without a time zone are UTC, not a 500"
    listed = reply.json()
    # Every call of the month, those the KPIs leave out (not analysed) too.
    assert int(shown) == listed["total"] >= rows["a1"]["values"]["calls"]


@pytest.mark.parametrize("by", ["agent", "team"])
def test_dashboard_screenshots(browser, site, by):
    sign_in(browser, site.service, "lead_a" if by == "team" else "qa1", "/dashboard")
    page_screenshots(
        browser,
        site.service,
        f"/dashboard?period={PERIOD}&by={by}",
        f"dashboard-{by}",
        charts_ready,
    )
