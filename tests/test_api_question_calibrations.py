"""Calibration sessions for evaluation questions: reviewers answer the same calls blind, then
see their agreement with each other and with the model."""

from __future__ import annotations

import pytest

from tests.llm_stand_in import AnsweringModel

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]


@pytest.fixture
def answered_calls(service, monkeypatch) -> list[int]:
    """Two calls whose questions a stand-in model answered ("no" to resolution)."""
    monkeypatch.setattr(service.settings, "llm_scope", "all")
    model = AnsweringModel({"solved": "no"}, cite=1)
    monkeypatch.setitem(service.worker.ctx.engines._loaded, "llm", model)
    return [service.new_call("A1")["id"] for _ in range(2)]


def _answers(calls: list[int], *given: str) -> dict:
    return {
        "answers": [
            {"call_id": c, "rule_id": "q-problem-resolved", "answer": a}
            for c, a in zip(calls, given, strict=True)
        ]
    }


def test_reviewers_answer_blind_and_see_the_agreement_once_closed(service, answered_calls):
    body = {"name": "December", "call_ids": answered_calls, "rule_ids": ["q-problem-resolved"]}
    created = service.post("/api/question-calibrations", "qa1", json=body)
    assert created.status_code == 201, created.text
    url = f"/api/question-calibrations/{created.json()['id']}"
    assert created.json()["questions"][0]["question"], "the question's wording is shown"

    mine = service.put(f"{url}/answers", "qa1", json=_answers(answered_calls, "no", "yes"))
    assert mine.status_code == 200, mine.text
    theirs = service.put(f"{url}/answers", "qa2", json=_answers(answered_calls, "no", "no"))
    # Open: qa2 sees their own answers only, never qa1's or the model's.
    seen = theirs.json()
    assert {a["answer"] for a in seen["my_answers"]} == {"no"} and len(seen["my_answers"]) == 2
    assert "results" not in seen and "answers" not in seen and "model_answers" not in seen
    # Changing an answer replaces it.
    again = service.put(f"{url}/answers", "qa1", json=_answers(answered_calls, "no", "yes"))
    assert len(again.json()["my_answers"]) == 2

    assert service.post(f"{url}/close", "qa2").status_code == 403, "not qa2's session"
    closed = service.post(f"{url}/close", "qa1")
    assert closed.status_code == 200, closed.text
    (result,) = closed.json()["results"]
    # Call 1: both "no" (the model's answer); call 2: "yes" against "no".
    assert result["calls"] == 2 and result["reviewers_agreement"] == 0.5
    assert result["reviewers_with_model"] == 0.75 and result["majority_with_model"] == 1.0
    assert result["per_reviewer_with_model"] == {"qa1": 0.5, "qa2": 1.0}
    assert len(closed.json()["model_answers"]) == 2
    late = service.put(f"{url}/answers", "qa2", json=_answers(answered_calls, "yes", "yes"))
    assert late.status_code == 409, "a closed session's answers are fixed"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "x", "call_ids": []}, 422),
        ({"name": "x", "call_ids": [999999]}, 404),
        ({"name": "", "call_ids": [1]}, 422),
        ({"name": "x", "call_ids": list(range(1, 60))}, 422),
    ],
)
def test_a_session_needs_known_calls_within_bounds(service, answered_calls, body, status):
    assert service.post("/api/question-calibrations", "qa1", json=body).status_code == status


@pytest.mark.parametrize("rule_ids", [[""], ["q-never-asked"], ["x" * 129]])
def test_a_session_asks_only_questions_the_model_answered(service, answered_calls, rule_ids):
    body = {"name": "x", "call_ids": answered_calls, "rule_ids": rule_ids}
    assert service.post("/api/question-calibrations", "qa1", json=body).status_code == 422


def test_answers_outside_the_session_and_agents_are_refused(service, answered_calls):
    body = {"name": "x", "call_ids": answered_calls[:1], "rule_ids": ["q-problem-resolved"]}
    created = service.post("/api/question-calibrations", "qa1", json=body).json()
    url = f"/api/question-calibrations/{created['id']}"
    outside = _answers(answered_calls[1:], "yes")
    assert service.put(f"{url}/answers", "qa1", json=outside).status_code == 422
    assert service.get(url, "agent_a1").status_code == 403
    listed = service.get("/api/question-calibrations", "qa1").json()
    assert listed[0]["calls"] == 1 and not listed[0]["closed"]


@pytest.mark.parametrize(("path", "status"), [("999999", 404), ("0", 422), ("9" * 30, 422)])
def test_an_unknown_or_unbounded_session_id_is_a_client_error(service, path, status):
    assert service.get(f"/api/question-calibrations/{path}", "qa1").status_code == status
    assert service.post(f"/api/question-calibrations/{path}/close", "qa1").status_code == status
