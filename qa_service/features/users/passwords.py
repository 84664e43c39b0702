"""The password policy for new passwords (account creation, admin reset, own change).

Length alone lets through ``aaaaaaaaaa`` and ``password123``: a password also needs two
kinds of characters and must not be a well-known password (a short shipped list, compared
case-insensitively, also with the digits and punctuation people add around a word removed).
Existing hashes are never re-checked: the policy applies when a password is set.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field

from qa_service.errors import InputError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
_DECORATION = string.digits + string.punctuation + " "


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _kind(char: str) -> str:
    if char.isdigit():
        return "digit"
    if char.islower():
        return "lower"
    if char.isupper():
        return "upper"
    if char.isalpha():
        return "letter"  # scripts without case (Chinese, ...)
    return "symbol"


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why ``password`` is too weak, or None when it is acceptable."""
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        return f"the password needs at least {MIN_PASSWORD_LENGTH} characters besides spaces"
    if len({_kind(c) for c in password}) < 2:
        return "the password needs two kinds of characters (letters, digits, symbols)"
    lowered = password.lower()
    common = common_passwords()
    if lowered in common or lowered.strip(_DECORATION) in common:
        return "the password is too common; choose another"
    if username and len(username) >= 3 and username.lower() in lowered:
        return "the password must not contain the username"
    return None


def _check(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return password


# A new password in a request body: 422 with the policy's reason when it is too weak.
NewPassword = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        description=(
            f"At least {MIN_PASSWORD_LENGTH} characters besides spaces, two kinds of characters"
            " (letters, digits, symbols), not a common password, not containing the username."
        ),
    ),
    AfterValidator(_check),
]


def require_strong(password: str, username: str) -> None:
    """The whole policy, the username included (the schema checks all but that)."""
    problem = password_problem(password, username)
    if problem:
        raise InputError(f"password: {problem}")
