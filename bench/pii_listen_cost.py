"""What the second listen to the numbers (``QA_PII_SECOND_LISTEN``) costs on calls, its
stretches decoded one by one against together (``analysis/second_listen.py``), side by side
in one process: the calls of one language in shared/data/calls and its recordings in
shared/data/audio (``--lang``, Mandarin by default), each transcribed by the service's ASR
stage with the setting on, twice per round (one by one, then together), at one thread.

    .venv/bin/python bench/pii_listen_cost.py [--rounds 2] [--joined 300] [FILES...]

``--joined S`` adds a call of at least S seconds made by joining those calls (as
bench/llm_questions.py --five-minutes does): a longer call holds several stretches to hear.

Prints per file the windows, decodes and windows taken of each way, and the second listen's
seconds as a share of the rest of the ASR stage (the first pass).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def default_files(lang: str) -> list[Path]:
    calls = sorted(p for p in (SHARED / "calls").glob(f"{lang}-*.wav") if ".mono." not in p.name)
    recordings = (SHARED / "audio" / lang).glob("*.*")
    return calls + sorted(p for p in recordings if p.suffix in (".wav", ".flac"))


def listened(path: Path, engines, one_by_one: bool, lang: str) -> tuple[float, dict]:
    """The ASR stage's seconds on ``path`` and its second listen's summary."""
    from qa_service.analysis import second_listen
    from qa_service.analysis.pipeline import AnalyzeOptions, transcribe_audio
    from qa_service.engines.audio import load_audio

    saved = second_listen.GROUP_S
    # No room for a second stretch: each is decoded alone, as before stretches were joined.
    second_listen.GROUP_S = 0.0 if one_by_one else saved
    try:
        with load_audio(path, engines.settings) as audio:
            began = time.perf_counter()
            _, source = transcribe_audio(audio, AnalyzeOptions(language=lang), engines)
            return time.perf_counter() - began, source["pii_second_listen"]
    finally:
        second_listen.GROUP_S = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--joined", type=float, default=0.0, help="seconds (0: none)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = parser.parse_args()
    from qa_service.config import Settings
    from qa_service.engines.registry import Engines

    settings = Settings(cpu_threads=1, pii_second_listen=True, asr_batch_size=0)
    engines = Engines(settings)
    files = args.files or default_files(args.lang)
    if args.joined:
        import sys
        import tempfile

        sys.path.insert(0, str(REPO))
        from tests.joined_calls import join_calls

        calls = [p for p in default_files(args.lang) if p.parent.name == "calls"]
        joined = Path(tempfile.mkdtemp()) / f"{args.lang}-joined-{args.joined:.0f}s.wav"
        files.append(join_calls(calls, joined, settings, min_seconds=args.joined)[0])
    listened(files[0], engines, False, args.lang)  # the model loaded before anything is timed
    totals = {True: [0.0, 0.0], False: [0.0, 0.0]}
    print("| file | way | windows | decodes | taken | second listen s | first pass s |")
    print("|---|---|---|---|---|---|---|")
    for _ in range(args.rounds):
        for path in files:
            for one_by_one in (True, False):
                seconds, summary = listened(path, engines, one_by_one, args.lang)
                extra = summary["seconds"]
                totals[one_by_one][0] += extra
                totals[one_by_one][1] += seconds - extra
                way = "one by one" if one_by_one else "together"
                print(
                    f"| {path.name} | {way} | {summary['windows']} | {summary['decodes']} | "
                    f"{summary['taken']} | {extra:.2f} | {seconds - extra:.2f} |"
                )
    for one_by_one, (extra, first) in totals.items():
        way = "one by one" if one_by_one else "together"
        print(f"{way}: second listen {extra:.1f} s on a first pass of {first:.1f} s", end=" ")
        print(f"({extra / first:.1%})")
    print(f"together / one by one: {totals[False][0] / max(totals[True][0], 1e-9):.2f}")


if __name__ == "__main__":
    main()
