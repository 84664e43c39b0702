"""Per-act precision and recall of a call-act model on the held-out split, minus leaked rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qa_service.engines.acts import ActModel
from qa_service.training.acts_data import HeldOut
from qa_service.training.corpora import fingerprints
from qa_service.training.evaluate import training_fingerprints

# Thresholds tried when looking for the lowest one that reaches the target precision.
GRID = tuple(round(0.05 * i, 2) for i in range(2, 20))
TARGET_PRECISION = 0.9
# A threshold "reaches" the target only with this many predictions above it.
MIN_PREDICTED = 5


@dataclass(slots=True)
class ActScore:
    support: int = 0  # held-out rows labelled with the act
    tp: int = 0
    fp: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.support if self.support else None


@dataclass(slots=True)
class ActEval:
    rows: int
    overlap: int | None  # rows whose text the model was trained on; None: unknown
    threshold: float
    scores: dict[str, ActScore]
    # act -> (lowest threshold with precision >= TARGET_PRECISION, recall there)
    precise_at: dict[str, tuple[float, float] | None] = field(default_factory=dict)


def score_rows(
    probs: Sequence[dict[str, float]], gold: Sequence[frozenset[str]], act: str, threshold: float
) -> ActScore:
    score = ActScore()
    for p, acts in zip(probs, gold, strict=True):
        predicted = p.get(act, 0.0) >= threshold
        score.support += act in acts
        score.tp += predicted and act in acts
        score.fp += predicted and act not in acts
    return score


def precise_threshold(
    probs: Sequence[dict[str, float]], gold: Sequence[frozenset[str]], act: str
) -> tuple[float, float] | None:
    for threshold in GRID:
        score = score_rows(probs, gold, act, threshold)
        if score.tp + score.fp < MIN_PREDICTED or score.precision is None:
            continue
        if score.precision >= TARGET_PRECISION:
            return threshold, score.recall or 0.0
    return None


def evaluate_acts(model: ActModel, rows: Sequence[HeldOut], threshold: float = 0.5) -> ActEval:
    """Scores on the rows the model was not trained on (all rows when it does not say)."""
    trained = training_fingerprints(model.path)
    leaked = [trained is not None and not trained.isdisjoint(fingerprints(r.text)) for r in rows]
    kept = [r for r, bad in zip(rows, leaked, strict=True) if not bad]
    probs = model.probabilities([r.text for r in kept])
    gold = [r.acts for r in kept]
    return ActEval(
        rows=len(rows),
        overlap=None if trained is None else sum(leaked),
        threshold=threshold,
        scores={act: score_rows(probs, gold, act, threshold) for act in model.acts},
        precise_at={act: precise_threshold(probs, gold, act) for act in model.acts},
    )


def split_rows(rows: Sequence[HeldOut]) -> dict[str, list[HeldOut]]:
    """Held-out rows by split: STC-3 per language, the written sentences together."""
    splits: dict[str, list[HeldOut]] = {}
    for row in rows:
        name = f"stc3-{row.lang}" if row.source == "stc3" else "written"
        splits.setdefault(name, []).append(row)
    return splits


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def markdown_table(results: dict[str, ActEval]) -> str:
    """One row per act and split: support, P/R at the evaluation threshold, precise threshold."""
    lines = [
        "| split | act | support | precision | recall | threshold for P >= 0.9 (recall) |",
        "|---|---|---|---|---|---|",
    ]
    for split, result in results.items():
        for act, score in result.scores.items():
            precise = result.precise_at.get(act)
            at = "-" if precise is None else f"{precise[0]:.2f} ({precise[1]:.2f})"
            lines.append(
                f"| {split} | {act} | {score.support} | {_fmt(score.precision)} | "
                f"{_fmt(score.recall)} | {at} |"
            )
    return "\n".join(lines)
