"""Streaming multipart parsing: each uploaded file goes to disk chunk by chunk, hashed and
size-checked as it arrives, so no upload is ever held whole in memory. A file's first bytes
are judged before anything of it is written; whatever a failed or cut-off upload wrote is
deleted, and spool files left by a killed process are swept away."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from qa_service.datafiles import FILE_MODE, private_dir
from qa_service.errors import InputError, TooLargeError
from qa_service.features.calls.received import ReceivedFile, ReceivedForm

MAX_FIELD_BYTES = 1024 * 1024
MAX_FIELDS = 200
# Bytes of a file handed to ``check_head`` before anything of it is written (enough for
# every audio signature in qa_service.features.calls.sniff).
HEAD_BYTES = 12
PARTIAL_SUFFIX = ".partial"
# A spool file untouched this long belongs to no upload still running (each chunk written
# renews its time): a process killed in the middle of an upload left it.
STALE_PARTIAL_S = 15 * 60

# Called with a file's name and first bytes; raises to refuse the file.
HeadCheck = Callable[[str, bytes], None]


def sweep_partials(spool_dir: Path, older_than_s: float = STALE_PARTIAL_S) -> int:
    """Delete spool files (uploads and import copies) no running request writes to any more;
    returns how many. The spool folder holds nothing else: a kept file is moved out of it."""
    if not spool_dir.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    removed = 0
    for path in spool_dir.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process swept it first
            continue
    return removed


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    data: bytearray = field(default_factory=bytearray)
    head: bytearray = field(default_factory=bytearray)
    file: ReceivedFile | None = None
    handle: BinaryIO | None = None
    hasher: hashlib._Hash | None = None


class StreamingForm:
    """Feed it the request body; it writes files under ``spool_dir`` with their SHA-256."""

    def __init__(
        self,
        spool_dir: Path,
        max_file_bytes: int,
        max_files: int,
        check_head: HeadCheck | None = None,
    ) -> None:
        self.spool_dir = spool_dir
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.check_head = check_head
        self.form = ReceivedForm()
        self._part = _Part()
        self._header_name = b""
        self._header_value = b""
        self._ended = False
        self._field_bytes = 0

    def _on_part_begin(self) -> None:
        self._part = _Part()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._part.headers[self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b""

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise InputError("a part of the form has no name (Content-Disposition)")
        self._part.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" not in options:
            if sum(len(v) for v in self.form.fields.values()) >= MAX_FIELDS:
                raise InputError(f"more than {MAX_FIELDS} form fields")
            return
        if len(self.form.files) >= self.max_files:
            raise TooLargeError(
                f"more than {self.max_files} files in one upload (QA_UPLOAD_MAX_FILES)"
            )
        filename = Path(options[b"filename"].decode("utf-8", "replace").replace("\\", "/")).name
        path = self.spool_dir / f"{uuid.uuid4().hex}{PARTIAL_SUFFIX}"
        received = ReceivedFile(self._part.name, filename or "upload", path)
        self.form.files.append(received)
        self._part.file = received
        self._part.hasher = hashlib.sha256()

    def _start_file(self, part: _Part) -> None:
        """Judge the first bytes, then open the spool file (owner only) and write them."""
        head = bytes(part.head)
        if self.check_head is not None:
            self.check_head(part.file.filename, head)
        private_dir(self.spool_dir)
        fd = os.open(part.file.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        part.handle = os.fdopen(fd, "wb")
        part.hasher.update(head)
        part.handle.write(head)

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        part = self._part
        if part.file is None:
            self._field_bytes += len(chunk)
            if self._field_bytes > MAX_FIELD_BYTES:
                raise TooLargeError(f"form fields larger than {MAX_FIELD_BYTES // 1024} KiB")
            part.data.extend(chunk)
            return
        part.file.size += len(chunk)
        if part.file.size > self.max_file_bytes:
            raise TooLargeError(
                f"{part.file.filename}: larger than the limit of "
                f"{self.max_file_bytes / 1024 / 1024:.0f} MiB (QA_UPLOAD_MAX_BYTES)"
            )
        if part.handle is None:
            part.head.extend(chunk)
            if len(part.head) >= HEAD_BYTES:
                self._start_file(part)
            return
        part.hasher.update(chunk)
        part.handle.write(chunk)

    def _on_part_end(self) -> None:
        part = self._part
        if part.file is None:
            value = part.data.decode("utf-8", "replace")
            self.form.fields.setdefault(part.name, []).append(value)
            return
        if part.handle is None:  # a file shorter than HEAD_BYTES (or empty)
            self._start_file(part)
        part.handle.close()
        part.handle = None
        part.file.sha256 = part.hasher.hexdigest()

    def _on_end(self) -> None:
        self._ended = True

    def _close_open_file(self) -> None:
        if self._part.handle is not None:
            self._part.handle.close()

    async def parse(self, content_type: str, body: AsyncIterator[bytes]) -> ReceivedForm:
        """Read the whole body; on any problem delete what was written and raise."""
        kind, params = parse_options_header(content_type)
        if kind != b"multipart/form-data" or b"boundary" not in params:
            raise InputError("send the recordings as multipart/form-data")
        callbacks = {
            "on_part_begin": self._on_part_begin,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_end": self._on_end,
        }
        parser = MultipartParser(params[b"boundary"], callbacks)
        try:
            async for chunk in body:
                parser.write(chunk)
            parser.finalize()
            if not self._ended:
                raise InputError("the upload ended before the form was complete")
        except MultipartParseError as exc:
            self._close_open_file()
            self.form.discard()
            raise InputError(f"the multipart body is malformed ({exc})") from None
        except BaseException:
            self._close_open_file()
            self.form.discard()
            raise
        return self.form
