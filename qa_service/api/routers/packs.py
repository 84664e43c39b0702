"""Rule packs and scorecards: built-in files and versions uploaded here."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qa_service.api.schemas.common import IdPath
from qa_service.api.schemas.packs import (
    PackSummary,
    PackVersionCreate,
    PackVersionDetail,
    PackVersionPublic,
)
from qa_service.api.services.packs import create_version
from qa_service.config import Settings
from qa_service.errors import ConflictError, NotFoundError
from qa_service.http.deps import CurrentUser, SessionDep, SettingsDep, StaffUser
from qa_service.store.packs import DocumentKind, PackVersion, get_version

router = APIRouter()


def _builtin_names(settings: Settings, kind: DocumentKind) -> set[str]:
    folder = Path(settings.rules_dir) / ("scorecards" if kind == DocumentKind.scorecard else "")
    return {p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set()


def _summaries(session, settings: Settings, kind: DocumentKind, name: str | None = None) -> list:
    query = select(PackVersion).where(PackVersion.kind == kind)
    if name is not None:
        query = query.where(PackVersion.name == name)
    versions: dict[str, list[PackVersion]] = {}
    for version in session.scalars(query.order_by(PackVersion.name, PackVersion.version)):
        versions.setdefault(version.name, []).append(version)
    builtin = _builtin_names(settings, kind)
    names = sorted(set(versions) | (builtin if name is None else builtin & {name}))
    return [
        PackSummary(
            name=n,
            builtin=n in builtin,
            latest_version=versions[n][-1].version if n in versions else None,
            versions=[PackVersionPublic.model_validate(v) for v in versions.get(n, [])],
        )
        for n in names
    ]


def _create(session, settings, user, kind: DocumentKind, body: PackVersionCreate) -> PackVersion:
    try:
        return create_version(session, settings, user, kind, body)
    except IntegrityError:
        session.rollback()
        raise ConflictError(
            f"another {kind} version was stored at the same moment; retry"
        ) from None


def _one(session, settings, kind: DocumentKind, name: str) -> PackSummary:
    found = _summaries(session, settings, kind, name)
    if not found:
        raise NotFoundError(f"no {kind} named {name!r}")
    return found[0]


def _version(session, kind: DocumentKind, name: str, version: int) -> PackVersion:
    found = get_version(session, kind, name, version)
    if found is None:
        raise NotFoundError(f"{kind} {name}@{version} does not exist")
    return found


def _routes(kind: DocumentKind, path: str, what: str) -> None:
    """The same four endpoints for rule packs and for scorecards."""

    def list_all(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> list:
        return _summaries(session, settings, kind)

    def create(
        body: PackVersionCreate, user: StaffUser, session: SessionDep, settings: SettingsDep
    ):
        return _create(session, settings, user, kind, body)

    def get_one(name: str, user: CurrentUser, session: SessionDep, settings: SettingsDep):
        return _one(session, settings, kind, name)

    def get_version(name: str, version: IdPath, user: CurrentUser, session: SessionDep):
        return _version(session, kind, name, version)

    tags = ["rule packs"]
    router.add_api_route(
        path,
        list_all,
        methods=["GET"],
        response_model=list[PackSummary],
        summary=f"{what.capitalize()}s and their versions",
        tags=tags,
        name=f"list_{kind}s",
    )
    router.add_api_route(
        path,
        create,
        methods=["POST"],
        response_model=PackVersionPublic,
        status_code=201,
        tags=tags,
        name=f"create_{kind}",
        summary=f"Store a new {what} version (validated whole first)",
    )
    router.add_api_route(
        f"{path}/{{name}}",
        get_one,
        methods=["GET"],
        tags=tags,
        response_model=PackSummary,
        name=f"get_{kind}",
    )
    router.add_api_route(
        f"{path}/{{name}}/versions/{{version}}",
        get_version,
        methods=["GET"],
        response_model=PackVersionDetail,
        tags=tags,
        name=f"get_{kind}_version",
    )


_routes(DocumentKind.pack, "/packs", "rule pack")
_routes(DocumentKind.scorecard, "/scorecards", "scorecard")
