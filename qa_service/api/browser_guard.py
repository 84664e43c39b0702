"""Browser-facing protection for every answer: cross-site requests refused, security headers.

Cross-site request forgery: a browser attaches the session cookie to requests that another
page starts, and ``SameSite`` does not help against a page on another port of the same host
(same *site*). So a state-changing request (POST, PUT, PATCH, DELETE) without an
``Authorization`` header - which a page of another origin cannot add - must show that the
page that sent it is ours: ``Sec-Fetch-Site: same-origin`` where the browser sends it, else
an ``Origin`` equal to this server's own. A request with neither is a program, not a browser,
and is let through unless it carries the session cookie. This covers signing in too (login
CSRF: another site's form signing the victim's browser in to the attacker's account).

Headers: a Content-Security-Policy (scripts only from this server, no framing), nosniff,
a same-origin Referrer-Policy and resource policy, and ``Cache-Control: no-store`` on every
answer except the static files, since pages and API answers carry personal data.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_service.api.errors import error_body
from qa_service.http.deps import SESSION_COOKIE

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# Styles may be inline: the vendored wavesurfer draws inside a shadow root with a <style>
# element and the pages set style attributes; scripts, the real XSS risk, may not.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# FastAPI's /api/docs and /api/redoc pages load their scripts from a CDN with an inline
# starter script.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https:; font-src 'self' https://fonts.gstatic.com; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/api/docs", "/api/redoc")
FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def _origin_of(url: str, default_scheme: str = "") -> tuple[str, str, int | None]:
    try:
        parts = urlsplit(url if "//" in url else f"//{url}")
        scheme = (parts.scheme or default_scheme).lower()
        return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a malformed port
        return "", "", None


def own_origin(scope: Scope, headers: Headers) -> tuple[str, str, int | None]:
    """This server as the browser addressed it (scheme as uvicorn saw it, after trusted
    proxies' X-Forwarded-Proto)."""
    scheme = scope.get("scheme", "http")
    return _origin_of(headers.get("host", ""), scheme)


def cross_site_problem(scope: Scope, headers: Headers) -> str | None:
    """Why a state-changing request must be refused as cross-site, or None."""
    if "authorization" in headers:
        return None
    site = headers.get("sec-fetch-site")
    if site is not None:
        if site in ("same-origin", "none"):
            return None
        return f"refused a {site} request: it must come from this site's own pages"
    origin = headers.get("origin")
    if origin is not None:
        if origin != "null" and _origin_of(origin) == own_origin(scope, headers):
            return None
        return "refused a request from another origin: it must come from this site's own pages"
    cookies = cookie_parser(headers.get("cookie", ""))
    if SESSION_COOKIE in cookies:
        return "a signed-in browser request needs an Origin header; API clients use a token"
    return None


def _security_headers(path: str, headers: MutableHeaders) -> None:
    for name, value in FIXED_HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault(
        "Content-Security-Policy", DOCS_POLICY if path in DOCS_PATHS else PAGE_POLICY
    )
    if not path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")


class BrowserGuard:
    """ASGI middleware: refuses cross-site state changes, adds the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _security_headers(path, MutableHeaders(scope=message))
            await send(message)

        if scope["method"] in UNSAFE_METHODS:
            problem = cross_site_problem(scope, Headers(scope=scope))
            if problem:
                refusal = JSONResponse(error_body("forbidden", problem), 403)
                await refusal(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)
