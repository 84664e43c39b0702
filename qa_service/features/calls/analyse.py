"""The worker's use case: analyse stored call N, and score it once with the pack it asked for.

The analyzer stops before the rule pack (``AnalyzeOptions.checks = False``): the pack is
resolved here, against the database, so the call records exactly which stored version scored
it and a review can be scored again by the same scorecard. Rescoring uses the same function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.analysis import inspect
from qa_service.analysis.packs import PackRef, default_pack_name
from qa_service.analysis.pipeline import AnalyzeOptions, analyze_file, parse_roles
from qa_service.config import Settings
from qa_service.domain.results import CallResult
from qa_service.engines.registry import Engines
from qa_service.errors import InputError
from qa_service.features.packs.service import resolve_pack
from qa_service.store.calls import Call
from qa_service.store.db import Database
from qa_service.store.sampling_plans import SamplingPlanCall


def analyze_options(call: Call) -> AnalyzeOptions:
    metadata = {
        k: v
        for k, v in {
            "agent_id": call.agent_id,
            "team": call.team,
            "queue": call.queue,
            "started_at": call.started_at.isoformat() if call.started_at else None,
            "direction": call.direction,
            "customer_ref": call.customer_ref,
            "csat": call.csat,
            "nps": call.nps,
            **(call.extra or {}),
        }.items()
        if v is not None
    }
    return AnalyzeOptions(
        language=call.language_hint,
        roles=parse_roles(call.roles),
        call_id=call.call_id,
        metadata=metadata,
    )


def inspect_result(
    session: Session,
    settings: Settings,
    result: CallResult,
    pack_ref: PackRef | str | None,
    engines: Engines,
    call_pk: int | None = None,
) -> CallResult:
    """Score ``result`` with a rule pack (the requested one, else the language's default),
    recording the pack's label (``NAME@VERSION`` for stored versions). ``engines``: the
    process's models, for the ``semantic`` rules and the evaluation questions.

    With ``QA_LLM_SCOPE=sampled`` the scorecard's questions are asked only of a stored call
    (``call_pk``) that a sampling plan drew."""
    transcript = result.transcript
    ref = pack_ref or default_pack_name(transcript.language, transcript.channel, settings.rules_dir)
    resolved = resolve_pack(session, settings, ref)
    ask = None
    if settings.llm_scope == "sampled":
        ask = call_pk is not None and _sampled(session, call_pk)
    inspect.apply(result, resolved.pack, engines, ask=ask)
    result.metrics["rule_pack"] = resolved.label
    return result


def _sampled(session: Session, call_pk: int) -> bool:
    """Whether any sampling plan drew the call."""
    found = session.scalar(
        select(SamplingPlanCall.call_id).where(SamplingPlanCall.call_id == call_pk).limit(1)
    )
    return found is not None


def _pack_for_vocabulary(session: Session, settings: Settings, call: Call):
    """The pack that will score the call, when known before the ASR: its vocabulary biases
    the recogniser (the stored version, as scoring resolves it)."""
    ref = call.pack_request
    if ref is None and call.language_hint:
        ref = default_pack_name(call.language_hint, folder=settings.rules_dir)
    return resolve_pack(session, settings, ref).pack if ref else None


def analyse_call(
    db: Database,
    settings: Settings,
    engines: Engines,
    analyze_recording: Callable[[Path, AnalyzeOptions], CallResult],
    call_id: int,
) -> CallResult:
    """Analyse the stored call ``call_id`` and score it once; nothing is stored here.

    ``analyze_recording`` is the worker's analyzer (the pipeline, or a test's stand-in).
    """
    with db.session() as session:
        call = session.get(Call, call_id)
        if call is None:
            raise InputError(f"call {call_id} no longer exists")
        path = Path(settings.data_dir) / call.media_path
        options = replace(analyze_options(call), checks=False)
        pack_ref, has_audio, media_path = call.pack_request, call.has_audio, call.media_path
        if has_audio:
            options = replace(options, rule_pack=_pack_for_vocabulary(session, settings, call))
    if not path.is_file():
        raise InputError(f"the recording of call {call_id} is missing at {path}")
    # A text call needs no ASR and no analyzer: the transcript re-entry is cheap.
    analyze = analyze_recording if has_audio else partial(analyze_file, engines=engines)
    result = analyze(path, options)
    with db.session() as session:
        result = inspect_result(session, settings, result, pack_ref, engines, call_id)
    result.source = {**result.source, "path": str(Path(media_path))}
    return result
