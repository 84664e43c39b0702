"""Personal data detection: recall and precision per type on the labelled set, negatives
masked, and the extra time per call (detection + masking, audio redaction) as a share of
ASR time.

    python bench/pii.py                 # text set only
    python bench/pii.py --asr 24        # + 24 spoken calls: espeak-ng -> faster-whisper base

The set is bench/data/pii_set.json (bench/pii_set.py builds it). A label is found when a
detected group (a number's spans in one or two utterances) has its type and covers its
digits (or, for plates and emails, overlaps its text); a detected group that matches no
label of its type is a false positive.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa_service.domain.pii import PiiSpan, detect, redact_result  # noqa: E402
from qa_service.domain.pii.numerals import Unit, tokenize  # noqa: E402

DATA = REPO / "bench" / "data"
# The generated set (the detector was developed against it) and a hand-written one with
# other phrasings and ASR-like spellings, written before the detector was run on it.
SETS = (DATA / "pii_set.json", DATA / "pii_heldout.json")
TYPES = ("PHONE", "ID", "CARD", "CODE", "EMAIL", "PLATE", "SSN")
MODEL = REPO / "models" / "faster-whisper-base"
SHARED = Path(os.environ.get("QA_SHARED_DIR", REPO.parent / "shared"))
CALL = SHARED / "data" / "calls" / "en-billing-good.wav"


def timed(utterances: list[dict]) -> list[dict]:
    """Utterances one after another, 3 s each (the set has no audio)."""
    return [
        {**u, "start": 3.0 * i, "end": 3.0 * i + 2.5, "words": u.get("words") or []}
        for i, u in enumerate(utterances)
    ]


def predicted(utterances: list[dict], spans: list[PiiSpan]) -> list[tuple[str, str, str]]:
    """(type, digits, text) of each detected group."""
    groups: dict[int, list[PiiSpan]] = defaultdict(list)
    for s in spans:
        groups[s.group].append(s)
    out = []
    for members in groups.values():
        text = " ".join(utterances[s.utterance]["text"][s.start : s.end] for s in members)
        digits = "".join(i.digits for i in tokenize(text, 0) if isinstance(i, Unit))
        out.append((members[0].kind.value, digits, text))
    return out


# On ASR output digits get lost: a group that masks part of the number (at least this many
# of its digits, in order) counts as the number masked as far as the transcript holds it.
PARTIAL_DIGITS = 6


def matches(label: dict, pred: tuple[str, str, str], partial: bool = False) -> bool:
    kind, digits, text = pred
    if kind != label["type"]:
        return False
    if "digits" in label:
        full, got = label["digits"].upper(), digits.upper()
        if partial and len(got) >= PARTIAL_DIGITS and got in full:
            return True
        return bool(got) and full in got
    return label["text"] in text or (len(text) >= 4 and text in label["text"])


def score(
    cases: list[dict],
    stats: dict[str, Counter],
    negatives: Counter,
    spans_of,
    show: bool = False,
    partial: bool = False,
) -> None:
    for case in cases:
        given = case["utterances"]
        utterances = given if "start" in given[0] else timed(given)
        preds = predicted(utterances, spans_of(utterances, case["language"]))
        for label in case["labels"]:
            found = any(matches(label, p, partial) for p in preds)
            stats[label["type"]]["labels"] += 1
            stats[label["type"]]["found"] += found
            if show and not found:
                print("MISS", case["id"], label, [u["text"] for u in utterances])
        for p in preds:
            correct = any(matches(lb, p, partial) for lb in case["labels"])
            stats[p[0]]["predicted"] += 1
            stats[p[0]]["correct"] += correct
            if show and not correct:
                print("FALSE", case["id"], p, [u["text"] for u in utterances])
        if not case["labels"]:
            negatives[case["kind"], "cases"] += 1
            negatives[case["kind"], "masked"] += bool(preds)


def print_table(title: str, stats: dict[str, Counter]) -> None:
    print(f"\n{title}\n| type | labels | recall | detected | precision |\n|---|---|---|---|---|")
    for kind in TYPES:
        s = stats.get(kind)
        if not s:
            continue
        recall = s["found"] / s["labels"] if s["labels"] else float("nan")
        precision = s["correct"] / s["predicted"] if s["predicted"] else float("nan")
        print(f"| {kind} | {s['labels']} | {recall:.3f} | {s['predicted']} | {precision:.3f} |")


def speak(text: str, voice: str, path: Path) -> None:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)


def asr_cases(cases: list[dict], n: int) -> tuple[list[dict], float, float]:
    """The first ``n`` English number cases spoken by espeak-ng and transcribed by
    faster-whisper base (word timestamps), as cases on the recognised words; the ASR
    seconds and the audio seconds."""
    from faster_whisper import WhisperModel

    model = WhisperModel(str(MODEL), device="cpu", compute_type="int8", cpu_threads=2)
    chosen = [
        c for c in cases if c["language"] == "en" and c["labels"] and "digits" in c["labels"][0]
    ][:n]
    out, asr_s, audio_s = [], 0.0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for k, case in enumerate(chosen):
            utterances, clock = [], 0.0
            for j, u in enumerate(case["utterances"]):
                path = Path(tmp) / f"{k}-{j}.wav"
                speak(u["text"], "en-us", path)
                with wave.open(str(path)) as w:
                    audio_s += w.getnframes() / w.getframerate()
                began = time.perf_counter()
                segments, _ = model.transcribe(
                    str(path), language="en", word_timestamps=True, beam_size=5
                )
                words = [
                    {"start": clock + w.start, "end": clock + w.end, "text": w.word}
                    for seg in segments
                    for w in seg.words or []
                ]
                asr_s += time.perf_counter() - began
                text = "".join(w["text"] for w in words).strip()
                end = words[-1]["end"] if words else clock + 1.0
                utterances.append(
                    {"role": u["role"], "start": clock, "end": end, "text": text, "words": words}
                )
                clock = end + 0.5
            out.append({**case, "utterances": utterances})
    return out, asr_s, audio_s


def _digits_said(case: dict) -> str:
    return "".join(
        i.digits for u in case["utterances"] for i in tokenize(u["text"], 0) if isinstance(i, Unit)
    )


def call_rtf(path: Path) -> float:
    """ASR seconds per second of a real call (both channels, VAD, word timestamps), in this
    run, so the machine's load hits it like the detection it is compared with."""
    from faster_whisper import WhisperModel, decode_audio

    model = WhisperModel(str(MODEL), device="cpu", compute_type="int8", cpu_threads=2)
    channels = decode_audio(str(path), split_stereo=True)
    began = time.perf_counter()
    for samples in channels:
        segments, _ = model.transcribe(samples, word_timestamps=True, vad_filter=True)
        list(segments)
    took = time.perf_counter() - began
    duration = len(channels[0]) / 16000
    print(f"ASR of {path.name}: {took:.1f} s for {duration:.1f} s (RTF {took / duration:.3f})")
    return took / duration


def long_call(cases: list[dict], utterances_n: int = 80) -> dict:
    """A 4-minute call: utterances of the set one after another (about 1 in 4 with data)."""
    pool = [u for c in cases for u in c["utterances"]]
    utterances = timed(
        [
            dict(pool[(i * 7) % len(pool)], role=("agent", "customer")[i % 2])
            for i in range(utterances_n)
        ]
    )
    return {
        "language": "zh",
        "utterances": utterances,
        "findings": [],
        "duration_s": 3.0 * utterances_n,
    }


def detection_seconds(call: dict, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        redact_result(call)
        best = min(best, time.perf_counter() - began)
    return best


def audio_redaction_seconds(call: dict) -> float:
    """Silencing the spans of ``call`` in a stereo 8 kHz WAV of its length."""
    from qa_service.config import Settings
    from qa_service.engines.audio_redact import write_redacted

    spans = detect(call["utterances"], call["language"])
    with tempfile.TemporaryDirectory() as tmp:
        rate, n = 8000, int(call["duration_s"] * 8000)
        pcm = (np.random.default_rng(0).standard_normal((n, 2)) * 3000).astype("<i2")
        source = Path(tmp) / "call.wav"
        with wave.open(str(source), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(pcm.tobytes())
        settings = Settings(data_dir=Path(tmp) / "data")
        began = time.perf_counter()
        write_redacted(
            source, [(s.start_s, s.end_s) for s in spans], Path(tmp) / "out.wav", settings
        )
        return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--asr", type=int, default=0, help="spoken English calls to transcribe")
    parser.add_argument("--rtf", type=float, default=0.13, help="ASR RTF when --asr is not run")
    parser.add_argument("--call", type=Path, default=CALL, help="recording timed for the ASR RTF")
    parser.add_argument("--misses", action="store_true", help="print each miss and false hit")
    args = parser.parse_args()
    for path in SETS:
        cases = json.loads(path.read_text("utf-8"))
        stats: dict[str, Counter] = defaultdict(Counter)
        negatives: Counter = Counter()
        score(cases, stats, negatives, detect, args.misses)
        print_table(f"{path.name}: {len(cases)} cases", stats)
        print("\n| negative kind | cases | masked |\n|---|---|---|")
        for kind in sorted({k for k, _ in negatives}):
            print(f"| {kind} | {negatives[kind, 'cases']} | {negatives[kind, 'masked']} |")
    cases = json.loads(SETS[0].read_text("utf-8"))
    rtf = args.rtf
    if args.asr:
        spoken, asr_s, audio_s = asr_cases(cases, args.asr)
        asr_stats: dict[str, Counter] = defaultdict(Counter)
        score(spoken, asr_stats, Counter(), detect, args.misses)
        print_table(
            f"ASR output ({len(spoken)} calls, espeak-ng -> faster-whisper base)", asr_stats
        )
        rtf = asr_s / audio_s
        print(f"\nASR: {asr_s:.1f} s for {audio_s:.1f} s of audio (RTF {rtf:.3f})")
    call = long_call(cases)
    det = detection_seconds(call)
    audio = audio_redaction_seconds(call)
    asr_call = call["duration_s"] * rtf
    print(
        f"\nPer {call['duration_s']:.0f} s call ({len(call['utterances'])} utterances): "
        f"detection + masking {det * 1000:.1f} ms ({det / asr_call:.2%} of ASR at RTF {rtf:.3f}), "
        f"audio redaction {audio * 1000:.0f} ms ({audio / asr_call:.2%})"
    )


if __name__ == "__main__":
    main()
