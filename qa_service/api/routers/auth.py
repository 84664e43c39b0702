"""Signing in: OAuth2 password flow for API clients, a session cookie for the web pages.

Sign-ins are throttled and their password checks run off the event loop (``LoginGuard``).
Signing out or changing the password ends every token and cookie of the account.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from qa_service.api.login_guard import LoginGuard
from qa_service.api.openapi import responses
from qa_service.config import Settings
from qa_service.errors import AuthError
from qa_service.features.users.passwords import MAX_PASSWORD_LENGTH, require_strong
from qa_service.features.users.schemas import PasswordChange, Token, UserPublic
from qa_service.features.users.security import (
    create_token,
    hash_password,
    revoke_tokens_of,
    secret_key,
    verify_or_waste_time,
    verify_password,
)
from qa_service.http.deps import SESSION_COOKIE, CurrentUser, DbDep, SettingsDep
from qa_service.store import audit
from qa_service.store.accounts import User, get_user_by_name
from qa_service.store.db import Database

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginForm:
    """The OAuth2 password form (``grant_type``, ``scope`` and client fields are ignored)."""

    def __init__(
        self,
        username: Annotated[str, Form(min_length=1, max_length=64)],
        password: Annotated[str, Form(min_length=1, max_length=MAX_PASSWORD_LENGTH)],
    ) -> None:
        self.username = username
        self.password = password


LoginFormDep = Annotated[LoginForm, Depends()]
SIGN_IN_ANSWERS = responses(401, 422, 429, 503)


def _guard(request: Request) -> LoginGuard:
    return request.app.state.login_guard


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _check_password(db: Database, username: str, password: str) -> User | None:
    """Runs in a worker thread: the account if the password is right, else None."""
    with db.session(write=False) as session:
        user = get_user_by_name(session, username)
    ok = verify_or_waste_time(password, user.password_hash if user else None)
    return user if ok and user is not None and user.active else None


async def authenticate(request: Request, db: Database, form: LoginForm) -> User:
    guard = _guard(request)
    guard.check(form.username, _address(request))
    user = await guard.hash_off_loop(_check_password, db, form.username, form.password)
    if user is None:
        guard.failed(form.username, _address(request))
        raise AuthError("wrong username or password")
    guard.succeeded(form.username)
    return user


def _token_for(user: User, settings: Settings) -> Token:
    minutes = settings.token_expire_minutes
    token = create_token(user.id, user.token_version, secret_key(settings), minutes)
    return Token(access_token=token, expires_in=minutes * 60)


def cookie_secure(request: Request, settings: Settings) -> bool:
    """``QA_COOKIE_SECURE`` when set, else whether this request came over HTTPS."""
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return request.url.scheme == "https"


@router.post(
    "/token",
    response_model=Token,
    summary="Get a bearer token (OAuth2 password flow)",
    responses=SIGN_IN_ANSWERS,
)
async def login_for_token(
    request: Request, form: LoginFormDep, db: DbDep, settings: SettingsDep
) -> Token:
    return _token_for(await authenticate(request, db, form), settings)


@router.post(
    "/session",
    response_model=UserPublic,
    summary="Sign in the browser (cookie)",
    responses=responses(403, *SIGN_IN_ANSWERS),
)
async def login_session(
    request: Request, form: LoginFormDep, db: DbDep, settings: SettingsDep, response: Response
) -> User:
    user = await authenticate(request, db, form)
    token = _token_for(user, settings)
    response.set_cookie(
        SESSION_COOKIE,
        token.access_token,
        max_age=token.expires_in,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request, settings),
    )
    return user


@router.delete(
    "/session",
    status_code=204,
    summary="Sign out: ends every token and session cookie of the account",
    responses=responses(403),
)
def logout_session(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else None
    revoke_tokens_of(db, settings, token or request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me", response_model=UserPublic, responses=responses(401))
def me(user: CurrentUser) -> User:
    return user


def _set_password(db: Database, user_id: int, body: PasswordChange) -> bool:
    """Runs in a worker thread: False when the current password is wrong."""
    with db.session() as session:
        account = session.get(User, user_id)
        if not verify_password(body.current_password, account.password_hash):
            return False
        account.password_hash = hash_password(body.new_password)
        account.token_version += 1
        audit.record(session, user_id, "user.password", "user", user_id, None, {"changed": True})
    return True


@router.post(
    "/password",
    status_code=204,
    summary="Change your own password (every existing sign-in ends; sign in again)",
    responses=responses(401, 403, 422, 429, 503),
)
async def change_password(
    request: Request, body: PasswordChange, user: CurrentUser, db: DbDep
) -> None:
    require_strong(body.new_password, user.username)
    guard = _guard(request)
    guard.check(user.username, _address(request))
    if not await guard.hash_off_loop(_set_password, db, user.id, body):
        guard.failed(user.username, _address(request))
        raise AuthError("the current password is wrong")
