"""The rule checks' own objections to a pack, as message keys the editor says in its language.

A check's parameters refuse a value with one English line (pydantic's ``value_error``); the
editor shows the same problem in the page's language when the line is one of these. Named
groups fill the message's placeholders; a line not listed here stays as the check said it.
"""

from __future__ import annotations

import re

VALUE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), f"pack_error.value.{key}")
    for pattern, key in (
        (r"at least one phrase is needed", "no_phrases"),
        (r"unknown phrase set '@(?P<name>[^']*)' \(known: .*\)", "unknown_set"),
        (r"phrase set '@(?P<name>[^']*)' refers to itself", "set_loop"),
        (r"phrase set '@(?P<name>[^']*)' must be a list", "set_not_list"),
        (r"a phrase is a string, '@set_name' or a mapping like .*", "bad_phrase"),
        (r"cannot compile (?P<mode>\S+) phrase '(?P<phrase>.*?)': .*", "bad_pattern"),
        (r"phrase '(?P<phrase>.*)' has no words to match", "no_words"),
        (r"min_similarity must be a number in \(0, 1\]", "similarity"),
        (r"across_clauses and in_questions are true or false", "phrase_flags"),
        (r"give 'min', 'max' or both", "min_max"),
        (r"'min' is larger than 'max'", "min_above_max"),
        (r"give 'min_rate', 'max_rate' or both", "rate_bounds"),
        (r"a trigger needs 'phrases', 'sentiment' or both", "trigger"),
        (r"'fallback_phrases' stand in for 'sentiment', which is not set", "fallback"),
        (r"a requirement has exactly one of 'phrases' \(any\) or 'all_of' \(every\)", "then"),
        (r"an expression has exactly one of .*", "expression"),
        (r"an item with 0 points must be critical, or it does nothing", "zero_points"),
        (r"(?P<what>\S+) id '(?P<id>[^']*)' is used twice", "duplicate_id"),
        (r"at most (?P<limit>\d+) characters", "text_too_long"),
    )
)


def value_error_key(message: str) -> tuple[str, dict[str, str]] | None:
    """The message key and values of a check's objection, or None when it is not a known one."""
    for pattern, key in VALUE_ERRORS:
        found = pattern.fullmatch(message)
        if found:
            return key, {k: v for k, v in found.groupdict().items() if v is not None}
    return None
