"""The cost of the questions on a 5-minute call beside its ASR (bench/llm_questions.py
``--five-minutes``): CPU seconds of each, side by side, in one process."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from llm_questions import SHARED, _cpu_seconds, ask, call_transcript

from qa_service.config import Settings
from qa_service.domain.transcript import Transcript
from qa_service.engines.llm import WritesRepliesTogether


def bench_five_minutes(model, items, settings: Settings, seconds: float) -> dict[str, Any]:
    """ASR and the questions on one call of ``seconds``: the zh shared calls joined (as
    bench/asr_batched.py joins them), transcribed by faster-whisper, then every default
    question asked of that transcript, as the process's first call and as a worker's next
    one (and, where the model writes a window's replies together, that next call again with
    each prompt probed alone, and with each reply written alone too); CPU seconds of each,
    side by side, in this process."""
    import tempfile

    from qa_service.analysis.pipeline import AnalyzeOptions, transcribe_audio
    from qa_service.engines.audio import load_audio
    from qa_service.engines.registry import Engines
    from tests.joined_calls import join_calls

    paths = sorted(p for p in (SHARED / "calls").glob("zh-*.wav") if ".mono" not in p.name)
    # The ASR as the rounds before the second listen to numbers was on by default, so the
    # questions' bound is held to the same transcription time (a second listen would only
    # make the ratio look better).
    engines = Engines(
        settings.model_copy(update={"llm_backend": "off", "pii_second_listen": False})
    )
    with tempfile.TemporaryDirectory() as tmp:
        path, _ = join_calls(paths, Path(tmp) / "joined.wav", settings, min_seconds=seconds)
        with load_audio(path, settings) as audio:
            _ = engines.recognizer  # loaded outside the measured span, as a worker holds it
            cpu, wall = _cpu_seconds(), time.perf_counter()
            transcript, _source = transcribe_audio(audio, AnalyzeOptions(), engines)
            asr_cpu, asr_wall = _cpu_seconds() - cpu, time.perf_counter() - wall
    report = {
        "call_seconds": round(transcript.duration_s, 1),
        "utterances": len(transcript.utterances),
        "characters": sum(len(u.text) for u in transcript.utterances),
        "asr_cpu_seconds": round(asr_cpu, 1),
        "asr_wall_seconds": round(asr_wall, 1),
    }
    # First as the process's first call (nothing in the model's prompt cache), then as a
    # worker's next call: after another call's questions, whose system prompt it shares.
    report["first_call"] = _questions_cost(model, items, transcript, settings, asr_cpu)
    other = json.loads((SHARED / "calls" / f"{paths[0].stem}.json").read_text(encoding="utf-8"))
    ask(model, items, call_transcript(other), settings.llm_window_chars)
    report["next_call"] = _questions_cost(model, items, transcript, settings, asr_cpu)
    if isinstance(model, WritesRepliesTogether):
        # The same next call with each prompt probed alone (replies still together), then
        # with each reply written alone too, each after the same other call.
        for key, variant in (
            ("next_call_probes_one_by_one", ProbesOneByOne(model)),
            ("next_call_one_by_one", OneByOne(model)),
        ):
            ask(model, items, call_transcript(other), settings.llm_window_chars)
            report[key] = _questions_cost(variant, items, transcript, settings, asr_cpu)
    return report


class OneByOne:
    """``model`` without ``replies_together``: each reply written alone, as before batches."""

    parallel_requests = 1

    def __init__(self, model: Any) -> None:
        self._model = model
        self.name = model.name

    def answer(self, *args: Any, **kwargs: Any) -> Any:
        return self._model.answer(*args, **kwargs)

    def choice_probabilities(self, *args: Any, **kwargs: Any) -> Any:
        return self._model.choice_probabilities(*args, **kwargs)


class ProbesOneByOne(OneByOne):
    """``model`` whose batches read no prompts together (``choices`` declines): each prompt
    probed alone before its reply is added, as in the fifteenth round."""

    @contextmanager
    def replies_together(self) -> Iterator[Any]:
        with self._model.replies_together() as batch:
            yield _ProbesDeclined(batch)


class _ProbesDeclined:
    def __init__(self, batch: Any) -> None:
        self._batch = batch

    def choices(self, requests: list[Any]) -> None:
        return None

    def add(self, *args: Any, **kwargs: Any) -> None:
        self._batch.add(*args, **kwargs)

    def replies(self) -> list[Any]:
        return self._batch.replies()


def _questions_cost(model, items, transcript: Transcript, settings: Settings, asr_cpu: float):
    wall = time.perf_counter()
    _answers, usage = ask(model, items, transcript, settings.llm_window_chars)
    return {
        "questions_cpu_seconds": round(usage["cpu_seconds"], 1),
        "questions_wall_seconds": round(time.perf_counter() - wall, 1),
        "questions_over_asr_cpu": round(usage["cpu_seconds"] / max(asr_cpu, 1e-9), 2),
        **{k: usage[k] for k in ("requests", "prompt_tokens", "cached_tokens", "not_evaluated")},
        "completion_tokens": usage["completion_tokens"],
    }
