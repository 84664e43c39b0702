"""QA's and supervisors' pages in a real browser: uploading many files with progress, the
review queue from a sampling plan, the rule pack editor with problems marked in place, and
the dashboard with its charts, a supervisor's team scope and the exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from qa_service.analysis.pipeline import transcript_from_dict
from qa_service.domain.results import CallResult
from tests.conftest import CALLS_DIR
from tests.kpi_month import insert_month
from tests.service_fixtures import make_wav
from tests.web_fixtures import PASSWORD, prepare
from tests.web_fixtures_browser import save_screenshot, set_language, sign_in, wait_until

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser"]

UPLOADED = ("upload-good-1.wav", "upload-good-2.wav")
# The month of tests/kpi_month.py; the uploads start in it too.
PERIOD = "2026-11"


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> dict[str, object]:
    """Two recordings whose analysis the worker knows, and a text file named .wav."""
    folder = tmp_path_factory.mktemp("uploads")
    truth = json.loads((CALLS_DIR / "en-billing-good.json").read_text("utf-8"))
    turns = {"turns": truth["turns"], "language": "en", "duration_s": truth["duration_s"]}
    paths = {}
    for k, name in enumerate(UPLOADED):
        path = make_wav(folder / name, seconds=3.0, seed=1000 + k)
        prepare(path, CallResult(name, transcript_from_dict(turns)))
        paths[name] = path
    bad = folder / "notes.wav"
    bad.write_text("this is not a recording\n" * 20)
    paths["bad"] = bad
    return paths


def test_upload_many_files_with_progress(browser, live_service, recordings):
    sign_in(browser, live_service, "qa1", "/qa/upload")
    Select(browser.find_element(By.ID, "meta-agent")).select_by_value("A2")
    assert browser.find_element(By.ID, "meta-team").get_attribute("value") == "A", "A2's team"
    browser.find_element(By.ID, "meta-queue").send_keys("billing")
    browser.execute_script("document.getElementById('meta-started').value = '2026-11-20T10:00'")
    files = [str(recordings[name]) for name in (*UPLOADED, "bad")]
    browser.find_element(By.ID, "files").send_keys("\n".join(files))
    start = browser.find_element(By.ID, "upload-start")
    assert "3" in start.text
    start.click()

    def rows(driver):
        found = driver.find_elements(By.CSS_SELECTOR, "#upload-list tbody tr")
        return found if len(found) == 3 else None

    def finished(driver) -> bool:
        statuses = [r.find_element(By.CSS_SELECTOR, ".status").text for r in rows(driver)]
        return statuses.count("Analysed") == 2 and all(s for s in statuses)

    wait_until(browser, rows, 10)
    wait_until(browser, finished, 60, "both recordings analysed")
    table = browser.find_element(By.ID, "upload-list")
    failed = table.find_element(By.CSS_SELECTOR, "tr.failed")
    assert "notes.wav" in failed.text and "audio" in failed.text.lower()
    bars = [int(b.get_attribute("value")) for b in table.find_elements(By.TAG_NAME, "progress")]
    assert bars.count(100) >= 2
    save_screenshot(browser, "upload")
    with live_service.client("qa1") as api:
        calls = api.get("/api/calls", params={"agent_id": "A2"}).json()["items"]
    assert sorted(c["call_id"] for c in calls) == ["upload-good-1", "upload-good-2"]
    assert all(c["status"] == "analysed" and c["queue"] == "billing" for c in calls)


def test_review_queue_from_a_sampling_plan(browser, live_service):
    sign_in(browser, live_service, "qa1", "/qa/queue")
    assert browser.find_element(By.ID, "no-plan")
    period = browser.find_element(By.CSS_SELECTOR, "#plan-form [name=period]")
    period.clear()
    period.send_keys(PERIOD)
    rate = browser.find_element(By.CSS_SELECTOR, "#plan-form [name=rate]")
    rate.clear()
    rate.send_keys("100")
    browser.find_element(By.CSS_SELECTOR, "#plan-form [name=seed]").send_keys("7")
    browser.find_element(By.CSS_SELECTOR, "#plan-form button[type=submit]").click()
    wait_until(browser, lambda d: "plan=" in d.current_url, 15, "the new plan's queue")
    rows = browser.find_elements(By.CSS_SELECTOR, "#queue-table tbody tr[data-href]")
    assert sorted(r.find_element(By.TAG_NAME, "a").text for r in rows) == [
        "upload-good-1",
        "upload-good-2",
    ]
    info = browser.find_element(By.ID, "plan-info")
    assert info.find_elements(By.CSS_SELECTOR, "time[data-local]"), "in local time, as elsewhere"
    assert "UTC" not in info.text and "<time" not in info.text
    save_screenshot(browser, "review-queue")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("j")
    body.send_keys("\n")
    wait_until(browser, lambda d: "/calls/" in d.current_url and "queue=" in d.current_url)
    nav = browser.find_element(By.ID, "queue-nav").text
    assert "1" in nav and "2" in nav
    assert browser.find_element(By.ID, "queue-next")


def test_pack_editor_marks_problems_on_their_line(browser, live_service):
    sign_in(browser, live_service, "qa1", "/qa/packs")
    browser.find_element(By.CSS_SELECTOR, "#pack-list a[href='/qa/packs/pack/en-default']").click()
    wait_until(browser, lambda d: d.find_element(By.ID, "validity").text == "valid", 15)
    source = browser.find_element(By.ID, "source")
    text = source.get_attribute("value")
    lines = text.split("\n")
    broken_line = next(i for i, line in enumerate(lines) if "severity: major" in line) + 1
    broken = text.replace("severity: major", "severity: enormous", 1)
    set_source = (
        "const s = document.getElementById('source'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('input'));"
    )
    browser.execute_script(set_source, broken)
    problems = wait_until(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#problems li.problem"), 15
    )
    assert f"en-default.yaml:{broken_line}" in problems[0].text
    assert "severity" in problems[0].text
    gutter = browser.find_elements(By.CSS_SELECTOR, "#gutter div")
    assert "err" in gutter[broken_line - 1].get_attribute("class")
    mark = browser.find_element(By.CSS_SELECTOR, f".line-mark[data-line='{broken_line}']")
    assert "severity" in mark.get_attribute("textContent")
    problems[0].find_element(By.TAG_NAME, "button").click()
    selected = browser.execute_script(
        "const s = document.getElementById('source');"
        "return s.value.slice(s.selectionStart, s.selectionEnd)"
    )
    assert "enormous" in selected, "the problem's link selects its line"
    save_screenshot(browser, "pack-editor-problem")

    fixed = text.replace("General contact-centre rules", "Contact-centre rules, edited", 1)
    browser.execute_script(set_source, fixed)
    wait_until(browser, lambda d: d.find_element(By.ID, "validity").text == "valid", 15)
    assert not browser.find_elements(By.CSS_SELECTOR, "#gutter div.err")
    browser.find_element(By.ID, "version-comment").send_keys("reworded the description")
    browser.find_element(By.ID, "save").click()
    wait_until(browser, lambda d: d.find_element(By.ID, "saved").is_displayed(), 15)
    with live_service.client("qa1") as api:
        pack = api.get("/api/packs/en-default").json()
        stored = api.get("/api/packs/en-default/versions/1").json()
    assert pack["latest_version"] == 1
    assert "Contact-centre rules, edited" in stored["content"]
    assert stored["comment"] == "reworded the description"


@pytest.fixture(scope="module")
def month_of_calls(live_service) -> str:
    """The KPI tests' generated month (six agents in teams T1 and T2) in the live database."""
    with live_service.app.state.db.session() as session:
        insert_month(session)
    return PERIOD


def test_dashboard_for_qa_with_charts_and_exports(browser, live_service, month_of_calls):
    sign_in(browser, live_service, "qa1", f"/dashboard?period={month_of_calls}")
    wait_until(browser, lambda d: d.execute_script("return document.body.dataset.charts"), 15)
    rows = browser.find_elements(By.CSS_SELECTOR, "#kpi-table tbody tr")
    keys = [r.get_attribute("data-key") for r in rows]
    assert {"a1", "a2"} <= set(keys)
    assert browser.find_element(By.CSS_SELECTOR, "#kpi-table tbody tr td").text == "1"
    assert browser.execute_script("return Chart.getChart('ranking-chart').data.labels.length") > 1
    rows[0].find_element(By.CSS_SELECTOR, "button[data-key]").click()
    counts = browser.execute_script(
        "return Chart.getChart('distribution-chart').data.datasets[0].data"
    )
    assert sum(counts) > 0
    save_screenshot(browser, "dashboard-qa")

    href = browser.find_element(By.ID, "export-csv").get_attribute("href")
    header, first = _csv_lines(browser, href)[:2]
    assert header[:3] == ["Rank", "Agent", "Name"] and "QA score" in header
    assert first[header.index("Compliance rate")].endswith("%"), "a ratio is a percent"
    xlsx = browser.find_element(By.ID, "export-xlsx").get_attribute("href")
    kind = browser.execute_async_script(
        "fetch(arguments[0]).then(r => arguments[1](r.headers.get('content-type')))", xlsx
    )
    assert "spreadsheetml" in kind
    # The same download for a reader of Chinese (set_language leaves the page).
    set_language(browser, live_service, "zh")
    try:
        header = _csv_lines(browser, href)[0]
        assert header[:3] == ["排名", "坐席", "姓名"] and "质检得分" in header
    finally:
        set_language(browser, live_service, "en")


def _csv_lines(browser, href: str) -> list[list[str]]:
    """The download as the signed-in browser gets it (its cookies, its language)."""
    text = browser.execute_async_script(
        "fetch(arguments[0]).then(r => r.text()).then(arguments[1])", href
    )
    # (fetch's text() drops the BOM; the feature tests check it is there.)
    return list(csv.reader(io.StringIO(text)))


def test_dashboard_shows_a_supervisor_only_their_team(browser, live_service, month_of_calls):
    with live_service.client("admin") as admin:
        body = {"username": "lead_t1", "password": PASSWORD, "role": "supervisor", "team": "T1"}
        assert admin.post("/api/users", json=body).status_code == 201
    sign_in(browser, live_service, "lead_t1", f"/dashboard?period={month_of_calls}")
    wait_until(browser, lambda d: d.execute_script("return document.body.dataset.charts"), 15)
    keys = {
        r.get_attribute("data-key")
        for r in browser.find_elements(By.CSS_SELECTOR, "#kpi-table tbody tr")
    }
    assert keys == {"a1", "a2", "a3"}, "team T1's agents only"
    team = browser.find_element(By.CSS_SELECTOR, "select[name=team]")
    assert team.get_attribute("disabled") and team.get_attribute("value") == "T1"
    save_screenshot(browser, "dashboard-supervisor")
    browser.get(f"{live_service.url}/dashboard?period={month_of_calls}&team=T2")
    assert browser.find_element(By.ID, "no-data"), "another team's figures stay hidden"

    sign_in(browser, live_service, "agent_a1", "/dashboard")
    assert "403" in browser.find_element(By.TAG_NAME, "h1").text
