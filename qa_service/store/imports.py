"""Batch imports: one row per batch and one per file, so an interrupted import resumes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_service.store.base import Base, utcnow


class BatchStatus(StrEnum):
    running = "running"  # or interrupted: a batch left running is resumed by the next run
    done = "done"


class FileStatus(StrEnum):
    pending = "pending"
    imported = "imported"  # a new call was stored (and its analysis queued or run)
    duplicate = "duplicate"  # these bytes were already a call: nothing stored
    failed = "failed"  # bad metadata or media: the error says why; a re-run tries again


FINISHED = (FileStatus.imported, FileStatus.duplicate)


class ImportBatch(Base):
    __tablename__ = "import_batches"
    __table_args__ = (Index("ix_import_batches_source", "source", "manifest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(1024))  # the folder, resolved
    manifest: Mapped[str] = mapped_column(String(1024), default="")
    pattern: Mapped[str] = mapped_column(String(512), default="")
    options: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.running)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    files: Mapped[list[ImportFile]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="ImportFile.id"
    )


class ImportFile(Base):
    __tablename__ = "import_files"
    __table_args__ = (Index("ix_import_files_batch_path", "batch_id", "path", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(1024))  # relative to the batch's folder
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=FileStatus.pending)
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    batch: Mapped[ImportBatch] = relationship(back_populates="files")
