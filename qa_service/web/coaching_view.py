"""The coaching tasks a page shows, with what the viewer may do with each."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from qa_service.features.access import may_coach
from qa_service.features.coaching.schemas import CoachingPublic
from qa_service.features.coaching.service import agent_account, list_tasks
from qa_service.store.accounts import User
from qa_service.store.calls import Call

# More tasks than this on one call or one home page is not a page's job: the coaching page
# lists them all.
SHOWN = 100


def task_views(user: User, tasks: list[CoachingPublic]) -> list[dict[str, Any]]:
    """Tasks as the page's script gets them: the agent acts on their own, a coach edits."""
    out = []
    for task in tasks:
        view = task.model_dump(mode="json")
        view["can_act"] = task.agent_user_id == user.id
        view["can_coach"] = may_coach(user, task.team)
        out.append(view)
    return out


def call_coaching(session: Session, user: User, call: Call) -> dict[str, Any]:
    """The call's tasks the user may see, and whether they may assign one (the call has an
    agent account and they coach its team)."""
    tasks = list_tasks(session, user, call_id=call.id, limit=SHOWN)["items"]
    can_coach = may_coach(user, call.team) and agent_account(session, call) is not None
    return {"tasks": task_views(user, tasks), "can_coach": can_coach}
