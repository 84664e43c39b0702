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

    def written(self, chat) -> Completion:
        reply = self.replies.pop(0)
        text = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
        return Completion(text, 100, 20, 0.5, self.name)

    def answer(self, chat, json_schema=None, *, max_tokens: int = 256) -> Completion:
        self.log.append(("answer", _question(chat)))
        return super().answer(chat, json_schema, max_tokens=max_tokens)

    def choice_probabilities(self, chat, field: str, options: list[str]):
        self.log.append(("probe", _question(chat)))
        return self.choices

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


def test_each_prompt_is_probed_then_added_and_the_replies_are_written_once() -> None:
    model = TogetherModel(reply("yes"), reply("no"), reply("no"))
    outcome = _ask(model)
    # The probe of an item reads the prompt its reply then takes from the cache: the two
    # stay next to each other, and the replies are written after the last is added.
    assert model.log == [
        ("open", None),
        ("add", "问题解决了吗？"),
        ("probe", "客服有礼貌吗？"),
        ("add", "客服有礼貌吗？"),
        ("add", "客服推诿了吗？"),
        ("replies", 3),
        ("close", None),
    ]
    answers = {f.rule_id: f.evidence["answer"] for f in outcome.findings}
    assert answers == {"resolved": "yes", "polite": "no", "deflect": "no"}
    # The threshold's item was held to the answer its probe decided (0.7 >= 0.5: yes)...
    assert model.schemas[1]["properties"]["answer"]["enum"] == ["yes"]
    assert outcome.usage.requests == 3


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
