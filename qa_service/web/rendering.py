"""Templates, the page context every template gets, and HTML instead of JSON for errors.

Page routes use ``PageRoute``: a visitor who is not signed in is sent to the login page,
and a ``QAError`` (a call that does not exist or may not be seen, a bad period, ...) becomes
an error page with the error's status and one-line message, as the API would say it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from qa_service import __version__
from qa_service.errors import AuthError, QAError
from qa_service.features.access import DASHBOARD, EVERYONE, STAFF
from qa_service.features.users.security import user_for_token
from qa_service.http.deps import SESSION_COOKIE, CurrentUser, require_role
from qa_service.http.messages import plain_message
from qa_service.store.accounts import AccountRole, User
from qa_service.web.error_text import translate_error
from qa_service.web.i18n import LANGUAGE_NAMES, LANGUAGES, Translator, request_language

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

# (path, message key, roles that see it): the navigation bar.
NAV = (
    ("/home", "nav.home", (AccountRole.agent,)),
    ("/qa/queue", "nav.queue", STAFF),
    ("/calls", "nav.calls", EVERYONE),
    ("/qa/upload", "nav.upload", STAFF),
    ("/disputes", "nav.disputes", EVERYONE),
    ("/qa/packs", "nav.packs", STAFF),
    ("/qa/questions", "nav.questions", STAFF),
    ("/qa/calibrations", "nav.calibrations", STAFF),
    ("/dashboard", "nav.dashboard", DASHBOARD),
    ("/coaching", "nav.coaching", EVERYONE),
)


def clock(seconds: float | None) -> str:
    """1:05 or 1:02:03."""
    if seconds is None or not math.isfinite(seconds):
        return "-"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def utc_text(moment: datetime | None) -> str:
    """The server's rendering (UTC); the page's script shows it in the browser's time zone."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.filters.update(clock=clock, utc=utc_text, iso=iso, num=number, pct=percent)
templates.env.globals.update(version=__version__, LANGUAGE_NAMES=LANGUAGE_NAMES)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site: never another host (``//evil``) after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def optional_user(request: Request) -> User | None:
    """The signed-in user if the session cookie is valid, else None (no error)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return user_for_token(request.app.state.db, request.app.state.settings, token)
    except AuthError:
        return None


def render(
    request: Request,
    template: str,
    user: User | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    lang = request_language(request)
    t = Translator(lang)
    nav = [
        (path, t(key), request.url.path.startswith(path))
        for path, key, roles in NAV
        if user is not None and user.role in roles
    ]
    page = {
        "request": request,
        "user": user,
        "t": t,
        "lang": lang,
        "languages": LANGUAGES,
        "nav": nav,
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "script_messages": json.dumps(t.script_messages(), ensure_ascii=False),
        **context,
    }
    return templates.TemplateResponse(request, template, page, status_code=status_code)


def page_user(request: Request, user: CurrentUser) -> User:
    """The API's signed-in user, kept on the request so an error page can show the menu
    without opening a second database session while the page's own is still open."""
    request.state.user = user
    return user


PageUser = Annotated[User, Depends(page_user)]


def staff_user(user: PageUser) -> User:
    return require_role(*STAFF)(user)


PageStaff = Annotated[User, Depends(staff_user)]


def error_page(request: Request, status_code: int, message: str) -> Response:
    user = getattr(request.state, "user", None)
    shown = translate_error(message, Translator(request_language(request)))
    return render(request, "error.html", user, status_code, status=status_code, message=shown)


def login_redirect(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)


class PageRoute(APIRoute):
    """A route that answers in HTML: a login redirect or an error page, never JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except AuthError:
                return login_redirect(request)
            except QAError as exc:
                return error_page(request, exc.status_code, exc.message)
            except RequestValidationError as exc:
                errors = exc.errors()
                where = ".".join(str(p) for p in errors[0].get("loc", ())[1:]) if errors else ""
                detail = plain_message(errors[0].get("msg")) if errors else "invalid request"
                return error_page(request, 422, f"{where}: {detail}" if where else str(detail))

        return page
