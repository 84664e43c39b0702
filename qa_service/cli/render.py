"""Rendering results for people (text) and programs (JSON)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from qa_service.domain.results import CallResult
from qa_service.domain.score_explanation import explanation_lines


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--.-"
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{secs:04.1f}"


def render_text(result: CallResult) -> str:
    t = result.transcript
    channels = " ".join(f"{k}={v}" for k, v in t.channels.items()) or "-"
    lines = [
        f"call {result.call_id}  language {t.language or '?'}  "
        f"duration {t.duration_s:.1f} s  channels {channels}"
    ]
    width = max((len(u.role) for u in t.utterances), default=8)
    for utt in t.utterances:
        lines.append(f"[{clock(utt.start)}-{clock(utt.end)}] {utt.role:<{width}}  {utt.text}")
    if result.findings:
        lines.append("findings:")
        for f in result.findings:
            where = f"[{clock(f.start)}] " if f.start is not None else ""
            lines.append(f"  {where}{f.severity:<8} {f.category:<24} {f.rule_id}: {f.text}")
    if result.score.total is not None:
        dims = ", ".join(
            f"{name} {dim['score'] if isinstance(dim, dict) else dim}"
            for name, dim in result.score.dimensions.items()
        )
        lines.append(f"score {result.score.total}{_critical_note(result)}  ({dims})")
        lines += [f"  {line}" for line in explanation_lines(result.score.explanation)]
    return "\n".join(lines)


def _critical_note(result: CallResult) -> str:
    """What failed the call, and what it would have scored without that."""
    score = result.score
    if not score.critical_failed:
        return ""
    failed = ", ".join(
        f"{c.get('item')} ({c.get('rule_id')} at {clock(c.get('start'))})"
        for c in score.critical_items
    )
    note = f"  CRITICAL FAILURE: {failed}" if failed else "  CRITICAL FAILURE"
    if score.without_critical is not None:
        note += f"; {score.without_critical} without it"
    return note


def render_json(result: CallResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)


def write_atomic(path: Path, text: str) -> None:
    """Write the whole file or nothing: a crash never leaves a half-written result."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
