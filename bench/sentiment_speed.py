"""Sentiment engine speed: utterances per second, load time, peak RSS, share of a call.

Usage: python bench/sentiment_speed.py [--calls DIR] [--repeat N] [--with-pipeline]

Utterances are the agent and customer turns of the shared synthetic calls (their ground-truth
text, so no ASR is needed to measure sentiment alone). With --with-pipeline each stereo call
also runs through qa_service.analysis.pipeline.analyze_file to give sentiment's share of the total.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.engine_timing import (  # noqa: E402
    run_engine_bench,
    timed_passes,
)
from qa_service.domain.transcript import Transcript  # noqa: E402
from qa_service.engines.registry import Engines  # noqa: E402
from qa_service.engines.sentiment import annotate_sentiment  # noqa: E402


def bench_engine(engines: Engines, transcripts: list[Transcript], repeat: int) -> None:
    started = time.perf_counter()
    model = engines.sentiment
    print(f"model={model.path.name} device={model.device}")
    print(f"load_s={time.perf_counter() - started:.2f}")
    count, elapsed = timed_passes(annotate_sentiment, engines, transcripts, repeat)
    print(f"calls={len(transcripts) * repeat} utterances={count} seconds={elapsed:.2f}")
    print(f"utterances_per_s={count / elapsed:.1f}")
    print(f"ms_per_call={1000 * elapsed / (len(transcripts) * repeat):.1f}")


def main() -> None:
    run_engine_bench(__doc__, "sentiment", annotate_sentiment, bench_engine)


if __name__ == "__main__":
    main()
