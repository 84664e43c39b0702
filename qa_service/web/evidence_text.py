"""The checks' evidence lines in the page's language.

A call-level finding's text is the check's one English line ("3 match(es) with the
phrases", "12 per minute"); the page says the known ones in its own language with the same
figures. A finding on a line carries that line's words instead: those are the call's own and
match none of these patterns.
"""

from __future__ import annotations

import re
from typing import Any

from qa_service.web.error_text import translate_known
from qa_service.web.i18n import Translator

# (pattern of domain/checks' evidence line, message key); named groups fill the placeholders.
KNOWN_EVIDENCE = (
    (re.compile(r"(?P<n>\d+) match\(es\) with the phrases"), "evidence.matches"),
    (re.compile(r"(?P<n>\d+) utterance\(es\) with the phrases"), "evidence.utterances"),
    (re.compile(r"step '(?P<name>[^']*)' missing or out of order"), "evidence.step_missing"),
    (re.compile(r"call lasted (?P<s>\d+) s"), "evidence.call_lasted"),
    (re.compile(r"(?P<s>\d+(?:\.\d+)?) s silence"), "evidence.silence"),
    (re.compile(r"(?P<n>\d+) per minute"), "evidence.per_minute"),
    (re.compile(r"(?P<share>\d+)% of the talk time"), "evidence.talk_share"),
)


def translate_evidence(findings: list[dict[str, Any]], t: Translator) -> None:
    """Each finding's known evidence line in ``t``'s language, in place."""
    for finding in findings:
        if finding.get("text"):
            finding["text"] = translate_known(finding["text"], t, KNOWN_EVIDENCE)
