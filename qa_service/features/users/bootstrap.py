"""The first admin account, created on the first start; its password goes to an owner-only
file in the data folder, never to the console (service logs keep what the console shows)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import IntegrityError

from qa_service.config import Settings
from qa_service.datafiles import write_private
from qa_service.errors import NotFoundError
from qa_service.features.users.security import hash_password, new_password
from qa_service.store import audit
from qa_service.store.accounts import AccountRole, User, count_users, get_user_by_name
from qa_service.store.db import Database


def ensure_first_admin(db: Database, settings: Settings) -> str | None:
    """Create the admin when there is no account at all; returns its password, else None."""
    password = new_password()
    try:
        with db.session() as session:
            if count_users(session):
                return None
            admin = User(
                username=settings.admin_username,
                full_name="Administrator",
                role=AccountRole.admin,
                password_hash=hash_password(password, settings),
            )
            session.add(admin)
            session.flush()
            audit.record(session, None, "user.create", "user", admin.id, None, admin.snapshot())
    except IntegrityError:  # another process created it at the same moment
        return None
    return password


ADMIN_PASSWORD_FILE = "admin_password"


def save_admin_password(settings: Settings, password: str) -> Path:
    """Write the first admin's password to ``DATA_DIR/admin_password`` (0600); returns it."""
    path = Path(settings.data_dir) / ADMIN_PASSWORD_FILE
    return write_private(path, f"{settings.admin_username}\n{password}\n")


def reset_password(db: Database, settings: Settings, username: str) -> str:
    password = new_password()
    with db.session() as session:
        user = get_user_by_name(session, username)
        if user is None:
            raise NotFoundError(f"no account named {username!r}")
        user.password_hash = hash_password(password, settings)
        user.token_version += 1  # whoever held the old password is signed out
        user.active = True
        audit.record(session, None, "user.password_reset", "user", user.id, None, {"by": "cli"})
    return password
