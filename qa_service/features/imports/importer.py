"""Batch import: a folder of recordings with their metadata, into the service's store.

Each file goes through the same path as an upload (``features/calls/ingest.py``): content
sniffing, deduplication by SHA-256, a call row with its analysis job in one transaction.
A state row per file makes a batch resumable: a run that was interrupted is picked up by
the next run of the same folder and manifest, which skips the files already done (without
reading them again) and retries the ones that failed. Analysis is queued for the workers,
or run here one call at a time with ``now``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.errors import InputError, QAError
from qa_service.features.calls.ingest import ingest_copy
from qa_service.features.imports.sources import SourceFile, sources
from qa_service.store.accounts import User, get_user_by_name
from qa_service.store.base import utcnow
from qa_service.store.calls import get_call_by_hash
from qa_service.store.db import Database
from qa_service.store.imports import FINISHED, BatchStatus, FileStatus, ImportBatch, ImportFile
from qa_service.store.jobs import Job, JobStatus

HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportRequest:
    folder: Path
    manifest: Path | None = None
    pattern: str | None = None
    now: bool = False  # analyse each new call here instead of queueing it for a worker
    username: str | None = None  # whose upload it is; default: the admin account


@dataclass(slots=True)
class ImportSummary:
    batch_id: int
    total: int
    counts: Counter = field(default_factory=Counter)  # status -> files, this run included
    skipped: int = 0  # done in an earlier run of this batch, not read again
    analysed: int = 0  # analysed here (``now``)
    errors: list[tuple[str, str]] = field(default_factory=list)
    interrupted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "total": self.total,
            "imported": self.counts[FileStatus.imported],
            "duplicate": self.counts[FileStatus.duplicate],
            "failed": self.counts[FileStatus.failed],
            "skipped": self.skipped,
            "analysed": self.analysed,
            "interrupted": self.interrupted,
            "errors": [{"path": p, "error": e} for p, e in self.errors],
        }


@dataclass(frozen=True, slots=True)
class PreparedImport:
    request: ImportRequest
    batch_id: int
    files: list[SourceFile]
    states: dict[str, tuple[int, str]]  # path -> (file row id, status when opened)
    user: User


Progress = Callable[[ImportFile, int, int], None]  # the file just handled, done, total


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _user(session: Session, settings: Settings, username: str | None) -> User:
    name = username or settings.admin_username
    user = get_user_by_name(session, name)
    if user is None or not user.active:
        raise InputError(
            f"no active account {name!r} to import as: start the service once "
            "(qa-service serve creates the admin) or name another with --user"
        )
    return user


def open_batch(
    session: Session, request: ImportRequest, files: list[SourceFile], user: User
) -> ImportBatch:
    """The unfinished batch of the same folder, manifest and pattern, or a new one."""
    source = str(request.folder.resolve())
    manifest = str(request.manifest.resolve()) if request.manifest else ""
    batch = session.scalar(
        select(ImportBatch)
        .where(
            ImportBatch.source == source,
            ImportBatch.manifest == manifest,
            ImportBatch.pattern == (request.pattern or ""),
            ImportBatch.status == BatchStatus.running,
        )
        .order_by(ImportBatch.id.desc())
    )
    if batch is None:
        batch = ImportBatch(
            source=source,
            manifest=manifest,
            pattern=request.pattern or "",
            options={"now": request.now},
            created_by=user.id,
        )
        session.add(batch)
        session.flush()
    known = set(session.scalars(select(ImportFile.path).where(ImportFile.batch_id == batch.id)))
    session.add_all(
        ImportFile(batch_id=batch.id, path=f.path, status=FileStatus.pending)
        for f in files
        if f.path not in known
    )
    session.flush()
    return batch


class AnalysisJobs(Protocol):
    """Where the new calls' analysis jobs go (``qa_service.jobs.runner.JobRunner``)."""

    def dispatch(self, job_id: int) -> None:
        """Hand a queued job to the workers."""

    def run(self, job_ids: list[int]) -> int:
        """Analyse the jobs here, now; how many finished."""


class Importer:
    def __init__(self, db: Database, settings: Settings, jobs: AnalysisJobs) -> None:
        self.db = db
        self.settings = settings
        self.jobs = jobs

    def open(self, request: ImportRequest) -> PreparedImport:
        """Read the folder and manifest, and open (or resume) the batch: fast, no file read."""
        files = sources(
            request.folder, request.manifest, request.pattern, self.settings.upload_formats
        )
        if not files:
            raise InputError(f"nothing to import in {request.folder}")
        with self.db.session() as session:
            user = _user(session, self.settings, request.username)
            batch = open_batch(session, request, files, user)
            states = {f.path: (f.id, f.status) for f in batch.files}
            return PreparedImport(request, batch.id, files, states, user)

    def run(self, request: ImportRequest, progress: Progress | None = None) -> ImportSummary:
        return self.process(self.open(request), progress)

    def process(self, prepared: PreparedImport, progress: Progress | None = None) -> ImportSummary:
        request, files = prepared.request, prepared.files
        summary = ImportSummary(prepared.batch_id, len(files))
        done = 0
        try:
            for source in files:
                file_id, status = prepared.states[source.path]
                if status in FINISHED:
                    summary.skipped += 1
                    summary.counts[status] += 1
                else:
                    row = self._import_one(file_id, request, source, prepared.user)
                    summary.counts[row.status] += 1
                    if row.status == FileStatus.failed:
                        summary.errors.append((row.path, row.error or ""))
                    elif row.status == FileStatus.imported and request.now:
                        summary.analysed += self._analyse(row.call_id)
                done += 1
                if progress is not None:
                    progress(self._state(file_id), done, len(files))
        except KeyboardInterrupt:
            summary.interrupted = True
            return summary
        if request.now:
            summary.analysed += self._analyse_left_over(prepared.batch_id)
        self._close(prepared.batch_id)
        return summary

    def _state(self, file_id: int) -> ImportFile:
        with self.db.session() as session:
            return session.get(ImportFile, file_id)

    def _set(self, file_id: int, **values: Any) -> ImportFile:
        with self.db.session() as session:
            row = session.get(ImportFile, file_id)
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
        return row

    def _import_one(
        self, file_id: int, request: ImportRequest, source: SourceFile, user: User
    ) -> ImportFile:
        if source.error:
            return self._set(file_id, status=FileStatus.failed, error=source.error)
        path = request.folder / source.path
        sha256 = sha256_of(path)
        with self.db.session() as session:
            existing = get_call_by_hash(session, sha256)
            earlier = session.get(ImportFile, file_id).content_sha256
        if existing is not None:
            # The same hash recorded by an earlier run of this batch: that run stored the
            # call and was cut off before it could say so.
            status = FileStatus.imported if earlier == sha256 else FileStatus.duplicate
            return self._set(file_id, status=status, call_id=existing.id, error=None)
        self._set(file_id, content_sha256=sha256, size_bytes=path.stat().st_size)
        try:
            call_id = self._store(path, source, sha256, user)
        except QAError as exc:
            return self._set(file_id, status=FileStatus.failed, error=exc.message)
        return self._set(file_id, status=FileStatus.imported, call_id=call_id, error=None)

    def _store(self, path: Path, source: SourceFile, sha256: str, user: User) -> int:
        """One file through the upload path; returns the new call's id."""
        ingested, job_ids = ingest_copy(
            self.db, self.settings, user, path, sha256, source.metadata, source.path
        )
        for job_id in job_ids:
            self.jobs.dispatch(job_id)
        return ingested.call.id

    def _queued_jobs(self, call_ids: list[int]) -> list[int]:
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Job.id)
                    .where(Job.call_id.in_(call_ids), Job.status == JobStatus.queued)
                    .order_by(Job.id)
                )
            )

    def _analyse(self, call_id: int | None) -> int:
        return self.jobs.run(self._queued_jobs([call_id])) if call_id is not None else 0

    def _analyse_left_over(self, batch_id: int) -> int:
        """Calls an interrupted ``now`` run imported but did not get to analyse."""
        with self.db.session() as session:
            call_ids = list(
                session.scalars(
                    select(ImportFile.call_id).where(
                        ImportFile.batch_id == batch_id,
                        ImportFile.status == FileStatus.imported,
                        ImportFile.call_id.is_not(None),
                    )
                )
            )
        return self.jobs.run(self._queued_jobs(call_ids)) if call_ids else 0

    def _close(self, batch_id: int) -> None:
        """Done when every file is; a batch with failures stays open for the next run."""
        with self.db.session() as session:
            batch = session.get(ImportBatch, batch_id)
            if all(f.status in FINISHED for f in batch.files):
                batch.status = BatchStatus.done
                batch.finished_at = utcnow()


def batch_status(session: Session, batch_id: int) -> dict[str, Any]:
    """A batch and how many of its files are in each state (for the API's progress)."""
    from qa_service.errors import NotFoundError

    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFoundError(f"import batch {batch_id} not found")
    counts = Counter(f.status for f in batch.files)
    return {
        "id": batch.id,
        "source": batch.source,
        "manifest": batch.manifest or None,
        "pattern": batch.pattern or None,
        "status": batch.status,
        "created_at": batch.created_at,
        "finished_at": batch.finished_at,
        "total": len(batch.files),
        **{s.value: counts.get(s, 0) for s in FileStatus},
        "errors": [{"path": f.path, "error": f.error} for f in batch.files if f.error],
        "calls": sorted(f.call_id for f in batch.files if f.call_id is not None),
    }
