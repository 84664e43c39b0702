"""Does the call score track what people think of the service? STC-3 dialogues with ratings.

Each STC-3 dialogue (customer <-> helpdesk chat, rated by 19 people for task accomplished A,
customer satisfaction S and effectiveness E) becomes a transcript JSON with
``"channel": "chat"`` (helpdesk = agent). Every message of a turn stays its own utterance,
one after the other on a synthetic clock: a message lasts as long as it would take to say
at an ordinary pace (4 characters or 2.5 words a second) and the next one starts a second
later. The transcript then goes through ``analyze_transcript`` - the path of
``qa-service analyze transcript.json`` - with the real sentiment model, and the bench prints:

- AUC of ``score.total`` separating dialogues rated S >= 0.5 from S <= -0.5, Spearman rho
  of the score with S, A and E (and the same for the mean customer sentiment, for reference);
- each finding category's firing rate, with the mean S of the dialogues where it fired and
  where it did not;
- per-act precision/recall, through ``qa-service eval acts`` when that command exists;
- a blind audit (bench/dialogue_audit.py): ``--audit-sample N --audit-seed K`` writes N random
  findings for judging, ``--audit-show F`` prints them with their lines, ``--audit-file F``
  prints precision per category from the judgements.

Sentiment and call acts are computed once per distinct message and cached outside the
repository (bench/model_cache.py; ``--cache-dir``, default ~/.cache/qa-service/bench), keyed
by each model's weights.

    .venv/bin/python bench/dialogue_quality.py [--lang zh en] [--limit 500 --seed 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dialogue_audit
from model_cache import CachedActs, CachedSentiment

from qa_service.config import get_settings
from qa_service.domain.metrics import speech_units
from qa_service.domain.results import CallResult
from qa_service.training.stc3_sample import shuffled_positions

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "dialogues" / "stc3"
DEFAULT_CACHE = Path.home() / ".cache" / "qa-service" / "bench"
ROLE_OF_SENDER = {"helpdesk": "agent", "customer": "customer"}
UNITS_PER_S = {"zh": 4.0, "en": 2.5}
GAP_S = 1.0
GOOD_S, BAD_S = 0.5, -0.5
HALVES = ("even", "odd")  # the split: well rated vs badly rated dialogues


def load_dialogues(
    path: Path, limit: int | None, seed: int, half: str | None = None
) -> list[dict[str, Any]]:
    """The dialogues of a file shuffled by ``seed``, the first ``limit`` of them if given.

    A whole run fills the model caches in this order, so an interrupted one still covers
    every ``--limit`` run with the same seed up to where it stopped. ``half`` (``even`` or
    ``odd``) then keeps the dialogues at even or odd positions of the file: tune on one half,
    check on the other.
    """
    with path.open(encoding="utf-8") as fh:
        dialogues = [json.loads(line) for line in fh if line.strip()]
    positions = shuffled_positions(len(dialogues), seed)
    chosen = positions[:limit] if limit is not None else positions
    if half is not None:
        chosen = [k for k in chosen if k % 2 == HALVES.index(half)]
    return [{**dialogues[k], "_half": HALVES[k % 2]} for k in chosen]


def to_transcript(dialogue: dict[str, Any], language: str) -> dict[str, Any]:
    """A transcript JSON (result contract) of one STC-3 dialogue; ``turn`` keeps the source."""
    utterances, clock = [], 0.0
    for turn_index, turn in enumerate(dialogue["turns"]):
        for k, text in enumerate(turn["utterances"]):
            if not text.strip():
                continue
            length = max(1.0, speech_units(text) / UNITS_PER_S[language])
            utterances.append(
                {
                    "role": ROLE_OF_SENDER[turn["sender"]],
                    "start": round(clock, 3),
                    "end": round(clock + length, 3),
                    "text": text,
                    "turn": [turn_index, k],
                }
            )
            clock += length + GAP_S
    return {
        "call_id": str(dialogue["id"]),
        "language": language,
        "channel": "chat",
        "utterances": utterances,
    }


@dataclass
class Scored:
    dialogue: dict[str, Any]
    transcript: dict[str, Any]
    result: CallResult

    @property
    def quality(self) -> dict[str, float]:
        return self.dialogue["quality_mean"]


def analyse(
    dialogues: list[dict[str, Any]], language: str, pack: str | None, cache_dir: Path
) -> list[Scored]:
    """Every dialogue through ``analyze_transcript``, sentiment served by the cache."""
    from qa_service.analysis.pipeline import AnalyzeOptions, analyze_transcript
    from qa_service.engines.registry import Engines

    class CachedEngines(Engines):
        @property
        def sentiment(self) -> CachedSentiment:
            return sentiment

        @property
        def acts(self) -> CachedActs:
            return acts

    sentiment, acts = CachedSentiment(cache_dir), CachedActs(cache_dir)
    transcripts = [to_transcript(d, language) for d in dialogues]
    texts = [u["text"] for t in transcripts for u in t["utterances"]]
    sentiment.prefill(texts)
    acts.prefill(texts)
    # The pipeline asks the engines for the models; the caches answer in their place with
    # the same models' (stored) outputs, so everything else runs as in production.
    engines = CachedEngines(get_settings())
    out = []
    for dialogue, transcript in zip(dialogues, transcripts, strict=True):
        options = AnalyzeOptions(language=language, call_id=transcript["call_id"], rule_pack=pack)
        out.append(Scored(dialogue, transcript, analyze_transcript(transcript, options, engines)))
    return out


# Figures ---------------------------------------------------------------------------------


def auc(values: Sequence[float], quality: Sequence[float]) -> tuple[float | None, int, int]:
    """AUC of ``values`` for well rated (S >= 0.5) against badly rated (S <= -0.5)."""
    from sklearn.metrics import roc_auc_score

    pairs = [
        (v, q >= GOOD_S) for v, q in zip(values, quality, strict=True) if q >= GOOD_S or q <= BAD_S
    ]
    good = sum(1 for _, g in pairs if g)
    if not good or good == len(pairs):
        return None, good, len(pairs) - good
    return (
        float(roc_auc_score([g for _, g in pairs], [v for v, _ in pairs])),
        good,
        len(pairs) - good,
    )


def spearman(values: Sequence[float], other: Sequence[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(values, other).statistic)


def mean_customer_sentiment(result: CallResult) -> float:
    scores = [
        u.sentiment["score"]
        for u in result.transcript.utterances
        if u.role == "customer" and u.sentiment
    ]
    return sum(scores) / len(scores) if scores else 0.0


def print_agreement(rows: list[Scored], language: str) -> None:
    signals = {
        "score.total": [r.result.score.total for r in rows],
        "mean customer sentiment": [mean_customer_sentiment(r.result) for r in rows],
    }
    print(f"\n{language}: {len(rows)} dialogues")
    print(f"  {'signal':<26} {'AUC':>6} {'rho S':>7} {'rho A':>7} {'rho E':>7}")
    for name, values in signals.items():
        area, good, bad = auc(values, [r.quality["S"] for r in rows])
        rhos = [spearman(values, [r.quality[k] for r in rows]) for k in "SAE"]
        shown = "  n/a " if area is None else f"{area:6.3f}"
        print(f"  {name:<26} {shown} " + " ".join(f"{rho:7.3f}" for rho in rhos))
    print(f"  (AUC on {good} dialogues with S >= {GOOD_S} against {bad} with S <= {BAD_S})")
    totals = signals["score.total"]
    print(f"  score: mean {sum(totals) / len(totals):.1f}, min {min(totals)}, max {max(totals)}")


def print_categories(rows: list[Scored]) -> None:
    fired: dict[str, list[bool]] = {}
    categories = sorted({f.category for r in rows for f in r.result.findings})
    for category in categories:
        fired[category] = [any(f.category == category for f in r.result.findings) for r in rows]
    print(f"  {'category':<26} {'fires':>6} {'S fired':>8} {'S not':>8} {'findings':>9}")
    for category in sorted(categories, key=lambda c: -sum(fired[c])):
        hits = fired[category]
        s_on = [r.quality["S"] for r, h in zip(rows, hits, strict=True) if h]
        s_off = [r.quality["S"] for r, h in zip(rows, hits, strict=True) if not h]
        count = sum(f.category == category for r in rows for f in r.result.findings)
        print(
            f"  {category:<26} {sum(hits) / len(rows):6.1%} {_mean(s_on):8.2f} "
            f"{_mean(s_off):8.2f} {count:9d}"
        )
    critical = sum(r.result.score.critical_failed for r in rows)
    print(f"  critical failures: {critical} ({critical / len(rows):.1%})")


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def print_acts() -> None:
    """Per-act precision/recall on the acts model's held-out split, when the command exists."""
    command = [sys.executable, "-m", "qa_service", "eval", "acts"]
    probe = subprocess.run([*command, "--help"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        print("\nacts: no 'qa-service eval acts' command yet; per-act P/R skipped")
        return
    print("\nacts (qa-service eval acts):")
    subprocess.run(command, check=False)


def write_scores(path: Path, rows: list[Scored]) -> None:
    """One JSON line per dialogue: id, language, file half, score, ratings, categories fired."""
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            record = {
                "dialogue": row.result.call_id,
                "lang": row.result.transcript.language,
                "half": row.dialogue.get("_half"),
                "score": row.result.score.total,
                "sentiment": round(mean_customer_sentiment(row.result), 4),
                "quality": row.quality,
                "categories": sorted({f.category for f in row.result.findings}),
            }
            fh.write(json.dumps(record) + "\n")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of dev_*.jsonl")
    parser.add_argument("--lang", nargs="+", default=["zh", "en"], choices=["zh", "en"])
    parser.add_argument("--limit", type=int, help="a random subset of this many per language")
    parser.add_argument("--seed", type=int, default=1, help="the shuffle --limit takes from")
    parser.add_argument("--half", choices=HALVES, help="only file positions even or odd")
    parser.add_argument("--pack", help="rule pack (default: what analyze picks)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--no-acts", action="store_true", help="skip qa-service eval acts")
    parser.add_argument(
        "--scores-out", type=Path, metavar="F", help="write each dialogue's score and ratings"
    )
    parser.add_argument("--audit-sample", type=int, metavar="N", help="draw N random findings")
    parser.add_argument("--audit-seed", type=int, help="which findings (default: --seed)")
    parser.add_argument("--audit-out", type=Path, default=Path("audit_sample.jsonl"))
    parser.add_argument(
        "--audit-pool", type=Path, metavar="F", help="write every finding (to sample from later)"
    )
    parser.add_argument(
        "--audit-from",
        type=Path,
        nargs="+",
        metavar="F",
        help="with --audit-sample: draw from these pools (in order) instead of running",
    )
    parser.add_argument("--audit-show", type=Path, metavar="F", help="print F with its lines")
    parser.add_argument("--audit-file", type=Path, metavar="F", help="precision from judgements")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.audit_file:
        dialogue_audit.print_precision(dialogue_audit.read_records(args.audit_file))
        return
    if args.audit_from:
        pool = [r for f in args.audit_from for r in dialogue_audit.read_records(f)]
        records = dialogue_audit.draw(pool, args.audit_sample or len(pool), args.audit_seed or 1)
        dialogue_audit.write_records(args.audit_out, records)
        print(f"{len(records)} findings for judging written to {args.audit_out}")
        return
    if args.audit_show:
        records = dialogue_audit.read_records(args.audit_show)
        dialogue_audit.show(records, args.data)
        return
    scored: list[Scored] = []
    for language in args.lang:
        started = time.perf_counter()
        dialogues = load_dialogues(
            args.data / f"dev_{language}.jsonl", args.limit, args.seed, args.half
        )
        rows = analyse(dialogues, language, args.pack, args.cache_dir)
        print_agreement(rows, language)
        if args.half is None:  # the same by file half: tuned on even, checked on odd
            for half in HALVES:
                print_agreement([r for r in rows if r.dialogue["_half"] == half], half)
        print_categories(rows)
        print(f"  ({time.perf_counter() - started:.0f} s)")
        scored += rows
    if args.scores_out:
        write_scores(args.scores_out, scored)
    if args.audit_pool:
        dialogue_audit.write_records(args.audit_pool, dialogue_audit.pool(scored))
    if args.audit_sample:
        seed = args.seed if args.audit_seed is None else args.audit_seed
        records = dialogue_audit.sample(scored, args.audit_sample, seed)
        dialogue_audit.write_records(args.audit_out, records)
        print(f"\n{len(records)} findings for judging written to {args.audit_out}")
    if not args.no_acts:
        print_acts()


if __name__ == "__main__":
    main()
