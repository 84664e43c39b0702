"""One authorization policy: who sees which call, dispute and KPI, who decides a dispute,
and the role groups the API, the pages and the navigation use.

Admin and QA see all calls, a supervisor their team's, an agent their own. Every rule exists
twice by necessity, as an SQL filter for listings and as a Python test for one row; both
copies live here, side by side, so they cannot drift apart.

A call someone may not see is answered exactly like a call that does not exist (404 with
the same message), so neither errors nor listings tell that it is there.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.orm import Session

from qa_service.errors import ForbiddenError, NotFoundError
from qa_service.store.accounts import AccountRole, User
from qa_service.store.call_facts import Scope
from qa_service.store.calls import Call
from qa_service.store.coaching import CoachingTask
from qa_service.store.disputes import Dispute, Stage

# Role groups: everything (accounts aside), the dashboard, every signed-in role.
STAFF = (AccountRole.admin, AccountRole.qa)
DASHBOARD = (AccountRole.admin, AccountRole.qa, AccountRole.supervisor)
EVERYONE = tuple(AccountRole)

# Permissions beyond the role groups. ``pii:view``: the original transcript, findings and
# audio of a call, personal data included (each such view is audited); without it they are
# only ever served masked (features/calls/privacy.py).
PII_VIEW = "pii:view"
PERMISSIONS: dict[str, tuple[AccountRole, ...]] = {PII_VIEW: (AccountRole.admin, AccountRole.qa)}


def has_permission(user: User, permission: str) -> bool:
    return user.role in PERMISSIONS.get(permission, ())


def is_staff(user: User) -> bool:
    return user.role in STAFF


def visible_calls(user: User) -> ColumnElement[bool]:
    """The calls ``user`` may see, as an SQL condition on ``Call``."""
    if is_staff(user):
        return true()
    if user.role == AccountRole.supervisor:
        return Call.team == user.team if user.team else false()
    if user.role == AccountRole.agent:
        return Call.agent_id == user.agent_id if user.agent_id else false()
    return false()


def may_see_call(user: User, call: Call) -> bool:
    """``visible_calls`` for one loaded call."""
    if is_staff(user):
        return True
    if user.role == AccountRole.supervisor:
        return bool(user.team) and call.team == user.team
    if user.role == AccountRole.agent:
        return bool(user.agent_id) and call.agent_id == user.agent_id
    return False


def call_not_found(call_id: object) -> NotFoundError:
    return NotFoundError(f"call {call_id} not found")


def get_visible_call(session: Session, user: User, call_id: int, lock: bool = False) -> Call:
    call = session.get(Call, call_id, with_for_update=lock or None)
    if call is None or not may_see_call(user, call):
        raise call_not_found(call_id)
    return call


def is_own_call(user: User, call: Call) -> bool:
    """The agent's own call, by the same rule as reads: an agent without an agent id has
    none (a call without an agent id is nobody's)."""
    return user.role == AccountRole.agent and may_see_call(user, call)


def get_own_call(session: Session, user: User, call_id: int) -> Call:
    """An agent's own call (acknowledge, self-assess, dispute): others' calls do not exist."""
    call = session.get(Call, call_id)
    if call is None or not is_own_call(user, call):
        raise call_not_found(call_id)
    return call


def visible_disputes(user: User) -> ColumnElement[bool]:
    """The disputes ``user`` may see, as an SQL condition on ``Dispute``."""
    if is_staff(user):
        return true()
    if user.role == AccountRole.supervisor:
        return Dispute.team == user.team if user.team else false()
    # An agent's own disputes; an agent without an agent id (who sees no call) sees none.
    if user.role == AccountRole.agent and user.agent_id:
        return Dispute.agent_user_id == user.id
    return false()


def may_see_dispute(user: User, dispute: Dispute) -> bool:
    """``visible_disputes`` for one loaded dispute."""
    if is_staff(user):
        return True
    if user.role == AccountRole.supervisor:
        return bool(user.team) and dispute.team == user.team
    return (
        user.role == AccountRole.agent and bool(user.agent_id) and dispute.agent_user_id == user.id
    )


def may_decide(user: User, dispute: Dispute) -> bool:
    """Whose step it is: the team's supervisor, then QA, then a QA other than the reviewer
    step's decider; an admin may decide any step."""
    if user.role == AccountRole.admin:
        return True
    if dispute.stage == Stage.team_lead:
        return user.role == AccountRole.supervisor and bool(user.team) and user.team == dispute.team
    if dispute.stage == Stage.reviewer:
        return user.role == AccountRole.qa
    reviewer_step = next((s for s in dispute.steps if s.stage == Stage.reviewer), None)
    decided_before = reviewer_step is not None and reviewer_step.decided_by == user.id
    return user.role == AccountRole.qa and not decided_before


def visible_coaching(user: User) -> ColumnElement[bool]:
    """The coaching tasks ``user`` may see, as an SQL condition on ``CoachingTask``: by the
    same rule as disputes (all for staff, the team's for its supervisor, an agent's own)."""
    if is_staff(user):
        return true()
    if user.role == AccountRole.supervisor:
        return CoachingTask.team == user.team if user.team else false()
    if user.role == AccountRole.agent and user.agent_id:
        return CoachingTask.agent_user_id == user.id
    return false()


def may_see_coaching(user: User, task: CoachingTask) -> bool:
    """``visible_coaching`` for one loaded task."""
    if is_staff(user):
        return True
    if user.role == AccountRole.supervisor:
        return bool(user.team) and task.team == user.team
    return user.role == AccountRole.agent and bool(user.agent_id) and task.agent_user_id == user.id


def may_coach(user: User, team: str | None) -> bool:
    """Who assigns and edits coaching: QA and admins for anyone, a supervisor for their team."""
    if is_staff(user):
        return True
    return user.role == AccountRole.supervisor and bool(user.team) and team == user.team


def kpi_scope(user: User, asked: Scope, by: str) -> Scope:
    """What was asked, narrowed to the KPIs the user may see."""
    if is_staff(user):
        return asked
    if user.role == AccountRole.supervisor:
        return asked.narrowed(teams=[user.team] if user.team else [])
    if user.role == AccountRole.agent:
        if by != "agent":
            raise ForbiddenError("an agent sees their own figures only: use by=agent")
        return asked.narrowed(agent_ids=[user.agent_id] if user.agent_id else [])
    raise ForbiddenError("this account may not see KPIs")
