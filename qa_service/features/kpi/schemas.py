"""What the KPI use cases hand back besides the domain's ``KpiReport``: export files."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


@dataclass(frozen=True, slots=True)
class KpiExport:
    """A report as a file to download: its bytes, media type and file name."""

    data: bytes
    media_type: str
    filename: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Disposition": f'attachment; filename="{self.filename}"'}
