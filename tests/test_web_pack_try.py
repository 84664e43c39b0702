"""The pack editor in a real browser: the live version shown, and a draft tried on the
stored calls its pack scored, showing the findings it would add before anything is saved."""

from __future__ import annotations

import json

from selenium.webdriver.common.by import By

from qa_service.analysis.pipeline import transcript_from_dict
from qa_service.domain.results import CallResult
from tests.conftest import CALLS_DIR
from tests.service_fixtures import make_wav
from tests.web_fixtures import (
    VIEWPORTS,
    prepare,
    save_screenshot,
    set_language,
    sign_in,
    wait_until,
)

pytest_plugins = ["tests.web_fixtures"]

EDITOR = "/qa/packs/pack/en-default"
# A rule the stored call trips: the agent names the company in the first line.
NEW_RULE = (
    "rules:\\n  - {id: try-company-name, type: phrase, category: forbidden_phrase, "
    'role: agent, params: {phrases: [\\"Star River\\"]}}\\n'
)


def _analysed_call(live_service, tmp_path) -> dict:
    truth = json.loads((CALLS_DIR / "en-billing-good.json").read_text("utf-8"))
    turns = {"turns": truth["turns"], "language": "en", "duration_s": truth["duration_s"]}
    path = make_wav(tmp_path / "try-pack.wav", seconds=2.0, seed=7400)
    prepare(path, CallResult("try-pack", transcript_from_dict(turns)))
    call = live_service.upload(path, {"agent_id": "A1"})
    return live_service.wait_analysed(call["id"])


def _try_draft(browser, live_service) -> None:
    browser.get(f"{live_service.url}{EDITOR}")
    source = browser.find_element(By.ID, "source")
    browser.execute_script(
        f"arguments[0].value = arguments[0].value.replace('rules:\\n', \"{NEW_RULE}\");"
        "arguments[0].dispatchEvent(new Event('input'));",
        source,
    )
    browser.find_element(By.ID, "try-run").click()
    wait_until(browser, lambda d: d.find_element(By.ID, "try-summary").is_displayed(), 60)


def test_a_draft_is_tried_on_stored_calls_before_saving(browser, live_service, tmp_path):
    call = _analysed_call(live_service, tmp_path)
    assert call["rule_pack"] == "en-default"
    sign_in(browser, live_service, "qa1", EDITOR)
    assert "built in" in browser.find_element(By.ID, "live-version").text
    _try_draft(browser, live_service)
    row = browser.find_element(By.CSS_SELECTOR, f"#try-results tr[data-call='{call['call_id']}']")
    added = row.find_element(By.CSS_SELECTOR, "td.added").text
    assert "try-company-name" in added
    assert (
        "Calls tried: 1; findings that would be added: 1"
        in browser.find_element(By.ID, "try-summary").text
    )
    with live_service.client("qa1") as api:
        assert api.get("/api/packs/en-default").json()["latest_version"] is None, "not saved"
        findings = api.get(f"/api/calls/{call['id']}/findings").json()
    assert "try-company-name" not in json.dumps(findings)

    try:
        for lang in ("zh", "en"):
            set_language(browser, live_service, lang)
            for viewport, width, height in VIEWPORTS:
                browser.set_window_size(width, height)
                _try_draft(browser, live_service)
                section = browser.find_element(By.ID, "try-pack")
                browser.execute_script("arguments[0].scrollIntoView()", section)
                save_screenshot(browser, f"pack-try-{lang}-{viewport}")
    finally:
        set_language(browser, live_service, "en")
        browser.set_window_size(1500, 1000)
