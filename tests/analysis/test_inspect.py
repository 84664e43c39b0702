"""``inspect.run``: the checks of a pack on a transcript, with the engines passed in.

No model is loaded here: the engines are stand-ins whose only part the checks use is the
``semantic`` similarity.
"""

from __future__ import annotations

import pytest

from qa_service.analysis import inspect
from qa_service.analysis.packs import load_pack
from qa_service.config import Settings
from qa_service.domain.results import CallResult
from tests.rules_helpers import pack, rule, transcript


class StubEngines:
    """Only what the checks may ask for; any model would be an AttributeError."""

    def __init__(self, name: str, similar_to: str) -> None:
        self.asked = 0
        self.name, self.similar_to = name, similar_to
        # Evaluation questions read their scope here; "none" asks no language model.
        self.settings = Settings(llm_scope="none")

    def score(self, text: str, examples: list[str]) -> float:
        self.asked += 1
        return 1.0 if self.similar_to in text else 0.0

    @property
    def similarity(self):
        return self.name, self.score


SEMANTIC_RULE = rule(
    "similar", role="agent", params={"examples": ["not our department"], "method": "semantic"}
)
CALL = transcript(("agent", "hello there"), ("agent", "ask the bank, not us"), language="en")


def test_semantic_rules_use_the_similarity_of_the_engines_passed_in() -> None:
    bank = StubEngines("stub:bank", similar_to="bank")
    found = inspect.run(CALL, pack(SEMANTIC_RULE), bank)
    assert [f.text for f in found.findings] == ["ask the bank, not us"]
    assert bank.asked == 2
    # Another process-wide choice cannot leak in: other engines, other answer, same process.
    hello = StubEngines("stub:hello", similar_to="hello")
    assert [f.text for f in inspect.run(CALL, pack(SEMANTIC_RULE), hello).findings] == [
        "hello there"
    ]


def test_a_shipped_pack_runs_without_any_model() -> None:
    engines = StubEngines("stub", similar_to="\0never")
    outcome = inspect.run(CALL, load_pack("en-default"), engines)
    assert outcome.metrics["rule_pack"] == "en-default"
    assert 0 <= outcome.score.total <= 100
    assert "similarity_backend" not in outcome.metrics


def test_apply_replaces_findings_and_score_and_names_the_backend() -> None:
    result = CallResult("c1", CALL)
    result.metrics["kept"] = 1
    inspect.apply(result, pack(SEMANTIC_RULE), StubEngines("stub:bank", similar_to="bank"))
    assert [f.rule_id for f in result.findings] == ["r-similar"]
    assert result.metrics["kept"] == 1 and result.metrics["similarity_backend"] == "stub:bank"
    inspect.apply(result, pack(SEMANTIC_RULE), StubEngines("stub:none", similar_to="\0"))
    assert result.findings == [] and result.metrics["similarity_backend"] == "stub:none"


def test_a_similar_rule_outside_run_has_no_semantic_similarity() -> None:
    from qa_service.domain.checks import CheckContext

    rule_pack = pack(SEMANTIC_RULE)
    with pytest.raises(RuntimeError, match="semantic"):
        rule_pack.rules[0].check.run(
            CheckContext(CALL), rule_pack.rules[0], rule_pack.rules[0].params
        )
