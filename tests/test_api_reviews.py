"""QA review: verdicts per finding, the score they leave, the second reviewer, the agent's
acknowledgement and self-assessment, the calibration flag, and the audit trail."""

from __future__ import annotations

import random

import pytest

from qa_service.features.reviews.service import picked_for_second_review
from tests.service_api_fixtures import FixedRng

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]


@pytest.fixture
def no_second_review(service):
    service.app.state.review_rng = FixedRng(0.99)
    yield
    service.app.state.review_rng = FixedRng(0.99)


def _findings(service, call_id: int) -> list[dict]:
    return service.get(f"/api/calls/{call_id}/findings", "qa1").json()


def _review(service, call_id: int, user: str = "qa1", **body):
    return service.post(f"/api/calls/{call_id}/reviews", user, json=body)


def test_overturning_a_finding_gives_back_its_points(service, no_second_review) -> None:
    call = service.new_call("A1")
    findings = _findings(service, call["id"])
    costly = next(f for f in findings if f["points"] < 0 and not f["critical"])
    before = service.get(f"/api/calls/{call['id']}/score", "qa1").json()
    reply = _review(
        service,
        call["id"],
        verdicts=[
            {"finding_id": costly["id"], "verdict": "overturned", "reason": "the agent did greet"}
        ],
    )
    assert reply.status_code == 201, reply.text
    after = service.get(f"/api/calls/{call['id']}/score", "qa1").json()
    dim = next(d for d in after["dimensions"] if d["reviewed_score"] != d["score"])
    assert dim["reviewed_score"] - dim["score"] == pytest.approx(-costly["points"], abs=0.11)
    assert after["total"] == before["total"]  # the machine's score is kept beside it
    verdicts = {f["id"]: f["verdict"] for f in _findings(service, call["id"])}
    assert verdicts[costly["id"]] == "overturned"
    assert set(verdicts.values()) == {"confirmed", "overturned"}
    state = service.get(f"/api/calls/{call['id']}", "qa1").json()
    assert (state["review_state"], state["overturned_count"]) == ("reviewed", 1)


def test_overturning_every_critical_finding_lifts_the_cap(service, no_second_review) -> None:
    call = service.new_call("A1")
    findings = _findings(service, call["id"])
    assert call["critical_failed"] and call["score_total"] == 0.0
    # Overturning the one that failed the call lets the next of its kind fail it instead.
    critical = {f["category"] for f in findings if f["critical"]}
    first = next(f for f in findings if f["critical"])
    reply = _review(
        service,
        call["id"],
        verdicts=[{"finding_id": first["id"], "verdict": "overturned", "reason": "misheard"}],
    )
    assert reply.json()["reviewed_score"] == 0.0
    verdicts = [
        {"finding_id": f["id"], "verdict": "overturned", "reason": "misheard"}
        for f in findings
        if f["category"] in critical
    ]
    reply = _review(service, call["id"], verdicts=verdicts)
    assert reply.json()["reviewed_score"] > 0


def test_score_adjustment_needs_a_reason_and_is_audited(service, no_second_review) -> None:
    call = service.new_call("A1")
    assert _review(service, call["id"], score_adjustment=5).status_code == 422
    reply = _review(service, call["id"], score_adjustment=12.5, comment="handled a hard call")
    assert reply.status_code == 201
    first = reply.json()["reviewed_score"]
    audit = service.get(
        f"/api/audit?entity=call&entity_id={call['id']}&action=review.primary", "qa1"
    ).json()["items"]
    assert len(audit) == 1
    assert audit[0]["before"]["reviewed_score"] is None
    assert audit[0]["after"]["score_adjustment"] == 12.5
    assert audit[0]["after"]["reviewed_score"] == first
    assert audit[0]["actor_id"] == service.ids["qa1"]


@pytest.mark.parametrize(
    "body",
    [
        {"verdicts": [{"finding_id": 10**6, "verdict": "confirmed"}]},
        {"verdicts": [{"finding_id": 1, "verdict": "overturned", "reason": " "}]},
        {"verdicts": [], "score_adjustment": 150, "comment": "x"},
        {"verdicts": [], "unexpected": True},
    ],
)
def test_bad_reviews_are_refused(service, body) -> None:
    call = service.new_call("A1")
    reply = _review(service, call["id"], **body)
    assert reply.status_code == 422, reply.text
    assert service.get(f"/api/calls/{call['id']}", "qa1").json()["review_state"] == "none"


def test_a_picked_call_needs_a_second_different_reviewer(service) -> None:
    service.app.state.review_rng = FixedRng(0.0)
    call = service.new_call("A1")
    first = _review(service, call["id"], user="qa1")
    assert first.json()["second_review_required"] is True
    state = service.get(f"/api/calls/{call['id']}", "qa1").json()
    assert state["review_state"] == "second_pending"
    queue = service.get("/api/calls?review_state=second_pending", "qa2").json()["items"]
    assert call["id"] in {c["id"] for c in queue}
    assert _review(service, call["id"], user="qa1").status_code == 201  # a revision of the first
    assert service.get(f"/api/calls/{call['id']}", "qa1").json()["review_state"] == "second_pending"
    finding = _findings(service, call["id"])[0]
    second = _review(
        service,
        call["id"],
        user="qa2",
        verdicts=[{"finding_id": finding["id"], "verdict": "overturned", "reason": "not said"}],
    )
    assert second.status_code == 201 and second.json()["review"]["kind"] == "second"
    assert service.get(f"/api/calls/{call['id']}", "qa1").json()["review_state"] == "reviewed"
    kinds = [
        (r["kind"], r["current"])
        for r in service.get(f"/api/calls/{call['id']}/reviews", "agent_a1").json()
    ]
    assert kinds == [("primary", False), ("primary", True), ("second", True)]


def test_the_second_reviewer_cannot_be_the_first(service) -> None:
    service.app.state.review_rng = FixedRng(0.0)
    call = service.new_call("A1")
    _review(service, call["id"], user="qa1")
    service.app.state.review_rng = FixedRng(0.99)
    # qa1 revising is allowed, but it does not count as the second review.
    _review(service, call["id"], user="qa1")
    assert service.get(f"/api/calls/{call['id']}", "qa1").json()["review_state"] == "second_pending"


def test_second_review_share_is_the_configured_rate() -> None:
    rng = random.Random(20261123)
    picks = sum(picked_for_second_review(rng, 0.10) for _ in range(20_000))
    assert 0.09 < picks / 20_000 < 0.11
    again = random.Random(20261123)
    assert [picked_for_second_review(again, 0.1) for _ in range(50)] == [
        picked_for_second_review(r, 0.1) for r in [random.Random(20261123)] for _ in range(50)
    ]


def test_agent_acknowledges_and_self_assesses(service, no_second_review) -> None:
    call = service.new_call("A1")
    ack = service.post(f"/api/calls/{call['id']}/acknowledge", "agent_a1", json={"comment": "ok"})
    assert ack.status_code == 200 and ack.json()["acknowledged_at"]
    dims = [
        d["dimension"]
        for d in service.get(f"/api/calls/{call['id']}/score", "agent_a1").json()["dimensions"]
    ]
    reply = service.put(
        f"/api/calls/{call['id']}/self-assessment",
        "agent_a1",
        json={"scores": {d: 80 for d in dims}},
    )
    assert reply.status_code == 200 and len(reply.json()) == len(dims)
    bad = service.put(
        f"/api/calls/{call['id']}/self-assessment", "agent_a1", json={"scores": {"charisma": 100}}
    )
    assert bad.status_code == 422 and "charisma" in bad.json()["error"]["message"]
    assert (
        service.put(
            f"/api/calls/{call['id']}/self-assessment", "qa1", json={"scores": {dims[0]: 1}}
        ).status_code
        == 403
    )


def test_calibration_flag_when_self_and_reviewer_differ_by_more_than_15(
    service, no_second_review
) -> None:
    call = service.new_call("A1")
    score = service.get(f"/api/calls/{call['id']}/score", "qa1").json()
    dims = {d["dimension"]: d["score"] for d in score["dimensions"]}
    close = {d: min(100.0, s + 15.0) if s <= 85 else s - 15.0 for d, s in dims.items()}
    service.put(f"/api/calls/{call['id']}/self-assessment", "agent_a1", json={"scores": close})
    reply = _review(service, call["id"])
    assert reply.json()["calibration_flag"] is False  # 15 points apart is still calibrated
    target, value = next((d, s) for d, s in dims.items() if s <= 80)
    service.put(
        f"/api/calls/{call['id']}/self-assessment",
        "agent_a1",
        json={"scores": {target: value + 15.5}},
    )
    calibration = service.get(f"/api/calls/{call['id']}/calibration", "lead_a").json()
    assert calibration["calibration_flag"] is True
    assert calibration["dimensions"][target]["gap"] == 15.5
    flagged = service.get("/api/calls?calibration_flag=true", "qa1").json()["items"]
    assert call["id"] in {c["id"] for c in flagged}


def test_a_call_must_be_analysed_before_review(service) -> None:
    reply = service.upload("qa1", [("pending.wav", service.wav())], {"agent_id": "A1", "team": "A"})
    call_id = reply.json()["calls"][0]["call"]["id"]
    review = _review(service, call_id)
    assert review.status_code == 409 and "not analysed" in review.json()["error"]["message"]
    service.run_jobs()


def test_an_answered_question_is_reviewed_disputed_and_asked_again_on_rescore(
    service, no_second_review, monkeypatch
) -> None:
    """An evaluation question's answer is a finding like any other: a reviewer's overturning
    verdict is kept, the agent can dispute it, and a rescore asks the model again."""
    from tests.llm_stand_in import AnsweringModel

    monkeypatch.setattr(service.settings, "llm_scope", "all")
    first = AnsweringModel({"solved": "no"}, cite=1)
    monkeypatch.setitem(service.worker.ctx.engines._loaded, "llm", first)
    monkeypatch.setitem(service.app.state.engines._loaded, "llm", first)
    call = service.new_call("A1")
    answer = next(f for f in _findings(service, call["id"]) if f["rule_id"] == "q-problem-resolved")
    assert (answer["evidence"]["answer"], answer["points"]) == ("no", -20)
    reply = _review(
        service,
        call["id"],
        verdicts=[{"finding_id": answer["id"], "verdict": "overturned", "reason": "it was"}],
    )
    assert reply.status_code == 201, reply.text
    # (This call's business dimension is at its floor either way: the verdict is what shows.)
    verdicts = {f["id"]: f["verdict"] for f in _findings(service, call["id"])}
    assert verdicts[answer["id"]] == "overturned"

    others = [f for f in _findings(service, call["id"]) if f["category"] == "question"]
    disputed = next(f for f in others if f["verdict"] != "overturned")
    body = {"finding_id": disputed["id"], "reason": "I did offer an alternative."}
    opened = service.post(f"/api/calls/{call['id']}/disputes", "agent_a1", json=body)
    assert opened.status_code == 201, opened.text
    rescore = {"pack": call["rule_pack"]}
    assert service.post(f"/api/calls/{call['id']}/rescore", "qa1", json=rescore).status_code == 409
    decided = service.post(
        f"/api/disputes/{opened.json()['id']}/decision",
        "lead_a",
        json={"decision": "uphold", "comment": "no alternative was offered"},
    )
    assert decided.status_code == 200, decided.text
    again = AnsweringModel({"solved": "yes"}, cite=2)
    monkeypatch.setitem(service.app.state.engines._loaded, "llm", again)
    reply = service.post(f"/api/calls/{call['id']}/rescore", "qa1", json=rescore)
    assert reply.status_code == 200, reply.text
    assert again.asked, "the rescore asked the model again"
    new = next(f for f in reply.json()["findings"] if f["rule_id"] == "q-problem-resolved")
    assert new["evidence"]["answer"] == "yes" and new["evidence"]["cited"][0]["index"] == 2


def test_reviewers_agreement_with_each_question_is_counted_ranked_and_exported(
    service, no_second_review, monkeypatch
) -> None:
    """Two calls answered by a (stand-in) model; QA overturns the resolution answer on both
    and confirms the rest: resolution ranks first at 0 % and is flagged, the others not."""
    from qa_service.store.base import utcnow
    from tests.llm_stand_in import AnsweringModel

    monkeypatch.setattr(service.settings, "llm_scope", "all")
    monkeypatch.setattr(service.settings, "question_agreement_min_reviews", 2)
    model = AnsweringModel({"solved": "no"}, cite=1)
    monkeypatch.setitem(service.worker.ctx.engines._loaded, "llm", model)
    for agent in ("A1", "A1"):
        call = service.new_call(agent)
        answer = next(
            f for f in _findings(service, call["id"]) if f["rule_id"] == "q-problem-resolved"
        )
        verdicts = [{"finding_id": answer["id"], "verdict": "overturned", "reason": "solved"}]
        assert _review(service, call["id"], verdicts=verdicts).status_code == 201
    period = utcnow().strftime("%Y-%m")
    url = f"/api/questions/agreement?period={period}"
    report = service.get(url, "qa1").json()
    first, *others = report["questions"]
    assert (first["rule_id"], first["overturned"], first["agreement"]) == (
        "q-problem-resolved",
        2,
        0.0,
    )
    assert first["needs_rewording"] and first["question"]
    assert others and all(q["agreement"] == 1.0 and not q["needs_rewording"] for q in others)
    # Another period has no reviewed answer; agents may not see reviewers' agreement.
    assert service.get("/api/questions/agreement?period=2020-01", "qa1").json()["questions"] == []
    assert service.get(url, "agent_a1").status_code == 403
    exported = service.get(f"{url}&format=csv", "qa1")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("q-problem-resolved,") and ",0.0%,yes," in lines[1]
