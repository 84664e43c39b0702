"""The services' error messages in the page's language.

The features say what went wrong in one English line (the API's message, the CLI's too).
A page shows the known ones in its own language, with the same ids and names filled in;
one it does not know stays as the service said it rather than becoming a vague "error".
"""

from __future__ import annotations

import re

from qa_service.web.i18n import Translator

# (pattern of the service's message, message key); named groups fill the placeholders.
KNOWN_ERRORS = (
    (re.compile(r"call (?P<id>\d+) not found"), "error.call_not_found"),
    (re.compile(r"dispute (?P<id>\d+) not found"), "error.dispute_not_found"),
    (re.compile(r"sampling plan (?P<id>\d+) not found"), "error.plan_not_found"),
    (re.compile(r"user (?P<id>\d+) not found"), "error.user_not_found"),
    (re.compile(r"import batch (?P<id>\d+) not found"), "error.batch_not_found"),
    (
        re.compile(r"call (?P<id>\d+) is a text conversation: it has no audio"),
        "error.call_no_audio",
    ),
    (re.compile(r"no rule pack named '(?P<name>[^']*)', stored or built in"), "error.no_pack"),
    (re.compile(r"rule pack (?P<name>\S+)@(?P<number>\d+) does not exist"), "error.no_version"),
)


def translate_known(
    message: str, t: Translator, known: tuple[tuple[re.Pattern[str], str], ...]
) -> str:
    """``message`` in ``t``'s language when one of ``known`` says it, else unchanged."""
    for pattern, key in known:
        found = pattern.fullmatch(message.strip())
        if found:
            return t(key, **found.groupdict())
    return message


def translate_error(message: str, t: Translator) -> str:
    """``message`` in ``t``'s language when it is a known one, else unchanged."""
    return translate_known(message, t, KNOWN_ERRORS)
