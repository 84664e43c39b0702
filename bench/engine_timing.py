"""Shared timing helpers for the per-engine speed benches (acts_speed, sentiment_speed).

Utterances are the agent and customer turns of the shared synthetic calls (their ground-truth
text), so an engine can be timed without running ASR first.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from pathlib import Path

from qa_service.config import Settings
from qa_service.domain.transcript import Transcript, Utterance
from qa_service.engines.registry import Engines

REPO = Path(__file__).resolve().parents[1]
CALLS = REPO.parent / "shared" / "data" / "calls"

Annotate = Callable[[Transcript, Engines], object]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def call_transcripts(calls_dir: Path) -> list[Transcript]:
    transcripts = []
    for path in sorted(calls_dir.glob("*.json")):
        turns = json.loads(path.read_text(encoding="utf-8"))["turns"]
        utts = [Utterance(t["role"], t["start"], t["end"], t["text"]) for t in turns]
        transcripts.append(Transcript(utts, language=path.name[:2]))
    return transcripts


def timed_passes(
    annotate: Annotate, engines: Engines, transcripts: list[Transcript], repeat: int
) -> tuple[int, float]:
    """(utterances annotated, seconds) for `repeat` passes over all transcripts, after a warm-up."""
    annotate(transcripts[0], engines)  # warm-up: first call pays lazy init, not throughput
    count, started = 0, time.perf_counter()
    for _ in range(repeat):
        for transcript in transcripts:
            annotate(transcript, engines)
            count += len(transcript.utterances)
    return count, time.perf_counter() - started


def pipeline_share(annotate: Annotate, engines: Engines, calls_dir: Path) -> tuple[float, float]:
    """(whole-analysis seconds, engine seconds) over the stereo calls in calls_dir.

    analyze_file already includes one pass of the engine; the extra pass on its transcript
    measures that pass alone.
    """
    from qa_service.analysis.pipeline import analyze_file

    total = engine = 0.0
    for wav in sorted(p for p in calls_dir.glob("*.wav") if not p.name.endswith(".mono.wav")):
        started = time.perf_counter()
        result = analyze_file(wav, None, engines)
        total += time.perf_counter() - started
        started = time.perf_counter()
        annotate(result.transcript, engines)
        engine += time.perf_counter() - started
    return total, engine


def run_engine_bench(
    description: str,
    name: str,
    annotate: Annotate,
    bench: Callable[[Engines, list[Transcript], int], None],
) -> None:
    """The command line both engine benches share: time the engine(s) with ``bench``, then
    with --with-pipeline the share of ``annotate`` (engine ``name``) in a whole analysis."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--calls", type=Path, default=CALLS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--with-pipeline", action="store_true")
    args = parser.parse_args()
    engines = Engines(Settings(models_dir=REPO / "models"))
    bench(engines, call_transcripts(args.calls), args.repeat)
    if args.with_pipeline:
        total, engine = pipeline_share(annotate, engines, args.calls)
        print(
            f"pipeline_total_s={total:.2f} {name}_s={engine:.2f} {name}_share={engine / total:.2%}"
        )
    print(f"peak_rss_mb={peak_rss_mb():.0f}")
