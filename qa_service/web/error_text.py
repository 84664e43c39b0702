"""The services' error messages in the page's language.

The features say what went wrong in one English line (the API's message, the CLI's too).
A page shows the known ones (``qa_service.http.error_keys``) in its own language, with the
same ids and names filled in; one it does not know stays as the service said it rather than
becoming a vague "error".
"""

from __future__ import annotations

import re

from qa_service.http.error_keys import KNOWN_ERRORS
from qa_service.web.i18n import Translator


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
