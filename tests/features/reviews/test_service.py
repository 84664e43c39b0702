"""The reviews service called directly: verdicts move the reviewed score, a second review
is required by chance and given by someone else, agents acknowledge and self-assess."""

from __future__ import annotations

import random

import pytest

from qa_service.errors import InputError, NotFoundError
from qa_service.features.reviews import service
from qa_service.features.reviews.schemas import (
    AcknowledgeCreate,
    ReviewCreate,
    SelfAssessmentUpdate,
)
from qa_service.store.calls import Call, ReviewState

CATEGORIES = ("greeting_missing", "closing_missing")


def _review(db, settings, user, call_id, overturn=(), rng=None):
    with db.session() as session:
        findings = session.get(Call, call_id).findings
        verdicts = [
            {"finding_id": f.id, "verdict": "overturned", "reason": "not so"}
            for f in findings
            if f.position in overturn
        ]
        body = ReviewCreate(verdicts=verdicts, score_adjustment=0.0, comment="")
        outcome = service.review_call(
            session, settings, rng or random.Random(0), user, call_id, body
        )
        return outcome["reviewed_score"], session.get(Call, call_id).review_state


@pytest.mark.parametrize("overturn", [(0,), (1,), (0, 1)])
def test_overturned_findings_cost_nothing(db, add_call, account, feature_settings, overturn):
    kept = add_call(categories=CATEGORIES)
    changed = add_call(categories=CATEGORIES)
    baseline, _ = _review(db, feature_settings, account("qa1"), kept)
    score, state = _review(db, feature_settings, account("qa1"), changed, overturn)
    assert score > baseline
    assert state == ReviewState.reviewed
    with db.session(write=False) as session:
        verdicts = {f.position: f.verdict for f in session.get(Call, changed).findings}
    assert {k for k, v in verdicts.items() if v == "overturned"} == set(overturn)


def test_a_finding_of_another_call_is_refused(db, add_call, account, feature_settings):
    mine, other = add_call(), add_call()
    with db.session() as session:
        foreign = session.get(Call, other).findings[0].id
        body = ReviewCreate(verdicts=[{"finding_id": foreign, "verdict": "confirmed"}])
        with pytest.raises(InputError, match=f"finding {foreign}"):
            service.review_call(
                session, feature_settings, random.Random(0), account("qa1"), mine, body
            )


def test_second_review_is_someone_elses(db, add_call, account, feature_settings):
    settings = feature_settings.model_copy(update={"second_review_rate": 1.0})
    call_id = add_call(categories=CATEGORIES)
    assert _review(db, settings, account("qa1"), call_id)[1] == ReviewState.second_pending
    # The first reviewer revising their own review does not count as the second one.
    assert _review(db, settings, account("qa1"), call_id)[1] == ReviewState.second_pending
    assert _review(db, settings, account("qa2"), call_id)[1] == ReviewState.reviewed
    with db.session(write=False) as session:
        kinds = [r["kind"] for r in service.list_reviews(session, account("lead_a"), call_id)]
    assert kinds == ["primary", "primary", "second"]


@pytest.mark.parametrize(("name", "allowed"), [("agent_a1", True), ("agent_b1", False)])
def test_only_the_agent_acknowledges(db, add_call, account, name, allowed):
    call_id = add_call(team="A", agent_id="a1")
    with db.session() as session:
        if allowed:
            call = service.acknowledge_call(session, account(name), call_id, AcknowledgeCreate())
            assert call.acknowledged_at is not None
        else:
            with pytest.raises(NotFoundError):
                service.acknowledge_call(session, account(name), call_id, AcknowledgeCreate())


@pytest.mark.parametrize(("own", "flagged"), [(75.0, False), (100.0, True)])
def test_calibration_compares_self_and_reviewer(
    db, add_call, account, feature_settings, own, flagged
):
    call_id = add_call(categories=())
    _review(db, feature_settings, account("qa1"), call_id)
    with db.session() as session:
        dimension = session.get(Call, call_id).dimensions[0].dimension
        session.get(Call, call_id).dimensions[0].reviewed_score = 75.0
    with db.session() as session:
        body = SelfAssessmentUpdate(scores={dimension: own})
        service.self_assess_call(session, feature_settings, account("agent_a1"), call_id, body)
        report = service.calibration_report(session, feature_settings, account("qa1"), call_id)
    assert report["dimensions"][dimension]["self"] == own
    assert report["dimensions"][dimension]["gap"] == abs(own - 75.0)
    assert report["calibration_flag"] is flagged


def test_self_assessment_names_scorecard_dimensions(db, add_call, account, feature_settings):
    call_id = add_call()
    with db.session() as session, pytest.raises(InputError, match="not a dimension"):
        service.self_assess_call(
            session,
            feature_settings,
            account("agent_a1"),
            call_id,
            SelfAssessmentUpdate(scores={"nonsense": 50.0}),
        )
