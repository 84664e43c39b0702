"""``run``: the one way to run a rule pack's checks on a transcript.

The pipeline, the worker, rule cases, the CLI and rescoring all come here, so a pack scores a
call the same way wherever it runs. Loading packs is ``qa_service.analysis.packs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qa_service.domain.checks import CheckContext
from qa_service.domain.metrics import compute_metrics
from qa_service.domain.results import CallResult, CallScore, Finding
from qa_service.domain.rulepack import RulePack
from qa_service.domain.scoring import score_call
from qa_service.domain.transcript import Transcript

if TYPE_CHECKING:
    from qa_service.engines.registry import Engines


@dataclass
class InspectionOutcome:
    findings: list[Finding]
    score: CallScore
    metrics: dict[str, Any] = field(default_factory=dict)


def run(transcript: Transcript, pack: RulePack, engines: Engines) -> InspectionOutcome:
    """Findings, score and metrics of one transcript under ``pack``.

    ``engines`` gives the ``semantic`` similarity (n-gram unless an embedding model is set,
    so no model loads for packs that do not need one).
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
    score = score_call(findings, pack.scorecard, ctx.not_evaluated)
    return InspectionOutcome(findings, score, metrics)


def apply(result: CallResult, pack: RulePack, engines: Engines) -> CallResult:
    """(Re)score a result in place: its findings, score and metrics become ``pack``'s."""
    outcome = run(result.transcript, pack, engines)
    result.findings = outcome.findings
    result.score = outcome.score
    result.metrics = {**result.metrics, **outcome.metrics}
    result.metrics["similarity_backend"] = engines.similarity[0]
    return result
