"""Masking: personal data replaced by ``[PHONE]``, ``[ID]``... in what leaves the analysis.

Utterance texts are rewritten span by span; each word keeps its times, its text becoming the
part of the masked text that covers it (the word where a span starts carries the tag, the
other words of the span become empty), so the timeline still works. Free texts elsewhere in
a result (a finding's quote, its evidence) are masked twice over: every text that was
detected in the transcript is replaced wherever it is quoted, and detection runs on the text
itself.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

from qa_service.domain.pii.detect import detect, detect_text
from qa_service.domain.pii.timeline import align_words
from qa_service.domain.pii.types import PiiSpan, PiiType, tag

# A quoted piece shorter than this is too common to replace everywhere ("八零").
_MIN_SECRET = 4
_SPACES = re.compile(r"\s+")


def mask_text(text: str, spans: Sequence[tuple[PiiType, int, int]]) -> tuple[str, list[int]]:
    """The text with each span replaced by its tag, and where each boundary of the old
    text went (``len(text) + 1`` entries): a boundary inside a span goes to the tag's end,
    the span's start to the tag's start."""
    spans = sorted(spans, key=lambda s: s[1])
    out: list[str] = []
    where = [0] * (len(text) + 1)
    pos = cursor = 0
    for kind, start, end in spans:
        if start < cursor:
            continue
        for b in range(cursor, start + 1):
            where[b] = pos + b - cursor
        out.append(text[cursor:start])
        pos += start - cursor
        label = tag(kind)
        out.append(label)
        pos += len(label)
        for b in range(start + 1, end + 1):
            where[b] = pos
        cursor = end
    for b in range(cursor, len(text) + 1):
        where[b] = pos + b - cursor
    out.append(text[cursor:])
    return "".join(out), where


def _masked_words(
    text: str, masked: str, where: list[int], words: list[dict[str, Any]], times: list
) -> list[dict[str, Any]]:
    out = []
    for word, placed in zip(words, align_words(text, words), strict=True):
        new = dict(word)
        if placed.begin >= 0:
            lead = word.get("text", "")[: len(word.get("text", "")) - len(word["text"].lstrip())]
            piece = masked[where[placed.begin] : where[placed.stop]]
            new["text"] = lead + piece if piece else ""
        elif any(placed.start < t1 and t0 < placed.end for t0, t1 in times):
            # A word not found in the text but said during a span: it may hold the data.
            new["text"] = ""
        out.append(new)
    return out


def redact_utterance(utterance: dict[str, Any], spans: Sequence[PiiSpan]) -> dict[str, Any]:
    """A copy of one utterance (result contract dict) with its spans masked."""
    text = str(utterance.get("text") or "")
    masked, where = mask_text(text, [(s.kind, s.start, s.end) for s in spans])
    out = dict(utterance)
    out["text"] = masked
    if utterance.get("words"):
        times = [(s.start_s, s.end_s) for s in spans]
        out["words"] = _masked_words(text, masked, where, list(utterance["words"]), times)
    return out


Secret = tuple[str, str]  # a masked text and its tag


def secrets_of(utterances: Sequence[dict[str, Any]], spans: Sequence[PiiSpan]) -> list[Secret]:
    """The texts that were masked with their tags, longest first, to be replaced wherever
    they are quoted."""
    found: dict[str, str] = {}
    for s in spans:
        piece = str(utterances[s.utterance].get("text") or "")[s.start : s.end]
        for variant in (piece, _SPACES.sub("", piece)):
            if len(variant) >= _MIN_SECRET:
                found[variant] = tag(s.kind)
    return sorted(found.items(), key=lambda item: len(item[0]), reverse=True)


def mask_free_text(text: str, secrets: Sequence[Secret] = (), language: str | None = None) -> str:
    """A free text with known secrets and anything detected in it masked."""
    for secret, label in secrets:
        text = text.replace(secret, label)
    found = detect_text(text, language)
    return mask_text(text, [(s.kind, s.start, s.end) for s in found])[0] if found else text


def mask_strings(value: Any, secrets: Sequence[Secret], language: str | None) -> Any:
    """Every string in a JSON-like value masked (keys are kept)."""
    if isinstance(value, str):
        return mask_free_text(value, secrets, language)
    if isinstance(value, list):
        return [mask_strings(v, secrets, language) for v in value]
    if isinstance(value, dict):
        return {k: mask_strings(v, secrets, language) for k, v in value.items()}
    return value


def result_spans(result: dict[str, Any]) -> list[PiiSpan]:
    return detect(result.get("utterances") or [], result.get("language"))


def redact_result(result: dict[str, Any], spans: Sequence[PiiSpan] | None = None) -> dict[str, Any]:
    """A masked copy of a result contract: utterances, findings' texts and evidence, and any
    other text it carries (evaluation answers citing lines)."""
    utterances = result.get("utterances") or []
    spans = result_spans(result) if spans is None else spans
    language = result.get("language")
    secrets = secrets_of(utterances, spans)
    by_utt: dict[int, list[PiiSpan]] = {}
    for s in spans:
        by_utt.setdefault(s.utterance, []).append(s)
    out = {k: v for k, v in result.items() if k != "utterances"}
    out = mask_strings(copy.deepcopy(out), secrets, language)
    out["utterances"] = [
        redact_utterance(u, by_utt[i]) if i in by_utt else u for i, u in enumerate(utterances)
    ]
    return out
