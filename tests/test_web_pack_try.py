"""The pack editor in a real browser: the live version shown, a draft tried on the stored
calls its pack scored (the findings it would add, before anything is saved), and a rule built
in the form beside the YAML landing in the text and saved; the builder's API over HTTP."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from qa_service.analysis.pipeline import transcript_from_dict
from qa_service.domain.results import CallResult
from tests.conftest import CALLS_DIR
from tests.service_fixtures import make_wav
from tests.web_fixtures import prepare
from tests.web_fixtures_browser import (
    VIEWPORTS,
    console_errors,
    save_screenshot,
    set_language,
    sign_in,
    wait_until,
)

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser"]

EDITOR = "/qa/packs/pack/en-default"
SCORECARD = "/qa/packs/scorecard/standard"
# A rule the stored call trips: the agent names the company in the first line.
NEW_RULE = (
    "rules:\\n  - {id: try-company-name, name: {en: Company named, zh: 报了公司名}, "
    "type: phrase, category: forbidden_phrase, "
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
    try:
        wait_until(browser, lambda d: d.find_element(By.ID, "try-summary").is_displayed(), 60)
    except TimeoutException:
        # the page shows a failed try under the editor, not in the summary: say what it was
        shown = browser.find_element(By.ID, "save-error").text
        raise AssertionError(f"no try summary after 60 s; the page shows: {shown!r}") from None


def test_a_draft_is_tried_on_stored_calls_before_saving(browser, live_service, tmp_path):
    call = _analysed_call(live_service, tmp_path)
    assert call["rule_pack"] == "en-default"
    sign_in(browser, live_service, "qa1", EDITOR)
    assert "built in" in browser.find_element(By.ID, "live-version").text
    _try_draft(browser, live_service)
    row = browser.find_element(By.CSS_SELECTOR, f"#try-results tr[data-call='{call['call_id']}']")
    added = row.find_element(By.CSS_SELECTOR, "td.added").text
    assert "try-company-name" in added
    assert added.index("Company named") < added.index("try-company-name"), "the name comes first"
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


# The rule builder beside the YAML ------------------------------------------------------------

BUILT = {
    "id": "no-refund-promise",
    "type": "phrase",
    "category": "forbidden_phrase",
    "severity": "major",
    "role": "agent",
    "phrases": "we guarantee a refund\n{exact: money back guaranteed}",
}


def _pack_text(live_service) -> str:
    return (Path(live_service.settings.rules_dir) / "en-default.yaml").read_text("utf-8")


def test_the_builder_writes_a_rule_into_the_draft_and_says_what_is_wrong(live_service):
    pack = _pack_text(live_service)
    with live_service.page_session("qa1", "en") as qa:
        rules = qa.post("/qa/packs/rules", json={"content": pack}).json()["rules"]
        greeting = next(r for r in rules if r["id"] == "greeting-missing")
        assert (
            greeting["form"]["type"] == "missing_phrase"
            and "@greeting" in greeting["form"]["phrases"]
        )
        assert next(r for r in rules if r["type"] == "count")["form"] is None
        assert greeting["name"] == "No greeting", "the picker names rules, in the page's language"
        qa.cookies.set("qa_lang", "zh")
        zh = qa.post("/qa/packs/rules", json={"content": pack}).json()["rules"]
        qa.cookies.set("qa_lang", "en")
        assert next(r for r in zh if r["id"] == "greeting-missing")["name"] == "未问候"

        added = qa.post("/qa/packs/rules/write", json={"content": pack, "rule": BUILT}).json()
        assert added["ok"] and added["errors"] == [] and added["draft_problems"] == 0
        text = added["content"]
        assert text.splitlines()[added["line"] - 1] == "  - id: no-refund-promise"
        assert text.startswith(pack.rstrip("\n")), "the pack's own text is kept as it was"
        check = qa.post("/qa/packs/validate", json={"kind": "pack", "content": text}).json()
        assert check["ok"], check

        form = greeting["form"] | {"severity": "critical"}
        body = {"content": text, "rule": form, "replace": "greeting-missing"}
        replaced = qa.post("/qa/packs/rules/write", json=body).json()
        old, new = text.splitlines(), replaced["content"].splitlines()
        assert len(old) == len(new)
        assert [n for n, (a, b) in enumerate(zip(old, new, strict=True)) if a != b] == [
            n for n, line in enumerate(old) if n >= greeting["line"] - 1 and "severity" in line
        ][:1]

        bad = BUILT | {"id": "Bad Id", "first_s": -1, "min_probability": 7}
        found = qa.post("/qa/packs/rules/write", json={"content": pack, "rule": bad}).json()
        assert not found["ok"] and found["content"] is None
        assert {e["field"] for e in found["errors"]} == {"id", "first_s", "min_probability"}
        assert (
            "must be at most 1"
            in {e["field"]: e["message"] for e in found["errors"]}["min_probability"]
        )
        # The pack's own validation, at the form's fields: an unknown category, no phrases.
        wrong = BUILT | {"category": "no_such_category", "phrases": "  \n"}
        found = qa.post("/qa/packs/rules/write", json={"content": pack, "rule": wrong}).json()
        assert {e["field"] for e in found["errors"]} == {"category", "phrases"}
        broken = qa.post("/qa/packs/rules/write", json={"content": "a: [1,\n b", "rule": BUILT})
        assert broken.status_code == 200 and broken.json()["errors"][0]["field"] == "rule"
        # A scorecard's items: an evaluation question asked in Chinese and English.
        card = (Path(live_service.settings.rules_dir) / "scorecards" / "standard.yaml").read_text()
        listed = qa.post("/qa/packs/rules", json={"kind": "scorecard", "content": card}).json()
        assert "service_attitude" in listed["dimensions"]
        question = next(r for r in listed["rules"] if r["id"] == "q-empathy")["form"]
        body = {"kind": "scorecard", "content": card, "rule": question | {"answer_no": -15}}
        item = qa.post("/qa/packs/rules/write", json=body).json()
        assert item["ok"] and 'answers: {"yes": 0, "no": -15, not_applicable: 0}' in item["content"]
        body["rule"] = question | {"answer_yes": 300, "question_zh": "", "question_en": ""}
        item = qa.post("/qa/packs/rules/write", json=body).json()
        assert [e["field"] for e in item["errors"]] == ["answer_yes"]
        body["rule"] = question | {"question_zh": "", "question_en": ""}
        item = qa.post("/qa/packs/rules/write", json=body).json()
        assert not item["ok"] and item["errors"][0]["field"] == "rule", "a question needs a text"
    with live_service.page_session("qa1", "zh") as qa:
        found = qa.post("/qa/packs/rules/write", json={"content": pack, "rule": bad}).json()
        messages = {e["field"]: e["message"] for e in found["errors"]}
        assert messages["min_probability"] == "不能大于 1", messages
    with live_service.client("agent_a1") as agent:
        refused = agent.post("/qa/packs/rules/write", json={"content": pack, "rule": BUILT})
        assert refused.status_code in (401, 403)
    with live_service.client("qa1") as api:
        assert api.get("/api/packs/en-default").json()["latest_version"] is None, "not saved"


def _fill(browser, values: dict) -> None:
    form = browser.find_element(By.ID, "rule-form")
    for name, value in values.items():
        field = form.find_element(By.NAME, name)
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        else:
            field.clear()
            field.send_keys(value)


def _errors(browser) -> dict[str, str]:
    shown = browser.find_elements(By.CSS_SELECTOR, "#rule-form [data-error-for]")
    return {e.get_attribute("data-error-for"): e.text for e in shown if e.is_displayed()}


def test_a_rule_built_in_the_form_lands_in_the_editor_and_is_saved(browser, live_service):
    sign_in(browser, live_service, "qa1", EDITOR)
    pick = browser.find_element(By.ID, "rule-pick")
    wait_until(browser, lambda d: len(Select(pick).options) > 5, 30, "the draft's rules")
    Select(pick).select_by_value("greeting-missing")
    form = browser.find_element(By.ID, "rule-form")
    assert form.find_element(By.NAME, "id").get_attribute("value") == "greeting-missing"
    assert "@greeting" in form.find_element(By.NAME, "phrases").get_attribute("value")
    assert not form.find_element(By.NAME, "min_s").is_displayed(), "silence fields hidden"
    # The rule the caret is in, picked from the text itself.
    browser.execute_script(
        "const s = arguments[0]; const at = s.value.indexOf('id: interruption');"
        "s.focus(); s.setSelectionRange(at + 40, at + 40);",
        browser.find_element(By.ID, "source"),
    )
    browser.find_element(By.ID, "rule-at-cursor").click()
    assert form.find_element(By.NAME, "id").get_attribute("value") == "interruption"
    assert form.find_element(By.NAME, "min_overlap_s").is_displayed()

    Select(pick).select_by_value("")
    _fill(browser, BUILT | {"id": "Bad Id", "phrases": "we guarantee a refund"})
    browser.find_element(By.ID, "rule-write").click()
    wait_until(browser, lambda d: _errors(d), 30, "the form's problems")
    assert list(_errors(browser)) == ["id"]
    _fill(browser, {"id": BUILT["id"]})
    browser.find_element(By.ID, "rule-write").click()
    written = browser.find_element(By.ID, "rule-written")
    wait_until(browser, lambda d: written.is_displayed(), 30, "the rule written")
    source = browser.find_element(By.ID, "source").get_attribute("value")
    assert "  - id: no-refund-promise\n" in source and "we guarantee a refund" in source
    validity = browser.find_element(By.ID, "validity")
    wait_until(browser, lambda d: "ok" in validity.get_attribute("class"), 30, "validated")
    assert pick.get_attribute("value") == BUILT["id"], "the written rule stays picked"

    browser.find_element(By.ID, "save").click()
    saved = browser.find_element(By.ID, "saved")
    wait_until(browser, lambda d: saved.is_displayed(), 30, "saved")
    with live_service.client("qa1") as api:
        stored = api.get("/api/packs/en-default").json()
        assert stored["latest_version"] == 1
        version = api.get("/api/packs/en-default/versions/1").json()
    assert "no-refund-promise" in version["content"]
    assert not console_errors(browser)

    pages = ((EDITOR, "greeting-missing", "pack"), (SCORECARD, "q-empathy", "scorecard"))
    try:
        for lang in ("zh", "en"):
            set_language(browser, live_service, lang)
            for (path, picked, what), (viewport, width, height) in product(pages, VIEWPORTS):
                browser.set_window_size(width, height)
                browser.get(f"{live_service.url}{path}")
                pick = browser.find_element(By.ID, "rule-pick")
                wait_until(browser, lambda d, p=pick: len(Select(p).options) > 5, 30, "rules")
                Select(pick).select_by_value(picked)
                section = browser.find_element(By.ID, "rule-builder")
                # The builder's top just under the sticky menu bar.
                browser.execute_script(
                    "window.scrollTo(0, arguments[0].getBoundingClientRect().top"
                    " + window.scrollY - 60)",
                    section,
                )
                save_screenshot(browser, f"{what}-rule-builder-{lang}-{viewport}")
                assert not console_errors(browser), path
    finally:
        set_language(browser, live_service, "en")
        browser.set_window_size(1500, 1000)
