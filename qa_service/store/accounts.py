"""People: accounts with one role each; agents and supervisors belong to a team."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from qa_service.store.base import Base, utcnow


# What an account may do (not a speaker's side of a call: that is ``Speaker``). No docstring:
# it would become the description of the enum in the OpenAPI document.
class AccountRole(StrEnum):
    admin = "admin"
    qa = "qa"
    supervisor = "supervisor"
    agent = "agent"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    # The agent's id as call metadata names it; calls with this agent_id are theirs.
    agent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Every token carries the version it was issued under; signing out everywhere or a new
    # password bumps it, so every older token and session cookie stops working at once.
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def snapshot(self) -> dict:
        """What the audit log records of an account (never the password hash)."""
        return {
            "username": self.username,
            "full_name": self.full_name,
            "role": self.role,
            "team": self.team,
            "agent_id": self.agent_id,
            "active": self.active,
        }


def get_user_by_name(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0
