"""Rule packs and scorecards: the schema of their YAML files, validated all at once.

Validation collects every problem (with its location in the document) before refusing,
so an author fixes a pack in one pass and a broken pack is never half-applied.
Reading files and turning locations into line numbers is the loader's job
(``qa_service.analysis.packs``); this module only sees plain data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from qa_service.domain.asr_terms import clean_terms
from qa_service.domain.checks import CheckType, get_check
from qa_service.domain.checks.params import (
    PackSettings,
    Params,
    PhraseContext,
    Role,
    Window,
    compile_spec,
    phrase_sources,
)

# The problems are re-exported: callers import a pack's errors with its schema.
from qa_service.domain.pack_problems import (
    Loc,
    PackInvalid,
    Problem,
    validation_problems,
)
from qa_service.domain.pack_problems import RulePackError as RulePackError
from qa_service.domain.pack_text import Description, Name, text_in
from qa_service.domain.question_spec import MAX_QUESTIONS, QuestionFields
from qa_service.domain.results import CATEGORIES
from qa_service.domain.segment import vocabulary_of

SEVERITIES = ("info", "minor", "major", "critical")
Severity = Literal["info", "minor", "major", "critical"]
ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
DEFAULT_SCORECARD = "standard"
# Pack and scorecard names become file names: a bounded ID, never a path.
NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,127}$"
# Packs are data: code comes only from check types the administrator installed.
NO_PLUGINS = (
    "packs cannot load code: remove 'plugins:'; custom check types are installed by the "
    "administrator as Python entry points (group 'qa_service.checks') and used by name"
)


SCORECARD_NAME = (
    "a scorecard is named as in the scorecards listing (lower case letters, digits and "
    "'-_.', up to 128), not a path; or write the scorecard inline"
)


def is_safe_name(name: str) -> bool:
    """A pack or scorecard name that can only ever be a file name inside its folder."""
    return re.fullmatch(NAME_PATTERN, name) is not None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    type: str
    category: str
    severity: Severity = "minor"
    role: Role = "any"
    window: Window | None = None
    name: Name = ""
    description: Description = ""
    enabled: bool = True
    match: Literal["fuzzy", "exact", "regex"] | None = None
    min_similarity: float | None = Field(None, gt=0, le=1)
    across_clauses: bool | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class PackSpec(_Strict):
    pack: str = Field(pattern=NAME_PATTERN)
    version: Literal[1] = 1
    # Inheritance, merged by the loader before validation (qa_service.domain.pack_inheritance).
    extends: str | None = Field(None, pattern=ID_PATTERN)
    exclude_rules: list[str] = Field(default_factory=list)
    exclude_types: list[str] = Field(default_factory=list)
    language: Literal["zh", "en"] | None = None
    description: Description = ""
    categories: list[str] = Field(default_factory=list)
    settings: PackSettings = Field(default_factory=PackSettings)
    phrase_sets: dict[str, list[Any]] = Field(default_factory=dict)
    # The centre's terms the recogniser is biased toward (brand, products, departments).
    vocabulary: list[Any] = Field(default_factory=list)
    # A name from the scorecards listing (never a path), or the scorecard inline.
    scorecard: str | dict[str, Any] = DEFAULT_SCORECARD
    rules: list[RuleSpec] = Field(min_length=1)

    @field_validator("vocabulary")
    @classmethod
    def _terms(cls, value: list[Any]) -> list[str]:
        return list(clean_terms(value))

    @field_validator("scorecard", mode="before")
    @classmethod
    def _scorecard_is_a_name(cls, value: Any) -> Any:
        if isinstance(value, str) and not is_safe_name(value):
            raise ValueError(SCORECARD_NAME)
        return value


class Dimension(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: Name = ""
    description: Description = ""
    weight: float = Field(gt=0)
    base: float = Field(100.0, ge=0, le=100)

    def name_in(self, language: str | None) -> str:
        return text_in(self.name, language, self.id)


class ScoreItem(QuestionFields):
    id: str = Field(pattern=ID_PATTERN)
    dimension: str
    name: Name = ""
    description: Description = ""
    categories: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)
    # A question item's points are its answers' (question_spec.QuestionFields).
    points: float = Field(0.0, ge=-100, le=100)
    per: Literal["finding", "call"] = "finding"
    max_points: float | None = Field(None, gt=0)
    min_severity: Severity = "minor"
    graded: bool = False
    critical: bool = False
    critical_min_similarity: float = Field(0.95, gt=0, le=1)

    @model_validator(mode="after")
    def _matches_something(self) -> ScoreItem:
        problem = self.question_problem(bool(self.categories or self.rules))
        if problem:
            raise ValueError(problem)
        if self.type == "question":
            return self
        if not self.categories and not self.rules:
            raise ValueError(
                "an item needs 'categories' or 'rules' to say which findings it scores"
            )
        if self.points == 0 and not self.critical:
            raise ValueError("an item with 0 points must be critical, or it does nothing")
        return self


class Scorecard(_Strict):
    scorecard: str = Field(pattern=NAME_PATTERN)
    version: Literal[1] = 1
    description: Description = ""
    critical_score: float = Field(0.0, ge=0, le=100)
    categories: list[str] = Field(default_factory=list)
    dimensions: list[Dimension] = Field(min_length=1)
    items: list[ScoreItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Scorecard:
        _unique("dimension", [d.id for d in self.dimensions])
        _unique("item", [i.id for i in self.items])
        if sum(i.type == "question" for i in self.items) > MAX_QUESTIONS:
            raise ValueError(f"at most {MAX_QUESTIONS} question items in a scorecard")
        known = {d.id for d in self.dimensions}
        for item in self.items:
            if item.dimension not in known:
                raise ValueError(
                    f"item {item.id!r} names dimension {item.dimension!r}, "
                    f"not one of {sorted(known)}"
                )
        return self


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"{what} id {value!r} is used twice")
        seen.add(value)


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated rule, its parameters compiled for its check type."""

    id: str
    type: str
    category: str
    severity: str
    role: str
    window: Window | None
    params: Params
    check: CheckType
    # A text, or one per language (domain/pack_text.py): pages show ``name_in(language)``.
    description: str | dict[str, str] = ""
    name: str | dict[str, str] = ""

    def name_in(self, language: str | None) -> str:
        """The rule's name for a reader of ``language``; the id only when it has none."""
        return text_in(self.name, language, self.id)

    def description_in(self, language: str | None) -> str:
        return text_in(self.description, language)


@dataclass(frozen=True, slots=True)
class RulePack:
    name: str
    language: str | None
    description: str | dict[str, str]
    settings: PackSettings
    rules: tuple[Rule, ...]
    scorecard: Scorecard
    categories: frozenset[str]
    source: str = ""
    # The Chinese words of the pack's phrases, added to the segmenter (domain/segment.py).
    vocabulary: frozenset[str] = frozenset()
    # The pack's declared terms, for the recogniser (``vocabulary:`` in the pack).
    asr_terms: tuple[str, ...] = ()


def build_scorecard(data: Any, prefix: Loc = (), document: Any = "scorecard") -> Scorecard:
    try:
        return Scorecard.model_validate(data)
    except ValidationError as exc:
        raise PackInvalid(validation_problems(exc, prefix, document)) from None


def build_pack(data: Any, scorecard: Scorecard | None = None, source: str = "") -> RulePack:
    """Validate a pack's data; ``scorecard`` is the loaded file its ``scorecard:`` names."""
    problems: list[Problem] = []
    if isinstance(data, dict) and "plugins" in data:
        problems.append(Problem(("plugins",), NO_PLUGINS))
        data = {k: v for k, v in data.items() if k != "plugins"}
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        raise PackInvalid(problems + validation_problems(exc)) from None
    if isinstance(spec.scorecard, dict):
        try:
            scorecard = build_scorecard(spec.scorecard, ("scorecard",), "pack")
        except PackInvalid as exc:
            problems.extend(exc.problems)
    categories = frozenset(CATEGORIES) | frozenset(spec.categories)
    problems.extend(_phrase_set_problems(spec))
    rules = _build_rules(spec, categories, problems)
    if scorecard is not None:
        categories |= frozenset(scorecard.categories)
        problems.extend(_scorecard_problems(scorecard, spec, categories))
    elif isinstance(spec.scorecard, str):
        problems.append(Problem(("scorecard",), f"scorecard {spec.scorecard!r} was not loaded"))
    if problems or scorecard is None:
        raise PackInvalid(problems)
    return RulePack(
        name=spec.pack,
        language=spec.language,
        description=spec.description,
        settings=spec.settings,
        rules=tuple(rules),
        scorecard=scorecard,
        categories=categories,
        source=source,
        vocabulary=vocabulary_of(
            [s for rule in rules for s in phrase_sources(rule.params)] + spec.vocabulary
        ),
        asr_terms=tuple(spec.vocabulary),
    )


def _phrase_set_problems(spec: PackSpec) -> list[Problem]:
    ctx = _phrase_context(spec, None)
    problems: list[Problem] = []
    for name, entries in spec.phrase_sets.items():
        for k, entry in enumerate(entries):
            try:
                compile_spec(entry, ctx, seen=(name,))
            except ValueError as exc:
                problems.append(Problem(("phrase_sets", name, k), str(exc)))
    return problems


def _phrase_context(spec: PackSpec, rule: RuleSpec | None) -> PhraseContext:
    settings = spec.settings
    return PhraseContext(
        phrase_sets=spec.phrase_sets,
        mode=(rule and rule.match) or settings.match,
        min_similarity=(rule and rule.min_similarity) or settings.min_similarity,
        across_clauses=settings.across_clauses
        if rule is None or rule.across_clauses is None
        else rule.across_clauses,
    )


def _build_rules(spec: PackSpec, categories: frozenset[str], problems: list[Problem]) -> list[Rule]:
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, rule in enumerate(spec.rules):
        if rule.id in seen:
            problems.append(Problem(("rules", i, "id"), f"rule id {rule.id!r} is used twice"))
        seen.add(rule.id)
        if rule.category not in categories:
            problems.append(
                Problem(
                    ("rules", i, "category"),
                    f"unknown category {rule.category!r}: use one of DESIGN.md's categories "
                    "or declare it under 'categories:'",
                )
            )
        try:
            check = get_check(rule.type)
        except ValueError as exc:
            problems.append(Problem(("rules", i, "type"), str(exc)))
            continue
        try:
            params = check.params.model_validate(rule.params, context=_phrase_context(spec, rule))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, ("rules", i, "params")))
            continue
        if rule.enabled:
            rules.append(
                Rule(
                    rule.id,
                    rule.type,
                    rule.category,
                    rule.severity,
                    rule.role,
                    rule.window,
                    params,
                    check,
                    rule.description,
                    rule.name,
                )
            )
    return rules


def _scorecard_problems(
    scorecard: Scorecard, spec: PackSpec, categories: frozenset[str]
) -> list[Problem]:
    """Items must name categories and rules this pack knows (typos would score nothing)."""
    inline = isinstance(spec.scorecard, dict)
    document: Literal["pack", "scorecard"] = "pack" if inline else "scorecard"
    prefix: Loc = ("scorecard",) if inline else ()
    known = {"categories": categories, "rules": frozenset(r.id for r in spec.rules)}
    why = {
        "categories": "unknown category {!r} (declare it under 'categories:')",
        "rules": "no rule {!r} in pack " + repr(spec.pack),
    }
    return [
        Problem((*prefix, "items", j, field, k), why[field].format(value), document)
        for j, item in enumerate(scorecard.items)
        for field in ("categories", "rules")
        for k, value in enumerate(getattr(item, field))
        if value not in known[field]
    ]
