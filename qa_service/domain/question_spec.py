"""The fields of a scorecard item of ``type: question`` (rules/SCHEMA.md, "Evaluation questions").

A question item asks a language model one question about the call ("was the customer's
problem solved?") and moves the points its answer carries. Scorecards are uploaded by users,
so every text is bounded: it goes into a prompt.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ANSWERS = ("yes", "no", "not_applicable")
Answer = Literal["yes", "no", "not_applicable"]
Language = Literal["zh", "en"]
MAX_QUESTION_CHARS = 500
MAX_INSTRUCTION_CHARS = 2000
# Calls are asked every question, so a scorecard's questions bound its cost.
MAX_QUESTIONS = 20
# Each rewording is one more prompt read per question and call.
MAX_REWORDINGS = 3


def _check_texts(name: str, value: dict[str, str], limit: int) -> dict[str, str]:
    for language, text in value.items():
        if len(text) > limit or not text.strip():
            raise ValueError(f"{name}.{language}: 1 to {limit} characters")
    return value


def in_language(texts: dict[str, str], language: str | None) -> str:
    """``texts`` in the call's language, else in the first language they are written in."""
    return texts.get(language or "", "") or next(iter(texts.values()))


class AppliesWhen(BaseModel):
    """Ask only when the call has a finding of one of ``categories`` or an utterance with one
    of ``acts`` (call-act probability >= ``act_min``); otherwise the answer is not_applicable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    categories: list[str] = Field(default_factory=list, max_length=50)
    acts: list[str] = Field(default_factory=list, max_length=50)
    act_min: float = Field(0.5, gt=0, le=1)


class Rewording(BaseModel):
    """The question put another way, read for the answer's probability only: no reply is
    written for it. ``yes_means: "no"`` marks a wording whose "yes" is the item's "no" ("was
    the agent polite?" for "was the agent rude?"): a small model's lean to "yes" then moves
    the two wordings in opposite directions and cancels in their mean."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: dict[Language, str] = Field(min_length=1)
    yes_means: Literal["yes", "no"] = "yes"

    @field_validator("question")
    @classmethod
    def _bounded_question(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_texts("rewordings.question", value, MAX_QUESTION_CHARS)


class CitedCheck(BaseModel):
    """Each line the reply cites, of ``speaker``, asked about alone with ``question``: the
    answer is "yes" when one of them reaches ``threshold`` (its share of "yes"), else "no".

    A small model asked whether something was said leans to "yes" and cites the lines nearest
    to it; asked about one line on its own, it tells a line that says it from one that does
    not far better (bench/README.md, "Fourteenth round"). ``question`` is put to one line and
    its "yes" must mean the item's "yes" ("does this sentence state the product's risks?")."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: dict[Language, str] = Field(min_length=1)
    speaker: Literal["agent", "customer", "any"] = "agent"
    threshold: float = Field(gt=0, lt=1)

    @field_validator("question")
    @classmethod
    def _bounded_question(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_texts("cited_check.question", value, MAX_QUESTION_CHARS)

    def text_in(self, language: str | None) -> str:
        return in_language(self.question, language)


class QuestionFields(BaseModel):
    """Mixed into ``ScoreItem``; empty for an ordinary (``type: findings``) item."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["findings", "question"] = "findings"
    question: dict[Language, str] = Field(default_factory=dict)
    instructions: dict[Language, str] = Field(default_factory=dict)
    answers: dict[Answer, float] = Field(default_factory=dict)
    applies_when: AppliesWhen | None = None
    # A call asked in windows: "worst" keeps the answer that moves the fewest points (a lapse
    # anywhere counts), "best" the most (something said anywhere counts: a disclosure),
    # "last" the last window's (an outcome is decided at the end).
    combine: Literal["worst", "best", "last"] = "worst"
    # Answer "yes" only when the model's probability of yes, among yes and no, reaches this
    # (a backend that reads probabilities; otherwise the model's own choice). A small model
    # leans to one answer on some questions while its probability still ranks the calls:
    # the cut is chosen on labelled calls (bench/llm_questions.py --calibrate).
    yes_threshold: float | None = Field(None, gt=0, lt=1)
    # The same question in other words: the threshold is then compared with the mean of
    # every wording's probability of the item's "yes" (rules/SCHEMA.md, "Evaluation questions").
    rewordings: list[Rewording] = Field(default_factory=list, max_length=MAX_REWORDINGS)
    # The answer decided by the cited lines, each read alone (``CitedCheck``).
    cited_check: CitedCheck | None = None

    @field_validator("answers", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: Any) -> Any:
        # YAML reads the keys yes and no as booleans.
        if isinstance(value, dict):
            names = {True: "yes", False: "no"}
            return {names.get(k, k) if isinstance(k, bool) else k: v for k, v in value.items()}
        return value

    @field_validator("answers")
    @classmethod
    def _bounded_points(cls, value: dict[str, float]) -> dict[str, float]:
        for answer, points in value.items():
            if not -100 <= points <= 100:
                raise ValueError(f"answer {answer!r}: points must be within -100..100")
        return value

    @field_validator("question", "instructions")
    @classmethod
    def _bounded_text(cls, value: dict[str, str], info: Any) -> dict[str, str]:
        limit = MAX_QUESTION_CHARS if info.field_name == "question" else MAX_INSTRUCTION_CHARS
        return _check_texts(info.field_name, value, limit)

    def question_problem(self, has_matchers: bool) -> str | None:
        """Why this item is not a valid question (None when it is, or is no question)."""
        if self.type != "question":
            if (
                self.question
                or self.answers
                or self.instructions
                or self.applies_when
                or self.yes_threshold is not None
                or self.rewordings
                or self.cited_check
            ):
                fields = (
                    "question, answers, instructions, applies_when, yes_threshold, rewordings "
                    "and cited_check"
                )
                return f"{fields} need 'type: question'"
            return None
        if self.rewordings and self.yes_threshold is None:
            return "rewordings are read as probabilities against 'yes_threshold': set one"
        if self.cited_check and self.yes_threshold is not None:
            return "cited_check decides the answer itself: no 'yes_threshold' with it"
        if not self.question:
            return "a question item needs 'question' (zh and/or en)"
        if "yes" not in self.answers or "no" not in self.answers:
            return "a question item needs 'answers' with points for yes and no"
        if has_matchers:
            return "a question item scores its own answer: no 'categories' or 'rules'"
        return None

    def text_in(self, language: str | None) -> str:
        """The question in the call's language, else in the language it is written in."""
        return in_language(self.question, language)

    def instructions_in(self, language: str | None) -> str:
        if not self.instructions:
            return ""
        return in_language(self.instructions, language)
