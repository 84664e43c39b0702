"""A calibration session in the browser: two reviewers answer blind, the creator closes it,
and the page shows their agreement with each other and with the model."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.llm_stand_in import AnsweringModel
from tests.web_fixtures import PASSWORD, upload_scripted_call
from tests.web_fixtures_browser import save_screenshot, sign_in, wait_until

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser"]


def _answer(browser, live_service, session_id: int, call_id: int, answer: str) -> None:
    browser.get(f"{live_service.url}/qa/calibrations/{session_id}")
    wait_until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "body[data-ready]"), 15)
    name = f"{call_id}:q-problem-resolved"
    browser.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{answer}']").click()
    browser.execute_script("window.beforeSaving = true")
    browser.find_element(By.ID, "calibration-save").click()
    # Saved, the page reloads with the answer checked by the server.
    wait_until(browser, lambda d: not d.execute_script("return window.beforeSaving"), 15)
    wait_until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "body[data-ready]"), 15)
    chosen = browser.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{answer}']")
    assert chosen.get_attribute("checked")


def test_reviewers_answer_blind_and_the_closed_session_shows_their_agreement(
    browser, live_service, tmp_path, monkeypatch
):
    engines = live_service.app.state.engines
    monkeypatch.setattr(live_service.settings, "llm_scope", "all")
    monkeypatch.setitem(engines._loaded, "llm", AnsweringModel({"solved": "no"}, cite=1))
    meta = {"agent_id": "A1", "team": "A", "queue": "billing", "call_id": "calibrated-1"}
    call, _ = upload_scripted_call(live_service, tmp_path, "calibrated", meta)

    sign_in(browser, live_service, "qa1")
    browser.get(f"{live_service.url}/qa/calibrations")
    browser.find_element(By.NAME, "name").send_keys("December calibration")
    browser.find_element(By.NAME, "call_ids").send_keys(str(call["id"]))
    browser.find_element(By.CSS_SELECTOR, "#calibration-create button").click()
    wait_until(browser, lambda d: "/qa/calibrations/" in d.current_url, 15)
    session_id = int(browser.current_url.rstrip("/").split("/")[-1])
    # Blind: the call's lines and the questions, not the model's answer or reasons.
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Was the customer's problem solved" in text
    assert "Line 1:" not in text, "the model's justification is not shown"
    _answer(browser, live_service, session_id, call["id"], "no")

    with live_service.client("admin") as admin:
        body = {"username": "qa2", "password": PASSWORD, "role": "qa"}
        assert admin.post("/api/users", json=body).status_code == 201
    sign_in(browser, live_service, "qa2")
    _answer(browser, live_service, session_id, call["id"], "yes")
    assert not browser.find_elements(By.ID, "calibration-close"), "only its creator closes it"

    sign_in(browser, live_service, "qa1")
    browser.get(f"{live_service.url}/qa/calibrations/{session_id}")
    browser.find_element(By.ID, "calibration-close").click()
    row = wait_until(
        browser,
        lambda d: d.find_element(
            By.CSS_SELECTOR, "#calibration-results tr[data-rule='q-problem-resolved']"
        ),
        15,
    )
    assert row.find_element(By.CSS_SELECTOR, ".reviewers_agreement").text == "0%"
    assert row.find_element(By.CSS_SELECTOR, ".reviewers_with_model").text == "50%"
    assert "qa1: 100%" in row.text and "qa2: 0%" in row.text
    save_screenshot(browser, "calibration-results")


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("qa1", "/qa/questions?period=2026-13", 422),
        ("qa1", "/qa/questions?period=" + "9" * 11, 422),
        ("qa1", "/qa/calibrations/999999", 404),
        ("qa1", "/qa/calibrations/0", 422),
        ("agent_a1", "/qa/questions", 403),
        ("agent_a1", "/qa/calibrations", 403),
        ("lead_a", "/qa/calibrations", 403),
    ],
)
def test_the_question_pages_refuse_bad_input_and_other_roles(live_service, user, path, status):
    with live_service.client(user) as client:
        assert client.get(path).status_code == status
