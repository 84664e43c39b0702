"""Call-act engine speed: utterances per second, load time, share of a call's analysis.

Usage: python bench/acts_speed.py [--calls DIR] [--repeat N] [--with-pipeline]

Utterances are the agent and customer turns of the shared synthetic calls (their ground-truth
text, so no ASR is needed to time acts alone); sentiment is timed on the same turns in the same
process for comparison. With --with-pipeline each stereo call also runs through
qa_service.analysis.pipeline.analyze_file (which includes one act pass) to give the acts' share.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.engine_timing import (  # noqa: E402
    run_engine_bench,
    timed_passes,
)
from qa_service.domain.transcript import Transcript  # noqa: E402
from qa_service.engines.acts import annotate_acts  # noqa: E402
from qa_service.engines.registry import Engines  # noqa: E402
from qa_service.engines.sentiment import annotate_sentiment  # noqa: E402


def bench_engines(engines: Engines, transcripts: list[Transcript], repeat: int) -> None:
    print(f"cpu_threads={engines.settings.resolved_cpu_threads()}")
    for name, annotate in (("acts", annotate_acts), ("sentiment", annotate_sentiment)):
        started = time.perf_counter()
        getattr(engines, name)  # the model loads on first use
        print(f"{name}_load_s={time.perf_counter() - started:.2f}")
        count, elapsed = timed_passes(annotate, engines, transcripts, repeat)
        calls = len(transcripts) * repeat
        print(f"{name}_utterances={count} {name}_utterances_per_s={count / elapsed:.1f}")
        print(f"{name}_ms_per_call={1000 * elapsed / calls:.1f}")


def main() -> None:
    run_engine_bench(__doc__, "acts", annotate_acts, bench_engines)


if __name__ == "__main__":
    main()
