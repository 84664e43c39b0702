"""Files received for ingestion, already on disk in the spool folder with their SHA-256:
the parts of an upload, a transcript sent as the request body, or a copy an import made."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ReceivedFile:
    field: str
    filename: str
    path: Path
    size: int = 0
    sha256: str = ""


@dataclass
class ReceivedForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)

    def discard(self) -> None:
        for received in self.files:
            received.path.unlink(missing_ok=True)
