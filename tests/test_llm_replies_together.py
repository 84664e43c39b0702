"""A window's questions with their replies written together (the embedded backend's batch):
the order of the work, the answers, a reply that does not parse, what is counted.

The model is a scripted stand-in for a backend with ``replies_together``; the real batch on
the real model is tested in tests/test_llm_backends.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from qa_service.analysis.packs import load_scorecard_text
from qa_service.analysis.questions import answer_questions
from qa_service.engines.llm import Completion, WritesRepliesTogether
from tests.test_llm_questions import ScriptedModel, call

THREE_QUESTIONS = """
scorecard: asks
dimensions: [{id: all, weight: 1}]
items:
  - {id: resolved, type: question, dimension: all, question: {zh: "问题解决了吗？"},
     answers: {yes: 0, no: -20}}
  - {id: polite, type: question, dimension: all, question: {zh: "客服有礼貌吗？"},
     answers: {yes: 0, no: -10}, yes_threshold: 0.5}
  - {id: deflect, type: question, dimension: all, question: {zh: "客服推诿了吗？"},
     answers: {yes: -10, no: 0}}
"""


def reply(answer: str, cited: list[int] | None = None) -> dict[str, Any]:
    return {"answer": answer, "justification": "理由", "cited": cited or [2]}


class _Batch:
    def __init__(self, model: TogetherModel) -> None:
        self.model = model
        self.added: list[list[dict[str, str]]] = []

    def choices(self, requests):
        self.model.log.append(("choices", [_question(chat) for chat, _field, _options in requests]))
        if not self.model.probes_together:
            return None
        return [self.model.shares_for(chat) for chat, _field, _options in requests]

    def add(self, messages, json_schema, *, max_tokens: int = 256) -> None:
        self.model.log.append(("add", _question(messages)))
        self.model.schemas.append(json_schema)
        self.added.append(messages)

    def replies(self) -> list[Completion]:
        self.model.log.append(("replies", len(self.added)))
        return [self.model.written(chat) for chat in self.added]


class TogetherModel(ScriptedModel):
    """Replies in order, whether written alone (``answer``) or in a batch."""

    def __init__(self, *replies: dict[str, Any] | str) -> None:
        super().__init__(*replies)
        self.log: list[tuple[str, Any]] = []
        self.choices = {"yes": 0.7, "no": 0.3}
        # A question's own shares where it differs from ``choices``.
        self.shares_by_question: dict[str, dict[str, float]] = {}
        self.probes_together = True

    def shares_for(self, chat) -> dict[str, float]:
        return self.shares_by_question.get(_question(chat), self.choices)

    def written(self, chat) -> Completion:
        reply = self.replies.pop(0)
        text = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
        return Completion(text, 100, 20, 0.5, self.name)

    def answer(self, chat, json_schema=None, *, max_tokens: int = 256) -> Completion:
        self.log.append(("answer", _question(chat)))
        return super().answer(chat, json_schema, max_tokens=max_tokens)

    def choice_probabilities(self, chat, field: str, options: list[str]):
        self.log.append(("probe", _question(chat)))
        return self.shares_for(chat)

    @contextmanager
    def replies_together(self) -> Iterator[_Batch]:
        self.log.append(("open", None))
        yield _Batch(self)
        self.log.append(("close", None))


def _question(chat: list[dict[str, str]]) -> str:
    return chat[-1]["content"].split("Question: ", 1)[1].split("\n", 1)[0]


def _ask(model: TogetherModel, yaml: str = THREE_QUESTIONS):
    items = load_scorecard_text(yaml, "asks").items
    return answer_questions(call(), items, [], model, window_chars=3000)


def test_the_stand_in_is_a_backend_that_writes_replies_together() -> None:
    assert isinstance(TogetherModel(), WritesRepliesTogether)
    assert not isinstance(ScriptedModel(), WritesRepliesTogether)


def test_every_prompt_is_probed_in_one_pass_then_added_and_the_replies_written_once() -> None:
    model = TogetherModel(reply("yes"), reply("no"), reply("no"))
    outcome = _ask(model)
    # Every item is probed, with or without a threshold, so that each reply can continue
    # from its own probed prompt; nothing is probed one by one.
    assert model.log == [
        ("open", None),
        ("choices", ["问题解决了吗？", "客服有礼貌吗？", "客服推诿了吗？"]),
        ("add", "问题解决了吗？"),
        ("add", "客服有礼貌吗？"),
        ("add", "客服推诿了吗？"),
        ("replies", 3),
        ("close", None),
    ]
    answers = {f.rule_id: f.evidence["answer"] for f in outcome.findings}
    assert answers == {"resolved": "yes", "polite": "no", "deflect": "no"}
    # The threshold's item was held to the answer its probe decided (0.7 >= 0.5: yes)...
    assert model.schemas[1]["properties"]["answer"]["enum"] == ["yes"]
    # ... and an item without one chooses its answer in its reply.
    assert model.schemas[0]["properties"]["answer"]["enum"] == ["yes", "no"]
    assert outcome.usage.requests == 3


def test_a_batch_that_cannot_take_the_probes_has_them_asked_one_by_one() -> None:
    model = TogetherModel(reply("yes"), reply("no"), reply("no"))
    model.probes_together = False
    outcome = _ask(model)
    # The probe of an item reads the prompt its reply then takes from the cache: the two
    # stay next to each other.
    assert model.log[2:6] == [
        ("probe", "客服有礼貌吗？"),
        ("add", "问题解决了吗？"),
        ("add", "客服有礼貌吗？"),
        ("add", "客服推诿了吗？"),
    ]
    assert model.schemas[1]["properties"]["answer"]["enum"] == ["yes"]
    assert {f.rule_id: f.evidence["answer"] for f in outcome.findings}["polite"] == "no"


REWORDED = """
scorecard: asks
dimensions: [{id: all, weight: 1}]
items:
  - {id: resolved, type: question, dimension: all, question: {zh: "问题解决了吗？"},
     answers: {yes: 0, no: -20}}
  - {id: rude, type: question, dimension: all, question: {zh: "客服粗鲁吗？"},
     answers: {yes: -10, no: 0}, yes_threshold: 0.5,
     rewordings: [{question: {zh: "客服礼貌吗？"}, yes_means: "no"}]}
"""


@pytest.mark.parametrize(
    ("together", "polite_yes", "expected"),
    [(True, 0.9, "no"), (True, 0.1, "yes"), (False, 0.9, "no"), (False, 0.1, "yes")],
)
def test_a_rewording_read_in_the_same_pass_is_blended_as_when_asked_alone(
    together: bool, polite_yes: float, expected: str
) -> None:
    model = TogetherModel(reply("yes"), reply(expected))
    model.probes_together = together
    # Its own wording says rude (0.7); "polite?" answered yes 0.9 means rude 0.1: mean 0.4.
    model.shares_by_question["客服礼貌吗？"] = {"yes": polite_yes, "no": 1 - polite_yes}
    outcome = _ask(model, REWORDED)
    rude = next(f for f in outcome.findings if f.rule_id == "rude")
    assert rude.evidence["answer"] == expected
    assert model.schemas[1]["properties"]["answer"]["enum"] == [expected]
    probed = [e for e in model.log if e[0] in ("choices", "probe")]
    if together:
        assert probed == [("choices", ["问题解决了吗？", "客服粗鲁吗？", "客服礼貌吗？"])]
    else:
        assert probed[1:] == [("probe", "客服粗鲁吗？"), ("probe", "客服礼貌吗？")]


def test_a_reply_that_does_not_parse_is_asked_again_alone_with_the_problem_named() -> None:
    bad = reply("yes", cited=[99])  # a line the call does not have
    model = TogetherModel(reply("yes"), "not json", bad, reply("yes"), reply("yes"))
    outcome = _ask(model)
    assert [e for e in model.log if e[0] in ("answer", "replies")] == [
        ("replies", 3),
        ("answer", "客服有礼貌吗？"),
        ("answer", "客服推诿了吗？"),
    ]
    polite, deflect = (chat[-1]["content"] for chat in model.asked)
    assert polite.endswith("was not a JSON object. Reply with the JSON object only.")
    assert "Your previous reply cited [99]" in deflect
    answers = {f.rule_id: f.evidence["answer"] for f in outcome.findings}
    assert answers == {"resolved": "yes", "polite": "yes", "deflect": "yes"}
    assert outcome.usage.requests == 5
    assert not outcome.not_evaluated


def test_a_reply_still_wrong_alone_is_not_evaluated_never_guessed() -> None:
    model = TogetherModel(reply("yes"), reply("yes"), "nope", "still not json")
    outcome = _ask(model)
    assert [n["rule_id"] for n in outcome.not_evaluated] == ["deflect"]
    assert {f.rule_id for f in outcome.findings} == {"resolved", "polite"}


@pytest.mark.parametrize("count", [1, 2])
def test_one_question_on_a_window_is_asked_alone_and_two_together(count: int) -> None:
    items = load_scorecard_text(THREE_QUESTIONS, "asks").items
    model = TogetherModel(*[reply("yes")] * count)
    answer_questions(call(), items[:count], [], model, window_chars=3000)
    written_alone = [e for e in model.log if e[0] == "answer"]
    together = ("open", None) in model.log
    assert (len(written_alone), together) == ((1, False) if count == 1 else (0, True))
