"""Parameter types shared by the operators: phrase lists, time windows, roles.

Phrase lists are compiled while the pack is validated, so a bad regex or an unknown
``@phrase_set`` reference is reported at its own line and the pack is refused whole.
The validation context (a ``PhraseContext``) carries the pack's phrase sets and defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from qa_service.domain.textmatch import MATCH_MODES, Match, Phrase, TokenizedText

Role = Literal["agent", "customer", "any"]
NegationMode = Literal["exclude", "ignore", "require"]
# Matches inside a question clause: "auto" skips them for the categories that judge what the
# agent does wrong (see QUESTION_SKIP_CATEGORIES), counts them elsewhere.
QuestionMode = Literal["auto", "skip", "count"]
QUESTION_SKIP_CATEGORIES = frozenset({"deflection", "forbidden_phrase"})
PHRASE_SET_PREFIX = "@"


@dataclass(frozen=True, slots=True)
class PhraseContext:
    """What compiling a phrase needs to know about its pack and rule."""

    phrase_sets: dict[str, Any] = field(default_factory=dict)
    mode: str = "fuzzy"
    min_similarity: float = 0.8
    across_clauses: bool = False


@dataclass(frozen=True, slots=True)
class PhraseSet:
    phrases: tuple[Phrase, ...]

    def find(
        self, text: TokenizedText, negation: str = "exclude", questions: str = "count"
    ) -> list[tuple[Phrase, Match]]:
        return [(p, m) for p in self.phrases for m in p.find(text, negation, questions)]

    def first(
        self, text: TokenizedText, negation: str = "exclude", questions: str = "count"
    ) -> tuple[Phrase, Match] | None:
        for phrase in self.phrases:
            found = phrase.find(text, negation, questions)
            if found:
                return phrase, found[0]
        return None

    @property
    def sources(self) -> list[str]:
        return [p.source for p in self.phrases]


class Params(BaseModel):
    """Base of every operator's parameters: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def _context(info: ValidationInfo) -> PhraseContext:
    ctx = info.context
    if isinstance(ctx, PhraseContext):
        return ctx
    return PhraseContext()


def _compile_spec(value: Any, info: ValidationInfo) -> tuple[Phrase, ...]:
    return compile_spec(value, _context(info), seen=())


def compile_spec(value: Any, ctx: PhraseContext, seen: tuple[str, ...]) -> tuple[Phrase, ...]:
    """One list entry: "text", "@set", or {fuzzy|exact|regex: text, min_similarity: x}."""
    if isinstance(value, str) and value.startswith(PHRASE_SET_PREFIX):
        return _expand_set(value[len(PHRASE_SET_PREFIX) :], ctx, seen)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # YAML reads 12315 as a number
    if isinstance(value, str):
        return (_compile(value, ctx.mode, ctx.min_similarity, ctx.across_clauses, None),)
    if isinstance(value, dict):
        return (_compile_mapping(value, ctx),)
    raise ValueError("a phrase is a string, '@set_name' or a mapping like {regex: '...'}")


def _expand_set(name: str, ctx: PhraseContext, seen: tuple[str, ...]) -> tuple[Phrase, ...]:
    if name in seen:
        raise ValueError(f"phrase set '@{name}' refers to itself")
    if name not in ctx.phrase_sets:
        known = ", ".join(sorted(ctx.phrase_sets)) or "none defined"
        raise ValueError(f"unknown phrase set '@{name}' (known: {known})")
    entries = ctx.phrase_sets[name]
    if not isinstance(entries, list):
        raise ValueError(f"phrase set '@{name}' must be a list")
    return tuple(p for entry in entries for p in compile_spec(entry, ctx, (*seen, name)))


PHRASE_OPTIONS = ("min_similarity", "across_clauses", "in_questions")


def _compile_mapping(value: dict[str, Any], ctx: PhraseContext) -> Phrase:
    modes = [k for k in value if k in MATCH_MODES]
    unknown = sorted(set(value) - set(MATCH_MODES) - set(PHRASE_OPTIONS))
    if unknown or len(modes) != 1:
        raise ValueError(
            "a phrase mapping has exactly one of fuzzy/exact/regex and optionally "
            + ", ".join(PHRASE_OPTIONS)
        )
    flags = {k: value.get(k) for k in ("across_clauses", "in_questions")}
    if any(v is not None and not isinstance(v, bool) for v in flags.values()):
        raise ValueError("across_clauses and in_questions are true or false")
    threshold = value.get("min_similarity", ctx.min_similarity)
    if not isinstance(threshold, int | float) or not 0.0 < threshold <= 1.0:
        raise ValueError("min_similarity must be a number in (0, 1]")
    text = value[modes[0]]
    if not isinstance(text, str):
        raise ValueError(f"{modes[0]} must be a string")
    across = ctx.across_clauses if flags["across_clauses"] is None else flags["across_clauses"]
    return _compile(text, modes[0], float(threshold), across, flags["in_questions"])


def _compile(
    text: str, mode: str, min_similarity: float, across: bool, in_questions: bool | None
) -> Phrase:
    try:
        return Phrase.compile(
            text, mode, min_similarity, across_clauses=across, in_questions=in_questions
        )
    except Exception as exc:  # re.error or an empty phrase: both are the author's mistake
        raise ValueError(f"cannot compile {mode} phrase {text!r}: {exc}") from None


def _to_set(items: list[tuple[Phrase, ...]]) -> PhraseSet:
    phrases = tuple(p for group in items for p in group)
    if not phrases:
        raise ValueError("at least one phrase is needed")
    return PhraseSet(phrases)


PhraseItem = Annotated[tuple[Phrase, ...], BeforeValidator(_compile_spec)]
Phrases = Annotated[list[PhraseItem], AfterValidator(_to_set)]
"""A validated list of phrase entries; after validation the field holds a ``PhraseSet``."""


class Window(BaseModel):
    """Where in the call a rule looks; every key given must hold (they intersect)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_s: float | None = Field(None, gt=0, description="utterances starting in the first N s")
    last_s: float | None = Field(None, gt=0, description="utterances ending in the last N s")
    first_turns: int | None = Field(None, gt=0, description="the role's first N utterances")
    last_turns: int | None = Field(None, gt=0, description="the role's last N utterances")
    skip_first_turns: int | None = Field(None, gt=0, description="not the role's first N")
    after_s: float | None = Field(None, ge=0, description="utterances starting at or after N s")
    before_s: float | None = Field(None, gt=0, description="utterances starting before N s")


class PackSettings(BaseModel):
    """Pack-wide defaults; every key is documented in rules/SCHEMA.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    match: Literal["fuzzy", "exact", "regex"] = "fuzzy"
    min_similarity: float = Field(0.8, gt=0, le=1)
    across_clauses: bool = False
    negation_window: int = Field(3, ge=0, le=10)
    silence_min_s: float = Field(3.0, gt=0)
    overlap_min_s: float = Field(0.5, ge=0)
    backchannels: list[str] = Field(default_factory=list)
    sentiment_min_score: float = Field(0.6, ge=0, le=1)


def question_mode(mode: str, category: str) -> str:
    """``skip`` or ``count`` for a rule's ``questions`` setting."""
    if mode != "auto":
        return mode
    return "skip" if category in QUESTION_SKIP_CATEGORIES else "count"


def phrase_sources(value: Any) -> list[str]:
    """The text of every fuzzy or exact phrase in compiled parameters (any nesting)."""
    if isinstance(value, PhraseSet):
        return [p.source for p in value.phrases if p.mode != "regex"]
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return [s for name in fields for s in phrase_sources(getattr(value, name))]
    if isinstance(value, list | tuple):
        return [s for item in value for s in phrase_sources(item)]
    return []
