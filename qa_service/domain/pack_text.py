"""The names and descriptions of a pack's rules and a scorecard's dimensions and items.

A text is written once (``description: ...``, shown in every language: a custom pack of one
language keeps working) or per language (``name: {zh: 问候缺失, en: No greeting}``), like a
question item's ``question``. A page picks the viewer's language, else the other one, else
the id: an id never replaces a name when a name exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator

Language = Literal["zh", "en"]
MAX_NAME_CHARS = 120
MAX_DESCRIPTION_CHARS = 1000


def _bounded(limit: int) -> Any:
    """Packs are uploaded by users: every text they show is bounded."""

    def check(value: str | dict[str, str]) -> str | dict[str, str]:
        texts = [value] if isinstance(value, str) else list(value.values())
        if any(len(text) > limit for text in texts):
            raise ValueError(f"at most {limit} characters")
        return value

    return AfterValidator(check)


# ``str`` first: a plain string stays a string; a mapping keyed by language is per language.
Name = Annotated[str | dict[Language, str], _bounded(MAX_NAME_CHARS)]
Description = Annotated[str | dict[Language, str], _bounded(MAX_DESCRIPTION_CHARS)]


def text_in(value: str | Mapping[str, str] | None, language: str | None, default: str = "") -> str:
    """``value`` in ``language``, else in the other language it is written in, else
    ``default`` (the id, where the caller has nothing better)."""
    if not value:
        return default
    if isinstance(value, str):
        return value
    return value.get(language or "") or next((v for v in value.values() if v), "") or default
