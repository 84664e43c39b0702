"""Rule packs and scorecards: built-in files and versions uploaded here."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from qa_service.api.schemas.common import IdPath
from qa_service.errors import ConflictError
from qa_service.features.packs import service
from qa_service.features.packs.schemas import (
    PackSummary,
    PackVersionCreate,
    PackVersionDetail,
    PackVersionPublic,
)
from qa_service.http.deps import CurrentUser, SessionDep, SettingsDep, StaffUser
from qa_service.store.packs import DocumentKind

router = APIRouter()


def _routes(kind: DocumentKind, path: str, what: str) -> None:
    """The same four endpoints for rule packs and for scorecards."""

    def list_all(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> list:
        return service.summaries(session, settings, kind)

    def create(
        body: PackVersionCreate, user: StaffUser, session: SessionDep, settings: SettingsDep
    ):
        try:
            return service.create_version(session, settings, user, kind, body.content, body.comment)
        except IntegrityError:
            session.rollback()
            raise ConflictError(
                f"another {kind} version was stored at the same moment; retry"
            ) from None

    def get_one(name: str, user: CurrentUser, session: SessionDep, settings: SettingsDep):
        return service.summary(session, settings, kind, name)

    def get_version(name: str, version: IdPath, user: CurrentUser, session: SessionDep):
        return service.version(session, kind, name, version)

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
