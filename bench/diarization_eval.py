"""Mono speaker separation against the ground-truth turns of the shared calls.

For each ``*.mono.wav`` call (and, with ``--mixdown``, every stereo call with its two channels
summed into one), runs the real ASR as the pipeline does, separates the speakers and prints:
agreement (share of single-speaker reference speech whose predicted role is right), word
agreement (the same over the time the recognised words cover), DER (missed + false alarm +
confusion over reference speech, overlaps included, no collar), how the agent was chosen and
with which confidence, how many voices were found, and the separation's own time per minute
of audio (ASR excluded).

    .venv/bin/python bench/diarization_eval.py [--mixdown]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from qa_service.config import get_settings
from qa_service.engines.asr import ASROptions, load_recognizer
from qa_service.engines.audio import SAMPLE_RATE, load_arrays
from qa_service.engines.diarization import separate_speakers
from qa_service.engines.diarization_score import score_split
from qa_service.engines.word_timing import refine_word_times

REPO = Path(__file__).resolve().parents[1]
CALLS = REPO.parent / "shared" / "data" / "calls"


def recordings(mixdown: bool) -> list[tuple[str, Path, bool]]:
    """(call id, file, whether to sum its channels)."""
    found = [(p.name.removesuffix(".mono.wav"), p, False) for p in sorted(CALLS.glob("*.mono.wav"))]
    if mixdown:
        found += [
            (f"{p.stem} (mixdown)", p, True)
            for p in sorted(CALLS.glob("*.wav"))
            if not p.name.endswith(".mono.wav")
        ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mixdown", action="store_true", help="also the stereo calls, summed")
    args = parser.parse_args()
    settings = get_settings()
    recognizer = load_recognizer(settings)
    print(
        f"{'call':42} {'agree':>6} {'words':>6} {'DER':>6} {'agent by':>14} {'conf':>5} "
        f"{'voices':>6} {'s/min':>6}"
    )
    totals: list[tuple[float, float, float, float]] = []
    separation_s = audio_s = 0.0
    for call_id, path, mix in recordings(args.mixdown):
        channels = load_arrays(path, settings)
        samples = np.sum(channels, axis=0).astype(np.float32) if mix else channels[0]
        channel = recognizer.transcribe(samples, ASROptions(beam_size=settings.beam_size))
        refine_word_times(channel.words, samples, SAMPLE_RATE)
        started = time.perf_counter()
        split = separate_speakers(samples, channel.words, channel.language, settings)
        elapsed = time.perf_counter() - started
        truth = json.loads((CALLS / f"{call_id.split(' ')[0]}.json").read_text(encoding="utf-8"))
        score = score_split(split, truth["turns"])
        minutes = len(samples) / SAMPLE_RATE / 60
        separation_s += elapsed
        audio_s += minutes * 60
        totals.append((score.agreement, score.word_agreement, score.der, score.speech_s))
        print(
            f"{call_id:42} {score.agreement:6.3f} {score.word_agreement:6.3f} {score.der:6.3f} "
            f"{split.agent_chosen_by:>14} {split.agent_choice.confidence:5.2f} "
            f"{split.speakers:6d} {elapsed / minutes:6.2f}"
        )
    speech = np.array([t[3] for t in totals])
    weighted = [float(np.average([t[i] for t in totals], weights=speech)) for i in range(3)]
    print(
        f"{'speech-weighted over ' + str(len(totals)) + ' calls':42} {weighted[0]:6.3f} "
        f"{weighted[1]:6.3f} {weighted[2]:6.3f} {'':>27} {separation_s / audio_s * 60:6.2f}"
    )
    print(f"worst agreement: {min(t[0] for t in totals):.3f}")


if __name__ == "__main__":
    main()
