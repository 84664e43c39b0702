"""The builder's form for a scorecard item: the points a rule's findings move in a dimension,
or an evaluation question (asked in Chinese and/or English) and the points of its answers.

The same shape as ``rule_form`` (``read_form``, ``to_rule``, ``form_of``), so the builder
treats both alike; what the form does not show of an existing item (``applies_when``,
``critical_min_similarity``) is kept when it is written back.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa_service.domain.question_spec import MAX_INSTRUCTION_CHARS, MAX_QUESTION_CHARS
from qa_service.domain.rulepack import ID_PATTERN, Problem, Severity, validation_problems
from qa_service.features.packs.rule_form import FormInvalid, bounds_as_written

MAX_NAMES = 200
FINDINGS_FIELDS = ("points", "per", "max_points", "min_severity", "critical", "graded")
LANGUAGES = ("zh", "en")


class ItemForm(BaseModel):
    """The fields; rule ids and categories are text, one per line."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN, max_length=128)
    type: Literal["findings", "question"]
    dimension: str = Field(min_length=1, max_length=128, pattern=ID_PATTERN)
    description: str = Field("", max_length=1000)
    rules: str = Field("", max_length=16 * 1024)
    categories: str = Field("", max_length=16 * 1024)
    points: float | None = Field(None, ge=-100, le=100)
    per: Literal["finding", "call"] | None = None
    max_points: float | None = Field(None, gt=0, le=1000)
    min_severity: Severity | None = None
    critical: bool = False
    graded: bool = False
    question_zh: str = Field("", max_length=MAX_QUESTION_CHARS)
    question_en: str = Field("", max_length=MAX_QUESTION_CHARS)
    instructions_zh: str = Field("", max_length=MAX_INSTRUCTION_CHARS)
    instructions_en: str = Field("", max_length=MAX_INSTRUCTION_CHARS)
    answer_yes: float | None = Field(None, ge=-100, le=100)
    answer_no: float | None = Field(None, ge=-100, le=100)
    answer_not_applicable: float | None = Field(None, ge=-100, le=100)
    combine: Literal["worst", "last"] | None = None


def read_form(values: dict[str, Any]) -> ItemForm:
    """The form's values, bounded; every problem at once, located at its field."""
    try:
        return ItemForm.model_validate(values)
    except ValidationError as exc:
        raise FormInvalid(bounds_as_written(validation_problems(exc, (), "scorecard"))) from None


def _names(text: str, field: str) -> list[str]:
    names = [line.strip() for line in text.splitlines() if line.strip()]
    if len(names) > MAX_NAMES:
        values = {"max_length": str(MAX_NAMES)}
        message = f"at most {MAX_NAMES} lines"
        raise FormInvalid([Problem((field,), message, kind="too_long", values=values)])
    return names


def _number(value: float | None) -> float | int | None:
    return int(value) if value is not None and float(value).is_integer() else value


def _by_language(form: ItemForm, prefix: str) -> dict[str, str]:
    texts = {lang: getattr(form, f"{prefix}_{lang}").strip() for lang in LANGUAGES}
    return {lang: text for lang, text in texts.items() if text}


def _findings(form: ItemForm, item: dict[str, Any]) -> None:
    problems: list[Problem] = []
    for key in ("rules", "categories"):
        try:
            names = _names(getattr(form, key), key)
        except FormInvalid as exc:
            problems += exc.problems
            continue
        if names:
            item[key] = names
    if problems:
        raise FormInvalid(problems)
    item["points"] = _number(form.points if form.points is not None else 0)
    optional = {"per": form.per, "max_points": _number(form.max_points)}
    optional |= {"min_severity": form.min_severity}
    optional |= {"critical": form.critical or None, "graded": form.graded or None}
    item |= {k: v for k, v in optional.items() if v is not None}


def _question(form: ItemForm, item: dict[str, Any]) -> None:
    item["question"] = _by_language(form, "question")
    instructions = _by_language(form, "instructions")
    if instructions:
        item["instructions"] = instructions
    answers = {"yes": form.answer_yes, "no": form.answer_no}
    answers["not_applicable"] = form.answer_not_applicable
    item["answers"] = {k: _number(v) for k, v in answers.items() if v is not None}
    if form.combine:
        item["combine"] = form.combine


MANAGED = frozenset(
    ("id", "type", "dimension", "description", "rules", "categories", *FINDINGS_FIELDS)
) | {"question", "instructions", "answers", "combine"}


def to_rule(form: ItemForm, existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The item the form describes, keeping what the form does not show of ``existing``."""
    head = {"id": form.id, "type": form.type, "dimension": form.dimension}
    item: dict[str, Any] = head | ({"description": form.description} if form.description else {})
    (_findings if form.type == "findings" else _question)(form, item)
    kept = {k: v for k, v in (existing or {}).items() if k not in MANAGED}
    if form.type == "findings":
        del item["type"]  # the default
    return item | kept


def form_of(item: dict[str, Any]) -> dict[str, Any]:
    """The form's values for a scorecard item (every item has one)."""
    kind = "question" if item.get("type") == "question" else "findings"
    values: dict[str, Any] = {"id": item.get("id", ""), "type": kind}
    values |= {k: item.get(k, "") for k in ("dimension", "description")}
    for key in ("rules", "categories"):
        names = item.get(key)
        values[key] = "\n".join(map(str, names)) if isinstance(names, list) else ""
    values |= {k: item.get(k) for k in FINDINGS_FIELDS}
    for prefix in ("question", "instructions"):
        texts = item.get(prefix) if isinstance(item.get(prefix), dict) else {}
        values |= {f"{prefix}_{lang}": texts.get(lang, "") for lang in LANGUAGES}
    answers = item.get("answers") if isinstance(item.get("answers"), dict) else {}
    # YAML 1.1 reads the keys yes and no as booleans.
    named = {
        {True: "yes", False: "no"}.get(k, k) if isinstance(k, bool) else k: v
        for k, v in answers.items()
    }
    values |= {f"answer_{a}": named.get(a) for a in ("yes", "no", "not_applicable")}
    values["combine"] = item.get("combine")
    values["critical"] = bool(values["critical"])
    values["graded"] = bool(values["graded"])
    return values
