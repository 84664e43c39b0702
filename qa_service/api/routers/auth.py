"""Signing in: OAuth2 password flow for API clients, a session cookie for the web pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from qa_service.api.deps import CurrentUser, DbDep, SessionDep, SettingsDep
from qa_service.api.errors import AuthError
from qa_service.api.schemas.users import PasswordChange, Token, UserPublic
from qa_service.api.security import (
    SESSION_COOKIE,
    create_token,
    hash_password,
    secret_key,
    verify_or_waste_time,
    verify_password,
)
from qa_service.config import Settings
from qa_service.store import audit
from qa_service.store.accounts import User, get_user_by_name
from qa_service.store.db import Database

router = APIRouter(prefix="/auth", tags=["auth"])
LoginForm = Annotated[OAuth2PasswordRequestForm, Depends()]


def authenticate(db: Database, username: str, password: str) -> User:
    with db.session(write=False) as session:
        user = get_user_by_name(session, username)
    ok = verify_or_waste_time(password, user.password_hash if user else None)
    if not ok or user is None or not user.active:
        raise AuthError("wrong username or password")
    return user


def _token_for(user: User, settings: Settings) -> Token:
    minutes = settings.token_expire_minutes
    return Token(
        access_token=create_token(user.id, secret_key(settings), minutes), expires_in=minutes * 60
    )


@router.post("/token", response_model=Token, summary="Get a bearer token (OAuth2 password flow)")
def login_for_token(form: LoginForm, db: DbDep, settings: SettingsDep) -> Token:
    return _token_for(authenticate(db, form.username, form.password), settings)


@router.post("/session", response_model=UserPublic, summary="Sign in the browser (cookie)")
def login_session(form: LoginForm, db: DbDep, settings: SettingsDep, response: Response) -> User:
    user = authenticate(db, form.username, form.password)
    token = _token_for(user, settings)
    response.set_cookie(
        SESSION_COOKIE,
        token.access_token,
        max_age=token.expires_in,
        httponly=True,
        samesite="strict",
        secure=False,
    )
    return user


@router.delete("/session", status_code=204, summary="Sign the browser out")
def logout_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> User:
    return user


@router.post("/password", status_code=204, summary="Change your own password")
def change_password(body: PasswordChange, user: CurrentUser, session: SessionDep) -> None:
    account = session.get(User, user.id)
    if not verify_password(body.current_password, account.password_hash):
        raise AuthError("the current password is wrong")
    account.password_hash = hash_password(body.new_password)
    audit.record(session, user.id, "user.password", "user", user.id, None, {"changed": True})
