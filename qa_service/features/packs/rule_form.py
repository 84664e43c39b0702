"""The rule builder's form: the common check types as fields, and a rule of a pack as them.

A form covers what QA people set by hand (phrases present or missing, forbidden phrases,
silence, talking over, call acts); what it does not show of an existing rule (a per-phrase
threshold, ``negation``, a window's ``after_s``) is kept when the rule is written back.
Every number is bounded here, before the pack's own validation sees the rule.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa_service import safe_yaml
from qa_service.domain.checks.acts import ActName
from qa_service.domain.checks.params import Role
from qa_service.domain.rulepack import ID_PATTERN, Problem, Severity, validation_problems
from qa_service.domain.tokens import has_han

FORM_TYPES = ("phrase", "missing_phrase", "silence", "interruption", "act")
FormType = Literal["phrase", "missing_phrase", "silence", "interruption", "act"]
MAX_PHRASE_LINES = 500
MAX_PHRASE_CHARS = 500
MAX_TURNS = 1000
MAX_SECONDS = 86_400.0
# The params each type's fields write; a rule's other params are kept as they are.
PARAMS: dict[str, tuple[str, ...]] = {
    "phrase": ("phrases", "per"),
    "missing_phrase": ("phrases",),
    "silence": ("min_s", "hold_max_s", "hold_phrases", "thanks_phrases"),
    "interruption": ("min_overlap_s",),
    "act": ("act", "min_probability", "per"),
}
PHRASE_FIELDS = ("phrases", "hold_phrases", "thanks_phrases")
WINDOW_FIELDS = ("first_turns", "last_turns", "skip_first_turns", "first_s", "last_s")


class RuleForm(BaseModel):
    """The builder's fields; phrase lists are text, one phrase per line."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN, max_length=128)
    type: FormType
    category: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    severity: Severity = "minor"
    role: Role = "any"
    name_zh: str = Field("", max_length=120)
    name_en: str = Field("", max_length=120)
    description_zh: str = Field("", max_length=1000)
    description_en: str = Field("", max_length=1000)
    enabled: bool = True
    first_turns: int | None = Field(None, ge=1, le=MAX_TURNS)
    last_turns: int | None = Field(None, ge=1, le=MAX_TURNS)
    skip_first_turns: int | None = Field(None, ge=1, le=MAX_TURNS)
    first_s: float | None = Field(None, gt=0, le=MAX_SECONDS)
    last_s: float | None = Field(None, gt=0, le=MAX_SECONDS)
    phrases: str = Field("", max_length=64 * 1024)
    per: Literal["utterance", "call"] | None = None
    min_s: float | None = Field(None, gt=0, le=3600)
    hold_max_s: float | None = Field(None, gt=0, le=3600)
    hold_phrases: str = Field("", max_length=64 * 1024)
    thanks_phrases: str = Field("", max_length=64 * 1024)
    min_overlap_s: float | None = Field(None, ge=0, le=60)
    act: ActName | None = None
    min_probability: float | None = Field(None, ge=0, le=1)


class FormInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def read_form(values: dict[str, Any]) -> RuleForm:
    """The form's values, bounded; every problem at once, located at its field."""
    try:
        return RuleForm.model_validate(values)
    except ValidationError as exc:
        raise FormInvalid(bounds_as_written(validation_problems(exc))) from None


def bounds_as_written(problems: list[Problem]) -> list[Problem]:
    """Bounds as people write them: "at most 1", not "at most 1.0"."""
    bounds = ("gt", "ge", "lt", "le")
    return [
        replace(
            p, values={k: v.removesuffix(".0") if k in bounds else v for k, v in p.values.items()}
        )
        for p in problems
    ]


def parse_phrases(text: str, field: str) -> list[Any]:
    """One phrase per line; a line that starts with ``{`` is a phrase with options
    (``{regex: ...}``, ``{fuzzy: ..., min_similarity: 0.9}``) as the pack writes it."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    problems = []
    if len(lines) > MAX_PHRASE_LINES:
        values = {"max_length": str(MAX_PHRASE_LINES)}
        message = f"at most {MAX_PHRASE_LINES} phrases"
        problems.append(Problem((field,), message, kind="too_long", values=values))
    phrases: list[Any] = []
    for number, line in enumerate(lines[:MAX_PHRASE_LINES], 1):
        if len(line) > MAX_PHRASE_CHARS:
            values = {"line": str(number), "max_length": str(MAX_PHRASE_CHARS)}
            message = f"line {number} is longer than {MAX_PHRASE_CHARS} characters"
            problems.append(Problem((field,), message, kind="phrase_line_too_long", values=values))
        elif line.startswith("{"):
            phrases.append(_phrase_mapping(line, number, field, problems))
        else:
            phrases.append(line)
    if problems:
        raise FormInvalid(problems)
    return phrases


def _phrase_mapping(line: str, number: int, field: str, problems: list[Problem]) -> Any:
    try:
        value = safe_yaml.load(line)
    except (yaml.YAMLError, ValueError):
        value = None
    if not isinstance(value, dict):
        message = f"line {number} starts with '{{' but is not a {{key: value}} mapping"
        values = {"line": str(number)}
        problems.append(Problem((field,), message, kind="phrase_bad_mapping", values=values))
    return value


def _number(value: float | None) -> float | int | None:
    """5.0 as 5, as an author writes it."""
    return int(value) if value is not None and float(value).is_integer() else value


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value == [] or value == "":
        target.pop(key, None)
    else:
        target[key] = value


def to_rule(form: RuleForm, existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rule the form describes, keeping what the form does not show of ``existing``;
    ``FormInvalid`` with every phrase line that cannot be a phrase."""
    existing = existing or {}
    head = {
        "id": form.id,
        "name": bilingual(form.name_zh, form.name_en),
        "description": bilingual(form.description_zh, form.description_en),
        "type": form.type,
    }
    head |= {"category": form.category, "severity": form.severity, "role": form.role}
    rule = {k: v for k, v in head.items() if v != ""}
    rule |= {k: v for k, v in existing.items() if k not in (*head, "window", "params", "enabled")}
    if not form.enabled:
        rule["enabled"] = False
    window = dict(existing.get("window") or {}) if isinstance(existing.get("window"), dict) else {}
    for key in WINDOW_FIELDS:
        _set(window, key, _number(getattr(form, key)))
    _set(rule, "window", window or None)
    same_type = existing.get("type") == form.type and isinstance(existing.get("params"), dict)
    params = dict(existing["params"]) if same_type else {}
    problems: list[Problem] = []
    for key in PARAMS[form.type]:
        value = getattr(form, key)
        if key in PHRASE_FIELDS:
            try:
                value = parse_phrases(value, key)
            except FormInvalid as exc:
                problems += exc.problems
                continue
        _set(params, key, _number(value) if isinstance(value, float) else value)
    if problems:
        raise FormInvalid(problems)
    rule["params"] = params
    return rule


def bilingual(zh: str, en: str) -> str | dict[str, str]:
    """A pack text as the packs write it: ``{en, zh}`` with both, the one text with one."""
    zh, en = zh.strip(), en.strip()
    return {"en": en, "zh": zh} if zh and en else zh or en


def split_text(value: Any) -> tuple[str, str]:
    """(zh, en) of a pack text: a ``{zh, en}`` mapping, or one text put by its script."""
    if isinstance(value, dict):
        return str(value.get("zh") or ""), str(value.get("en") or "")
    text = str(value or "")
    return (text, "") if has_han(text) else ("", text)


def _phrase_lines(entries: Any) -> str:
    if not isinstance(entries, list):
        return ""
    lines = []
    for entry in entries:
        if isinstance(entry, dict):
            flow = yaml.safe_dump(
                entry, allow_unicode=True, default_flow_style=True, width=1_000_000
            )
            lines.append(flow.strip())
        else:
            lines.append(str(entry))
    return "\n".join(lines)


def form_of(rule: dict[str, Any]) -> dict[str, Any] | None:
    """The form's values for a rule of a pack; None when its type is not one the form has."""
    if rule.get("type") not in FORM_TYPES:
        return None
    window = rule.get("window") if isinstance(rule.get("window"), dict) else {}
    params = rule.get("params") if isinstance(rule.get("params"), dict) else {}
    values: dict[str, Any] = {
        key: rule.get(key, default)
        for key, default in (
            ("id", ""),
            ("type", ""),
            ("category", ""),
            ("severity", "minor"),
            ("role", "any"),
            ("enabled", True),
        )
    }
    for key in ("name", "description"):
        values[f"{key}_zh"], values[f"{key}_en"] = split_text(rule.get(key))
    values |= {key: window.get(key) for key in WINDOW_FIELDS}
    for key in PARAMS[rule["type"]]:
        values[key] = _phrase_lines(params.get(key)) if key in PHRASE_FIELDS else params.get(key)
    return values
