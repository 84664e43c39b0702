"""A calibration session is blind: while it is open, a participant who has not answered a
call's questions there sees neither the model's answers to them nor the call's score, on the
API or the call page, and cannot rule on those answers; answering or closing shows it all."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.llm_stand_in import AnsweringModel

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]

QUESTION = "q-problem-resolved"
# The stand-in model's justifications: the session's question, and the other questions.
ANSWER = "Line 1: solved."
OTHER_ANSWER = "Line 1: nothing."
SESSION_NAME = "Blind December"


@dataclass(frozen=True)
class Blind:
    session: int
    inside: int  # a call of the session
    outside: int  # a call of no session


@pytest.fixture(scope="module")
def pages(service) -> None:
    from qa_service.web import install_web

    install_web(service.app)


@pytest.fixture
def blind(service, pages, monkeypatch) -> Blind:
    """Two calls of agent A1 whose questions a stand-in model answered; qa1's open session
    asks one question on the first."""
    monkeypatch.setattr(service.settings, "llm_scope", "all")
    model = AnsweringModel({"solved": "no"}, cite=1)
    monkeypatch.setitem(service.worker.ctx.engines._loaded, "llm", model)
    inside, outside = (service.new_call("A1")["id"] for _ in range(2))
    body = {"name": SESSION_NAME, "call_ids": [inside], "rule_ids": [QUESTION]}
    created = service.post("/api/question-calibrations", "qa1", json=body)
    assert created.status_code == 201, created.text
    return Blind(created.json()["id"], inside, outside)


def _answer_blind(service, blind: Blind, user: str) -> None:
    answers = {"answers": [{"call_id": blind.inside, "rule_id": QUESTION, "answer": "yes"}]}
    reply = service.put(f"/api/question-calibrations/{blind.session}/answers", user, json=answers)
    assert reply.status_code == 200, reply.text


def _question_finding(service, call_id: int) -> dict:
    """The session question's finding, as its creator (never held back) sees it."""
    findings = service.get(f"/api/calls/{call_id}/findings", "qa1").json()
    return next(f for f in findings if f["rule_id"] == QUESTION)


def assert_withheld(service, user: str, call_id: int, session_id: int) -> None:
    url = f"/api/calls/{call_id}"
    findings = service.get(f"{url}/findings", user)
    assert findings.status_code == 200, findings.text
    assert QUESTION not in {f["rule_id"] for f in findings.json()}
    assert ANSWER not in findings.text and OTHER_ANSWER in findings.text, "others stay"
    assert findings.headers["Withheld-Questions"] == QUESTION
    result = service.get(f"{url}/result", user).json()
    assert result["withheld_questions"] == [QUESTION] and result["score"] is None
    assert ANSWER not in json.dumps(result) and OTHER_ANSWER in json.dumps(result)
    score = service.get(f"{url}/score", user).json()
    assert score["total"] is None and not score["items"] and not score["dimensions"]
    assert score["withheld_questions"] == [QUESTION]
    detail = service.get(url, user).json()
    assert detail["score_total"] is None and detail["withheld_questions"] == [QUESTION]
    page = service.get(f"/calls/{call_id}", user)
    assert page.status_code == 200, page.text
    assert 'id="withheld-notice"' in page.text and SESSION_NAME in page.text
    assert f'href="/qa/calibrations/{session_id}"' in page.text
    assert ANSWER not in page.text and OTHER_ANSWER in page.text


def assert_shown(service, user: str, call_id: int) -> None:
    url = f"/api/calls/{call_id}"
    findings = service.get(f"{url}/findings", user)
    assert QUESTION in {f["rule_id"] for f in findings.json()} and ANSWER in findings.text
    assert "Withheld-Questions" not in findings.headers
    result = service.get(f"{url}/result", user).json()
    assert "withheld_questions" not in result and result["score"]["total"] is not None
    score = service.get(f"{url}/score", user).json()
    assert score["total"] is not None and score["withheld_questions"] == []
    assert service.get(url, user).json()["score_total"] is not None
    page = service.get(f"/calls/{call_id}", user).text
    assert 'id="withheld-notice"' not in page and ANSWER in page


def test_a_participant_sees_no_model_answer_until_they_answered(service, blind):
    assert_withheld(service, "qa2", blind.inside, blind.session)
    listed = {c["id"]: c for c in service.get("/api/calls?limit=200", "qa2").json()["items"]}
    assert listed[blind.inside]["score_total"] is None, "nor in the listing"
    assert listed[blind.outside]["score_total"] is not None

    _answer_blind(service, blind, "qa2")
    assert_shown(service, "qa2", blind.inside)


def test_a_participant_cannot_confirm_or_overturn_a_withheld_answer(service, blind):
    finding = _question_finding(service, blind.inside)
    verdict = {"finding_id": finding["id"], "verdict": "overturned", "reason": "it was solved"}
    reviews = f"/api/calls/{blind.inside}/reviews"
    refused = service.post(reviews, "qa2", json={"verdicts": [verdict]})
    assert refused.status_code == 409, refused.text
    assert "calibration session" in refused.json()["error"]["message"]
    # Findings left out of a review are confirmed: a review naming none is refused too.
    assert service.post(reviews, "qa2", json={"verdicts": []}).status_code == 409
    # A rescore, even a dry run, shows the score and its items.
    rescore = {"pack": "default-en", "dry_run": True}
    url = f"/api/calls/{blind.inside}/rescore"
    assert service.post(url, "qa2", json=rescore).status_code == 409
    assert _question_finding(service, blind.inside)["verdict"] is None, "nothing was stored"

    _answer_blind(service, blind, "qa2")
    accepted = service.post(reviews, "qa2", json={"verdicts": [verdict]})
    assert accepted.status_code == 201, accepted.text


def test_a_dispute_of_a_withheld_answer_is_not_ruled_blind(service, blind):
    finding = _question_finding(service, blind.inside)
    body = {"finding_id": finding["id"], "reason": "I solved it"}
    opened = service.post(f"/api/calls/{blind.inside}/disputes", "agent_a1", json=body)
    assert opened.status_code == 201, opened.text
    decision = {"decision": "overturn", "comment": "solved indeed"}
    url = f"/api/disputes/{opened.json()['id']}/decision"
    # An admin may decide any step, but not one they may not see the answer of.
    refused = service.post(url, "admin", json=decision)
    assert refused.status_code == 409, refused.text
    page = service.get(f"/calls/{blind.inside}", "admin").text
    assert "I solved it" not in page, "the agent's statement argues with the hidden answer"
    # Nor do the dispute API and the inbox quote it to a participant.
    dispute_url = f"/api/disputes/{opened.json()['id']}"
    for reply in (
        service.get(dispute_url, "admin"),
        service.get(f"/api/disputes?call_id={blind.inside}", "admin"),
        service.get("/disputes", "admin"),
    ):
        assert reply.status_code == 200, reply.text
        assert "I solved it" not in reply.text
    held = service.get(dispute_url, "admin").json()
    assert held["withheld"] is True and held["reason"] == "" and held["thread"] == []
    assert "withheld-note" in service.get("/disputes", "admin").text
    # The team's supervisor takes no part in sessions: their step is theirs as always.
    assert service.get(dispute_url, "lead_a").json()["reason"] == "I solved it"
    assert service.post(url, "lead_a", json=decision).status_code == 200
    _answer_blind(service, blind, "admin")
    shown = service.get(dispute_url, "admin").json()
    assert shown["withheld"] is False and shown["reason"] == "I solved it"
    assert "solved indeed" in json.dumps(shown["thread"]), "the ruling shows too"


def test_closing_the_session_shows_everything(service, blind):
    # An admin who did not create the session is held back like any participant.
    assert_withheld(service, "admin", blind.inside, blind.session)
    assert_withheld(service, "qa2", blind.inside, blind.session)
    closed = service.post(f"/api/question-calibrations/{blind.session}/close", "qa1")
    assert closed.status_code == 200, closed.text
    assert_shown(service, "admin", blind.inside)
    assert_shown(service, "qa2", blind.inside)


def test_the_creator_others_and_other_calls_are_unaffected(service, blind):
    # The creator chose the calls; a supervisor and the agent take no part in sessions.
    for user in ("qa1", "lead_a", "agent_a1"):
        assert_shown(service, user, blind.inside)
    assert_shown(service, "qa2", blind.outside)
