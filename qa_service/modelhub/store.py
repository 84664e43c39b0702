"""Installed model directories and their verification state."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from qa_service.config import Settings
from qa_service.errors import ModelError
from qa_service.modelhub.catalog import CATALOG, ModelSpec, get_spec

MANIFEST = ".verified.json"
_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def model_dir(spec: ModelSpec, settings: Settings) -> Path:
    return Path(settings.models_dir) / spec.dirname


@dataclass(slots=True)
class ModelState:
    spec: ModelSpec
    path: Path
    status: str  # missing | incomplete | verified | corrupt
    size_bytes: int
    problems: list[str]


def read_manifest(path: Path) -> dict[str, dict]:
    try:
        return json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def write_manifest(path: Path, spec: ModelSpec) -> None:
    entries = {
        name: {"sha256": sha, "size": (path / name).stat().st_size}
        for name, sha in spec.files.items()
    }
    # The model card: what was verified, under which licence, from where.
    entries["_card"] = {
        "model": spec.name,
        "kind": spec.kind,
        "description": spec.description,
        "licence": spec.licence,
        "upstream": spec.hub_repo,
        "carriers": [list(c.packages) for c in spec.carriers],
    }
    tmp = path / (MANIFEST + ".partial")
    tmp.write_text(json.dumps(entries, indent=1))
    tmp.replace(path / MANIFEST)


def inspect_model(spec: ModelSpec, settings: Settings, *, rehash: bool = False) -> ModelState:
    """Check an installed model: by manifest and sizes (cheap) or by re-hashing every file."""
    path = model_dir(spec, settings)
    required = [*spec.files, *spec.unpinned]
    present = [name for name in required if (path / name).is_file()]
    size = sum((path / name).stat().st_size for name in present)
    if not present:
        return ModelState(spec, path, "missing", 0, [])
    missing = [name for name in required if name not in present]
    if missing:
        return ModelState(spec, path, "incomplete", size, [f"missing {m}" for m in missing])
    problems: list[str] = []
    manifest = read_manifest(path)
    for name, sha in spec.files.items():
        actual_size = (path / name).stat().st_size
        entry = manifest.get(name, {})
        if rehash:
            if sha256_of(path / name) != sha:
                problems.append(f"{name}: SHA-256 does not match the official checksum")
        elif entry.get("sha256") != sha or entry.get("size") != actual_size:
            problems.append(f"{name}: not verified (run 'qa-service models fetch {spec.name}')")
    return ModelState(spec, path, "corrupt" if problems else "verified", size, problems)


def require_model(name: str, settings: Settings) -> Path:
    """The directory of a verified model, or a ModelError saying how to get one.

    ``name`` is a catalogued model (installed by ``models fetch``) or a directory the
    operator installed: its model.bin must match QA_ASR_MODEL_SHA256, or else an official
    checksum of the catalog.
    """
    # Imported here: the directory check uses this module's hashing.
    from qa_service.modelhub.directory import verify_directory

    if name not in CATALOG:
        if Path(name).is_dir():
            return verify_directory(Path(name), settings.asr_model_sha256)
        known = ", ".join(sorted(CATALOG))
        raise ModelError(
            f"QA_ASR_MODEL '{name}' is neither a known model ({known}) nor a model directory"
        )
    spec = get_spec(name)
    state = inspect_model(spec, settings)
    if state.status != "verified":
        detail = "; ".join(state.problems) or state.status
        raise ModelError(
            f"model '{name}' is not installed and verified in {state.path} ({detail}); "
            f"run: qa-service models fetch {name}"
        )
    return state.path
