"""The reader's language: a ``qa_lang`` cookie (set by the pages' language switch) wins;
otherwise the Accept-Language header decides, and English is the fallback. The pages and
the API's display fields (a rule's name) use the same choice."""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "qa_lang"


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
