"""Batched vs sequential transcription, same model, interleaved call by call in one run.

The whole analysis (decode, ASR, word timing, sentiment, acts, rules) of each call runs once
with sequential decoding and once through faster-whisper's BatchedInferencePipeline, the
order alternating from call to call so background load hits both alike. Inputs: the shared
stereo calls, and longer calls made by joining them (each a rotation of the shared calls,
joined until it lasts ``--joined-s``). Prints per input and in total: wall seconds of the
whole analysis and of the ASR, the ratio sequential / batched, and the accuracy the test
suite asks for: true turns found at their time (tests/test_call_timeline.py) and the rule
categories' precision and recall on the labelled calls (tests/test_rules_on_calls.py).

    .venv/bin/python bench/asr_batched.py [--batch-size 8] [--joined 3] [--joined-s 300]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the tests' helpers: the same measures as the suite

from tests.conftest import call_truth, stereo_call_paths  # noqa: E402
from tests.test_call_timeline import START_TOLERANCE_S  # noqa: E402
from tests.test_rules_on_calls import (  # noqa: E402
    CALL_CATEGORIES,
    EVENT_CATEGORIES,
    expected,
    match_events,
    precision_recall,
)

GAP_S = 1.0  # silence put between joined calls


def turns_found(result, turns: list[dict]) -> int:
    utterances = result.transcript.utterances
    return sum(
        any(
            u.role == t["role"] and abs(u.start - t["start"]) <= START_TOLERANCE_S
            for u in utterances
        )
        for t in turns
    )


def rule_counts(result, call_id: str) -> dict[str, list[int]]:
    """(tp, fp, fn) per category of one labelled call."""
    counts = {}
    for category in CALL_CATEGORIES:
        found = any(f.category == category for f in result.findings)
        truth = expected(call_truth(call_id)["labels"], category)
        counts[category] = [found and truth, found and not truth, truth and not found]
    for category in EVENT_CATEGORIES:
        counts[category] = list(match_events(result.findings, call_id, category))
    return counts


def join_calls(paths: list[Path], seconds: float, folder: Path, index: int, settings):
    """A 16 kHz stereo WAV of the calls from ``index`` on (rotating), and its shifted turns."""
    from qa_service.engines.audio import SAMPLE_RATE, load_audio

    out = folder / f"joined-{index}.wav"
    turns, offset, k = [], 0.0, index
    with wave.open(str(out), "wb") as sink:
        sink.setnchannels(2)
        sink.setsampwidth(2)
        sink.setframerate(SAMPLE_RATE)
        while offset < seconds:
            path = paths[k % len(paths)]
            k += 1
            with load_audio(path, settings) as audio:
                n = len(audio.channels[0])
                both = np.stack([audio.channels[0][0:n], audio.channels[1][0:n]], axis=1)
            gap = np.zeros((int(GAP_S * SAMPLE_RATE), 2), dtype=np.float32)
            pcm = np.concatenate([both, gap])
            sink.writeframes((np.clip(pcm, -1, 1) * 32767).astype("<i2").tobytes())
            turns += [
                {**t, "start": t["start"] + offset, "end": t["end"] + offset}
                for t in call_truth(path.stem)["turns"]
            ]
            offset += len(pcm) / SAMPLE_RATE
    return out, turns


def analyse(path: Path, engines, batch: int):
    from qa_service.analysis.pipeline import analyze_file

    # What load_recognizer sets from QA_ASR_BATCH_SIZE; the pipeline reads it per call.
    engines.recognizer.batch_size = batch
    started = time.perf_counter()
    result = analyze_file(path, None, engines)
    return result, time.perf_counter() - started


def print_rules(counts: dict[str, dict[str, list[int]]]) -> None:
    for mode, per_category in counts.items():
        pr = {cat: [round(x, 2) for x in precision_recall(*c)] for cat, c in per_category.items()}
        print(json.dumps({"mode": mode, "precision_recall": pr}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--joined", type=int, default=3, help="how many joined calls")
    parser.add_argument("--joined-s", type=float, default=300.0)
    parser.add_argument("--no-shared", action="store_true", help="joined calls only")
    args = parser.parse_args()

    from qa_service.config import get_settings
    from qa_service.engines.registry import Engines

    engines = Engines(get_settings())
    paths = stereo_call_paths()
    modes = {"sequential": 0, "batched": args.batch_size}
    totals = {m: {"wall": 0.0, "asr": 0.0, "audio": 0.0, "turns": 0} for m in modes}
    long_totals = {m: {"wall": 0.0, "asr": 0.0, "audio": 0.0, "turns": 0} for m in modes}
    counts = {m: {} for m in modes}
    truth_turns = long_truth_turns = 0
    with tempfile.TemporaryDirectory() as tmp:
        inputs = [] if args.no_shared else [(p, call_truth(p.stem)["turns"], p.stem) for p in paths]
        for j in range(args.joined):
            path, turns = join_calls(paths, args.joined_s, Path(tmp), j, engines.settings)
            inputs.append((path, turns, None))
        for n, (path, turns, call_id) in enumerate(inputs):
            if call_id is None and n and inputs[n - 1][2] is not None:
                print_rules(counts)  # the shared calls are done: before the long joined ones
            order = list(modes) if n % 2 == 0 else list(modes)[::-1]
            row = {"input": path.name}
            bucket = totals if call_id else long_totals
            if call_id:
                truth_turns += len(turns)
            else:
                long_truth_turns += len(turns)
            for mode in order:
                result, wall = analyse(path, engines, modes[mode])
                found = turns_found(result, turns)
                t = bucket[mode]
                t["wall"] += wall
                t["asr"] += result.source["asr_seconds"]
                t["audio"] += result.transcript.duration_s
                t["turns"] += found
                row[mode] = {
                    "wall_s": round(wall, 1),
                    "asr_s": result.source["asr_seconds"],
                    "turns": f"{found}/{len(turns)}",
                }
                if call_id:
                    for cat, c in rule_counts(result, call_id).items():
                        acc = counts[mode].setdefault(cat, [0, 0, 0])
                        acc[:] = [a + int(b) for a, b in zip(acc, c, strict=True)]
            print(json.dumps(row, ensure_ascii=False), flush=True)
    for name, bucket, n_turns in (
        ("shared", totals, truth_turns),
        ("joined", long_totals, long_truth_turns),
    ):
        if not bucket["sequential"]["audio"]:
            continue
        seq, bat = bucket["sequential"], bucket["batched"]
        print(
            json.dumps(
                {
                    "set": name,
                    "audio_s": round(seq["audio"], 1),
                    "rtf_sequential": round(seq["wall"] / seq["audio"], 3),
                    "rtf_batched": round(bat["wall"] / bat["audio"], 3),
                    "speedup_whole": round(seq["wall"] / bat["wall"], 2),
                    "speedup_asr": round(seq["asr"] / bat["asr"], 2),
                    "turns": {m: f"{bucket[m]['turns']}/{n_turns}" for m in modes},
                }
            ),
            flush=True,
        )
    if not args.joined:
        print_rules(counts)


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    main()
