"""What a batch import reads: the recordings of a folder and their metadata, from a CSV
manifest and/or from the file names by a pattern like
``{agent_id}_{queue}_{started_at:%Y%m%d%H%M%S}.wav``."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from qa_service.errors import InputError
from qa_service.features.calls.schemas import METADATA_FIELDS

# The metadata an upload accepts; other manifest columns go to ``extra``.
FILE_COLUMNS = ("file", "filename", "path")
_PLACEHOLDER = re.compile(r"\{([^{}:]*)(?::([^{}]*))?\}")


# Patterns come from API callers: bounded, and matched in linear time (no regex backtracking).
MAX_PATTERN_LENGTH = 200
MAX_FIELDS = 12


@dataclass(frozen=True, slots=True)
class _Field:
    name: str | None  # None for {*}
    min_length: int  # a named field is never empty; {*} may be


class FilenamePattern:
    """``{field}`` matches up to the next literal part; ``{started_at:%Y%m%d}`` also parses a
    time; ``{*}`` matches anything unnamed. The pattern matches the whole file name, or the
    name without its extension when the pattern has none.

    Each field takes the shortest text up to the next occurrence of its following literal
    (what a lazy regex would give), found with one forward search per field: the first
    occurrence is always the right one, because the next field can absorb whatever lies
    between, so nothing is ever retried and matching is linear in the name's length.
    """

    def __init__(self, pattern: str) -> None:
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise InputError(f"a file-name pattern has at most {MAX_PATTERN_LENGTH} characters")
        self.pattern = pattern
        self.formats: dict[str, str] = {}
        self.fields: list[_Field] = []
        self.literals: list[str] = []  # the text before each field, then the tail
        position = 0
        for m in _PLACEHOLDER.finditer(pattern):
            self.literals.append(pattern[position : m.start()])
            self.fields.append(self._field(m.group(1), m.group(2)))
            position = m.end()
        if len(self.fields) > MAX_FIELDS:
            raise InputError(f"a file-name pattern has at most {MAX_FIELDS} {{fields}}")
        self.literals.append(pattern[position:])
        self.with_suffix = bool(Path(_PLACEHOLDER.sub("x", pattern)).suffix)

    def _field(self, name: str, fmt: str | None) -> _Field:
        if name == "*":
            return _Field(None, 0)
        if name not in METADATA_FIELDS:
            known = ", ".join(METADATA_FIELDS)
            raise InputError(f"pattern field {{{name}}} is not call metadata: use {known}")
        if any(f.name == name for f in self.fields):
            raise InputError(f"pattern names {{{name}}} twice")
        if fmt:
            self.formats[name] = fmt
        return _Field(name, 1)

    def match(self, name: str) -> dict[str, str] | None:
        """The text of each named field, or None when ``name`` does not match."""
        if not self.fields:
            return {} if name == self.pattern else None
        head, tail = self.literals[0], self.literals[-1]
        end = len(name) - len(tail)
        if not name.startswith(head) or not name.endswith(tail) or end < len(head):
            return None
        values: dict[str, str] = {}
        position = len(head)
        last = len(self.fields) - 1
        for k, field in enumerate(self.fields):
            literal = self.literals[k + 1] if k < last else ""
            earliest = position + field.min_length
            if k == last:
                stop = end
            elif literal:
                stop = name.find(literal, earliest, end)  # -1: not there
            else:  # two fields side by side: this one as short as it may be
                stop = earliest
            if stop < 0 or stop > end or stop - position < field.min_length:
                return None
            if field.name is not None:
                values[field.name] = name[position:stop]
            position = stop + len(literal)
        return values

    def parse(self, path: Path) -> dict[str, Any]:
        name = path.name if self.with_suffix else path.stem
        found = self.match(name)
        if found is None:
            raise InputError(f"{path.name}: does not match the pattern {self.pattern!r}")
        values: dict[str, Any] = {}
        for key, value in found.items():
            if key in self.formats:
                try:
                    values[key] = datetime.strptime(value, self.formats[key])
                except ValueError:
                    raise InputError(
                        f"{path.name}: {value!r} is not a {key} like {self.formats[key]}"
                    ) from None
            else:
                values[key] = value
        return values


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # relative to the folder, with forward slashes
    metadata: dict[str, Any]
    error: str | None = None  # known bad before reading it (no such file, bad pattern match)


def recordings(folder: Path, suffixes: Iterable[str]) -> list[str]:
    """Every recording under ``folder`` (recursively) as a sorted relative path."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    wanted = {s.lower().lstrip(".") for s in suffixes}
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower().lstrip(".") in wanted
    )


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


class ManifestError(InputError):
    """A manifest that cannot be read as a whole; ``reason`` names why for pages that say it
    in their own language (``no_file_column``, ``empty_file``, ``listed_twice``, ``encoding``)."""

    def __init__(self, message: str, reason: str, line: int = 0, value: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.line = line
        self.value = value


def read_manifest(manifest: Path) -> list[tuple[str, dict[str, Any]]]:
    """(relative path, metadata) per row of a manifest file (see ``parse_manifest``)."""
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{manifest}: no such manifest") from None
    except UnicodeDecodeError:
        raise ManifestError(f"{manifest}: the manifest is not UTF-8 text", "encoding") from None
    return [(path, meta) for _line, path, meta in parse_manifest(text, str(manifest))]


def parse_manifest(text: str, source: str) -> list[tuple[int, str, dict[str, Any]]]:
    """(line, relative path, metadata) per row. A column ``file`` (or ``filename``/``path``)
    names the recording; known metadata columns map to fields, the rest go to ``extra``.
    ``source`` names the manifest in errors."""
    reader = csv.DictReader(text.lstrip("\ufeff").splitlines())
    columns = [c.strip() for c in reader.fieldnames or []]
    file_column = next((c for c in FILE_COLUMNS if c in columns), None)
    if file_column is None:
        raise ManifestError(
            f"{source}: no file column (one of {', '.join(FILE_COLUMNS)})", "no_file_column"
        )
    rows: list[tuple[int, str, dict[str, Any]]] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): v for k, v in raw.items()}
        path = _clean(row.pop(file_column, None))
        if path is None:
            message = f"{source}:{line}: the {file_column} column is empty"
            raise ManifestError(message, "empty_file", line)
        if path in seen:
            message = f"{source}:{line}: {path} is listed twice"
            raise ManifestError(message, "listed_twice", line, path)
        seen.add(path)
        meta: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in row.items():
            value = _clean(value)
            if value is None or not key:
                continue
            (meta if key in METADATA_FIELDS else extra)[key] = value
        if extra:
            meta["extra"] = extra
        rows.append((line, path, meta))
    return rows


def sources(folder: Path, manifest: Path | None, pattern: str | None, suffixes) -> list[SourceFile]:
    """The files of a batch with their metadata: the manifest's rows (manifest values win
    over the pattern's), or every recording of the folder when there is no manifest."""
    parser = FilenamePattern(pattern) if pattern else None
    listed = (
        read_manifest(manifest) if manifest else [(p, {}) for p in recordings(folder, suffixes)]
    )
    found: list[SourceFile] = []
    root = folder.resolve()
    for path, given in listed:
        if not (folder / path).resolve().is_relative_to(root):
            found.append(SourceFile(path, given, f"{path}: outside the folder {folder}"))
            continue
        if not (folder / path).is_file():
            found.append(SourceFile(path, given, f"{path}: no such file in {folder}"))
            continue
        try:
            parsed = parser.parse(Path(path)) if parser else {}
        except InputError as exc:
            found.append(SourceFile(path, given, exc.message))
            continue
        found.append(SourceFile(path, {**parsed, **given}))
    return found
