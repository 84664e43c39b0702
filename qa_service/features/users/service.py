"""Accounts: admins list, create and change them; everyone signs in and changes their own
password. The password checks are slow on purpose (Argon2): the HTTP adapter runs them off
its event loop."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.errors import ConflictError, InputError, NotFoundError
from qa_service.features.pagination import paginate
from qa_service.features.users.passwords import require_strong
from qa_service.features.users.schemas import Token, UserCreate, UserUpdate
from qa_service.features.users.security import (
    create_token,
    hash_password,
    secret_key,
    verify_or_waste_time,
    verify_password,
)
from qa_service.store import audit
from qa_service.store.accounts import AccountRole, User, get_user_by_name
from qa_service.store.db import Database


def list_users(
    session: Session,
    *,
    role: str | None = None,
    team: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    query = select(User)
    if role:
        query = query.where(User.role == role)
    if team:
        query = query.where(User.team == team)
    return paginate(session, query, (User.id,), limit, offset)


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError("that username or agent id is already taken") from None


def create_user(session: Session, settings: Settings, admin: User, body: UserCreate) -> User:
    user = User(
        username=body.username,
        full_name=body.full_name,
        role=body.role,
        team=body.team,
        agent_id=body.agent_id,
        password_hash=hash_password(body.password, settings),
    )
    session.add(user)
    _flush(session)
    audit.record(session, admin.id, "user.create", "user", user.id, None, user.snapshot())
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    return user


def update_user(
    session: Session, settings: Settings, admin: User, user_id: int, body: UserUpdate
) -> User:
    user = get_user(session, user_id)
    before = user.snapshot()
    changes = body.model_dump(exclude_unset=True)
    if user.id == admin.id and (
        changes.get("active") is False
        or changes.get("role", AccountRole.admin) != AccountRole.admin
    ):
        raise InputError("you cannot disable yourself or take away your own admin role")
    password = changes.pop("password", None)
    for field, value in changes.items():
        setattr(user, field, value)
    if password:
        require_strong(password, user.username)
        user.password_hash = hash_password(password, settings)
    if password or changes.get("active") is False:
        user.token_version += 1  # a reset password or a disabled account ends its sign-ins
    if user.role in (AccountRole.agent, AccountRole.supervisor) and not user.team:
        raise InputError(f"a {user.role} needs a team")
    _flush(session)
    after = {**user.snapshot(), **({"password": "changed"} if password else {})}
    audit.record(session, admin.id, "user.update", "user", user.id, before, after)
    return user


def check_password(db: Database, settings: Settings, username: str, password: str) -> User | None:
    """The active account if the password is right, else None; an unknown name takes as
    long as a known one."""
    with db.session(write=False) as session:
        user = get_user_by_name(session, username)
    ok = verify_or_waste_time(password, user.password_hash if user else None, settings)
    return user if ok and user is not None and user.active else None


def issue_token(user: User, settings: Settings) -> Token:
    minutes = settings.token_expire_minutes
    token = create_token(user.id, user.token_version, secret_key(settings), minutes)
    return Token(access_token=token, expires_in=minutes * 60)


def set_own_password(
    db: Database, settings: Settings, user_id: int, current: str, new: str
) -> bool:
    """False when ``current`` is wrong; else the new password is kept and every sign-in of
    the account ends."""
    with db.session() as session:
        account = session.get(User, user_id)
        if not verify_password(current, account.password_hash, settings):
            return False
        account.password_hash = hash_password(new, settings)
        account.token_version += 1
        audit.record(session, user_id, "user.password", "user", user_id, None, {"changed": True})
    return True


def display_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """User id -> the person's name (the username when no name was given)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, User.full_name, User.username).where(User.id.in_(wanted))
    )
    return {user_id: full or username for user_id, full, username in rows}


def agent_names(session: Session, agent_ids: Iterable[str | None]) -> dict[str, str]:
    """Agent id -> the name of the account that has it (only where a name was given)."""
    wanted = {a for a in agent_ids if a}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.agent_id, User.full_name).where(User.agent_id.in_(wanted), User.full_name != "")
    )
    return {agent_id: name for agent_id, name in rows}
