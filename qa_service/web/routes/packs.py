"""Rule packs and scorecards: the list, the editor, and validation for the editor.

Validation is the API's own: the document goes through ``create_version`` (which loads it
with ``inspection.load_pack``, exactly as a stored version is loaded) in a transaction that is
rolled back, so the editor shows precisely the problems that saving would refuse, each with
its file, line and field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

# The API's own listing of built-in and stored documents (private there: no public one yet).
from qa_service.api.routers.packs import _one as pack_summary
from qa_service.api.routers.packs import _summaries as pack_summaries
from qa_service.api.schemas.packs import PackVersionCreate
from qa_service.api.services.packs import create_version
from qa_service.domain.rulepack import RulePackError
from qa_service.errors import NotFoundError, QAError
from qa_service.http.deps import DbDep, SessionDep, SettingsDep
from qa_service.store.packs import DocumentKind, get_version
from qa_service.web.rendering import PageRoute, PageStaff, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
data_router = APIRouter(include_in_schema=False)

KINDS = {"pack": DocumentKind.pack, "scorecard": DocumentKind.scorecard}
# "en-default.yaml:156: rules[0].severity: Input should be ..." (field part optional)
PROBLEM = re.compile(
    r"^(?P<file>[^\s:]+\.ya?ml):(?P<line>\d+): (?:(?P<field>[\w\[\].@-]+): )?(?P<message>.*)$",
    re.S,
)
YAML_LINE = re.compile(r"line (\d+), column (\d+)")


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
        packs=pack_summaries(session, settings, DocumentKind.pack),
        scorecards=pack_summaries(session, settings, DocumentKind.scorecard),
    )


def _builtin_text(settings, kind: DocumentKind, name: str) -> str:
    folder = Path(settings.rules_dir) / ("scorecards" if kind == DocumentKind.scorecard else "")
    path = folder / f"{name}.yaml"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


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
    doc_kind = _kind(kind)
    summary = pack_summary(session, settings, doc_kind, name)
    shown = version if version is not None else summary.latest_version
    if shown is not None:
        stored = get_version(session, doc_kind, name, shown)
        if stored is None:
            raise NotFoundError(f"{kind} {name}@{shown} does not exist")
        content = stored.content
    else:
        content = _builtin_text(settings, doc_kind, name)
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


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["pack", "scorecard"]
    content: str = Field(max_length=1024 * 1024)


def describe_problem(problem: str) -> dict:
    """File, line, field and message of one problem as the loader words it."""
    found = PROBLEM.match(problem)
    if found:
        return {
            "file": found["file"],
            "line": int(found["line"]),
            "field": found["field"] or "",
            "message": found["message"],
        }
    # A YAML error may name where the construct began, then where it broke: the last counts.
    yaml_lines = YAML_LINE.findall(problem)
    return {
        "file": "",
        "line": int(yaml_lines[-1][0]) if yaml_lines else None,
        "field": "",
        "message": problem,
    }


@data_router.post("/qa/packs/validate")
def validate_document(
    body: ValidateRequest, user: PageStaff, db: DbDep, settings: SettingsDep
) -> dict:
    """Would saving this document succeed? Nothing is stored either way."""
    if not body.content.strip():
        return {"ok": False, "name": None, "problems": [describe_problem("the document is empty")]}
    with db.sessions() as session:
        try:
            version = create_version(
                session, settings, user, KINDS[body.kind], PackVersionCreate(content=body.content)
            )
            return {"ok": True, "name": version.name, "problems": []}
        except RulePackError as exc:
            return {
                "ok": False,
                "name": None,
                "problems": [describe_problem(p) for p in exc.problems],
            }
        except QAError as exc:
            return {"ok": False, "name": None, "problems": [describe_problem(exc.message)]}
        finally:
            session.rollback()
