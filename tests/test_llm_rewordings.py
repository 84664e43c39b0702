"""Question items asked in several wordings: the answer's probability is their mean.

A small model leans to "yes" by an amount that shifts between kinds of call; a rewording whose
"yes" means the item's "no" moves the other way, so the mean keeps the ranking and drops the
lean (bench/README.md, "Thirteenth round"). These tests pin the arithmetic, which wordings are
asked, and what the answer's evidence says.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from qa_service.analysis import inspect
from qa_service.domain.llm_questions import QUESTION_CATEGORY, blend_wordings
from qa_service.domain.question_agreement import yes_share
from qa_service.domain.rulepack import ScoreItem
from tests.test_llm_questions import (
    QUESTION,
    SCORECARD_YAML,
    ModelEngines,
    ScriptedModel,
    asks_pack,
    call,
)

POLITE = "Was the agent polite?"
RESPECT = "Did the agent treat the customer with respect?"
# The item asked in English only, so the scripted model can tell the wordings apart.
REWORDED_CARD = SCORECARD_YAML.replace(
    'question: {en: "Was the problem solved?", zh: "问题解决了吗？"}',
    'question: {en: "Was the problem solved?"}\n'
    '    instructions: {en: "Only what the agent did counts."}',
).replace(
    "answers: {yes: 0, no: -20, not_applicable: 0}",
    """answers: {yes: 0, no: -20, not_applicable: 0}
    yes_threshold: 0.5
    rewordings:
      - question: {en: "Was the problem left open?"}
        yes_means: "no"
      - question: {en: "Did the agent fix it?"}""",
)


class WordingModel(ScriptedModel):
    """Reads each wording's answer shares from a table keyed by the question asked."""

    def __init__(self, shares: dict[str, dict[str, float] | None], *replies) -> None:
        super().__init__(*replies)
        self.shares = shares
        self.probed: list[str] = []

    def choice_probabilities(self, chat, field: str, options: list[str]):
        user = chat[1]["content"]
        question = user.split("Question: ", 1)[1].split("\n", 1)[0]
        self.probed.append(user)
        return self.shares[question]


def three_wordings(own, left_open, fixed) -> dict[str, dict[str, float] | None]:
    """Each wording's answer shares: the item's, "left open?" (the other way round), "fixed?"."""
    return {
        "Was the problem solved?": own,
        "Was the problem left open?": left_open,
        "Did the agent fix it?": fixed,
    }


def ask_reworded(shares, reply) -> tuple[WordingModel, Any]:
    """The reworded card asked of the test call: the model, and the answer's finding."""
    model = WordingModel(shares, reply)
    out = inspect.run(call(), asks_pack(REWORDED_CARD), ModelEngines(model))
    return model, next(f for f in out.findings if f.category == QUESTION_CATEGORY)


@pytest.mark.parametrize(
    ("shares", "reworded", "mean"),
    [
        # The item's 0.6, an opposite wording's 0.8 (0.2 for the item): mean 0.4.
        ({"yes": 0.6, "no": 0.4}, [(0.8, "no")], 0.4),
        ({"yes": 0.3, "no": 0.6, "not_applicable": 0.1}, [(0.9, "yes"), (0.6, "no")], 0.5444),
        ({"yes": 0.9, "no": 0.1}, [(0.9, "no"), (0.1, "no")], 0.6333),
    ],
)
def test_the_blended_share_of_yes_is_the_mean_over_the_wordings(
    shares: dict[str, float], reworded: list[tuple[float, str]], mean: float
) -> None:
    blended, each = blend_wordings(shares, reworded)
    assert yes_share({"probabilities": blended}) == pytest.approx(mean, abs=1e-3)
    # not_applicable, and how much yes and no hold together, stay the item's own wording's.
    assert blended.get("not_applicable") == shares.get("not_applicable")
    assert blended["yes"] + blended["no"] == pytest.approx(shares["yes"] + shares["no"])
    own = shares["yes"] / (shares["yes"] + shares["no"])
    assert len(each) == len(reworded) + 1 and each[0] == pytest.approx(own, abs=1e-4)


def test_without_rewordings_the_shares_are_the_items_own() -> None:
    shares = {"yes": 0.7, "no": 0.3}
    assert blend_wordings(shares, []) == (shares, ())


def test_each_rewording_is_asked_and_the_mean_decides_the_answer() -> None:
    own, left_open = {"yes": 0.62, "no": 0.38, "not_applicable": 0.0}, {"yes": 0.7, "no": 0.3}
    shares = three_wordings(own, left_open, {"yes": 0.5, "no": 0.5})  # left open: 0.3 solved
    reply = {"answer": "no", "justification": "Line 2 leaves it open.", "cited": [2]}
    model, answer = ask_reworded(shares, reply)
    # Alone, 0.62 would pass the 0.5 threshold; the mean over the three is 0.473.
    assert model.schemas[0]["properties"]["answer"]["enum"] == ["no"]
    assert answer.evidence["answer"] == "no"
    assert answer.evidence["wordings"] == [0.62, 0.3, 0.5]
    assert yes_share(answer.evidence) == pytest.approx(0.4733, abs=1e-3)
    # The reply is written for the item's own wording, with its instructions; the rewordings
    # are read for their probabilities only, without instructions written for another wording.
    assert "Question: Was the problem solved?" in model.asked[0][1]["content"]
    reworded = [u for u in model.probed if "Question: Was the problem solved?" not in u]
    assert len(reworded) == 2 and not any("How to judge" in u for u in reworded)
    assert all(u.split("Question:")[0] == model.probed[0].split("Question:")[0] for u in reworded)


def test_a_backend_without_probabilities_asks_no_rewording() -> None:
    reply = {"answer": "yes", "justification": "已派单。", "cited": [2]}
    model, answer = ask_reworded(three_wordings(None, None, None), reply)
    assert len(model.probed) == 1  # the item's own wording, which answered nothing
    assert answer.evidence["answer"] == "yes" and "wordings" not in answer.evidence


def test_a_rewording_the_backend_cannot_read_leaves_the_items_own_share() -> None:
    shares = three_wordings({"yes": 0.62, "no": 0.38}, None, {"yes": 0.1, "no": 0.9})
    reply = {"answer": "yes", "justification": "已派单。", "cited": [2]}
    model, answer = ask_reworded(shares, reply)
    assert len(model.probed) == 2  # stopped at the rewording it could not read
    assert answer.evidence["answer"] == "yes" and "wordings" not in answer.evidence
    assert answer.evidence["probabilities"] == shares["Was the problem solved?"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rewordings": [{"question": {"en": POLITE}}]}, "need 'yes_threshold'|set one"),
        (
            {"yes_threshold": 0.5, "rewordings": [{"question": {"en": POLITE}}] * 4},
            "at most 3",
        ),
        ({"yes_threshold": 0.5, "rewordings": [{"question": {}}]}, "at least 1"),
        ({"yes_threshold": 0.5, "rewordings": [{"question": {"en": "x" * 501}}]}, "1 to 500"),
        (
            {
                "yes_threshold": 0.5,
                "rewordings": [{"question": {"en": POLITE}, "yes_means": "maybe"}],
            },
            "yes_means",
        ),
        (
            {"yes_threshold": 0.5, "rewordings": [{"question": {"en": RESPECT}, "text": "x"}]},
            "extra",
        ),
    ],
)
def test_invalid_rewordings_are_refused(change: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ScoreItem(**{**QUESTION, **change})


def test_rewordings_belong_to_question_items_only() -> None:
    with pytest.raises(ValidationError, match="need 'type: question'"):
        ScoreItem(
            id="x",
            dimension="all",
            categories=["deflection"],
            points=-5,
            rewordings=[{"question": {"en": POLITE}}],
        )


def test_whether_the_question_applies_is_read_from_the_items_own_wording() -> None:
    # Own wording: not_applicable ties yes, so it is not the most likely answer; the blend
    # would halve yes and no and leave not_applicable on top if it decided applicability.
    own = {"yes": 0.45, "no": 0.1, "not_applicable": 0.45}
    shares = three_wordings(own, {"yes": 0.9, "no": 0.1}, {"yes": 0.5, "no": 0.5})
    reply = {"answer": "no", "justification": "Line 2 leaves it open.", "cited": [2]}
    model, answer = ask_reworded(shares, reply)
    assert model.schemas[0]["properties"]["answer"]["enum"] == ["no"]  # mean 0.473
    assert answer.evidence["wordings"] == [0.8182, 0.1, 0.5]


def test_a_question_the_own_wording_finds_not_applicable_asks_no_rewording() -> None:
    own = {"yes": 0.2, "no": 0.1, "not_applicable": 0.7}
    reply = {"answer": "not_applicable", "justification": "No problem was raised.", "cited": [0]}
    model, answer = ask_reworded(three_wordings(own, {"yes": 0.1, "no": 0.9}, None), reply)
    assert len(model.probed) == 1
    assert model.schemas[0]["properties"]["answer"]["enum"] == ["not_applicable"]
    assert answer.evidence["answer"] == "not_applicable" and "wordings" not in answer.evidence
