"""Boolean phrase logic (and/or/not/near) and similarity to example sentences."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from math import sqrt
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from qa_service.domain.checks.context import CheckContext
from qa_service.domain.checks.params import (
    NegationMode,
    Params,
    Phrases,
    QuestionMode,
    question_mode,
)
from qa_service.domain.checks.registry import register_check
from qa_service.domain.results import Finding
from qa_service.domain.textmatch import TokenizedText, tokenize

if TYPE_CHECKING:
    from qa_service.domain.rulepack import Rule

EXPR_KEYS = ("phrases", "all", "any", "not", "near")


class Near(Params):
    phrases: Phrases
    to: Phrases
    within: int = Field(5, ge=0, description="tokens between the two matches")
    ordered: bool = False


class Expr(Params):
    """Exactly one of: phrases (any said), all, any, not, near."""

    model_config = Params.model_config | {"populate_by_name": True}

    phrases: Phrases | None = None
    all_: list[Expr] | None = Field(None, alias="all", min_length=1)
    any_: list[Expr] | None = Field(None, alias="any", min_length=1)
    not_: Expr | None = Field(None, alias="not")
    near: Near | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Expr:
        given = [k for k, v in zip(EXPR_KEYS, self._parts(), strict=True) if v is not None]
        if len(given) != 1:
            raise ValueError(f"an expression has exactly one of {', '.join(EXPR_KEYS)}")
        return self

    def _parts(self) -> tuple[object, ...]:
        return (self.phrases, self.all_, self.any_, self.not_, self.near)


Expr.model_rebuild()


class BooleanParams(Params):
    expr: Expr
    negation: NegationMode = "exclude"
    unit: Literal["utterance", "call"] = "utterance"
    questions: QuestionMode = "auto"


def evaluate(
    expr: Expr, texts: list[TokenizedText], negation: str, questions: str = "count"
) -> bool:
    if expr.phrases is not None:
        return any(expr.phrases.first(t, negation, questions) for t in texts)
    if expr.all_ is not None:
        return all(evaluate(e, texts, negation, questions) for e in expr.all_)
    if expr.any_ is not None:
        return any(evaluate(e, texts, negation, questions) for e in expr.any_)
    if expr.not_ is not None:
        return not evaluate(expr.not_, texts, negation, questions)
    assert expr.near is not None
    return any(_near(expr.near, t, negation, questions) for t in texts)


def _near(near: Near, text: TokenizedText, negation: str, questions: str) -> bool:
    firsts = [m for _, m in near.phrases.find(text, negation, questions)]
    seconds = [m for _, m in near.to.find(text, negation, questions)]
    for a in firsts:
        for b in seconds:
            gap = b.start - a.end if b.start >= a.end else a.start - b.end
            if near.ordered and b.start < a.end:
                continue
            if gap <= near.within:
                return True
    return False


@register_check("boolean", BooleanParams)
def boolean(ctx: CheckContext, rule: Rule, params: BooleanParams) -> list[Finding]:
    """A finding for each utterance (or the call, unit: call) where the expression holds."""
    indices = ctx.select(rule.role, rule.window)
    questions = question_mode(params.questions, rule.category)
    if params.unit == "call":
        texts = [ctx.text(i) for i in indices]
        holds = evaluate(params.expr, texts, params.negation, questions)
        return [ctx.call_finding(rule, "")] if holds else []
    return [
        ctx.utterance_finding(rule, i)
        for i in indices
        if evaluate(params.expr, [ctx.text(i)], params.negation, questions)
    ]


def ngram_profile(text: TokenizedText) -> Counter[str]:
    """Unigrams and bigrams of coarse keys: a bag that survives homophones and spelling."""
    keys = [min(t.coarse) for t in text.tokens]
    grams = Counter(keys)
    grams.update(f"{a}_{b}" for a, b in pairwise(keys))
    return grams


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    norm = sqrt(sum(v * v for v in a.values())) * sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


Similarity = Callable[[str, list[str]], float]
_SIMILARITIES: dict[str, Similarity] = {}


def register_similarity(name: str) -> Callable[[Similarity], Similarity]:
    """Add a sentence similarity (an embedding model, say) that ``similar`` rules can name."""

    def decorate(fn: Similarity) -> Similarity:
        _SIMILARITIES[name] = fn
        return fn

    return decorate


@register_similarity("ngram")
def ngram_similarity(text: str, examples: list[str]) -> float:
    """Cosine of pinyin / word n-gram bags: robust to homophones and misspellings."""
    profile = ngram_profile(tokenize(text, words=False))
    return max((cosine(profile, _example_profile(e)) for e in examples), default=0.0)


# The configured sentence similarity: an embedding model when one is set up, else the n-gram
# similarity on the same calibrated scale. It is the engines' choice, so it comes with each
# run (``CheckContext.semantic``, set by ``qa_service.analysis.inspect.run``); the name is
# known here so that packs naming it validate anywhere, `rules check` included.
SEMANTIC = "semantic"


_PROFILES: dict[str, Counter[str]] = {}


def _example_profile(example: str) -> Counter[str]:
    if example not in _PROFILES:
        _PROFILES[example] = ngram_profile(tokenize(example, words=False))
    return _PROFILES[example]


class SimilarParams(Params):
    examples: list[str] = Field(min_length=1)
    min_similarity: float = Field(0.6, gt=0, le=1)
    method: str = SEMANTIC
    absent: bool = False

    @model_validator(mode="after")
    def _known_method(self) -> SimilarParams:
        if self.method != SEMANTIC and self.method not in _SIMILARITIES:
            known = sorted({SEMANTIC, *_SIMILARITIES})
            raise ValueError(f"unknown similarity {self.method!r} (known: {known})")
        return self


@register_check("similar", SimilarParams)
def similar(ctx: CheckContext, rule: Rule, params: SimilarParams) -> list[Finding]:
    """A finding for each utterance like one of the examples (or one when none is, absent)."""
    score = ctx.semantic if params.method == SEMANTIC else _SIMILARITIES[params.method]
    if score is None:
        raise RuntimeError("no 'semantic' similarity: run checks with qa_service.analysis.inspect")
    found = []
    for i in ctx.select(rule.role, rule.window):
        value = score(ctx.utterances[i].text, params.examples)
        if value >= params.min_similarity:
            found.append(ctx.utterance_finding(rule, i, similarity=round(value, 3)))
    if not params.absent:
        return found
    if found:
        return []
    return [ctx.call_finding(rule, "", expected_like=params.examples[:3])]
