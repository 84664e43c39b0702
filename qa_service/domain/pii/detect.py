"""Find personal data on a call's word timeline.

Works on the result contract's utterances (dicts with role, start, end, text, words) so that
stored results, transcripts from other vendors and the pipeline's own use one path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qa_service.domain.pii.chains import classify_runs
from qa_service.domain.pii.code_replies import code_replies
from qa_service.domain.pii.runs import Line, speaker_runs
from qa_service.domain.pii.textual import text_hits
from qa_service.domain.pii.timeline import align_words, span_times
from qa_service.domain.pii.types import PiiSpan, PiiType

# Languages whose numbering plans (US/UK phones, SSN) are looked for besides the mainland's.
_ZH = ("zh", "yue")


def _lines(utterances: Sequence[dict[str, Any]]) -> list[Line]:
    return [
        Line(
            str(u.get("role") or u.get("speaker") or ""),
            str(u.get("text") or ""),
            float(u.get("start") or 0.0),
            float(u.get("end") or 0.0),
        )
        for u in utterances
    ]


def detect(utterances: Sequence[dict[str, Any]], language: str | None = None) -> list[PiiSpan]:
    """Every piece of personal data, as spans in utterance order; a number read across two
    utterances gives a span in each with the same ``group``."""
    lines = _lines(utterances)
    english = (language or "").split("-")[0].lower() not in _ZH
    found: list[tuple[PiiType, int, int, int, int]] = []  # kind, utterance, start, end, group
    group = 0
    for runs in speaker_runs(lines):
        for hit in classify_runs(lines, runs, english):
            group += 1
            by_utt: dict[int, list[int]] = {}
            for unit in hit.units:
                by_utt.setdefault(unit.utterance, []).extend((unit.start, unit.end))
            for i, offsets in by_utt.items():
                found.append((hit.kind, i, min(offsets), max(offsets), group))
    for i, line in enumerate(lines):
        for kind, start, end in text_hits(line.text):
            group += 1
            found.append((kind, i, start, end, group))
    for i, start, end in code_replies(lines):
        group += 1
        found.append((PiiType.code, i, start, end, group))
    return _with_times(utterances, lines, _without_overlaps(found))


def _without_overlaps(
    found: list[tuple[PiiType, int, int, int, int]],
) -> list[tuple[PiiType, int, int, int, int]]:
    """Overlapping spans of one utterance merged (a plate's digits are also a digit run)."""
    found.sort(key=lambda f: (f[1], f[2], -f[3]))
    kept: list[tuple[PiiType, int, int, int, int]] = []
    for item in found:
        if kept and kept[-1][1] == item[1] and item[2] < kept[-1][3]:
            last = kept[-1]
            longer = item if item[3] - item[2] > last[3] - last[2] else last
            kept[-1] = (longer[0], last[1], last[2], max(last[3], item[3]), last[4])
            continue
        kept.append(item)
    return kept


def _with_times(
    utterances: Sequence[dict[str, Any]],
    lines: Sequence[Line],
    found: list[tuple[PiiType, int, int, int, int]],
) -> list[PiiSpan]:
    aligned: dict[int, list] = {}
    spans = []
    for kind, i, start, end, group in found:
        if i not in aligned:
            aligned[i] = align_words(lines[i].text, utterances[i].get("words") or [])
        line = lines[i]
        t0, t1 = span_times(aligned[i], len(line.text), start, end, (line.start, line.end))
        spans.append(PiiSpan(kind, i, start, end, t0, t1, group))
    return spans


def detect_text(text: str, language: str | None = None) -> list[PiiSpan]:
    """Personal data in a free text (a finding's quote, a comment): one utterance."""
    return detect([{"role": "", "start": 0.0, "end": 0.0, "text": text}], language)
