"""What a detected piece of personal data is: its kind, where it is, when it was said."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class PiiType(StrEnum):
    phone = "PHONE"
    resident_id = "ID"
    card = "CARD"
    email = "EMAIL"
    code = "CODE"
    plate = "PLATE"
    ssn = "SSN"


def tag(kind: PiiType) -> str:
    """The placeholder that replaces the data in what leaves the analysis: ``[PHONE]``."""
    return f"[{kind.value}]"


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """One piece of personal data in one utterance; a number read over two utterances gives
    one span in each, with the same ``group``. Holds no copy of the data itself."""

    kind: PiiType
    utterance: int
    start: int  # character offsets in the utterance's text, end exclusive
    end: int
    start_s: float
    end_s: float
    group: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.kind.value,
            "utterance": self.utterance,
            "start": self.start,
            "end": self.end,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
        }
