"""Masking a result: texts, word texts with their times kept, quotes elsewhere."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import PiiType, mask_free_text, redact_result
from qa_service.domain.pii.redact import mask_text
from qa_service.engines.audio_redact import SAMPLE_RATE, silent_ranges


@pytest.mark.parametrize(
    ("text", "spans", "masked"),
    [
        ("abc123456def", [(PiiType.phone, 3, 9)], "abc[PHONE]def"),
        ("123456", [(PiiType.card, 0, 6)], "[CARD]"),
        ("a1b2", [(PiiType.code, 1, 2), (PiiType.code, 3, 4)], "a[CODE]b[CODE]"),
        ("plain", [], "plain"),
    ],
)
def test_mask_text(text: str, spans, masked: str) -> None:
    out, where = mask_text(text, spans)
    assert out == masked
    assert len(where) == len(text) + 1 and where[-1] == len(out)


def _result() -> dict:
    words = [
        {"start": 0.0, "end": 0.5, "text": " call"},
        {"start": 0.5, "end": 0.7, "text": " me"},
        {"start": 0.7, "end": 1.2, "text": " 415"},
        {"start": 1.2, "end": 1.6, "text": " 555"},
        {"start": 1.6, "end": 2.1, "text": " 2671"},
        {"start": 2.1, "end": 2.5, "text": " thanks"},
    ]
    return {
        "language": "en",
        "utterances": [
            {"role": "customer", "start": 0.0, "end": 2.5, "text": "call me 415 555 2671 thanks",
             "words": words},
            {"role": "agent", "start": 3.0, "end": 4.0, "text": "thank you", "words": []},
        ],
        "findings": [{"text": "quoted: 415 555 2671", "evidence": {"lines": ["4155552671"]}}],
        "score": {"total": 90},
    }  # fmt: skip


def test_redact_result_keeps_word_times_and_masks_quotes() -> None:
    original = _result()
    out = redact_result(original)
    first = out["utterances"][0]
    assert first["text"] == "call me [PHONE] thanks"
    assert [w["text"] for w in first["words"]] == [" call", " me", " [PHONE]", "", "", " thanks"]
    assert [w["start"] for w in first["words"]] == [
        w["start"] for w in original["utterances"][0]["words"]
    ]
    assert out["utterances"][1] == original["utterances"][1]
    assert out["findings"][0]["text"] == "quoted: [PHONE]"
    assert out["findings"][0]["evidence"]["lines"] == ["[PHONE]"]
    assert out["score"] == {"total": 90}
    assert original["utterances"][0]["text"].endswith("2671 thanks"), "the input is not changed"


def test_mask_free_text_replaces_known_secrets_and_detects() -> None:
    assert mask_free_text("说了八零零零一二", [("八零零零一二", "[PHONE]")]) == "说了[PHONE]"
    assert mask_free_text("卡号4111111111111111", [], "zh") == "卡号[CARD]"
    assert mask_free_text("nothing here 42", [], "en") == "nothing here 42"


def test_silent_ranges_are_padded_and_merged() -> None:
    ranges = silent_ranges([(1.0, 1.5), (1.55, 2.0), (5.0, 5.1)], pad_s=0.1)
    expected = [(0.9, 2.1), (4.9, 5.2)]
    assert len(ranges) == len(expected)
    for (a, b), (t0, t1) in zip(ranges, expected, strict=True):
        assert abs(a - t0 * SAMPLE_RATE) <= 1 and abs(b - t1 * SAMPLE_RATE) <= 1
