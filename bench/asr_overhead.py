"""Our analyse path vs bare faster-whisper on the same audio and model, in one run.

Prints, per round, the wall time of both and the ratio ours / bare (goal <= 1.05), and the
real-time factor (processing seconds per second of audio). The two are interleaved call by
call so that background load hits both alike.

    .venv/bin/python bench/asr_overhead.py [--rounds 3] [FILES...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CALLS = REPO.parent / "shared" / "data" / "calls"


def bare_faster_whisper(model, path: Path, options, language: str | None) -> None:
    """What a user of faster-whisper alone would write: decode, split, transcribe each side."""
    from faster_whisper.audio import decode_audio

    for channel in decode_audio(str(path), split_stereo=True):
        segments, _ = model.transcribe(
            channel,
            language=language,
            beam_size=options.beam_size,
            word_timestamps=True,
            condition_on_previous_text=options.condition_on_previous_text,
            vad_filter=options.vad_filter,
            vad_parameters={
                "min_silence_duration_ms": options.vad_min_silence_ms,
                "speech_pad_ms": options.vad_speech_pad_ms,
            },
            hallucination_silence_threshold=options.hallucination_silence_threshold,
        )
        list(segments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--lang", choices=["zh", "en"], help="fixed language for both (default: detect)"
    )
    args = parser.parse_args()
    files = args.files or sorted(p for p in CALLS.glob("*.wav") if ".mono." not in p.name)
    if args.lang:
        files = [p for p in files if p.name.startswith(args.lang)] or files

    from qa_service.analysis.pipeline import AnalyzeOptions, analyze_file
    from qa_service.config import get_settings
    from qa_service.engines.asr import ASROptions
    from qa_service.engines.audio import probe_audio
    from qa_service.engines.registry import Engines

    # What wrapping faster-whisper costs; the second listen to numbers decodes more on
    # purpose and is measured on its own (bench/pii_listen_cost.py).
    settings = get_settings().model_copy(update={"pii_second_listen": False})
    engines = Engines(settings)
    recognizer = engines.recognizer  # the same loaded model serves both paths
    options = ASROptions(beam_size=settings.beam_size)
    audio_s = sum(probe_audio(p, settings).declared_duration_s or 0 for p in files)
    # Warm-up: first calls pay one-off costs (VAD model load, allocator growth).
    ours_options = AnalyzeOptions(language=args.lang)
    bare_faster_whisper(recognizer.model, files[0], options, args.lang)
    analyze_file(files[0], ours_options, engines)

    ratios = []
    for round_no in range(1, args.rounds + 1):
        ours = bare = 0.0
        for path in files:
            t0 = time.perf_counter()
            bare_faster_whisper(recognizer.model, path, options, args.lang)
            t1 = time.perf_counter()
            analyze_file(path, ours_options, engines)
            t2 = time.perf_counter()
            bare += t1 - t0
            ours += t2 - t1
        ratios.append(ours / bare)
        print(
            f"round {round_no}: {len(files)} calls, {audio_s:.0f} s of audio; "
            f"bare faster-whisper {bare:.1f} s (RTF {bare / audio_s:.3f}), "
            f"qa-service analyze {ours:.1f} s (RTF {ours / audio_s:.3f}), ratio {ours / bare:.3f}"
        )
    print(f"median ratio ours/bare = {statistics.median(ratios):.3f} (goal <= 1.05)")


if __name__ == "__main__":
    main()
