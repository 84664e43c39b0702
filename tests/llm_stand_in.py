"""A stand-in language model for service-level tests of evaluation questions (the real
models are exercised in tests/test_llm_backends.py)."""

from __future__ import annotations

import json

from qa_service.engines.llm import Completion


class AnsweringModel:
    """A stand-in language model: answers each question by a word of its text (the worker
    asks the standard scorecard's questions in whatever order applies), citing one line."""

    name = "answering-stand-in"
    parallel_requests = 1

    def __init__(self, answers: dict[str, str], cite: int) -> None:
        self.answers, self.cite = answers, cite
        self.asked: list[str] = []

    def answer(self, chat, json_schema=None, *, max_tokens: int = 256) -> Completion:
        question = chat[-1]["content"].split("Question: ", 1)[1].split("\n", 1)[0]
        self.asked.append(question)
        word = next((w for w in self.answers if w in question.lower()), "")
        reply = {
            "justification": f"Line {self.cite}: {word or 'nothing'}.",
            "answer": self.answers.get(word, "no"),
            "cited": [self.cite],
        }
        return Completion(json.dumps(reply), 120, 20, 0.01, self.name)

    def choice_probabilities(self, chat, field: str, options: list[str]) -> None:
        return None  # as the endpoint backend: the answer is the model's own choice
