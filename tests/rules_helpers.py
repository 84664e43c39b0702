"""Small builders for rule and scoring tests: transcripts from turns, packs from dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa_service.analysis import inspect
from qa_service.analysis.inspect import InspectionOutcome
from qa_service.analysis.packs import load_scorecard, pack_for
from qa_service.config import Settings
from qa_service.domain.rulepack import RulePack, Scorecard, build_pack
from qa_service.domain.transcript import Transcript, Utterance
from qa_service.engines.registry import Engines

# The process's settings: the n-gram similarity unless an embedding model is configured.
ENGINES = Engines(Settings())

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rules"

SCORECARD = {
    "scorecard": "test",
    "dimensions": [{"id": "all", "weight": 1}],
    "items": [{"id": "any", "dimension": "all", "categories": ["deflection"], "points": -10}],
}


def transcript(
    *turns: tuple, language: str | None = "zh", channels: dict[str, str] | None = None
) -> Transcript:
    """Turns as (role, text) - timed one after another - or (role, text, start, end)."""
    utterances, clock = [], 0.0
    for turn in turns:
        role, text = turn[0], turn[1]
        start, end = (turn[2], turn[3]) if len(turn) == 4 else (clock + 0.5, clock + 3.5)
        utterances.append(Utterance(role=role, start=start, end=end, text=text))
        clock = max(clock, end)
    utterances.sort(key=lambda u: (u.start, u.end))
    return Transcript(
        utterances,
        language,
        clock + 0.5,
        channels if channels is not None else {"left": "agent", "right": "customer"},
    )


def pack(*rules: dict[str, Any], scorecard: Scorecard | None = None, **top: Any) -> RulePack:
    data = {"pack": "test", "rules": list(rules), "scorecard": SCORECARD, **top}
    return build_pack(data, scorecard)


def rule(type_: str, category: str = "deflection", **fields: Any) -> dict[str, Any]:
    return {"id": f"r-{type_}", "type": type_, "category": category, **fields}


def run(rule_pack: RulePack, tr: Transcript) -> InspectionOutcome:
    return inspect.run(tr, rule_pack, ENGINES)


def check(tr: Transcript, rule_pack: str | Path | RulePack | None = None) -> InspectionOutcome:
    """``tr`` under a pack given by name, path or object; None: the transcript's default."""
    if not isinstance(rule_pack, RulePack):
        rule_pack = pack_for(tr, rule_pack)
    return inspect.run(tr, rule_pack, ENGINES)


def standard_scorecard() -> Scorecard:
    return load_scorecard(RULES / "scorecards" / "standard.yaml")


# Call acts a customer's displeasure is corroborated by.
NEG_ACTS = {"acts": ["complaint", "escalation", "rudeness"], "min_probability": 0.5}


def negative(confidence: float = 0.95) -> dict:
    """A negative sentiment dict as the engine writes it."""
    rest = round((1 - confidence) / 2, 4)
    probs = {"negative": confidence, "neutral": rest, "positive": rest}
    return {"label": "negative", "score": -confidence, "probs": probs}


def scored(*turns: tuple[str, str, dict | None, dict | None]) -> Transcript:
    """(role, text, sentiment, acts) turns."""
    tr = transcript(*[(role, text) for role, text, _, _ in turns])
    for utt, (_, _, mood, acts) in zip(tr.utterances, turns, strict=True):
        utt.sentiment = mood
        if acts is not None:
            utt.extra["acts"] = acts
    return tr
