"""Accounts, managed by admins."""

from __future__ import annotations

from fastapi import APIRouter

from qa_service.api.schemas.common import IdPath, Limit, Offset, ShortQuery
from qa_service.features.schemas import Page
from qa_service.features.users import service
from qa_service.features.users.schemas import UserCreate, UserPublic, UserUpdate
from qa_service.http.deps import AdminUser, SessionDep, SettingsDep
from qa_service.store.accounts import AccountRole, User

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=Page[UserPublic])
def list_users(
    admin: AdminUser,
    session: SessionDep,
    role: AccountRole | None = None,
    team: ShortQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    return service.list_users(session, role=role, team=team, limit=limit, offset=offset)


@router.post("", response_model=UserPublic, status_code=201)
def create_user(
    body: UserCreate, admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> User:
    return service.create_user(session, settings, admin, body)


@router.get("/{user_id}", response_model=UserPublic)
def get_user(user_id: IdPath, admin: AdminUser, session: SessionDep) -> User:
    return service.get_user(session, user_id)


@router.patch("/{user_id}", response_model=UserPublic)
def update_user(
    user_id: IdPath, body: UserUpdate, admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> User:
    return service.update_user(session, settings, admin, user_id, body)
