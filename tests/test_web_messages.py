"""Messages people read on the pages: the services' errors in the page's language, a bad
period said beside its field (not a page of its own), validators' words without pydantic's
prefix."""

from __future__ import annotations

import re

import pytest

from qa_service.http.error_keys import VALIDATION_TYPES, message_key
from qa_service.http.messages import plain_message
from qa_service.store.coaching import CoachingStatus
from qa_service.store.disputes import DisputeStatus, Stage
from qa_service.web.error_text import KNOWN_ERRORS, translate_error
from qa_service.web.i18n import Translator, catalog

pytest_plugins = ["tests.web_fixtures"]


def page(live_service, username: str, path: str, lang: str):
    with live_service.client(username) as client:
        client.cookies.set("qa_lang", lang)
        return client.get(path)


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [("zh", "找不到通话 999999", "not found"), ("en", "call 999999 not found", "找不到")],
)
def test_an_error_page_speaks_the_pages_language(live_service, lang, expected, absent):
    reply = page(live_service, "qa1", "/calls/999999", lang)
    assert reply.status_code == 404
    assert expected in reply.text and absent not in reply.text


def test_a_bad_period_is_a_field_error_over_this_months_dashboard(live_service):
    reply = page(live_service, "qa1", "/dashboard?period=2026-13", "zh")
    assert reply.status_code == 422
    assert 'id="dashboard-filters"' in reply.text, "the dashboard itself, not an error page"
    assert 'id="period-error"' in reply.text and "“2026-13”不是有效的周期" in reply.text
    assert 'id="error-message"' not in reply.text
    good = page(live_service, "qa1", "/dashboard?period=2026-11", "zh")
    assert good.status_code == 200 and 'id="period-error"' not in good.text


def test_every_known_error_has_both_languages_and_fills_its_values():
    keys = {key for _pattern, key in KNOWN_ERRORS}
    keys |= {f"error.invalid.{kind}" for kind in VALIDATION_TYPES}
    assert keys <= set(catalog("en")) and keys <= set(catalog("zh"))
    zh, en = Translator("zh"), Translator("en")
    assert translate_error("dispute 12 not found", zh) == "找不到申诉 12"
    message = "no rule pack named 'zh-x', stored or built in"
    assert translate_error(message, en) == message, "the English catalog says it as the service"
    assert "zh-x" in translate_error(message, zh)
    unknown = "the pack's scorecard has no dimension 'x'"
    assert translate_error(unknown, zh) == unknown


def test_validators_words_come_without_pydantics_prefix():
    assert plain_message("Value error, a score adjustment needs a comment") == (
        "a score adjustment needs a comment"
    )
    assert plain_message("Field required") == "Field required"


def test_the_api_says_a_validators_message_in_its_own_words(live_service):
    with live_service.client("qa1") as api:
        reply = api.post(
            "/api/calls/999999/reviews", json={"verdicts": [], "score_adjustment": 5, "comment": ""}
        )
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["message"] == "a score adjustment needs a comment saying why"
    assert all(not d["message"].startswith("Value error") for d in error["details"])
    # The form says it in the page's language from its key (issue 15).
    assert error["key"] == "error.adjustment_comment" and error["values"] == {}
    assert Translator("zh")(error["key"]) == "调整分数需要填写说明原因的备注"


def test_form_errors_carry_a_key_and_the_values_they_name(live_service):
    with live_service.client("qa1") as api:
        reply = api.post("/api/calls/999999/reviews", json={"verdicts": []})
    error = reply.json()["error"]
    assert reply.status_code == 404 and error["code"] == "not_found"
    assert (error["key"], error["values"]) == ("error.call_not_found", {"id": "999999"})
    assert Translator("zh")(error["key"], **error["values"]) == "找不到通话 999999"


def test_a_schemas_refusal_carries_its_type_as_key(live_service):
    """A sampling plan's rate above 1: pydantic's English becomes the page's language."""
    with live_service.client("qa1") as api:
        reply = api.post("/api/sampling/plans", json={"period": "2026-11", "rate": 2})
    error = reply.json()["error"]
    assert reply.status_code == 422 and error["message"].startswith("rate:")
    assert (error["key"], error["values"]) == ("error.invalid.less_than_equal", {"le": "1"})
    assert Translator("zh")(error["key"], **error["values"]) == "不能大于 1"


@pytest.mark.parametrize(
    ("message", "key", "values"),
    [
        (f"coaching task 3 is {CoachingStatus.done}", "error.coaching_status", {"id": "3"}),
        (f"dispute 4 is {DisputeStatus.upheld}, not open", "error.dispute_not_open", {"id": "4"}),
        (
            f"the {Stage.final} step of this dispute is not yours to decide",
            "error.not_your_step",
            {},
        ),
        ("finding 9 is not a finding of call 2", "error.not_a_finding", {"id": "9"}),
        ("the due date 2026-01-02 has passed", "error.due_passed", {"date": "2026-01-02"}),
        ("a.wav: the file is empty", "error.empty_file", {"file": "a.wav"}),
    ],
)
def test_the_services_own_messages_have_keys(message, key, values):
    """The patterns match the features' messages as they raise them (enums included)."""
    found = message_key(message)
    assert found is not None and found[0] == key
    assert values.items() <= found[1].items()
    for lang in ("zh", "en"):
        said = Translator(lang)(key, **found[1])
        assert "{" not in said and said != key


def test_evidence_lines_are_said_in_the_pages_language():
    from qa_service.web.evidence_text import KNOWN_EVIDENCE, translate_evidence

    keys = {key for _pattern, key in KNOWN_EVIDENCE}
    assert keys <= set(catalog("en")) and keys <= set(catalog("zh"))
    findings = [
        {"text": "3 match(es) with the phrases"},
        {"text": "step 'verify' missing or out of order"},
        {"text": "12.5 s silence"},
        {"text": "I already told you, call the bank."},  # a line of the call: its own words
        {"text": None},
    ]
    translate_evidence(findings, Translator("zh"))
    shown = [f["text"] for f in findings]
    assert shown[0] == "短语命中 3 次" and "verify" in shown[1] and "12.5" in shown[2]
    assert shown[3] == "I already told you, call the bank." and shown[4] is None
    assert all(not re.search(r"[A-Za-z]{3,}", text) for text in (shown[0], shown[2]))
