"""Signing in and out, the language switch, and the start page of each role."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from qa_service.errors import NotFoundError
from qa_service.features.agent_todo import agent_todo
from qa_service.features.packs.names import PackNames
from qa_service.features.users.security import revoke_tokens_of
from qa_service.http.deps import SESSION_COOKIE, SessionDep, SettingsDep
from qa_service.store.accounts import AccountRole
from qa_service.web.coaching_view import task_views
from qa_service.web.dispute_context import dispute_rule_names
from qa_service.web.i18n import LANG_COOKIE, LANGUAGES, request_language
from qa_service.web.rendering import PageRoute, PageUser, optional_user, render, safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)

START_PAGE = {
    AccountRole.agent: "/home",
    AccountRole.supervisor: "/dashboard",
    AccountRole.qa: "/qa/queue",
    AccountRole.admin: "/qa/queue",
}
YEAR_S = 365 * 24 * 3600


@router.get("/")
def home(request: Request) -> Response:
    user = optional_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(START_PAGE.get(user.role, "/calls"), status_code=303)


@router.get("/home")
def agent_home(
    request: Request, user: PageUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """An agent's start page: calls to acknowledge, disputes to appeal or waiting on a
    decision, coaching tasks. Other roles have their own start page."""
    if user.role != AccountRole.agent:
        return RedirectResponse(START_PAGE.get(user.role, "/calls"), status_code=303)
    todo = agent_todo(session, user)
    coaching = task_views(user, todo.coaching)
    names = PackNames(session, settings, request_language(request))
    rule_names = dispute_rule_names(session, names, [*todo.appealable, *todo.waiting])
    return render(request, "home.html", user, todo=todo, coaching=coaching, rule_names=rule_names)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    target = safe_next(next)
    if optional_user(request) is not None:
        return RedirectResponse(target, status_code=303)
    return render(request, "login.html", None, next=target)


@router.post("/logout")
def logout(request: Request) -> Response:
    """Ends every sign-in of the account, not only this browser's cookie."""
    state = request.app.state
    revoke_tokens_of(state.db, state.settings, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    if code not in LANGUAGES:
        raise NotFoundError(f"no language {code!r}: use one of {', '.join(LANGUAGES)}")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, code, max_age=YEAR_S, samesite="lax", httponly=True)
    return response
