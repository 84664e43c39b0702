"""Rule packs by reference: ``NAME`` (newest stored version, else the built-in file) or
``NAME@VERSION`` (a stored version). Stored versions are written out once, with the
scorecard they were validated with beside them, and loaded by ``inspection.load_pack``.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from qa_service import safe_yaml
from qa_service.config import Settings
from qa_service.domain.rulepack import RulePack, RulePackError, is_safe_name
from qa_service.errors import InputError, NotFoundError
from qa_service.store.packs import DocumentKind, PackVersion, get_version, latest_version

PACK_FILE_LIMIT = safe_yaml.MAX_BYTES


@dataclass(frozen=True, slots=True)
class ResolvedPack:
    pack: RulePack
    label: str  # what the call records: NAME@VERSION for stored packs, NAME for built-ins


def parse_ref(ref: str) -> tuple[str, int | None]:
    name, sep, version = ref.strip().partition("@")
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise InputError(f"{ref!r} is not a rule pack name (NAME or NAME@VERSION)")
    if not sep:
        return name, None
    if not version.isdigit():
        raise InputError(f"{ref!r}: the version after '@' must be a number")
    return name, int(version)


def stored_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "packs"


def materialize(settings: Settings, version: PackVersion) -> Path:
    """The stored version as files inspection can load; written once, never changed."""
    folder = stored_dir(settings) / version.name / f"v{version.version}"
    path = folder / f"{version.name}.yaml"
    if not path.is_file():
        _write_pack_files(
            folder, version.name, version.content, version.scorecard_name, version.scorecard_content
        )
    return path


def _write_pack_files(
    folder: Path, name: str, content: str, scorecard_name: str | None, scorecard: str | None
) -> Path:
    # Both names come from pack content: only ever file names inside ``folder``, so a name
    # like ../../x can neither be read nor written (older rows included).
    for what, value in (("rule pack", name), ("scorecard", scorecard_name)):
        if value is not None and not is_safe_name(value):
            raise RulePackError(f"{value!r} is not a {what} name")
    folder.mkdir(parents=True, exist_ok=True)
    if scorecard_name and scorecard is not None:
        (folder / "scorecards").mkdir(exist_ok=True)
        (folder / "scorecards" / f"{scorecard_name}.yaml").write_text(scorecard, "utf-8")
    path = folder / f"{name}.yaml"
    partial = path.with_suffix(".partial")
    partial.write_text(content, "utf-8")
    partial.replace(path)
    return path


def resolve_pack(session: Session, settings: Settings, ref: str) -> ResolvedPack:
    from qa_service.inspection import available_packs, load_pack, rules_dir

    name, number = parse_ref(ref)
    if number is not None:
        stored = get_version(session, DocumentKind.pack, name, number)
        if stored is None:
            raise NotFoundError(f"rule pack {name}@{number} does not exist")
    else:
        stored = latest_version(session, DocumentKind.pack, name)
    if stored is not None:
        path = materialize(settings, stored)
        label = stored.label
    elif name in available_packs():
        path, label = rules_dir() / f"{name}.yaml", name
    else:
        raise NotFoundError(f"no rule pack named {name!r}, stored or built in")
    try:
        return ResolvedPack(load_pack(path), label)
    except RulePackError as exc:  # problems name the file, not the server's folders
        raise _relabel(exc, str(path.parent)) from None


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
    builtin = Path(settings.rules_dir) / "scorecards" / f"{name}.yaml"
    return builtin.read_text("utf-8") if builtin.is_file() else None


def validate_pack(name: str, text: str, scorecard_name: str | None, scorecard: str | None) -> None:
    """Load the pack exactly as a stored version will be loaded; refuse it whole if broken."""
    from qa_service.inspection import load_pack

    with tempfile.TemporaryDirectory(prefix="qa-pack-") as tmp:
        path = _write_pack_files(Path(tmp), name, text, scorecard_name, scorecard)
        try:
            load_pack(path)
        except RulePackError as exc:
            raise _relabel(exc, tmp) from None


def validate_scorecard(name: str, text: str) -> None:
    from qa_service.inspection import load_scorecard

    with tempfile.TemporaryDirectory(prefix="qa-scorecard-") as tmp:
        path = Path(tmp) / f"{name}.yaml"
        path.write_text(text, "utf-8")
        try:
            load_scorecard(path)
        except RulePackError as exc:
            raise _relabel(exc, tmp) from None


def _relabel(exc: RulePackError, tmp: str) -> RulePackError:
    """Name the uploaded document, not the temporary folder it was checked in."""
    problems = [p.replace(tmp + "/", "") for p in exc.problems]
    return RulePackError(exc.message.replace(tmp + "/", ""), problems)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
