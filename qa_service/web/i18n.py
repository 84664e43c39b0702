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

from starlette.requests import Request

LANGUAGES = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "qa_lang"
JS_PREFIX = "js."
# The services' errors a form shows (``error.*``, qa_service.http.error_keys) go too.
SCRIPT_PREFIXES = (JS_PREFIX, "error.")
LOCALES_DIR = Path(__file__).parent / "locales"


@cache
def catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALES_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def _weighted(accept_language: str) -> list[tuple[float, int, str]]:
    found = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            found.append((-quality, position, tag.strip().lower()))
    return sorted(found)


def negotiate(accept_language: str | None) -> str:
    """The first of our languages the browser accepts, best quality first (zh-CN -> zh)."""
    for negative_quality, _position, tag in _weighted(accept_language or ""):
        primary = tag.split("-")[0]
        if negative_quality < 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def request_language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language"))


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
