"""Who may see which KPIs: the same rule for the API, the dashboard and its exports."""

from __future__ import annotations

from qa_service.errors import ForbiddenError
from qa_service.store.accounts import Role, User
from qa_service.store.call_facts import Scope


def kpi_scope(user: User, asked: Scope, by: str) -> Scope:
    """What was asked, narrowed to what the user may see.

    QA and admin see everything, a supervisor their team, an agent only their own figures
    (so only one row per agent makes sense for them).
    """
    if user.role in (Role.admin, Role.qa):
        return asked
    if user.role == Role.supervisor:
        return asked.narrowed(teams=[user.team] if user.team else [])
    if user.role == Role.agent:
        if by != "agent":
            raise ForbiddenError("an agent sees their own figures only: use by=agent")
        return asked.narrowed(agent_ids=[user.agent_id] if user.agent_id else [])
    raise ForbiddenError("this account may not see KPIs")
