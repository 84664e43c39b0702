"""Rule packs and scorecards: the list, the editor, and validation for the editor.

Validation is the packs service's own: the document goes through ``create_version`` (which
loads it exactly as a stored version is loaded) in a transaction that is rolled back, so the
editor shows precisely the problems that saving would refuse, each with its file, line and
field as structured data.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from qa_service.domain.checks.acts import CALL_ACTS
from qa_service.domain.results import CATEGORIES
from qa_service.domain.rulepack import Problem
from qa_service.errors import NotFoundError
from qa_service.features.packs import builder, preview, rule_form, service
from qa_service.features.packs.rule_text import DraftUnreadable
from qa_service.features.packs.schemas import ValidateRequest, ValidateResult
from qa_service.http.deps import DbDep, EnginesDep, SessionDep, SettingsDep
from qa_service.store.packs import DocumentKind
from qa_service.web.i18n import Translator, catalog, request_language
from qa_service.web.pack_value_errors import value_error_key
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
        categories=CATEGORIES,
        form_types=rule_form.FORM_TYPES,
        acts=CALL_ACTS,
    )


def problem_dict(problem: Problem, t: Translator) -> dict:
    """A problem for the editor, said in the page's language when its kind is a known one
    (a check's own objection too, when it is one of web/pack_value_errors.py; the
    validator's English otherwise)."""
    found = problem.to_dict()
    key, values = f"pack_error.{problem.kind}", dict(problem.values)
    if problem.kind == "value_error" and (known := value_error_key(problem.message)):
        key, values = known
    if problem.kind and key in catalog(t.lang):
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
    language = request_language(request)
    t = Translator(language)
    with db.sessions() as session:
        found = preview.preview_pack(
            session, settings, user, body.content, engines, body.calls, language
        )
        return {
            "name": found.name,
            "problems": [problem_dict(p, t) for p in found.problems],
            "calls": [c.to_dict() for c in found.calls],
        }


# The rule builder --------------------------------------------------------------------------


class DraftRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["pack", "scorecard"] = "pack"
    content: str = Field(max_length=1024 * 1024)


@data_router.post("/qa/packs/rules")
def draft_rules(request: Request, body: DraftRequest, user: PageStaff) -> dict:
    """The draft's rules (a scorecard's items), each with its lines and the builder form's
    values; a scorecard's dimensions."""
    try:
        language = request_language(request)
        return builder.list_rules(body.content, body.kind, language) | {"problem": None}
    except DraftUnreadable as exc:
        t = Translator(request_language(request))
        problem = problem_dict(builder.unreadable(exc), t)["message"]
        return {"rules": [], "dimensions": [], "problem": problem}


def field_error(problem: Problem, t: Translator) -> dict:
    """A builder problem at its form field, said as the editor says a pack's problems."""
    return {"field": problem.loc[0], "message": problem_dict(problem, t)["message"]}


class RuleWriteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["pack", "scorecard"] = "pack"
    content: str = Field(max_length=1024 * 1024)
    # The form's fields, validated (and bounded) by the builder so that every problem comes
    # back at its field in the page's language.
    rule: dict[str, Any] = Field(max_length=64)
    replace: str | None = Field(None, max_length=128)


@data_router.post("/qa/packs/rules/write")
def write_rule(
    request: Request, body: RuleWriteRequest, user: PageStaff, db: DbDep, settings: SettingsDep
) -> dict:
    """The draft with the form's rule written in, or the form's problems; nothing is stored."""
    with db.sessions() as session:
        found = builder.write_rule(
            session, settings, user, body.content, body.rule, body.replace, body.kind
        )
    t = Translator(request_language(request))
    return {
        "ok": not found.errors,
        "content": found.content,
        "rule_id": found.rule_id,
        "line": found.line,
        "draft_problems": found.draft_problems,
        "errors": [
            {"field": p.loc[0], "message": problem_dict(p, t)["message"]} for p in found.errors
        ],
    }
