"""Evaluation questions answered by a language model, against human labels.

1. STC-3 dev zh (real helpdesk chats rated by 19 annotators): the standard scorecard's
   "problem resolved" question vs the mean A (task accomplished) rating: AUC for
   A >= 0.5 (accomplished) vs A <= -0.5 (not), on a seeded sample balanced between the two.
   The answer is yes/no, so the AUC is that of a binary score (the mean of the two recalls).
2. The labelled calls in shared/data/calls: accuracy per default question against the
   calls' ground truth (resolved, deflection, empathy, forbidden -> rude tone, risk
   disclosure), and the majority-class baseline of each.
Seconds and tokens per call for both, the model's seconds per minute of call (times 5: per
5-minute call), the process's peak memory and the load average around the run (the CPU may
be shared). The model: the embedded one (``--model``, a catalog name or a .gguf path) or an
endpoint (``--url``, ``--endpoint-model``).

    python bench/llm_questions.py --model qwen2.5-coder-0.5b --stc3 60
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa_service.analysis.packs import load_scorecard  # noqa: E402
from qa_service.analysis.questions import answer_questions  # noqa: E402
from qa_service.config import Settings  # noqa: E402
from qa_service.domain.transcript import Transcript, Utterance  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
RESOLVED = "q-problem-resolved"
# Ground-truth label of each default question on the labelled calls: the answer "yes" is
# right when the label is truthy (lists: non-empty).
CALL_LABELS = {
    RESOLVED: "resolved",
    "q-deflection": "deflection",
    "q-empathy": "empathy",
    "q-rude-tone": "forbidden",
    "q-risk-disclosure": "risk_disclosure",
}


def chat_transcript(dialogue: dict[str, Any]) -> Transcript:
    utterances, clock = [], 0.0
    for turn in dialogue["turns"]:
        text = " ".join(u for u in turn["utterances"] if u.strip())
        if not text:
            continue
        role = "customer" if turn["sender"] == "customer" else "agent"
        utterances.append(Utterance(role, clock, clock + 1.0, text))
        clock += 1.0
    return Transcript(utterances, "zh", clock, {}, channel="chat", real_timestamps=False)


def call_transcript(truth: dict[str, Any]) -> Transcript:
    utterances = [Utterance(t["role"], t["start"], t["end"], t["text"]) for t in truth["turns"]]
    return Transcript(utterances, truth["language"], truth["duration_s"], truth["channels"])


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ask(model, items, tr: Transcript, window_chars: int) -> tuple[dict[str, str], dict]:
    # applies_when needs the rule findings; the bench asks every question on every call.
    items = [item.model_copy(update={"applies_when": None}) for item in items]
    # CPU seconds beside the wall clock: on a shared CPU the wall clock measures the others.
    cpu = _cpu_seconds()
    outcome = answer_questions(tr, items, [], model, window_chars)
    answers = {f.rule_id: f.evidence["answer"] for f in outcome.findings}
    usage = {**outcome.usage.to_dict(), "not_evaluated": len(outcome.not_evaluated)}
    return answers, {**usage, "cpu_seconds": _cpu_seconds() - cpu}


def stc3_sample(limit: int, seed: int) -> list[tuple[dict[str, Any], int]]:
    path = SHARED / "dialogues" / "stc3" / "dev_zh.jsonl"
    good, bad = [], []
    for line in path.open(encoding="utf-8"):
        dialogue = json.loads(line)
        a = dialogue["quality_mean"]["A"]
        if a >= 0.5:
            good.append((dialogue, 1))
        elif a <= -0.5:
            bad.append((dialogue, 0))
    rng = random.Random(seed)
    half = limit // 2
    return rng.sample(good, min(half, len(good))) + rng.sample(bad, min(half, len(bad)))


def bench_stc3(model, items, limit: int, seed: int, window_chars: int) -> dict[str, Any]:
    item = [i for i in items if i.id == RESOLVED]
    rows = []
    for dialogue, label in stc3_sample(limit, seed):
        answers, usage = ask(model, item, chat_transcript(dialogue), window_chars)
        rows.append((label, answers.get(RESOLVED), usage))
        print(
            f"stc3 {dialogue['id']} A={label} -> {answers.get(RESOLVED)} {usage}",
            file=sys.stderr,
            flush=True,
        )
    answered = [(label, ans) for label, ans, _ in rows if ans in ("yes", "no")]
    pos = [a == "yes" for label, a in answered if label == 1]
    neg = [a == "no" for label, a in answered if label == 0]
    recall_pos = sum(pos) / len(pos) if pos else 0.0
    recall_neg = sum(neg) / len(neg) if neg else 0.0
    return {
        "dialogues": len(rows),
        "answered": len(answered),
        "auc_binary": round((recall_pos + recall_neg) / 2, 3),
        "yes_rate_accomplished": round(recall_pos, 3),
        "no_rate_not_accomplished": round(recall_neg, 3),
        **_cost([u for _, _, u in rows]),
    }


def bench_calls(model, items, window_chars: int, only: list[str] | None) -> dict[str, Any]:
    per_question: dict[str, list[tuple[bool, str | None]]] = {q: [] for q in CALL_LABELS}
    usages = []
    for path in sorted((SHARED / "calls").glob("*.json")):
        if only and path.stem not in only:
            continue
        truth = json.loads(path.read_text(encoding="utf-8"))
        asked = [i for i in items if i.id in CALL_LABELS and CALL_LABELS[i.id] in truth["labels"]]
        answers, usage = ask(model, asked, call_transcript(truth), window_chars)
        usages.append({**usage, "duration_s": truth["duration_s"]})
        for item in asked:
            expected = bool(truth["labels"][CALL_LABELS[item.id]])
            per_question[item.id].append((expected, answers.get(item.id)))
        print(f"call {truth['call_id']}: {answers} {usage}", file=sys.stderr, flush=True)
    report = {}
    for question, rows in per_question.items():
        if not rows:
            continue
        right = sum((ans == "yes") == expected for expected, ans in rows if ans)
        majority = max(sum(e for e, _ in rows), sum(not e for e, _ in rows))
        report[question] = {
            "calls": len(rows),
            "accuracy": round(right / len(rows), 3),
            "majority_baseline": round(majority / len(rows), 3),
        }
    minutes = sum(u["duration_s"] for u in usages) / 60
    cost = _cost(usages)
    cost["model_seconds_per_call_minute"] = round(cost["seconds_total"] / minutes, 2)
    cost["model_seconds_per_5_min_call"] = round(5 * cost["seconds_total"] / minutes, 1)
    cost["model_cpu_seconds_per_5_min_call"] = round(5 * cost["cpu_seconds_total"] / minutes, 1)
    return {"questions": report, **cost}


def bench_five_minutes(model, items, settings: Settings, seconds: float) -> dict[str, Any]:
    """ASR and the questions on one call of ``seconds``: the zh shared calls joined (as
    bench/asr_batched.py joins them), transcribed by faster-whisper, then every default
    question asked of that transcript; CPU seconds of each, side by side, in this process."""
    import tempfile

    from qa_service.analysis.pipeline import AnalyzeOptions, transcribe_audio
    from qa_service.engines.audio import load_audio
    from qa_service.engines.registry import Engines
    from tests.joined_calls import join_calls

    paths = sorted(p for p in (SHARED / "calls").glob("zh-*.wav") if ".mono" not in p.name)
    engines = Engines(settings.model_copy(update={"llm_backend": "off"}))
    with tempfile.TemporaryDirectory() as tmp:
        path, _ = join_calls(paths, Path(tmp) / "joined.wav", settings, min_seconds=seconds)
        with load_audio(path, settings) as audio:
            _ = engines.recognizer  # loaded outside the measured span, as a worker holds it
            cpu, wall = _cpu_seconds(), time.perf_counter()
            transcript, _source = transcribe_audio(audio, AnalyzeOptions(), engines)
            asr_cpu, asr_wall = _cpu_seconds() - cpu, time.perf_counter() - wall
    wall = time.perf_counter()
    _answers, usage = ask(model, items, transcript, settings.llm_window_chars)
    return {
        "call_seconds": round(transcript.duration_s, 1),
        "utterances": len(transcript.utterances),
        "characters": sum(len(u.text) for u in transcript.utterances),
        "asr_cpu_seconds": round(asr_cpu, 1),
        "asr_wall_seconds": round(asr_wall, 1),
        "questions_cpu_seconds": round(usage["cpu_seconds"], 1),
        "questions_wall_seconds": round(time.perf_counter() - wall, 1),
        "questions_over_asr_cpu": round(usage["cpu_seconds"] / max(asr_cpu, 1e-9), 2),
        **{k: usage[k] for k in ("requests", "prompt_tokens", "cached_tokens", "not_evaluated")},
        "completion_tokens": usage["completion_tokens"],
    }


def _cost(usages: list[dict[str, Any]]) -> dict[str, Any]:
    n = max(1, len(usages))
    return {
        "seconds_total": round(sum(u["seconds"] for u in usages), 1),
        "cpu_seconds_total": round(sum(u["cpu_seconds"] for u in usages), 1),
        "seconds_per_item": round(sum(u["seconds"] for u in usages) / n, 2),
        "prompt_tokens_per_item": round(sum(u["prompt_tokens"] for u in usages) / n),
        # Of those, read from the prompt cache (the transcript shared by a call's questions).
        "cached_tokens_per_item": round(sum(u["cached_tokens"] for u in usages) / n),
        "completion_tokens_per_item": round(sum(u["completion_tokens"] for u in usages) / n),
        "requests": sum(u["requests"] for u in usages),
        "not_evaluated": sum(u["not_evaluated"] for u in usages),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--url", default="", help="an OpenAI-compatible endpoint instead")
    parser.add_argument("--endpoint-model", default="")
    parser.add_argument("--stc3", type=int, default=60, help="dialogues (0: skip)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-calls", action="store_true")
    parser.add_argument("--calls", nargs="*", help="only these shared call ids")
    parser.add_argument(
        "--five-minutes", type=float, default=0, help="also: ASR vs questions on a joined call"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    from qa_service.engines.llm import load_language_model

    settings = Settings(
        llm_backend="endpoint" if args.url else "embedded",
        llm_model=args.model,
        llm_endpoint_url=args.url,
        llm_endpoint_model=args.endpoint_model,
        cpu_threads=args.threads,
        llm_timeout_s=600,
    )
    started = time.perf_counter()
    model = load_language_model(settings)
    report: dict[str, Any] = {
        "model": args.url or args.model,
        "backend": settings.llm_backend,
        "threads": args.threads,
        "load_seconds": round(time.perf_counter() - started, 1),
        "load_average_before": [round(x, 1) for x in os.getloadavg()],
    }
    items = [i for i in load_scorecard(REPO / "rules/scorecards/standard.yaml").items]
    items = [i for i in items if i.type == "question"]
    if not args.no_calls:
        report["calls"] = bench_calls(model, items, settings.llm_window_chars, args.calls)
    if args.stc3:
        report["stc3_dev_zh"] = bench_stc3(
            model, items, args.stc3, args.seed, settings.llm_window_chars
        )
    if args.five_minutes:
        report["five_minute_call"] = bench_five_minutes(model, items, settings, args.five_minutes)
    report["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
