"""Passwords (Argon2 via pwdlib), signed tokens for the API and the web session cookie."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

import jwt
from pwdlib import PasswordHash

from qa_service.api.errors import AuthError
from qa_service.config import Settings
from qa_service.datafiles import create_once
from qa_service.store.base import utcnow

ALGORITHM = "HS256"
SESSION_COOKIE = "qa_session"
# Every claim a token must carry: a token without an expiry is never accepted.
REQUIRED_CLAIMS = ["sub", "exp", "iat", "ver"]


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher().verify(password, password_hash)


# Verifying against this when the user does not exist takes as long as a real check,
# so response times do not tell which usernames exist.
_DUMMY_HASH: list[str] = []


def verify_or_waste_time(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
        verify_password(password, _DUMMY_HASH[0])
        return False
    return verify_password(password, password_hash)


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
