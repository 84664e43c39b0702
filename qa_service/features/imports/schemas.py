"""What starts a batch import of a folder on the server."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from qa_service.features.imports.sources import MAX_PATTERN_LENGTH

# A path with a NUL (or another control character) cannot name a file.
NO_CONTROL = r"^[^\x00-\x1f]+$"
ServerPath = Annotated[str, Field(min_length=1, max_length=1024, pattern=NO_CONTROL)]


class ImportCreate(BaseModel):
    folder: ServerPath = Field(description="A folder under the import root (relative or absolute).")
    manifest: ServerPath | None = Field(None, description="CSV manifest under the import root.")
    pattern: str | None = Field(
        None,
        max_length=MAX_PATTERN_LENGTH,
        description="File-name pattern, e.g. {agent_id}_{queue}_{started_at:%Y%m%d}.wav",
    )
    now: bool = Field(False, description="Analyse in the import thread instead of queueing.")
