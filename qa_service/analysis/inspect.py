"""``run``: the one way to run a rule pack's checks on a transcript.

The pipeline, the worker, rule cases, the CLI and rescoring all come here, so a pack scores a
call the same way wherever it runs. Loading packs is ``qa_service.analysis.packs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qa_service.analysis.questions import answer_questions
from qa_service.domain.checks import CheckContext
from qa_service.domain.llm_questions import QUESTION_CATEGORY
from qa_service.domain.metrics import compute_metrics
from qa_service.domain.results import CallResult, CallScore, Finding
from qa_service.domain.rulepack import RulePack, ScoreItem
from qa_service.domain.scoring import score_call
from qa_service.domain.transcript import Transcript

if TYPE_CHECKING:
    from qa_service.engines.registry import Engines


@dataclass
class InspectionOutcome:
    findings: list[Finding]
    score: CallScore
    metrics: dict[str, Any] = field(default_factory=dict)


def run(
    transcript: Transcript,
    pack: RulePack,
    engines: Engines,
    *,
    ask: bool | None = None,
    kept_answers: Sequence[Finding] = (),
) -> InspectionOutcome:
    """Findings, score and metrics of one transcript under ``pack``.

    ``engines`` gives the ``semantic`` similarity (n-gram unless an embedding model is set,
    so no model loads for packs that do not need one) and the language model of the
    scorecard's questions. ``ask``: whether to put the questions to the model (None: when
    ``llm_scope`` is ``all``); when not asked, ``kept_answers`` (earlier answers to the same
    questions on the same transcript) are scored again.
    """
    _backend, similarity = engines.similarity
    ctx = CheckContext(transcript, pack.settings, vocabulary=pack.vocabulary, semantic=similarity)
    findings: list[Finding] = []
    for rule in pack.rules:
        if rule.check.needs_channels and not ctx.separate_channels:
            ctx.note_not_evaluated(rule, "needs each party on its own channel")
            continue
        if rule.check.needs_timing and not transcript.real_timestamps:
            ctx.note_not_evaluated(rule, "needs the real times of the messages")
            continue
        if rule.check.needs_speech and not ctx.spoken(ctx.select(rule.role, rule.window)):
            who = "" if rule.role == "any" else f"{rule.role} "
            ctx.note_not_evaluated(rule, f"no {who}speech in the rule's window")
            continue
        findings.extend(rule.check.run(ctx, rule, rule.params))
    questions = [item for item in pack.scorecard.items if item.type == "question"]
    asked = bool(questions) and _ask_questions(engines, ask)
    if asked:
        answered = answer_questions(
            transcript, questions, findings, engines.llm, engines.settings.llm_window_chars
        )
        findings.extend(answered.findings)
        ctx.not_evaluated.extend(answered.not_evaluated)
    else:
        findings.extend(_still_valid(kept_answers, questions, transcript))
    findings.sort(key=lambda f: (f.start is None, f.start or 0.0, f.rule_id))
    metrics = compute_metrics(
        transcript,
        silence_min_s=pack.settings.silence_min_s,
        overlap_min_s=pack.settings.overlap_min_s,
        separate_channels=ctx.separate_channels,
        is_backchannel=ctx.is_backchannel,
    )
    metrics["rule_pack"] = pack.name
    metrics["not_evaluated"] = ctx.not_evaluated
    if questions:
        metrics["questions"] = {"asked": asked, "scope": engines.settings.llm_scope}
        if asked:
            metrics["questions"].update(answered.usage.to_dict())
    score = score_call(findings, pack.scorecard, ctx.not_evaluated)
    return InspectionOutcome(findings, score, metrics)


def _ask_questions(engines: Engines, ask: bool | None) -> bool:
    return engines.settings.llm_scope == "all" if ask is None else ask


def _still_valid(
    answers: Sequence[Finding], items: list[ScoreItem], transcript: Transcript
) -> list[Finding]:
    """Earlier answers to questions the scorecard still asks, worded the same."""
    wording = {item.id: item.text_in(transcript.language) for item in items}
    return [
        f
        for f in answers
        if f.category == QUESTION_CATEGORY and wording.get(f.rule_id) == f.evidence.get("question")
    ]


def apply(
    result: CallResult, pack: RulePack, engines: Engines, *, ask: bool | None = None
) -> CallResult:
    """(Re)score a result in place: its findings, score and metrics become ``pack``'s.

    Questions are answered again when asked (``ask``, else ``llm_scope``); otherwise the
    result's earlier answers to them are kept.
    """
    outcome = run(result.transcript, pack, engines, ask=ask, kept_answers=result.findings)
    result.findings = outcome.findings
    result.score = outcome.score
    result.metrics = {**result.metrics, **outcome.metrics}
    result.metrics["similarity_backend"] = engines.similarity[0]
    return result
