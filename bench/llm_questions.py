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
    return Transcript(utterances, truth["language"], truth["duration_s"], truth.get("channels", {}))


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ask(model, items, tr: Transcript, window_chars: int) -> tuple[dict[str, Any], dict]:
    """Each question's answer finding's evidence (answer, probabilities) and the cost."""
    # applies_when needs the rule findings; the bench asks every question on every call.
    items = [item.model_copy(update={"applies_when": None}) for item in items]
    # CPU seconds beside the wall clock: on a shared CPU the wall clock measures the others.
    cpu = _cpu_seconds()
    outcome = answer_questions(tr, items, [], model, window_chars)
    answers = {f.rule_id: f.evidence for f in outcome.findings}
    usage = {**outcome.usage.to_dict(), "not_evaluated": len(outcome.not_evaluated)}
    return answers, {**usage, "cpu_seconds": _cpu_seconds() - cpu}


def stc3_sample(limit: int, seed: int, positions: str = "all") -> list[tuple[dict[str, Any], int]]:
    """A seeded sample, half A >= 0.5 (label 1) and half A <= -0.5 (label 0), drawn from the
    dialogues at the ``positions`` (even, odd or all 0-based lines) of the file: prompt
    wording is looked at on the even ones, the figures reported on the odd ones."""
    path = SHARED / "dialogues" / "stc3" / "dev_zh.jsonl"
    good, bad = [], []
    for place, line in enumerate(path.open(encoding="utf-8")):
        if positions != "all" and place % 2 != (positions == "odd"):
            continue
        dialogue = json.loads(line)
        a = dialogue["quality_mean"]["A"]
        if a >= 0.5:
            good.append((dialogue, 1))
        elif a <= -0.5:
            bad.append((dialogue, 0))
    rng = random.Random(seed)
    half = limit // 2
    drawn = rng.sample(good, min(half, len(good))), rng.sample(bad, min(half, len(bad)))
    # Alternating, so a run stopped early is still balanced.
    return [pair for both in zip(*drawn, strict=False) for pair in both]


def auc(scores: list[tuple[int, float]]) -> float | None:
    """The probability that a positive outranks a negative (ties count half)."""
    pos = [s for label, s in scores if label == 1]
    neg = [s for label, s in scores if label == 0]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def auc_interval(scores: list[tuple[int, float]], seed: int, rounds: int = 2000) -> list[float]:
    """A 95 % bootstrap interval of the AUC, resampling within each class."""
    rng = random.Random(seed)
    pos = [x for x in scores if x[0] == 1]
    neg = [x for x in scores if x[0] == 0]
    draws = sorted(
        auc(rng.choices(pos, k=len(pos)) + rng.choices(neg, k=len(neg))) or 0.0
        for _ in range(rounds)
    )
    return [round(draws[int(0.025 * rounds)], 3), round(draws[int(0.975 * rounds) - 1], 3)]


def p_yes(evidence: dict[str, Any] | None) -> float | None:
    """The model's probability of yes among yes and no, whatever it answered."""
    from qa_service.domain.question_agreement import yes_share

    return yes_share(evidence)


def answer_score(evidence: dict[str, Any] | None) -> float | None:
    """How strongly the answer says "yes": its probability where the model gave one."""
    if not evidence or evidence["answer"] not in ("yes", "no"):
        return None
    shares = evidence.get("probabilities")
    if shares:
        return shares.get("yes", 0.0) / max(shares.get("yes", 0.0) + shares.get("no", 0.0), 1e-9)
    return 1.0 if evidence["answer"] == "yes" else 0.0


def bench_stc3(
    model, items, limit: int, seed: int, window_chars: int, positions: str
) -> dict[str, Any]:
    item = [i for i in items if i.id == RESOLVED]
    rows = []
    for dialogue, label in stc3_sample(limit, seed, positions):
        answers, usage = ask(model, item, chat_transcript(dialogue), window_chars)
        evidence = answers.get(RESOLVED)
        rows.append((label, evidence, usage))
        shown = {k: evidence.get(k) for k in ("answer", "probabilities")} if evidence else None
        print(f"stc3 {dialogue['id']} A={label} -> {shown} {usage}", file=sys.stderr, flush=True)
    scored = [(label, answer_score(e)) for label, e, _ in rows]
    scored = [(label, s) for label, s in scored if s is not None]
    binary = [(label, float(s >= 0.5)) for label, s in scored]
    return {
        "positions": positions,
        "dialogues": len(rows),
        "answered": len(scored),
        "accomplished": sum(label for label, _ in scored),
        "auc_probability": _rounded(auc(scored)),
        "auc_probability_95": auc_interval(scored, seed) if scored else None,
        # The bare yes/no: its AUC is the mean of the two recalls.
        "auc_binary": _rounded(auc(binary)),
        "yes_rate_accomplished": _rounded(_mean([s for label, s in binary if label == 1])),
        "no_rate_not_accomplished": _rounded(_mean([1 - s for label, s in binary if label == 0])),
        **_cost([u for _, _, u in rows]),
        "raw": [
            {"id": d["id"], "label": label, "answer": (e or {}).get("answer"), "p_yes": p_yes(e)}
            for (d, _), (label, e, _) in zip(stc3_sample(limit, seed, positions), rows, strict=True)
        ],
    }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def question_report(rows: list[tuple[bool, dict[str, Any] | None]]) -> dict[str, Any]:
    """One question on the labelled calls: accuracy of the answer, the majority-class
    baseline, and the AUC of the answer's probability of "yes" (does the model rank the
    calls right even where its yes/no threshold is off?). ``rows``: (label, evidence)."""
    answers = [e["answer"] if e else None for _, e in rows]
    right = sum(
        # An unanswered question (not evaluated) is never right.
        (ans == "yes") == expected
        for (expected, _), ans in zip(rows, answers, strict=True)
        if ans is not None
    )
    majority = max(sum(e for e, _ in rows), sum(not e for e, _ in rows))
    scored = [(int(label), answer_score(e)) for label, e in rows]
    scored = [(label, s) for label, s in scored if s is not None]
    return {
        "calls": len(rows),
        "accuracy": round(right / len(rows), 3),
        "majority_baseline": round(majority / len(rows), 3),
        "yes_answers": answers.count("yes"),
        "auc_probability": _rounded(auc(scored)),
    }


def bench_calls(
    model, items, window_chars: int, only: list[str] | None, directory: Path = SHARED / "calls"
) -> dict[str, Any]:
    per_question: dict[str, list[tuple[bool, dict[str, Any] | None]]] = {q: [] for q in CALL_LABELS}
    usages, raw = [], []
    for path in sorted(directory.glob("*.json")):
        if only and path.stem not in only:
            continue
        truth = json.loads(path.read_text(encoding="utf-8"))
        asked = [i for i in items if i.id in CALL_LABELS and CALL_LABELS[i.id] in truth["labels"]]
        answers, usage = ask(model, asked, call_transcript(truth), window_chars)
        usages.append({**usage, "duration_s": truth["duration_s"]})
        for item in asked:
            expected = bool(truth["labels"][CALL_LABELS[item.id]])
            per_question[item.id].append((expected, answers.get(item.id)))
            evidence = answers.get(item.id) or {}
            raw.append(
                {"call": path.stem, "question": item.id, "label": int(expected)}
                | {"answer": evidence.get("answer"), "p_yes": p_yes(evidence)}
            )
        print(f"call {truth['call_id']}: {usage}", file=sys.stderr, flush=True)
        for question, e in answers.items():
            shown = {
                k: e.get(k) for k in ("answer", "probabilities", "justification", "cited_check")
            }
            print(f"  {question} {shown} cited {[c['index'] for c in e['cited']]}", file=sys.stderr)
    report = {q: question_report(rows) for q, rows in per_question.items() if rows}
    minutes = sum(u["duration_s"] for u in usages) / 60
    cost = _cost(usages)
    cost["model_seconds_per_call_minute"] = round(cost["seconds_total"] / minutes, 2)
    cost["model_seconds_per_5_min_call"] = round(5 * cost["seconds_total"] / minutes, 1)
    cost["model_cpu_seconds_per_5_min_call"] = round(5 * cost["cpu_seconds_total"] / minutes, 1)
    return {"questions": report, **cost, "raw": raw}


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
    parser.add_argument(
        "--stc3-positions",
        choices=["all", "even", "odd"],
        default="odd",
        help="draw from these lines of dev_zh.jsonl (even: for tuning; odd: to report)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-calls", action="store_true")
    parser.add_argument("--calls", nargs="*", help="only these shared call ids")
    parser.add_argument(
        "--tuning-calls",
        type=Path,
        help="also: the labelled calls in this folder, for --calibrate (never the shared ones)",
    )
    parser.add_argument(
        "--five-minutes", type=float, default=0, help="also: ASR vs questions on a joined call"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--labels", type=Path, help="also: the labelled questions on these STC-3 dialogues"
    )
    parser.add_argument("--labels-part", default="0/1", help="k/m: the k-th of m slices")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--questions", help="only these question ids (comma-separated)")
    parser.add_argument(
        "--scorecard",
        type=Path,
        default=REPO / "rules/scorecards/standard.yaml",
        help="the scorecard whose questions are asked",
    )
    parser.add_argument(
        "--probe-only",
        action="store_true",
        help="answers from the model's probabilities, no reply written (for --calibrate)",
    )
    parser.add_argument(
        "--calibrate",
        nargs="+",
        type=Path,
        metavar="REPORT",
        help="print a yes_threshold per question from these --out reports, and stop",
    )
    args = parser.parse_args()
    if args.calibrate:
        from llm_probe import thresholds_from_reports

        reports = [json.loads(p.read_text(encoding="utf-8")) for p in args.calibrate]
        print(json.dumps(thresholds_from_reports(reports), indent=1, ensure_ascii=False))
        return

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
    items = [i for i in load_scorecard(args.scorecard).items]
    items = [i for i in items if i.type == "question"]
    if args.questions:
        items = [i for i in items if i.id in args.questions.split(",")]
    if args.probe_only:
        from llm_probe import ProbeOnlyModel

        checked = {q for i in items if i.cited_check for q in i.question.values()}
        model = ProbeOnlyModel(model, frozenset(checked))
    if not args.no_calls:
        report["calls"] = bench_calls(model, items, settings.llm_window_chars, args.calls)
    if args.tuning_calls:
        if args.tuning_calls.resolve() == (SHARED / "calls").resolve():
            parser.error("the shared calls test the thresholds: tune on other calls")
        report["tuning_calls"] = bench_calls(
            model, items, settings.llm_window_chars, None, args.tuning_calls
        )
    if args.stc3:
        report["stc3_dev_zh"] = bench_stc3(
            model, items, args.stc3, args.seed, settings.llm_window_chars, args.stc3_positions
        )
    if args.labels:
        from llm_labelled import bench_labelled

        k, m = (int(x) for x in args.labels_part.split("/"))
        report["stc3_labelled"] = bench_labelled(
            model, items, args.labels, settings.llm_window_chars, (k, m)
        )
    if args.five_minutes:
        from llm_five_minutes import bench_five_minutes

        report["five_minute_call"] = bench_five_minutes(model, items, settings, args.five_minutes)
    report["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
