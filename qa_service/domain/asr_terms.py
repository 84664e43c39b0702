"""The centre's own vocabulary for the recogniser: brand, products, plans, departments.

Terms come from untrusted data (a rule pack, a call's metadata), so they are bounded here,
once, for every source: how many, how long, and no control characters (they end up in the
model's prompt).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

# A prompt holds about a hundred characters of terms (engines/asr_vocabulary.py); more
# terms than this cannot all be used, and a longer list is more likely a mistake.
MAX_TERMS = 100
MAX_TERM_CHARS = 32


def clean_term(value: Any) -> str:
    """One term, trimmed; ValueError when it is not a short single-line text."""
    if not isinstance(value, str):
        raise ValueError(f"a vocabulary term must be text, got {type(value).__name__}")
    term = " ".join(value.split())
    if not term:
        raise ValueError("a vocabulary term is empty")
    if len(term) > MAX_TERM_CHARS:
        raise ValueError(f"vocabulary term {term[:40]!r} is longer than {MAX_TERM_CHARS}")
    if any(unicodedata.category(c).startswith("C") for c in term):
        raise ValueError(f"vocabulary term {term!r} has a control character")
    return term


def clean_terms(values: Iterable[Any]) -> tuple[str, ...]:
    """Distinct terms in their order; ValueError on a bad one or too many."""
    terms = tuple(dict.fromkeys(clean_term(v) for v in values))
    if len(terms) > MAX_TERMS:
        raise ValueError(f"at most {MAX_TERMS} vocabulary terms (got {len(terms)})")
    return terms


def merge_terms(*sources: Iterable[str]) -> tuple[str, ...]:
    """Terms of several sources, first ones first, without repeats, at most MAX_TERMS."""
    return tuple(dict.fromkeys(t for source in sources for t in source))[:MAX_TERMS]
