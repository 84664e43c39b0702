"""The one authorization policy: the SQL and the Python copy of each rule agree, dispute
steps belong to the right people, and KPI scopes narrow to what a role may see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qa_service.errors import ForbiddenError, NotFoundError
from qa_service.features.access import (
    get_own_call,
    get_visible_call,
    kpi_scope,
    may_decide,
    may_see_call,
    visible_calls,
)
from qa_service.store.call_facts import Scope
from qa_service.store.calls import Call
from qa_service.store.disputes import Dispute, DisputeStep, Stage

# Calls by (team, agent id); which usernames see each.
CALLS = {
    ("A", "a1"): {"admin", "qa1", "qa2", "lead_a", "agent_a1"},
    ("B", "b1"): {"admin", "qa1", "qa2", "lead_b", "agent_b1"},
    ("A", None): {"admin", "qa1", "qa2", "lead_a"},
    (None, None): {"admin", "qa1", "qa2"},
}
USERS = ("admin", "qa1", "lead_a", "lead_b", "agent_a1", "agent_b1", "agent_noid")


@pytest.mark.parametrize("name", USERS)
def test_sql_and_python_visibility_agree(db, add_call, account, name):
    ids = {add_call(team=t, agent_id=a): key for key, (t, a) in enumerate(CALLS)}
    keys = list(CALLS)
    user = account(name)
    with db.session(write=False) as session:
        by_sql = set(session.scalars(select(Call.id).where(visible_calls(user))))
        by_python = {c.id for c in session.scalars(select(Call)) if may_see_call(user, c)}
    expected = {i for i, k in ids.items() if name in CALLS[keys[k]]}
    assert by_sql == expected
    assert by_python == expected


def test_unseen_call_reads_as_missing(db, add_call, account):
    hidden = add_call(team="B", agent_id="b1")
    with db.session(write=False) as session:
        with pytest.raises(NotFoundError) as unseen:
            get_visible_call(session, account("lead_a"), hidden)
        with pytest.raises(NotFoundError) as absent:
            get_visible_call(session, account("lead_a"), hidden + 1000)
    assert unseen.value.message.replace(str(hidden), "N") == absent.value.message.replace(
        str(hidden + 1000), "N"
    )


@pytest.mark.parametrize(("name", "own"), [("agent_a1", True), ("lead_a", False), ("qa1", False)])
def test_own_call_is_the_agents_only(db, add_call, account, name, own):
    call_id = add_call(team="A", agent_id="a1")
    with db.session(write=False) as session:
        if own:
            assert get_own_call(session, account(name), call_id).id == call_id
        else:
            with pytest.raises(NotFoundError):
                get_own_call(session, account(name), call_id)


@pytest.mark.parametrize(
    ("stage", "deciders"),
    [
        (Stage.team_lead, {"admin", "lead_a"}),
        (Stage.reviewer, {"admin", "qa1", "qa2"}),
        # qa1 decided the reviewer step: the final ruling is someone else's.
        (Stage.final, {"admin", "qa2"}),
    ],
)
def test_each_dispute_step_has_its_deciders(account, stage, deciders):
    dispute = Dispute(team="A", stage=stage, steps=[])
    if stage == Stage.final:
        dispute.steps.append(DisputeStep(stage=Stage.reviewer, decided_by=account("qa1").id))
    decided = {name for name in (*USERS, "qa2") if may_decide(account(name), dispute)}
    assert decided == deciders


@pytest.mark.parametrize(
    ("name", "by", "teams", "agents"),
    [
        ("qa1", "team", ("A", "B"), ()),
        ("lead_a", "team", ("A",), ()),
        ("lead_b", "agent", ("B",), ()),
        ("agent_a1", "agent", ("A", "B"), ("a1",)),
        ("agent_noid", "agent", ("A", "B"), ()),
    ],
)
def test_kpi_scope_narrows_to_the_role(account, name, by, teams, agents):
    asked = Scope.from_lists(None, "A,B", None)
    scope = kpi_scope(account(name), asked, by)
    assert tuple(scope.teams or ()) == teams
    assert tuple(scope.agent_ids or ()) == agents


def test_agent_kpis_only_by_agent(account):
    with pytest.raises(ForbiddenError):
        kpi_scope(account("agent_a1"), Scope(), "team")
