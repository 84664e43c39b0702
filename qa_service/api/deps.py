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


def user_for_token(db: Database, settings: Settings, token: str) -> User:
    """The active account a token belongs to, if the token was not revoked since it was made
    (signing out, a new password or disabling the account bumps ``token_version``)."""
    user_id, version = read_token(token, secret_key(settings))
    # A session of its own, closed at once: the request's session may stay open longer.
    with db.session(write=False) as session:
        user = session.get(User, user_id)
    if user is None or not user.active:
        raise AuthError("the account no longer exists or is disabled")
    if user.token_version != version:
        raise AuthError("this sign-in has ended (signed out or password changed); sign in again")
    return user


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


def revoke_tokens_of(db: Database, settings: Settings, token: str | None) -> None:
    """Signing out: every token and cookie of the token's account stops working. A missing,
    expired or already revoked token changes nothing."""
    if not token:
        return
    try:
        user = user_for_token(db, settings, token)
    except AuthError:
        return
    with db.session() as session:
        account = session.get(User, user.id)
        if account is not None:
            account.token_version += 1


def require_role(*roles: Role) -> Callable[[User], User]:
    allowed = ", ".join(roles)

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise ForbiddenError(f"this needs one of the roles: {allowed}")
        return user

    check.roles = roles  # type: ignore[attr-defined]  # the OpenAPI document lists 403
    return check


AdminUser = Annotated[User, Depends(require_role(Role.admin))]
StaffUser = Annotated[User, Depends(require_role(Role.admin, Role.qa))]
AgentUser = Annotated[User, Depends(require_role(Role.agent))]
