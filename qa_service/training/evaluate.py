"""Accuracy of a sentiment model on a labelled ``label,review`` CSV, minus leaked rows."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from qa_service.engines.sentiment import NEGATIVE, POSITIVE, SentimentModel
from qa_service.training.corpora import fingerprints, read_labelled_csv
from qa_service.training.sentiment import FINGERPRINT_FILE


@dataclass(frozen=True, slots=True)
class EvalResult:
    rows: int
    overlap: int | None  # rows also in the training data; None: the model does not say
    correct: int
    correct_outside: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.rows if self.rows else 0.0

    @property
    def accuracy_outside(self) -> float:
        """Accuracy on the rows the model was not trained on (all rows when unknown)."""
        outside = self.rows - (self.overlap or 0)
        return self.correct_outside / outside if outside else 0.0


def training_fingerprints(model_dir: Path) -> set[str] | None:
    path = model_dir / FINGERPRINT_FILE
    if not path.is_file():
        return None
    return set(path.read_text(encoding="ascii").split())


def sample_rows(rows: list[tuple[int, str]], limit: int | None, seed: int) -> list[tuple[int, str]]:
    if limit is None or limit >= len(rows):
        return rows
    return random.Random(seed).sample(rows, limit)


def evaluate_csv(
    model: SentimentModel, path: Path, *, limit: int | None = None, seed: int = 0
) -> EvalResult:
    """Binary accuracy: a row counts as positive when p(positive) > p(negative)."""
    rows = sample_rows(read_labelled_csv(path), limit, seed)
    trained = training_fingerprints(model.path)
    probs = model.probabilities([text for _, text in rows])
    overlap = correct = correct_outside = 0
    for (label, text), p in zip(rows, probs, strict=True):
        right = int(p.get(POSITIVE, 0.0) > p.get(NEGATIVE, 0.0)) == label
        leaked = trained is not None and not trained.isdisjoint(fingerprints(text))
        overlap += leaked
        correct += right
        correct_outside += right and not leaked
    return EvalResult(
        rows=len(rows),
        overlap=None if trained is None else overlap,
        correct=correct,
        correct_outside=correct_outside,
    )
