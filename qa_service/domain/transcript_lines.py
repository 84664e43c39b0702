"""The transcript's lines as the pages number them: the result's utterances in time order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def time_order(utterances: Sequence[dict[str, Any]]) -> list[int]:
    """Indexes of ``utterances`` by start time: line ``n`` is ``utterances[order[n]]``."""
    return sorted(range(len(utterances)), key=lambda k: utterances[k].get("start") or 0.0)
