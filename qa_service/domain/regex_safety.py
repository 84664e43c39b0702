"""Refuse pack regexes that can backtrack catastrophically.

A pack is untrusted data, and its ``regex`` phrases run on every clause of every call: a
pattern such as ``(a+)+$`` or ``(a|aa)*$`` takes exponential time on a short clause and would
stall a worker. Python's ``re`` has no timeout, so the shapes that cause it are refused when
the pack is validated: an unbounded repetition inside any repetition (``(a+)+``,
``(.*a){20}``), an alternation inside an unbounded repetition, or a backreference anywhere.
Patterns are also bounded in length.
"""

from __future__ import annotations

import re
from typing import Any

MAX_PATTERN_CHARS = 200

try:  # Python 3.11+ keeps the parser here; its interface is the stdlib's own sre_parse.
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}


def check_regex(pattern: str) -> None:
    """Raise ``ValueError`` (a pack problem) for a pattern that is too long, invalid or
    able to backtrack exponentially."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(f"a regex phrase is at most {MAX_PATTERN_CHARS} characters")
    try:
        parsed = _sre_parse.parse(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
    problem = _problem(parsed, inside_repeat=False, inside_unbounded=False)
    if problem:
        raise ValueError(
            f"regex {pattern!r} {problem}: it could take exponential time on some text "
            "(write the repetition once, e.g. a+ instead of (a+)+)"
        )


def _problem(items: Any, *, inside_repeat: bool, inside_unbounded: bool) -> str | None:
    for op, arg in items:
        found = None
        if op in (_c.GROUPREF, _c.GROUPREF_EXISTS):
            return "uses a backreference"
        if op in _REPEATS:
            _, high, sub = arg
            unbounded = high == _c.MAXREPEAT or high > 1000
            if unbounded and inside_repeat:
                return "repeats a repetition"
            found = _problem(
                sub,
                inside_repeat=inside_repeat or high > 1,
                inside_unbounded=inside_unbounded or unbounded,
            )
        elif op == _c.BRANCH:
            if inside_unbounded:
                return "repeats an alternation"
            for branch in arg[1]:
                found = found or _problem(
                    branch, inside_repeat=inside_repeat, inside_unbounded=inside_unbounded
                )
        elif op == _c.SUBPATTERN or op in (_c.ASSERT, _c.ASSERT_NOT):
            found = _problem(
                arg[-1], inside_repeat=inside_repeat, inside_unbounded=inside_unbounded
            )
        if found:
            return found
    return None
