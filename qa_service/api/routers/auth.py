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
from qa_service.features.users.security import revoke_tokens_of
from qa_service.features.users.service import check_password, issue_token, set_own_password
from qa_service.http.deps import SESSION_COOKIE, CurrentUser, DbDep, SettingsDep
from qa_service.store.accounts import User
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


async def authenticate(request: Request, db: Database, settings: Settings, form: LoginForm) -> User:
    guard = _guard(request)
    guard.check(form.username, _address(request))
    user = await guard.hash_off_loop(check_password, db, settings, form.username, form.password)
    if user is None:
        guard.failed(form.username, _address(request))
        raise AuthError("wrong username or password")
    guard.succeeded(form.username)
    return user


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
    return issue_token(await authenticate(request, db, settings, form), settings)


@router.post(
    "/session",
    response_model=UserPublic,
    summary="Sign in the browser (cookie)",
    responses=responses(403, *SIGN_IN_ANSWERS),
)
async def login_session(
    request: Request, form: LoginFormDep, db: DbDep, settings: SettingsDep, response: Response
) -> User:
    user = await authenticate(request, db, settings, form)
    token = issue_token(user, settings)
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


@router.post(
    "/password",
    status_code=204,
    summary="Change your own password (every existing sign-in ends; sign in again)",
    responses=responses(401, 403, 422, 429, 503),
)
async def change_password(
    request: Request, body: PasswordChange, user: CurrentUser, db: DbDep, settings: SettingsDep
) -> None:
    require_strong(body.new_password, user.username)
    guard = _guard(request)
    guard.check(user.username, _address(request))
    changed = await guard.hash_off_loop(
        set_own_password, db, settings, user.id, body.current_password, body.new_password
    )
    if not changed:
        guard.failed(user.username, _address(request))
        raise AuthError("the current password is wrong")
