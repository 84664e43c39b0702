"""Which vocabulary a call's transcription is biased toward, known before the ASR runs.

Three sources: the rule pack's ``vocabulary:`` (the pack the call will be scored with, when
it is known before transcribing: named, or the default of a known language), the call's
metadata ``vocabulary`` (set per queue by whoever submits or imports the call), and the
labels the personal-data detector anchors numbers on (``QA_ASR_PII_TERMS``), last, so the
centre's own terms come first when the prompt is cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_service.domain.asr_terms import clean_terms, merge_terms
from qa_service.domain.pii.asr_terms import label_terms
from qa_service.domain.rulepack import RulePack
from qa_service.errors import InputError

if TYPE_CHECKING:
    from qa_service.analysis.pipeline import AnalyzeOptions

METADATA_KEY = "vocabulary"


@dataclass(frozen=True, slots=True)
class CallVocabulary:
    terms: tuple[str, ...]
    pack: str | None  # the pack whose terms were used
    from_pack: int
    from_metadata: int
    from_pii: int = 0

    def summary(self, mode: str) -> dict[str, Any]:
        """What the result shows: the active terms, where they came from, how they were used."""
        return {
            "terms": list(self.terms),
            "mode": mode if self.terms else "off",
            "pack": self.pack,
            "from_pack": self.from_pack,
            "from_metadata": self.from_metadata,
            "from_pii": self.from_pii,
        }


def metadata_terms(metadata: dict[str, Any]) -> tuple[str, ...]:
    """``vocabulary`` of the metadata: a list of terms, or one text separated by commas."""
    value = metadata.get(METADATA_KEY)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in value.replace("，", ",").split(",") if part.strip()]
    if not isinstance(value, list):
        raise InputError("metadata 'vocabulary' must be a list of terms or a comma-separated text")
    try:
        return clean_terms(value)
    except ValueError as exc:
        raise InputError(f"metadata 'vocabulary': {exc}") from None


def _pack_before_asr(options: AnalyzeOptions, language: str | None, folder: Path | None):
    from qa_service.analysis.packs import default_pack_name, load_pack

    pack = options.rule_pack
    if isinstance(pack, RulePack):
        return pack
    if pack is not None:
        return load_pack(pack, folder)
    # Without a language the default pack is not known until the ASR has detected it.
    return load_pack(default_pack_name(language), folder) if language else None


def call_vocabulary(
    options: AnalyzeOptions, language: str | None, folder: Path | None, pii_labels: bool = False
) -> CallVocabulary:
    """The terms for this call: the pack's first, then the metadata's, then (``pii_labels``)
    the personal-data labels of the call's language (or its pack's), when it is known
    before the ASR."""
    pack = _pack_before_asr(options, language, folder)
    pack_terms = pack.asr_terms if pack else ()
    extra = metadata_terms(options.metadata)
    pii = label_terms(language or (pack.language if pack else None)) if pii_labels else ()
    centre = merge_terms(pack_terms, extra)
    terms = merge_terms(centre, pii)
    name = pack.name if pack else None
    return CallVocabulary(terms, name, len(pack_terms), len(extra), len(terms) - len(centre))
