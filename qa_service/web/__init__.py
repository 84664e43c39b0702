"""The web pages, served by the service itself: Jinja2 templates, small JS modules and the
vendored browser libraries in ``static/vendor`` (``make assets``), so no internet is needed.

``install_web(app)`` adds them to the FastAPI application the API lives in; the pages act
through the API with the session cookie that ``POST /api/auth/session`` sets.
"""

from __future__ import annotations

from fastapi import FastAPI


def install_web(app: FastAPI) -> FastAPI:
    from fastapi.staticfiles import StaticFiles

    from qa_service.web.rendering import STATIC_DIR
    from qa_service.web.routes import ROUTERS

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app
