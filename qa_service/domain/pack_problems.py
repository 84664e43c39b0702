"""Why a rule pack or scorecard is refused: each problem with its place in the document.

Split from ``qa_service.domain.rulepack`` (the schema); the loader adds files and lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from qa_service.errors import InputError

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a pack or scorecard is refused: where (``loc`` in the document, and once
    the loader knows them its ``file`` and ``line``) and why."""

    loc: Loc
    message: str
    document: Literal["pack", "scorecard"] = "pack"
    file: str = ""
    line: int | None = None
    # The validator's error type and its values (``literal_error``, ``{"expected": ...}``):
    # pages say the problem in their own language from these; empty for our own messages.
    kind: str = field(default="", compare=False)
    values: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def field(self) -> str:
        return format_loc(self.loc)

    def __str__(self) -> str:
        """``FILE:LINE: field: message``, the parts that are known."""
        where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        where = where if self.file else ""
        return f"{where}{self.field + ': ' if self.field else ''}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        """What the API and the editor get: structured, never a string to parse back."""
        return {
            "file": self.file,
            "line": self.line,
            "loc": list(self.loc),
            "field": self.field,
            "message": self.message,
        }


def format_loc(loc: Loc) -> str:
    """``("rules", 0, "severity")`` -> ``rules[0].severity``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class RulePackError(InputError):
    """A rule pack or scorecard that cannot be used; ``structured`` lists every reason as a
    ``Problem``, ``problems`` the same as ``FILE:LINE: field: message`` lines."""

    code = "invalid_rule_pack"

    def __init__(self, problems: str | Problem | Sequence[Problem]) -> None:
        if isinstance(problems, str):
            problems = Problem((), problems)
        self.structured = [problems] if isinstance(problems, Problem) else list(problems)
        more = len(self.structured) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(str(self.structured[0]) + suffix)

    @property
    def problems(self) -> list[str]:
        return [str(p) for p in self.structured]


class PackInvalid(Exception):
    """Raised by the builders; the loader turns it into a ``RulePackError`` with lines."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def validation_problems(
    exc: ValidationError, prefix: Loc = (), document: Literal["pack", "scorecard"] = "pack"
) -> list[Problem]:
    return [
        Problem(
            (*prefix, *err["loc"]),
            _clean(err["msg"]),
            document,
            kind=err["type"],
            values={k: str(v) for k, v in (err.get("ctx") or {}).items()},
        )
        for err in exc.errors()
    ]


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ")
