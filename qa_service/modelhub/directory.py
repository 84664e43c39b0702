"""A CTranslate2 Whisper directory the operator installed: complete, and the bytes they checked.

Larger models (small ... large-v3-turbo) are often copied in by hand or converted in-house.
Such a directory is loaded only when its model.bin has the SHA-256 the operator stated
(QA_ASR_MODEL_SHA256), or, when none is stated, an official one from the catalog: a
truncated copy, a swapped file or a model nobody checked is refused with a message that
says what was found and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qa_service.errors import ModelError
from qa_service.modelhub.catalog import CATALOG, ModelSpec, official_model_bins
from qa_service.modelhub.store import sha256_of

# What faster-whisper reads from a model directory; without tokenizer.json it would try to
# download one from the hub at load time.
REQUIRED = ("model.bin", "config.json", "tokenizer.json")
VOCABULARIES = ("vocabulary.txt", "vocabulary.json")


@dataclass(frozen=True, slots=True)
class DirectoryCheck:
    path: Path
    sha256: str
    # The catalogued model whose official model.bin this is, if any.
    official: ModelSpec | None


def check_directory(path: Path) -> DirectoryCheck:
    """Hash the model.bin of a complete model directory; ModelError when it is not one."""
    if not path.is_dir():
        raise ModelError(f"{path} is not a directory")
    missing = [name for name in REQUIRED if not (path / name).is_file()]
    if not any((path / name).is_file() for name in VOCABULARIES):
        missing.append(" or ".join(VOCABULARIES))
    if missing:
        raise ModelError(
            f"{path} is not a CTranslate2 Whisper model directory: missing {', '.join(missing)}"
        )
    sha = sha256_of(path / "model.bin")
    return DirectoryCheck(path, sha, official_model_bins().get(sha))


def verify_directory(path: Path, expected_sha256: str = "") -> Path:
    """``path`` when its model.bin is the one stated (or an official one); else ModelError."""
    check = check_directory(path)
    if expected_sha256:
        if check.sha256 != expected_sha256.lower():
            raise ModelError(
                f"{path / 'model.bin'}: SHA-256 {check.sha256} does not match "
                f"QA_ASR_MODEL_SHA256 {expected_sha256.lower()}; the model was not loaded"
            )
        return path
    if check.official is None:
        known = ", ".join(sorted(CATALOG))
        raise ModelError(
            f"{path / 'model.bin'}: SHA-256 {check.sha256} is not the official checksum of any "
            f"known model ({known}); if you converted or checked this model yourself, "
            f"set QA_ASR_MODEL_SHA256={check.sha256}"
        )
    return path
