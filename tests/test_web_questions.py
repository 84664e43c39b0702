"""Evaluation questions on the call page: answers a (stand-in) model gave are reviewed,
disputed and answered again on rescore, as findings are."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from selenium.webdriver.common.by import By

from qa_service.store.base import utcnow
from tests.llm_stand_in import AnsweringModel
from tests.web_call_page import dispute_from_page, finding_item, open_call
from tests.web_fixtures import upload_scripted_call
from tests.web_fixtures_browser import save_screenshot, sign_in, wait_until

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser"]


def test_answered_questions_are_reviewed_disputed_and_answered_again_on_rescore(
    browser, live_service, tmp_path, monkeypatch
):
    """A call whose scorecard questions a (stand-in) model answered: the answers are on the
    call page with their cited line; QA confirms one and overturns another; the agent disputes
    one; once the dispute is settled, a rescore asks the model again and the page shows the
    new answer and score."""
    engines = live_service.app.state.engines
    monkeypatch.setattr(live_service.settings, "llm_scope", "all")
    first = AnsweringModel({"solved": "no", "deflect": "yes", "rude": "yes"}, cite=2)
    monkeypatch.setitem(engines._loaded, "llm", first)
    meta = {"agent_id": "A1", "team": "A", "queue": "billing", "call_id": "asked-call-1"}
    call, _ = upload_scripted_call(live_service, tmp_path, "asked-call", meta)
    assert first.asked, "the worker asked the scorecard's questions"
    with live_service.client("qa1") as api:
        findings = api.get(f"/api/calls/{call['id']}/findings").json()
    answers = {f["rule_id"]: f for f in findings if f["category"] == "question"}
    resolved, deflection = answers["q-problem-resolved"], answers["q-deflection"]
    assert resolved["evidence"]["answer"] == "no" and deflection["evidence"]["answer"] == "yes"
    assert [c["index"] for c in resolved["evidence"]["cited"]] == [2]

    sign_in(browser, live_service, "qa1")
    data = open_call(browser, live_service, call["id"])
    shown = {f["id"]: f for f in data["findings"]}
    assert shown[resolved["id"]]["lines"] == [2], "the answer sits on the line it cites"
    item = finding_item(browser, resolved["id"])
    assert resolved["evidence"]["question"] in item.text and "no" in item.text
    assert "Line 2" in item.find_element(By.CSS_SELECTOR, "blockquote").text
    item.find_element(By.CSS_SELECTOR, "[data-action=confirm]").click()
    item = finding_item(browser, deflection["id"])
    item.find_element(By.CSS_SELECTOR, "[data-action=overturn]").click()
    reason = "Offering the bank's number is an alternative."
    item = finding_item(browser, deflection["id"])  # marking draws the list again
    item.find_element(By.CSS_SELECTOR, ".overturn-reason").send_keys(reason)
    browser.find_element(By.ID, "review-submit").click()
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#review-history p"), 15)
    with live_service.client("qa1") as api:
        (review,) = api.get(f"/api/calls/{call['id']}/reviews").json()
    verdicts = {v["finding_id"]: (v["verdict"], v["reason"]) for v in review["verdicts"]}
    assert verdicts[resolved["id"]] == ("confirmed", "")
    assert verdicts[deflection["id"]] == ("overturned", reason)

    # The QA page ranks the questions by agreement: the overturned one first, flagged.
    monkeypatch.setattr(live_service.settings, "question_agreement_min_reviews", 1)
    browser.get(f"{live_service.url}/qa/questions")
    rows = wait_until(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#questions-table tr[data-rule]"), 15
    )
    assert rows[0].get_attribute("data-rule") == "q-deflection"
    assert "flagged" in rows[0].get_attribute("class") and "0%" in rows[0].text
    shown = {r.get_attribute("data-rule"): r for r in rows}
    assert "100%" in shown["q-problem-resolved"].text
    assert "flagged" not in shown["q-problem-resolved"].get_attribute("class")
    save_screenshot(browser, "questions-agreement")
    # QA's KPI download carries the same figures on a sheet of their own; a supervisor's not.
    export = f"/dashboard/export?period={utcnow():%Y-%m}&format=xlsx"
    with live_service.client("qa1") as api, live_service.client("lead_a") as lead:
        book = load_workbook(BytesIO(api.get(export).content))
        led = load_workbook(BytesIO(lead.get(export).content))
    rows = list(book["Question agreement"].iter_rows(values_only=True))
    assert rows[0][0] == "Question id" and rows[1][0] == "q-deflection"
    assert rows[1][5] == 0 and rows[1][6] == "yes"
    assert "Question agreement" not in led.sheetnames and "KPIs" in led.sheetnames

    sign_in(browser, live_service, "agent_a1")
    open_call(browser, live_service, call["id"])
    statement = "I told the customer the refund takes five days: that is the next step."
    dispute_from_page(browser, resolved["id"], statement)
    with live_service.client("agent_a1") as api:
        (dispute,) = api.get("/api/disputes", params={"call_id": call["id"]}).json()["items"]
    assert (dispute["finding_id"], dispute["status"]) == (resolved["id"], "open")

    second = AnsweringModel({"solved": "yes", "deflect": "yes", "rude": "yes"}, cite=3)
    monkeypatch.setitem(engines._loaded, "llm", second)
    with live_service.client("qa1") as api, live_service.client("lead_a") as lead:
        refused = api.post(f"/api/calls/{call['id']}/rescore", json={"pack": call["rule_pack"]})
        assert refused.status_code == 409, "an open dispute blocks the rescore"
        decided = lead.post(
            f"/api/disputes/{dispute['id']}/decision",
            json={"decision": "overturn", "comment": "A refund date is a next step."},
        )
        assert decided.status_code == 200, decided.text
        rescored = api.post(f"/api/calls/{call['id']}/rescore", json={"pack": call["rule_pack"]})
        assert rescored.status_code == 200, rescored.text
    assert second.asked, "the rescore asked the model again"
    after = {f["rule_id"]: f for f in rescored.json()["findings"]}
    assert after["q-problem-resolved"]["evidence"]["answer"] == "yes"
    assert (
        resolved["evidence"]["points"] == -20
        and after["q-problem-resolved"]["evidence"]["points"] == 0
    )
    scored = next(e for e in rescored.json()["score"]["items"] if e["item"] == "q-problem-resolved")
    assert (scored["answer"], scored["points"]) == ("yes", 0), "the new answer is what counts"

    sign_in(browser, live_service, "qa1")
    data = open_call(browser, live_service, call["id"])
    now = next(f for f in data["findings"] if f["rule_id"] == "q-problem-resolved")
    assert now["lines"] == [3] and now["verdict"] is None, "a new answer, not yet reviewed"
    assert "yes" in finding_item(browser, now["id"]).find_element(By.CSS_SELECTOR, ".why").text
    save_screenshot(browser, "call-questions-rescored")
