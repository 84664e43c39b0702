"""Personal data in transcripts: detection on the word timeline, and redaction.

Numbers are recognised on a digit stream built from the words (spoken forms, pieces,
across utterances), validated by their check digits and numbering plans, and judged by the
words around them (an order number or an amount is left alone). Names and street addresses
are not detected: see bench/README.md (issue 14) for what was looked at.
"""

from qa_service.domain.pii.detect import detect, detect_text
from qa_service.domain.pii.redact import (
    mask_free_text,
    mask_strings,
    redact_result,
    redact_utterance,
    result_spans,
    secrets_of,
)
from qa_service.domain.pii.types import PiiSpan, PiiType, tag

__all__ = [
    "PiiSpan",
    "PiiType",
    "detect",
    "detect_text",
    "mask_free_text",
    "mask_strings",
    "redact_result",
    "redact_utterance",
    "result_spans",
    "secrets_of",
    "tag",
]
