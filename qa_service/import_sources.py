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

# The metadata an upload accepts (qa_service.api.schemas.calls.CallMetadata); other manifest
# columns go to ``extra``.
METADATA_FIELDS = (
    "call_id",
    "agent_id",
    "team",
    "queue",
    "started_at",
    "direction",
    "customer_ref",
    "channels",
    "language",
    "pack",
    "csat",
    "nps",
)
FILE_COLUMNS = ("file", "filename", "path")
_PLACEHOLDER = re.compile(r"\{([^{}:]*)(?::([^{}]*))?\}")


class FilenamePattern:
    """``{field}`` matches up to the next literal part; ``{started_at:%Y%m%d}`` also parses a
    time; ``{*}`` matches anything unnamed. The pattern matches the whole file name, or the
    name without its extension when the pattern has none."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.formats: dict[str, str] = {}
        parts: list[str] = []
        position = 0
        for m in _PLACEHOLDER.finditer(pattern):
            parts.append(re.escape(pattern[position : m.start()]))
            name, fmt = m.group(1), m.group(2)
            if name == "*":
                parts.append(".*?")
            elif name not in METADATA_FIELDS:
                known = ", ".join(METADATA_FIELDS)
                raise InputError(f"pattern field {{{name}}} is not call metadata: use {known}")
            elif name in self.formats or f"(?P<{name}>" in "".join(parts):
                raise InputError(f"pattern names {{{name}}} twice")
            else:
                if fmt:
                    self.formats[name] = fmt
                parts.append(f"(?P<{name}>.+?)")
            position = m.end()
        parts.append(re.escape(pattern[position:]))
        self.regex = re.compile("^" + "".join(parts) + "$")
        self.with_suffix = bool(Path(_PLACEHOLDER.sub("x", pattern)).suffix)

    def parse(self, path: Path) -> dict[str, Any]:
        name = path.name if self.with_suffix else path.stem
        m = self.regex.match(name)
        if m is None:
            raise InputError(f"{path.name}: does not match the pattern {self.pattern!r}")
        values: dict[str, Any] = {}
        for key, value in m.groupdict().items():
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


def read_manifest(manifest: Path) -> list[tuple[str, dict[str, Any]]]:
    """(relative path, metadata) per row. A column ``file`` (or ``filename``/``path``) names
    the recording; known metadata columns map to fields, the rest go to ``extra``."""
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{manifest}: no such manifest") from None
    except UnicodeDecodeError:
        raise InputError(f"{manifest}: the manifest is not UTF-8 text") from None
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in reader.fieldnames or []]
    file_column = next((c for c in FILE_COLUMNS if c in columns), None)
    if file_column is None:
        raise InputError(f"{manifest}: no file column (one of {', '.join(FILE_COLUMNS)})")
    rows: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): v for k, v in raw.items()}
        path = _clean(row.pop(file_column, None))
        if path is None:
            raise InputError(f"{manifest}:{line}: the {file_column} column is empty")
        if path in seen:
            raise InputError(f"{manifest}:{line}: {path} is listed twice")
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
        rows.append((path, meta))
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
