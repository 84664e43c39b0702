"""The call page as the browser tests read it: open a call, its embedded data, a finding; and
``call``, the real call of agent A1 that the review tests open (a module's own upload)."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By

from tests.web_fixtures_browser import page_mark, wait_until

PAGE_READY_S = 30


@pytest.fixture(scope="module")
def call(live_service, real_call) -> dict:
    """The real call (``real_call``) uploaded for agent A1 and analysed, once per module."""
    path, _result = real_call
    meta = {"agent_id": "A1", "team": "A", "queue": "billing", "call_id": "real-call-1"}
    uploaded = live_service.upload(path, meta)
    return live_service.wait_analysed(uploaded["id"])


def page_data(driver) -> dict:
    return json.loads(driver.find_element(By.ID, "call-data").get_attribute("textContent"))


def open_call(driver, service, call_id: int) -> dict:
    driver.get(f"{service.url}/calls/{call_id}")
    page_mark(driver, "ready", PAGE_READY_S)
    wait_until(driver, lambda d: d.execute_script("return document.body.dataset.wave"), 30)
    return page_data(driver)


def finding_item(driver, finding_id: int):
    return driver.find_element(By.ID, f"finding-{finding_id}")


def dispute_from_page(driver, finding_id: int, statement: str) -> None:
    """The agent disputes a finding from the call page, as a person does it."""
    finding_item(driver, finding_id).find_element(By.CSS_SELECTOR, "[data-action=dispute]").click()
    item = finding_item(driver, finding_id)  # the form draws the item again
    item.find_element(By.CSS_SELECTOR, ".dispute-form textarea").send_keys(statement)
    item.find_element(By.CSS_SELECTOR, ".dispute-form button[type=submit]").click()
    wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#disputes .dispute"), 10)
