"""Pack regexes are untrusted: shapes that backtrack exponentially are refused at validation."""

from __future__ import annotations

import time

import pytest

from qa_service.domain.regex_safety import MAX_PATTERN_CHARS, check_regex
from qa_service.domain.textmatch import Phrase

SAFE = [
    "分.{1,3}期",
    r"(?:[0-9][ -]?){15,}",
    r"(want|wanna|going to)\b[^.!?]{0,14}\bcomplain",
    r"(^|[.!?,;]\s*)whatever\s*([.!?,;]|$)",
    r"(?:ab)+",
    r"(?:a|b)+",
    r"\d{11}",
]
HOSTILE = [
    (r"(a+)+$", "repeats a repetition"),
    (r"(\w+\s?)*$", "repeats a repetition"),
    (r"(.*a){20}", "repeats a repetition"),
    (r"(?=(a+)+)b", "repeats a repetition"),
    (r"(a|aa)*$", "repeats an alternation"),
    (r"(a)\1", "backreference"),
    ("[", "invalid regex"),
    ("a" * (MAX_PATTERN_CHARS + 1), "at most"),
]


@pytest.mark.parametrize("pattern", SAFE)
def test_ordinary_patterns_pass(pattern: str) -> None:
    check_regex(pattern)


@pytest.mark.parametrize(("pattern", "why"), HOSTILE)
def test_hostile_patterns_are_refused(pattern: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        check_regex(pattern)


def test_a_pack_phrase_with_a_hostile_regex_is_refused_before_it_runs() -> None:
    started = time.perf_counter()
    with pytest.raises(ValueError, match="exponential"):
        Phrase.compile(r"(a+)+$", "regex")
    assert time.perf_counter() - started < 0.5
