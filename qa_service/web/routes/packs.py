"""Rule packs and scorecards: the list, the editor, and validation for the editor.

Validation is the packs service's own: the document goes through ``create_version`` (which
loads it exactly as a stored version is loaded) in a transaction that is rolled back, so the
editor shows precisely the problems that saving would refuse, each with its file, line and
field as structured data.
"""

from __future__ import annotations

from contextlib import suppress

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from qa_service.domain.rulepack import Problem
from qa_service.errors import NotFoundError
from qa_service.features.packs import preview, service
from qa_service.features.packs.schemas import ValidateRequest, ValidateResult
from qa_service.http.deps import DbDep, EnginesDep, SessionDep, SettingsDep
from qa_service.store.packs import DocumentKind
from qa_service.web.i18n import Translator, catalog, request_language
from qa_service.web.rendering import PageRoute, PageStaff, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
data_router = APIRouter(include_in_schema=False)

KINDS = {"pack": DocumentKind.pack, "scorecard": DocumentKind.scorecard}


def _kind(kind: str) -> DocumentKind:
    if kind not in KINDS:
        raise NotFoundError(f"no document kind {kind!r}: use pack or scorecard")
    return KINDS[kind]


@router.get("/qa/packs")
def packs_page(
    request: Request, user: PageStaff, session: SessionDep, settings: SettingsDep
) -> Response:
    return render(
        request,
        "packs.html",
        user,
        packs=service.summaries(session, settings, DocumentKind.pack),
        scorecards=service.summaries(session, settings, DocumentKind.scorecard),
    )


@router.get("/qa/packs/{kind}/{name}")
def editor_page(
    request: Request,
    kind: str,
    name: str,
    user: PageStaff,
    session: SessionDep,
    settings: SettingsDep,
    version: int | None = None,
) -> Response:
    summary, shown, content = service.document_text(session, settings, _kind(kind), name, version)
    return render(
        request,
        "pack_edit.html",
        user,
        kind=kind,
        name=name,
        summary=summary,
        shown_version=shown,
        content=content,
    )


def problem_dict(problem: Problem, t: Translator) -> dict:
    """A problem for the editor, said in the page's language when its kind is a known one
    (the validator's own English otherwise: a rule's own check says what it wants)."""
    found = problem.to_dict()
    key = f"pack_error.{problem.kind}"
    if problem.kind and key in catalog(t.lang):
        values = dict(problem.values)
        if "expected" in values:
            values["expected"] = values["expected"].replace(" or ", t("pack_error.or"))
        # A message whose values this kind did not bring keeps the original wording.
        with suppress(KeyError, IndexError):
            found["message"] = t(key, **values)
    return found


@data_router.post("/qa/packs/validate")
def validate_document(
    request: Request, body: ValidateRequest, user: PageStaff, db: DbDep, settings: SettingsDep
) -> ValidateResult:
    """Would saving this document succeed? Nothing is stored either way."""
    with db.sessions() as session:
        name, problems = service.check_document(
            session, settings, user, KINDS[body.kind], body.content
        )
    t = Translator(request_language(request))
    return ValidateResult(
        ok=not problems, name=name, problems=[problem_dict(p, t) for p in problems]
    )


class PreviewRequest(BaseModel):
    content: str = Field(min_length=1, max_length=1024 * 1024)
    calls: int = Field(preview.DEFAULT_PREVIEW_CALLS, ge=1, le=preview.MAX_PREVIEW_CALLS)


@data_router.post("/qa/packs/preview")
def preview_pack(
    request: Request,
    body: PreviewRequest,
    user: PageStaff,
    db: DbDep,
    settings: SettingsDep,
    engines: EnginesDep,
) -> dict:
    """What this draft pack would change on the newest calls its pack scored; nothing is
    stored. A draft with problems runs on nothing: its problems come back instead."""
    t = Translator(request_language(request))
    with db.sessions() as session:
        found = preview.preview_pack(session, settings, user, body.content, engines, body.calls)
        return {
            "name": found.name,
            "problems": [problem_dict(p, t) for p in found.problems],
            "calls": [c.to_dict() for c in found.calls],
        }
