"""The upload page in a real browser: each file with its own agent, team and queue picked
from the values the service knows, a whole folder at once, a CSV manifest checked row by
row (an unknown agent is a problem to fix, not a new agent), statuses as words."""

from __future__ import annotations

import json
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from qa_service.analysis.pipeline import transcript_from_dict
from qa_service.domain.results import CallResult
from tests.conftest import CALLS_DIR
from tests.service_fixtures import make_wav
from tests.web_fixtures import prepare
from tests.web_fixtures_browser import VIEWPORTS, save_screenshot, set_language, sign_in, wait_until

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser"]

ZH_STATES = {"排队等待分析", "分析中", "已分析"}


def _recordings(folder: Path, names: list[str], seed: int) -> list[Path]:
    """Recordings whose analysis the worker knows (distinct bytes per test)."""
    truth = json.loads((CALLS_DIR / "en-billing-good.json").read_text("utf-8"))
    turns = {"turns": truth["turns"], "language": "en", "duration_s": truth["duration_s"]}
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, name in enumerate(names):
        path = make_wav(folder / name, seconds=2.0, seed=seed + k)
        prepare(path, CallResult(name, transcript_from_dict(turns)))
        paths.append(path)
    return paths


def _rows(browser) -> list:
    return browser.find_elements(By.CSS_SELECTOR, "#upload-list tbody tr")


def _field(row, name: str):
    return row.find_element(By.CSS_SELECTOR, f"[name={name}]")


def _stored(live_service, call_ids: set[str]) -> dict[str, dict]:
    with live_service.client("qa1") as api:
        calls = api.get("/api/calls", params={"limit": 200}).json()["items"]
    return {c["call_id"]: c for c in calls if c["call_id"] in call_ids}


def _severe_console(browser) -> list[str]:
    """Errors in the console; the favicon that chromium asks for when set_language opens a
    stylesheet as a page is no error of these pages."""
    logged = browser.get_log("browser")
    return [
        e["message"] for e in logged if e["level"] == "SEVERE" and "favicon" not in e["message"]
    ]


def test_a_folder_with_an_agent_per_file_and_statuses_in_chinese(browser, live_service, tmp_path):
    folder = tmp_path / "batch"
    _recordings(folder / "day1", ["fold-1.wav", "fold-2.wav"], seed=7100)
    (folder / "day1" / "notes.txt").write_text("not a recording\n")
    sign_in(browser, live_service, "qa1")
    set_language(browser, live_service, "zh")  # (signing in clears the cookies)
    browser.get(f"{live_service.url}/qa/upload")
    agents = Select(browser.find_element(By.ID, "meta-agent"))
    assert [o.get_attribute("value") for o in agents.options] == ["", "A1", "A2"]
    agents.select_by_value("A1")
    assert browser.find_element(By.ID, "meta-team").get_attribute("value") == "A"

    browser.find_element(By.ID, "folder").send_keys(str(folder))
    wait_until(browser, lambda d: len(_rows(d)) == 2, 10, "the folder's two recordings")
    rows = {r.get_attribute("data-file"): r for r in _rows(browser)}
    assert set(rows) == {"batch/day1/fold-1.wav", "batch/day1/fold-2.wav"}, "no text file"
    second = rows["batch/day1/fold-2.wav"]
    Select(_field(second, "agent_id")).select_by_value("A2")
    _field(second, "queue").send_keys("complaints")
    assert "2" in browser.find_element(By.ID, "upload-start").text
    browser.find_element(By.ID, "upload-start").click()

    def all_in_words(driver):
        states = [r.find_element(By.CSS_SELECTOR, ".status").text for r in _rows(driver)]
        return states if set(states) <= ZH_STATES else None

    wait_until(browser, all_in_words, 30, "statuses in Chinese words")
    stored = _stored(live_service, {"fold-1", "fold-2"})
    assert stored["fold-1"]["agent_id"] == "A1" and stored["fold-1"]["queue"] is None
    assert stored["fold-2"]["agent_id"] == "A2" and stored["fold-2"]["queue"] == "complaints"
    assert {c["team"] for c in stored.values()} == {"A"}
    assert not _severe_console(browser)


def _choose_with_manifest(browser, live_service, files: list[Path], manifest: Path) -> None:
    browser.get(f"{live_service.url}/qa/upload")
    browser.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in files))
    browser.find_element(By.ID, "manifest").send_keys(str(manifest))
    wait_until(browser, lambda d: d.find_element(By.ID, "manifest-summary").is_displayed(), 10)


def test_a_manifest_fills_each_file_and_an_unknown_agent_is_a_problem(
    browser, live_service, tmp_path
):
    files = _recordings(tmp_path, ["mani-1.wav", "mani-2.wav"], seed=7200)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,agent_id,queue,direction\n"
        "mani-1.wav,A2,billing,outbound\n"
        "mani-2.wav,A9,billing,\n"
        "elsewhere.wav,A1,,\n",
        encoding="utf-8",
    )
    sign_in(browser, live_service, "qa1", "/qa/upload")
    _choose_with_manifest(browser, live_service, files, manifest)
    rows = {r.get_attribute("data-file"): r for r in _rows(browser)}
    first, second = rows["mani-1.wav"], rows["mani-2.wav"]
    assert _field(first, "agent_id").get_attribute("value") == "A2"
    assert _field(first, "queue").get_attribute("value") == "billing"
    problem = second.find_element(By.CSS_SELECTOR, ".problems li").text
    assert "A9" in problem and "not known" in problem
    unmatched = browser.find_element(By.ID, "manifest-problems").text
    assert "elsewhere.wav" in unmatched
    start = browser.find_element(By.ID, "upload-start")
    assert not start.is_enabled(), "an unknown agent blocks the upload"
    assert browser.find_element(By.ID, "upload-error").is_displayed()

    Select(_field(second, "agent_id")).select_by_value("A1")
    assert not second.find_elements(By.CSS_SELECTOR, ".problems li")
    assert start.is_enabled()
    start.click()
    wait_until(
        browser,
        lambda d: all(r.find_elements(By.CSS_SELECTOR, "a") for r in _rows(d)),
        30,
        "both uploaded",
    )
    stored = _stored(live_service, {"mani-1", "mani-2"})
    assert (stored["mani-1"]["agent_id"], stored["mani-1"]["direction"]) == ("A2", "outbound")
    assert (stored["mani-2"]["agent_id"], stored["mani-2"]["queue"]) == ("A1", "billing")
    assert not _severe_console(browser)


def test_upload_page_screenshots(browser, live_service, tmp_path):
    """The page with chosen files and a manifest problem, in both languages and sizes."""
    files = _recordings(tmp_path, ["shot-1.wav", "shot-2.wav"], seed=7300)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,agent_id\nshot-1.wav,A1\nshot-2.wav,A9\n", encoding="utf-8")
    sign_in(browser, live_service, "qa1", "/qa/upload")
    try:
        for lang in ("zh", "en"):
            set_language(browser, live_service, lang)
            for viewport, width, height in VIEWPORTS:
                browser.set_window_size(width, height)
                _choose_with_manifest(browser, live_service, files, manifest)
                # The page's own content fits the screen (the top menu is the layout's).
                right = browser.execute_script(
                    "return Math.max(...[...document.querySelectorAll('main *')]"
                    ".map((e) => e.getBoundingClientRect().right))"
                )
                assert right <= width, f"no sideways scrolling at {width}px ({lang})"
                save_screenshot(browser, f"upload-{lang}-{viewport}")
                browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
                save_screenshot(browser, f"upload-{lang}-{viewport}-rows")
    finally:
        set_language(browser, live_service, "en")
        browser.set_window_size(1500, 1000)
