"""Rule packs and scorecards as a feature: built-in files and versions stored here.

A pack is referenced as ``NAME`` (the newest stored version, else the built-in file) or
``NAME@VERSION`` (a stored version). A new version is validated whole, from its text and the
scorecard it pins, before it is stored; stored versions are loaded from their text the same
way, so nothing is ever written to disk for them. Every front end (API, pages, worker, CLI)
comes here; the built-in files are those of ``settings.rules_dir``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service import safe_yaml
from qa_service.analysis.packs import (
    SCORECARDS_DIR,
    PackRef,
    available_packs,
    load_pack,
    load_pack_text,
    load_scorecard_text,
)
from qa_service.config import Settings
from qa_service.domain.rulepack import (
    DEFAULT_SCORECARD,
    Problem,
    RulePack,
    RulePackError,
    is_safe_name,
)
from qa_service.errors import InputError, NotFoundError, QAError
from qa_service.features.packs.schemas import PackSummary, PackVersionPublic
from qa_service.store import audit
from qa_service.store.accounts import User
from qa_service.store.packs import (
    DocumentKind,
    PackVersion,
    get_version,
    latest_version,
    next_version_number,
)

PACK_FILE_LIMIT = safe_yaml.MAX_BYTES


@dataclass(frozen=True, slots=True)
class ResolvedPack:
    pack: RulePack
    label: str  # what the call records: NAME@VERSION for stored packs, NAME for built-ins


def resolve_pack(session: Session, settings: Settings, ref: PackRef | str) -> ResolvedPack:
    """The pack ``ref`` names, loaded and validated; its label for the call's record."""
    ref = ref if isinstance(ref, PackRef) else PackRef.parse(ref)
    name, number = ref.name, ref.version
    if number is not None:
        stored = get_version(session, DocumentKind.pack, name, number)
        if stored is None:
            raise NotFoundError(f"rule pack {ref} does not exist")
    else:
        stored = latest_version(session, DocumentKind.pack, name)
    if stored is not None:
        return ResolvedPack(load_version(settings, stored), stored.label)
    if name in available_packs(settings.rules_dir):
        return ResolvedPack(load_pack(name, settings.rules_dir), name)
    raise NotFoundError(f"no rule pack named {name!r}, stored or built in")


def load_version(settings: Settings, version: PackVersion) -> RulePack:
    """A stored pack version with the scorecard it was validated with (problems name
    ``NAME.yaml``, never a server folder)."""
    pinned = None
    if version.scorecard_name is not None and version.scorecard_content is not None:
        pinned = {version.scorecard_name: version.scorecard_content}
    return load_pack_text(version.content, version.name, settings.rules_dir, pinned)


def read_document(content: bytes, what: str) -> tuple[str, dict]:
    """Decode an uploaded YAML document and parse it enough to read its name."""
    if not content.strip():
        raise InputError(f"the {what} is empty")
    if len(content) > PACK_FILE_LIMIT:
        raise InputError(f"the {what} is larger than {PACK_FILE_LIMIT // 1024} KiB")
    try:
        text = content.decode("utf-8")
        data = safe_yaml.load(text)
    except UnicodeDecodeError:
        raise InputError(f"the {what} is not UTF-8 text") from None
    except yaml.MarkedYAMLError as exc:
        # Where it broke (after where the construct began, when both are known).
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise RulePackError(
            Problem((), f"the {what} is not valid YAML: {exc}", line=line)
        ) from None
    except (yaml.YAMLError, ValueError) as exc:
        raise RulePackError(f"the {what} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RulePackError(f"the {what} must be a YAML mapping of keys")
    return text, data


def scorecard_text(session: Session, settings: Settings, name: str) -> str | None:
    """The scorecard a new pack version pins: the newest stored one, else the built-in file.

    None for a name that is neither (or not a name at all): the pack's validation says why.
    """
    if not is_safe_name(name):
        return None
    stored = latest_version(session, DocumentKind.scorecard, name)
    if stored is not None:
        return stored.content
    return builtin_text(settings, DocumentKind.scorecard, name) or None


def _document_name(data: dict, key: str) -> str:
    name = data.get(key)
    if not isinstance(name, str) or not name:
        raise RulePackError(f"the document needs a '{key}:' name at the top")
    if not is_safe_name(name):
        raise RulePackError(
            f"'{key}:' must be a name of lower case letters, digits and '-_.' (up to 128)"
        )
    return name


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create_version(
    session: Session, settings: Settings, user: User, kind: DocumentKind, content: str, comment: str
) -> PackVersion:
    """Validate a pack or scorecard document whole, then store it as the next version."""
    text, data = read_document(content.encode("utf-8"), f"{kind}")
    scorecard_name = scorecard = None
    if kind == DocumentKind.pack:
        name = _document_name(data, "pack")
        reference = data.get("scorecard", DEFAULT_SCORECARD)
        # Anything but a name from the scorecards listing is left to validation to refuse.
        if isinstance(reference, str) and is_safe_name(reference):
            scorecard_name = reference
            scorecard = scorecard_text(session, settings, reference)
        pinned = {scorecard_name: scorecard} if scorecard_name and scorecard is not None else None
        load_pack_text(text, name, settings.rules_dir, pinned)
    else:
        name = _document_name(data, "scorecard")
        load_scorecard_text(text, name)
    previous = latest_version(session, kind, name)
    version = PackVersion(
        kind=kind,
        name=name,
        version=next_version_number(session, kind, name),
        content=text,
        sha256=sha256_text(text),
        scorecard_name=scorecard_name,
        scorecard_content=scorecard,
        comment=comment,
        created_by=user.id,
    )
    session.add(version)
    session.flush()
    before = (
        None if previous is None else {"version": previous.version, "content": previous.content}
    )
    after = {"version": version.version, "content": text, "comment": comment}
    audit.record(session, user.id, f"{kind}.version", kind, name, before, after)
    return version


def check_document(
    session: Session, settings: Settings, user: User, kind: DocumentKind, content: str
) -> tuple[str | None, list[Problem]]:
    """Would saving this document succeed? Its name, or every problem; nothing is stored
    (the version is built in a transaction that is rolled back)."""
    if not content.strip():
        return None, [Problem((), "the document is empty")]
    try:
        return create_version(session, settings, user, kind, content, "").name, []
    except RulePackError as exc:
        return None, exc.structured
    except QAError as exc:
        return None, [Problem((), exc.message)]
    finally:
        session.rollback()


# Listing ---------------------------------------------------------------------------------


def _builtin_folder(settings: Settings, kind: DocumentKind) -> Path:
    folder = Path(settings.rules_dir)
    return folder / SCORECARDS_DIR if kind == DocumentKind.scorecard else folder


def builtin_names(settings: Settings, kind: DocumentKind) -> set[str]:
    folder = _builtin_folder(settings, kind)
    return {p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set()


def builtin_text(settings: Settings, kind: DocumentKind, name: str) -> str:
    """The built-in document's text; empty when there is none (or ``name`` is no name)."""
    if not is_safe_name(name):
        return ""
    path = _builtin_folder(settings, kind) / f"{name}.yaml"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def summaries(
    session: Session, settings: Settings, kind: DocumentKind, name: str | None = None
) -> list[PackSummary]:
    """Built-in and stored documents of ``kind`` (or the one ``name``), with their versions."""
    query = select(PackVersion).where(PackVersion.kind == kind)
    if name is not None:
        query = query.where(PackVersion.name == name)
    versions: dict[str, list[PackVersion]] = {}
    for version in session.scalars(query.order_by(PackVersion.name, PackVersion.version)):
        versions.setdefault(version.name, []).append(version)
    builtin = builtin_names(settings, kind)
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


def summary(session: Session, settings: Settings, kind: DocumentKind, name: str) -> PackSummary:
    found = summaries(session, settings, kind, name)
    if not found:
        raise NotFoundError(f"no {kind} named {name!r}")
    return found[0]


def version(session: Session, kind: DocumentKind, name: str, number: int) -> PackVersion:
    found = get_version(session, kind, name, number)
    if found is None:
        raise NotFoundError(f"{kind} {name}@{number} does not exist")
    return found


def document_text(
    session: Session, settings: Settings, kind: DocumentKind, name: str, number: int | None
) -> tuple[PackSummary, int | None, str]:
    """What the editor shows: the summary, the version shown (None: the built-in file) and
    its text; by default the newest stored version, else the built-in file."""
    found = summary(session, settings, kind, name)
    shown = number if number is not None else found.latest_version
    if shown is None:
        return found, None, builtin_text(settings, kind, name)
    return found, shown, version(session, kind, name, shown).content
