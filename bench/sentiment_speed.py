"""Sentiment engine speed: utterances per second, load time, peak RSS, share of a call.

Usage: python bench/sentiment_speed.py [--calls DIR] [--utterances N]

Utterances are the agent and customer turns of the shared synthetic calls (their ground-truth
text, so no ASR is needed to measure sentiment alone). With --with-pipeline each stereo call
also runs through qa_service.pipeline.analyze_file to give sentiment's share of the total.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa_service.config import Settings  # noqa: E402
from qa_service.domain.transcript import Transcript, Utterance  # noqa: E402
from qa_service.engines.sentiment import annotate_sentiment, get_sentiment_model  # noqa: E402

CALLS = REPO.parent / "shared" / "data" / "calls"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def call_transcripts(calls_dir: Path) -> list[Transcript]:
    transcripts = []
    for path in sorted(calls_dir.glob("*.json")):
        turns = json.loads(path.read_text(encoding="utf-8"))["turns"]
        utts = [Utterance(t["role"], t["start"], t["end"], t["text"]) for t in turns]
        transcripts.append(Transcript(utts, language=path.name[:2]))
    return transcripts


def bench_engine(settings: Settings, transcripts: list[Transcript], repeat: int) -> None:
    started = time.perf_counter()
    model = get_sentiment_model(settings)
    print(f"model={model.path.name} device={model.device}")
    print(f"load_s={time.perf_counter() - started:.2f}")
    annotate_sentiment(transcripts[0], settings)  # warm-up
    count = 0
    started = time.perf_counter()
    for _ in range(repeat):
        for transcript in transcripts:
            annotate_sentiment(transcript, settings)
            count += len(transcript.utterances)
    elapsed = time.perf_counter() - started
    print(f"calls={len(transcripts) * repeat} utterances={count} seconds={elapsed:.2f}")
    print(f"utterances_per_s={count / elapsed:.1f}")
    print(f"ms_per_call={1000 * elapsed / (len(transcripts) * repeat):.1f}")


def bench_share(settings: Settings, calls_dir: Path) -> None:
    """Sentiment's share of a whole call analysis; analyze_file includes one sentiment pass."""
    from qa_service.pipeline import analyze_file

    total = sentiment = 0.0
    for wav in sorted(p for p in calls_dir.glob("*.wav") if not p.name.endswith(".mono.wav")):
        started = time.perf_counter()
        result = analyze_file(wav, settings=settings)
        total += time.perf_counter() - started
        started = time.perf_counter()
        annotate_sentiment(result.transcript, settings)
        sentiment += time.perf_counter() - started
    print(f"pipeline_total_s={total:.2f} sentiment_s={sentiment:.2f}")
    print(f"sentiment_share={sentiment / total:.3%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=Path, default=CALLS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--with-pipeline", action="store_true")
    args = parser.parse_args()
    settings = Settings(models_dir=REPO / "models")
    transcripts = call_transcripts(args.calls)
    bench_engine(settings, transcripts, args.repeat)
    if args.with_pipeline:
        bench_share(settings, args.calls)
    print(f"peak_rss_mb={peak_rss_mb():.0f}")


if __name__ == "__main__":
    main()
