"""FastAPI dependencies shared by the API routers and the page routes, as ``Annotated``
aliases (``SessionDep``, ``CurrentUser``, ...); neither adapter imports the other for them."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.engines.registry import Engines
from qa_service.errors import AuthError, ForbiddenError
from qa_service.features.access import STAFF
from qa_service.features.users.security import user_for_token
from qa_service.store.accounts import AccountRole, User
from qa_service.store.db import Database

SESSION_COOKIE = "qa_session"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_engines(request: Request) -> Engines:
    return request.app.state.engines


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EnginesDep = Annotated[Engines, Depends(get_engines)]
DbDep = Annotated[Database, Depends(get_db)]


# Methods whose requests only read: their session never takes SQLite's write lock.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request, db: DbDep) -> Iterator[Session]:
    with db.session(write=request.method not in READ_METHODS) as session:
        yield session


# scope="function": the session commits and closes when the endpoint returns, before the
# response is sent, so a client that reads slowly (or never) holds no transaction.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_rng(request: Request) -> random.Random:
    """Picks reviewed calls for a second review; tests put a seeded one on app.state."""
    return request.app.state.review_rng


RngDep = Annotated[random.Random, Depends(get_rng)]


def get_current_user(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    """The signed-in user: a bearer token (API) or the session cookie (web pages)."""
    token = token or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthError("not signed in: send a bearer token from /api/auth/token")
    return user_for_token(db, settings, token)


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: AccountRole) -> Callable[[User], User]:
    allowed = ", ".join(roles)

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise ForbiddenError(f"this needs one of the roles: {allowed}")
        return user

    check.roles = roles  # type: ignore[attr-defined]  # the OpenAPI document lists 403
    return check


AdminUser = Annotated[User, Depends(require_role(AccountRole.admin))]
StaffUser = Annotated[User, Depends(require_role(*STAFF))]
AgentUser = Annotated[User, Depends(require_role(AccountRole.agent))]
