"""Who sees which call: admin and QA all, a supervisor their team's, an agent their own.

A call someone may not see is answered exactly like a call that does not exist (404 with
the same message), so neither errors nor listings tell that it is there.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.orm import Session

from qa_service.errors import NotFoundError
from qa_service.store.accounts import Role, User
from qa_service.store.calls import Call


def calls_visible_to(user: User) -> ColumnElement[bool]:
    if user.role in (Role.admin, Role.qa):
        return true()
    if user.role == Role.supervisor:
        return Call.team == user.team if user.team else false()
    if user.role == Role.agent:
        return Call.agent_id == user.agent_id if user.agent_id else false()
    return false()


def can_see(user: User, call: Call) -> bool:
    if user.role in (Role.admin, Role.qa):
        return True
    if user.role == Role.supervisor:
        return bool(user.team) and call.team == user.team
    if user.role == Role.agent:
        return bool(user.agent_id) and call.agent_id == user.agent_id
    return False


def call_not_found(call_id: object) -> NotFoundError:
    return NotFoundError(f"call {call_id} not found")


def get_visible_call(session: Session, user: User, call_id: int, lock: bool = False) -> Call:
    call = session.get(Call, call_id, with_for_update=lock or None)
    if call is None or not can_see(user, call):
        raise call_not_found(call_id)
    return call


def is_own_call(user: User, call: Call) -> bool:
    """The agent's own call, by the same rule as reads: an agent without an agent id has
    none (a call without an agent id is nobody's)."""
    return user.role == Role.agent and can_see(user, call)


def get_own_call(session: Session, user: User, call_id: int) -> Call:
    """An agent's own call (acknowledge, self-assess, dispute): others' calls do not exist."""
    call = session.get(Call, call_id)
    if call is None or not is_own_call(user, call):
        raise call_not_found(call_id)
    return call
