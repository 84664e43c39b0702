"""New versions of rule packs and scorecards: validated whole before they are stored."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qa_service.api.schemas.packs import PackVersionCreate
from qa_service.config import Settings
from qa_service.domain.rulepack import DEFAULT_SCORECARD, RulePackError, is_safe_name
from qa_service.jobs.rulepacks import (
    read_document,
    scorecard_text,
    sha256_text,
    validate_pack,
    validate_scorecard,
)
from qa_service.store import audit
from qa_service.store.accounts import User
from qa_service.store.packs import DocumentKind, PackVersion, latest_version, next_version_number


def _name(data: dict, key: str) -> str:
    name = data.get(key)
    if not isinstance(name, str) or not name:
        raise RulePackError(f"the document needs a '{key}:' name at the top")
    if not is_safe_name(name):
        raise RulePackError(
            f"'{key}:' must be a name of lower case letters, digits and '-_.' (up to 128)"
        )
    return name


def create_version(
    session: Session, settings: Settings, user: User, kind: DocumentKind, body: PackVersionCreate
) -> PackVersion:
    text, data = read_document(body.content.encode("utf-8"), f"{kind}")
    scorecard_name = scorecard = None
    if kind == DocumentKind.pack:
        name = _name(data, "pack")
        reference = data.get("scorecard", DEFAULT_SCORECARD)
        # Anything but a name from the scorecards listing is left to validation to refuse.
        if isinstance(reference, str) and is_safe_name(reference):
            scorecard_name = reference
            scorecard = scorecard_text(session, settings, reference)
        validate_pack(name, text, scorecard_name, scorecard)
    else:
        name = _name(data, "scorecard")
        validate_scorecard(name, text)
    previous = latest_version(session, kind, name)
    version = PackVersion(
        kind=kind,
        name=name,
        version=next_version_number(session, kind, name),
        content=text,
        sha256=sha256_text(text),
        scorecard_name=scorecard_name,
        scorecard_content=scorecard,
        comment=body.comment,
        created_by=user.id,
    )
    session.add(version)
    session.flush()
    before = (
        None if previous is None else {"version": previous.version, "content": previous.content}
    )
    after = {"version": version.version, "content": text, "comment": body.comment}
    audit.record(session, user.id, f"{kind}.version", kind, name, before, after)
    return version
