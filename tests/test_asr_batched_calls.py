"""The batched decoder on the real model: the same turns and findings as the sequential one.

Two shared calls joined into one (about a minute) go through the whole analysis twice,
decoded sequentially and through faster-whisper's BatchedInferencePipeline. The 2-minute
threshold below which calls are decoded sequentially is lifted for the test, so the batched
path is what runs; bench/asr_batched.py measures the same on all calls and on long ones.
"""

from __future__ import annotations

import pytest

from qa_service.engines import asr
from tests.conftest import CALLS_DIR
from tests.joined_calls import join_calls, turns_found

pytestmark = pytest.mark.asr

# Two calls of one language: one language is detected per call.
CALLS = ("en-billing-deflect", "en-billing-good")
# Findings of one rule at the same place in both: their starts this close (seconds).
FINDING_TOLERANCE_S = 1.0


@pytest.fixture(scope="module")
def both_modes(engines, tmp_path_factory):
    from qa_service.analysis.pipeline import analyze_file

    paths = [CALLS_DIR / f"{call}.wav" for call in CALLS]
    out = tmp_path_factory.mktemp("joined") / "joined.wav"
    path, turns = join_calls(paths, out, engines.settings, min_calls=len(paths))
    recognizer = engines.recognizer
    saved = recognizer.batch_size
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asr, "BATCH_MIN_S", 0.0)
        try:
            results = {}
            for mode, batch in (("sequential", 0), ("batched", asr.CPU_BATCH_SIZE)):
                recognizer.batch_size = batch
                results[mode] = analyze_file(path, None, engines)
        finally:
            recognizer.batch_size = saved
    return results, turns


def test_each_mode_ran_its_own_decoder(both_modes) -> None:
    results, _ = both_modes
    assert results["sequential"].source["asr_batch_size"] == 0
    assert results["batched"].source["asr_batch_size"] == asr.CPU_BATCH_SIZE


def test_batched_finds_the_turns_at_their_time(both_modes) -> None:
    results, turns = both_modes
    sequential = turns_found(results["sequential"], turns)
    batched = turns_found(results["batched"], turns)
    assert sum(sequential) >= len(turns) - 1
    # At most one turn placed differently (bench/README.md: batching merges VAD chunks).
    assert sum(a != b for a, b in zip(sequential, batched, strict=True)) <= 1


def test_batched_raises_the_same_findings(both_modes) -> None:
    results, _ = both_modes

    def findings(mode: str) -> list[tuple[str, str, float]]:
        # Whole-call findings have no role or time.
        return sorted(
            (f.rule_id, f.role or "", -1.0 if f.start is None else f.start)
            for f in results[mode].findings
        )

    sequential, batched = findings("sequential"), findings("batched")
    assert sequential, "the joined calls should raise findings (one is a deflection call)"
    assert [f[:2] for f in sequential] == [f[:2] for f in batched]
    for (rule, _role, start), (_rule, _role2, other) in zip(sequential, batched, strict=True):
        assert abs(start - other) <= FINDING_TOLERANCE_S, rule
