"""Accounts, managed by admins."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from qa_service.api.deps import AdminUser, SessionDep
from qa_service.api.errors import ConflictError
from qa_service.api.passwords import require_strong
from qa_service.api.schemas.common import IdPath, Limit, Offset, Page, ShortQuery
from qa_service.api.schemas.users import UserCreate, UserPublic, UserUpdate
from qa_service.api.security import hash_password
from qa_service.errors import InputError, NotFoundError
from qa_service.store import audit
from qa_service.store.accounts import Role, User

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=Page[UserPublic])
def list_users(
    admin: AdminUser,
    session: SessionDep,
    role: Role | None = None,
    team: ShortQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    query = select(User)
    if role:
        query = query.where(User.role == role)
    if team:
        query = query.where(User.team == team)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(User.id).limit(limit).offset(offset)).all()
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _flush(session) -> None:
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError("that username or agent id is already taken") from None


@router.post("", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, admin: AdminUser, session: SessionDep) -> User:
    user = User(
        username=body.username,
        full_name=body.full_name,
        role=body.role,
        team=body.team,
        agent_id=body.agent_id,
        password_hash=hash_password(body.password),
    )
    session.add(user)
    _flush(session)
    audit.record(session, admin.id, "user.create", "user", user.id, None, user.snapshot())
    return user


@router.get("/{user_id}", response_model=UserPublic)
def get_user(user_id: IdPath, admin: AdminUser, session: SessionDep) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    return user


@router.patch("/{user_id}", response_model=UserPublic)
def update_user(user_id: IdPath, body: UserUpdate, admin: AdminUser, session: SessionDep) -> User:
    user = get_user(user_id, admin, session)
    before = user.snapshot()
    changes = body.model_dump(exclude_unset=True)
    if user.id == admin.id and (
        changes.get("active") is False or changes.get("role", Role.admin) != Role.admin
    ):
        raise InputError("you cannot disable yourself or take away your own admin role")
    password = changes.pop("password", None)
    for field, value in changes.items():
        setattr(user, field, value)
    if password:
        require_strong(password, user.username)
        user.password_hash = hash_password(password)
    if password or changes.get("active") is False:
        user.token_version += 1  # a reset password or a disabled account ends its sign-ins
    if user.role in (Role.agent, Role.supervisor) and not user.team:
        raise InputError(f"a {user.role} needs a team")
    _flush(session)
    after = {**user.snapshot(), **({"password": "changed"} if password else {})}
    audit.record(session, admin.id, "user.update", "user", user.id, before, after)
    return user
