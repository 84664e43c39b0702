"""Call-level sentiment on the shared synthetic calls, read from their ground-truth turns.

A reviewer's labels say whether the customer was negative and whether the agent was rude or
deflected; the summary the pipeline stores must agree with them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_service.domain.transcript import Transcript, Utterance
from qa_service.engines.sentiment import annotate_sentiment
from tests.sentiment_fixtures import REPO, sentiment_engines, sentiment_model, sentiment_settings

pytestmark = pytest.mark.models

__all__ = ["sentiment_engines", "sentiment_model", "sentiment_settings"]

CALLS = REPO.parent / "shared" / "data" / "calls"
CALL_FILES = sorted(CALLS.glob("*.json"))


def ground_truth(path: Path) -> tuple[Transcript, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    utterances = [Utterance(t["role"], t["start"], t["end"], t["text"]) for t in data["turns"]]
    return Transcript(utterances, language=data["language"]), data["labels"]


@pytest.fixture(scope="module")
def summaries(sentiment_engines) -> dict[str, tuple[dict, dict]]:
    if not CALL_FILES:
        pytest.fail(f"test data missing: {CALLS}")
    out = {}
    for path in CALL_FILES:
        transcript, labels = ground_truth(path)
        out[path.stem] = (annotate_sentiment(transcript, sentiment_engines), labels)
    return out


@pytest.mark.parametrize("call", [p.stem for p in CALL_FILES])
def test_complaining_customers_are_negative(summaries, call):
    # "customer_negative" alone also covers problems reported calmly, which read as neutral.
    summary, labels = summaries[call]
    if labels.get("complaint"):
        assert summary["customer_negative_count"] >= 1
        assert summary["most_negative"]["score"] < -0.5


@pytest.mark.parametrize("call", [p.stem for p in CALL_FILES])
def test_rude_agents_are_negative_and_empathetic_ones_are_not(summaries, call):
    summary, labels = summaries[call]
    if labels.get("forbidden"):
        assert summary["agent_negative_count"] >= 1
    if labels.get("empathy") and not labels.get("deflection"):
        assert summary["agent_negative_count"] == 0
