"""Bounds checked on untrusted JSON text before it is parsed."""

from __future__ import annotations


def json_depth(text: str) -> int:
    """How deeply ``text``'s arrays and objects nest (strings are skipped); linear time.

    Checked before ``json.loads``, whose recursion a document nested thousands deep exhausts
    (a RecursionError, i.e. a server error instead of a refusal)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
