"""Versions of rule packs and scorecards uploaded through the API.

A pack version pins the scorecard text it was validated with, so a call scored with
``NAME@VERSION`` can be rescored identically later, whatever changed since.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from qa_service.store.base import Base, utcnow


class DocumentKind(StrEnum):
    pack = "pack"
    scorecard = "scorecard"


class PackVersion(Base):
    __tablename__ = "pack_versions"
    __table_args__ = (UniqueConstraint("kind", "name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128))
    version: Mapped[int]
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    scorecard_name: Mapped[str | None] = mapped_column(String(128))
    scorecard_content: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


def latest_version(session: Session, kind: str, name: str) -> PackVersion | None:
    return session.scalar(
        select(PackVersion)
        .where(PackVersion.kind == kind, PackVersion.name == name)
        .order_by(PackVersion.version.desc())
        .limit(1)
    )


def get_version(session: Session, kind: str, name: str, version: int) -> PackVersion | None:
    return session.scalar(
        select(PackVersion).where(
            PackVersion.kind == kind, PackVersion.name == name, PackVersion.version == version
        )
    )


def next_version_number(session: Session, kind: str, name: str) -> int:
    current = session.scalar(
        select(func.max(PackVersion.version)).where(
            PackVersion.kind == kind, PackVersion.name == name
        )
    )
    return (current or 0) + 1
