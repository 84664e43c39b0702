"""The disputes service called directly: an agent disputes their own finding, each step is
decided by its people, overturning changes the finding, upholding opens an appeal."""

from __future__ import annotations

import pytest

from qa_service.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from qa_service.features.disputes import service
from qa_service.features.disputes.schemas import AppealCreate, DecisionCreate, DisputeCreate
from qa_service.store.calls import Call, FindingRecord
from qa_service.store.disputes import Stage


@pytest.fixture
def disputed(db, add_call, account, feature_settings) -> tuple[int, int]:
    """(call id, dispute id): agent_a1 disputes the first finding of their call."""
    call_id = add_call(team="A", agent_id="a1", categories=("greeting_missing",))
    with db.session() as session:
        finding = session.get(Call, call_id).findings[0].id
        body = DisputeCreate(finding_id=finding, reason="I did greet")
        dispute = service.open_on_call(
            session, feature_settings, account("agent_a1"), call_id, body
        )
    return call_id, dispute.id


def _decide(db, settings, user, dispute_id, decision):
    with db.session() as session:
        body = DecisionCreate(decision=decision, comment="because")
        return service.decide_dispute(session, settings, user, dispute_id, body)


def test_opening_marks_the_finding_and_the_call(db, disputed, account, feature_settings):
    call_id, _ = disputed
    with db.session(write=False) as session:
        call = session.get(Call, call_id)
        assert (call.disputes_open, call.disputes_total) == (1, 1)
        assert call.findings[0].disputed
    again = DisputeCreate(finding_id=call.findings[0].id, reason="again")
    with db.session() as session, pytest.raises(ConflictError):
        service.open_on_call(session, feature_settings, account("agent_a1"), call_id, again)


@pytest.mark.parametrize("name", ["agent_b1", "lead_a", "qa1"])
def test_only_the_calls_agent_disputes(db, disputed, account, feature_settings, name):
    call_id = disputed[0]
    body = DisputeCreate(finding_id=1, reason="mine?")
    with db.session() as session, pytest.raises(NotFoundError):
        service.open_on_call(session, feature_settings, account(name), call_id, body)


@pytest.mark.parametrize(
    ("name", "sees"),
    [("qa1", True), ("lead_a", True), ("lead_b", False), ("agent_a1", True), ("agent_b1", False)],
)
def test_listing_follows_visibility(db, disputed, account, name, sees):
    with db.session(write=False) as session:
        page = service.list_disputes(session, account(name))
        overdue = service.list_disputes(session, account(name), overdue=True)
    assert [d.id for d in page["items"]] == ([disputed[1]] if sees else [])
    assert page["total"] == int(sees)
    assert overdue["total"] == 0  # due in working days from now


@pytest.mark.parametrize(("name", "error"), [("lead_b", NotFoundError), ("qa1", ForbiddenError)])
def test_the_first_step_is_the_team_leads(db, disputed, account, feature_settings, name, error):
    with pytest.raises(error):
        _decide(db, feature_settings, account(name), disputed[1], "overturn")


def test_overturning_settles_the_finding(db, disputed, account, feature_settings):
    call_id, dispute_id = disputed
    out = _decide(db, feature_settings, account("lead_a"), dispute_id, "overturn")
    assert out.status == "overturned"
    with db.session(write=False) as session:
        call = session.get(Call, call_id)
        finding = session.get(FindingRecord, call.findings[0].id)
        assert finding.verdict == "overturned"
        assert call.disputes_open == 0
        assert call.reviewed_score is not None and call.reviewed_score > call.score_total


def test_escalation_walks_the_stages(db, disputed, account, feature_settings):
    dispute_id = disputed[1]
    assert _decide(db, feature_settings, account("lead_a"), dispute_id, "escalate").stage == (
        Stage.reviewer
    )
    assert _decide(db, feature_settings, account("qa1"), dispute_id, "escalate").stage == (
        Stage.final
    )
    with pytest.raises(ForbiddenError):  # qa1 decided the reviewer step
        _decide(db, feature_settings, account("qa1"), dispute_id, "uphold")
    with pytest.raises(InputError):
        _decide(db, feature_settings, account("qa2"), dispute_id, "escalate")
    assert _decide(db, feature_settings, account("qa2"), dispute_id, "uphold").status == "upheld"


def test_an_upheld_dispute_can_be_appealed_once_open(db, disputed, account, feature_settings):
    dispute_id = disputed[1]
    _decide(db, feature_settings, account("lead_a"), dispute_id, "uphold")
    with db.session() as session:
        out = service.appeal_dispute(
            session, feature_settings, account("agent_a1"), dispute_id, AppealCreate(reason="no")
        )
    assert (out.status, out.stage) == ("open", Stage.reviewer)
    with db.session() as session, pytest.raises(ConflictError):
        service.appeal_dispute(
            session, feature_settings, account("agent_a1"), dispute_id, AppealCreate(reason="x")
        )
