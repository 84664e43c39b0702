"""Dependencies shared by the routers, as ``Annotated`` aliases (``SessionDep``, ...)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from qa_service.api.errors import AuthError, ForbiddenError
from qa_service.api.security import SESSION_COOKIE, read_token, secret_key
from qa_service.config import Settings
from qa_service.store.accounts import Role, User
from qa_service.store.db import Database

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Database:
    return request.app.state.db


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
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
    user_id = read_token(token, secret_key(settings))
    # A reading session of its own, closed at once.
    with db.session(write=False) as session:
        user = session.get(User, user_id)
    if user is None or not user.active:
        raise AuthError("the account no longer exists or is disabled")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    allowed = ", ".join(roles)

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise ForbiddenError(f"this needs one of the roles: {allowed}")
        return user

    return check


AdminUser = Annotated[User, Depends(require_role(Role.admin))]
StaffUser = Annotated[User, Depends(require_role(Role.admin, Role.qa))]
AgentUser = Annotated[User, Depends(require_role(Role.agent))]
