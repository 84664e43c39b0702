"""The FastAPI application factory."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from sqlalchemy import func, select

from qa_service import __version__
from qa_service.api.browser_guard import BrowserGuard
from qa_service.api.errors import install_error_handlers
from qa_service.api.login_guard import LoginGuard
from qa_service.api.multipart import sweep_partials
from qa_service.api.openapi import document_errors
from qa_service.api.routers import (
    audit,
    auth,
    calls,
    coaching,
    disputes,
    imports,
    kpi,
    packs,
    questions,
    retention,
    reviews,
    sampling,
    users,
)
from qa_service.config import Settings, get_settings
from qa_service.engines.registry import Engines
from qa_service.http.deps import SessionDep
from qa_service.jobs.analyzer import Analyzer
from qa_service.store.db import Database
from qa_service.store.jobs import Job, JobStatus
from qa_service.store.migrate import upgrade

log = logging.getLogger(__name__)

DESCRIPTION = """\
Self-hosted call quality inspection. Upload recordings; the service transcribes, checks
and scores them in the background; QA reviews; agents acknowledge and dispute.

Sign in with `POST /api/auth/token` (OAuth2 password flow) and send
`Authorization: Bearer TOKEN`. Every error is `{"error": {"code", "message", "details"?}}`.
Failed sign-ins are throttled (429 with Retry-After); signing out or changing the password
ends every token of the account. Browsers use the session cookie: their state-changing
requests must come from this site's own pages (Origin / Sec-Fetch-Site), else 403.
Roles: **admin** (everything, accounts), **qa** (all calls, reviews, rule packs, disputes
one level up), **supervisor** (their team's calls, first step of disputes), **agent**
(their own calls: acknowledge, self-assess, dispute).
"""

TAGS = [
    {"name": "auth", "description": "Tokens for API clients, a session cookie for browsers."},
    {"name": "calls", "description": "Upload, status, transcript, findings, score, rescoring."},
    {"name": "reviews", "description": "QA verdicts; the agent's acknowledgement and view."},
    {"name": "disputes", "description": "Team lead -> reviewer -> final ruling, with deadlines."},
    {"name": "rule packs", "description": "Rule packs and scorecards with versions."},
    {"name": "users", "description": "Accounts (admin only)."},
    {"name": "audit", "description": "Who changed what, when, before and after."},
    {"name": "kpi", "description": "Agent KPIs and review coverage, scoped by role."},
    {"name": "sampling", "description": "Sampling plans: which calls people review."},
    {"name": "imports", "description": "Batch import of a folder of recordings."},
]


def _dispatcher(app: FastAPI, settings: Settings) -> Callable[[int], None]:
    """How a committed job reaches a worker: wake the embedded one, or publish to Celery."""
    if settings.job_backend == "celery":
        from qa_service.jobs.celery_app import send_job

        def publish(job_id: int) -> None:
            try:
                send_job(settings, job_id)
            except Exception:  # the job stays queued in the database; see publish_queued
                log.exception("cannot publish job %s to Celery; it stays queued", job_id)

        return publish

    def wake(_job_id: int) -> None:
        if app.state.worker is not None:
            app.state.worker.wake()

    return wake


def publish_queued(db: Database, dispatch: Callable[[int], None]) -> int:
    """At start-up with Celery: publish jobs that were queued but never reached Redis."""
    with db.session() as session:
        ids = list(session.scalars(select(Job.id).where(Job.status == JobStatus.queued)))
    for job_id in ids:
        dispatch(job_id)
    return len(ids)


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    start_worker: bool = False,
    analyzer: Analyzer | None = None,
    review_rng: random.Random | None = None,
) -> FastAPI:
    """The service. ``start_worker`` runs the embedded worker inside it (``qa-service serve``)."""
    from qa_service.domain.checks import load_installed_checks

    settings = settings or get_settings()
    database = db or Database(settings.resolved_database_url())
    # The administrator's custom check types (entry points), registered before any pack is read.
    load_installed_checks()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upgrade(database)
        if swept := sweep_partials(Path(settings.data_dir) / "uploads"):
            log.info("removed %d upload spool file(s) left by a stopped process", swept)
        if start_worker and settings.job_backend == "embedded":
            from qa_service.jobs.worker import EmbeddedWorker

            worker = EmbeddedWorker(database, settings, analyzer, engines=app.state.engines)
            app.state.worker = worker.start()
        elif settings.job_backend == "celery":
            publish_queued(database, app.state.dispatch)
        try:
            yield
        finally:
            if app.state.worker is not None:
                app.state.worker.stop()
                app.state.worker = None

    app = FastAPI(
        title="qa-service",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.db = database
    # The process's models, each loaded on first use: shared by the worker and rescoring.
    app.state.engines = Engines(settings)
    app.state.worker = None
    app.state.review_rng = review_rng or random.Random()
    app.state.dispatch = _dispatcher(app, settings)
    app.state.login_guard = LoginGuard(settings)
    install_error_handlers(app)
    app.add_middleware(BrowserGuard)
    api = APIRouter(prefix="/api")
    routers = (auth, users, calls, reviews, disputes, packs, audit, kpi, sampling, imports)
    routers = (*routers, coaching, questions)
    for module in (*routers, retention):
        document_errors(module.router, "/api")
        api.include_router(module.router)
    api.add_api_route("/health", health, methods=["GET"], tags=["auth"], summary="Liveness")
    app.include_router(api)
    return app


def health(session: SessionDep) -> dict:
    queued = session.scalar(select(func.count(Job.id)).where(Job.status == JobStatus.queued))
    return {"status": "ok", "version": __version__, "queued_jobs": queued}
