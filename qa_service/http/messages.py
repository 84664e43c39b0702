"""Validation messages as people read them, for the API's answers and the pages alike."""

from __future__ import annotations

from typing import Any

# What pydantic puts before the text a validator raised: noise to a reader.
PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


def plain_message(message: Any) -> str:
    """``"Value error, a score adjustment needs a comment"`` -> the validator's own words."""
    text = str(message)
    for prefix in PYDANTIC_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text
