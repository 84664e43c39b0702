"""Checks + scoring time per 5-minute call vs the ASR time of the same audio, in one run.

For each call: analyse it once with the real pipeline (base model) and take the ASR
real-time factor from the time it reports for its ASR step; repeat its transcript until it
lasts 5 minutes, then time inspect.run (every rule of the default pack + scoring + metrics)
on that long transcript. Prints the ratio checks / ASR for 5 minutes of audio (goal <= 0.01).

    .venv/bin/python bench/rules_throughput.py [--runs 5] [--minutes 5] [FILES...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CALLS = REPO.parent / "shared" / "data" / "calls"
DEFAULT_FILES = ("zh-logistics-good.wav", "en-billing-good.wav")


def stretch(transcript, seconds: float):
    """The transcript repeated, shifted in time, until it lasts ``seconds``."""
    from qa_service.domain.transcript import Transcript, Word

    length = max(transcript.duration_s, max(u.end for u in transcript.utterances)) + 1.0
    utterances, offset = [], 0.0
    while offset < seconds:
        for utt in transcript.utterances:
            words = [
                Word(w.start + offset, w.end + offset, w.text, w.probability) for w in utt.words
            ]
            utterances.append(
                replace(utt, start=utt.start + offset, end=utt.end + offset, words=words)
            )
        offset += length
    return Transcript(utterances, transcript.language, offset, dict(transcript.channels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of the checks")
    parser.add_argument("--minutes", type=float, default=5.0)
    args = parser.parse_args()
    files = args.files or [CALLS / name for name in DEFAULT_FILES]

    from qa_service.analysis.inspect import run
    from qa_service.analysis.packs import default_pack_name, load_pack
    from qa_service.analysis.pipeline import analyze_file
    from qa_service.config import get_settings
    from qa_service.engines.registry import Engines

    engines = Engines(get_settings())
    seconds = args.minutes * 60
    print(f"{'call':28s} {'ASR RTF':>8s} {'ASR/5min':>9s} {'checks/5min':>12s} {'ratio':>8s}")
    for path in files:
        result = analyze_file(path, None, engines)
        transcript = result.transcript
        # The pipeline times its ASR step alone (decoding, sentiment and checks excluded).
        rtf = result.source["asr_seconds"] / transcript.duration_s
        pack = load_pack(default_pack_name(transcript.language))
        long_call = stretch(transcript, seconds)
        run(long_call, pack, engines)  # warm-up: pinyin of each character is cached per process
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            outcome = run(long_call, pack, engines)
            timings.append(time.perf_counter() - started)
        checks_s = statistics.median(timings) * seconds / long_call.duration_s
        asr_5min = rtf * seconds
        print(
            f"{path.name:28s} {rtf:8.3f} {asr_5min:8.1f}s {checks_s * 1000:10.1f}ms "
            f"{checks_s / asr_5min:8.4f}   ({len(long_call.utterances)} utterances, "
            f"{len(outcome.findings)} findings, pack {pack.name})"
        )
    print("goal: ratio <= 0.01")


if __name__ == "__main__":
    main()
