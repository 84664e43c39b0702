"""Chinese and English for the pages: message catalogs, and the language of a request.

A ``qa_lang`` cookie (set by the language switch) wins; otherwise the browser's
Accept-Language decides, and English is the fallback. Keys starting with ``js.`` (and the
services' errors, ``error.``) are also sent to the page for its scripts.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

# The reader's language is negotiated for the API's display fields too (http/language.py).
from qa_service.http.language import DEFAULT_LANGUAGE as DEFAULT_LANGUAGE
from qa_service.http.language import LANG_COOKIE as LANG_COOKIE
from qa_service.http.language import LANGUAGES as LANGUAGES
from qa_service.http.language import negotiate as negotiate
from qa_service.http.language import request_language as request_language

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
JS_PREFIX = "js."
# The services' errors a form shows (``error.*``, qa_service.http.error_keys) go too.
SCRIPT_PREFIXES = (JS_PREFIX, "error.")
LOCALES_DIR = Path(__file__).parent / "locales"


@cache
def catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALES_DIR / f"{lang}.json").read_text(encoding="utf-8"))


class Translator:
    """``t("key", name=value)``: the message in the page's language, else English, else the key."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.messages = catalog(self.lang)
        self.fallback = catalog(DEFAULT_LANGUAGE)

    def __call__(self, key: str, **values: Any) -> str:
        text = self.messages.get(key) or self.fallback.get(key) or key
        return text.format(**values) if values else text

    def maybe(self, prefix: str, key: str | None, default: str = "") -> str:
        """A label for a stored value (a category, a role): translated when we know it."""
        if key is None:
            return default
        full = f"{prefix}.{key}"
        return self.messages.get(full) or self.fallback.get(full) or key

    def script_messages(self) -> dict[str, str]:
        return {
            k: self.messages.get(k) or v
            for k, v in self.fallback.items()
            if k.startswith(SCRIPT_PREFIXES)
        }
