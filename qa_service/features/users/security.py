"""Passwords (Argon2 via pwdlib), signed tokens, and the account a token stands for.

The API sends tokens as bearer tokens, the pages as the session cookie; both read them here.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from qa_service.config import Settings
from qa_service.datafiles import create_once
from qa_service.errors import AuthError
from qa_service.store.accounts import User
from qa_service.store.base import utcnow
from qa_service.store.db import Database

ALGORITHM = "HS256"
# Every claim a token must carry: a token without an expiry is never accepted.
REQUIRED_CLAIMS = ["sub", "exp", "iat", "ver"]


@cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHash:
    return PasswordHash(
        (Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism),)
    )


def password_hasher(settings: Settings) -> PasswordHash:
    """Argon2id with the settings' cost (``password_time_cost``, ``_memory_kib``,
    ``_parallelism``)."""
    return _hasher(
        settings.password_time_cost, settings.password_memory_kib, settings.password_parallelism
    )


def hash_password(password: str, settings: Settings) -> str:
    return password_hasher(settings).hash(password)


def verify_password(password: str, password_hash: str, settings: Settings) -> bool:
    """Checked with the parameters the hash records (a cost changed since still verifies)."""
    return password_hasher(settings).verify(password, password_hash)


@cache
def _dummy_hash(hasher: PasswordHash) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def verify_or_waste_time(password: str, password_hash: str | None, settings: Settings) -> bool:
    """``verify_password``; with no hash (no such user) a check that takes as long, against
    a throwaway hash of the same cost, so response times do not tell which usernames exist."""
    if password_hash is None:
        hasher = password_hasher(settings)
        hasher.verify(password, _dummy_hash(hasher))
        return False
    return verify_password(password, password_hash, settings)


def new_password() -> str:
    return secrets.token_urlsafe(15)


def secret_key(settings: Settings) -> str:
    """The configured key, else one generated on first use and kept in the data folder."""
    if settings.secret_key:
        return settings.secret_key
    # Created whole and at most once: processes starting together all read the same key.
    return create_once(Path(settings.data_dir) / "secret_key", lambda: secrets.token_urlsafe(48))


def create_token(user_id: int, version: int, key: str, minutes: int) -> str:
    """A signed token for the account at its current ``token_version``."""
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "ver": version,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_token(token: str, key: str) -> tuple[int, int]:
    """The account id and token version a valid, unexpired token was issued for."""
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": REQUIRED_CLAIMS}
        )
        return int(claims["sub"]), int(claims["ver"])
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        raise AuthError("the token is invalid or has expired; sign in again") from None


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
