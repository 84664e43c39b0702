"""Utterance sentiment from any Hugging Face sequence-classification model directory.

The model (``QA_SENTIMENT_MODEL``, default: the project's own model under ``models/``) is
loaded once per process, on CUDA when torch sees one and on the CPU otherwise. Each utterance
gets ``{"label": negative|neutral|positive, "score": p(positive) - p(negative), "probs"}``.

Models label their classes differently. Names containing "neg"/"neu"/"pos" are mapped by
name; unnamed two-class models are read as (negative, positive) and three-class ones as
(negative, neutral, positive). A two-class model has no neutral class, so a prediction whose
winning probability is below ``sentiment_neutral_band`` is called neutral.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_service.config import Settings
from qa_service.domain.transcript import Transcript, Utterance
from qa_service.domain.vocabulary import Speaker
from qa_service.engines.device import torch_device
from qa_service.errors import ModelError

if TYPE_CHECKING:
    from qa_service.engines.registry import Engines

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
CANONICAL = (NEGATIVE, NEUTRAL, POSITIVE)
DEFAULT_MODEL_DIR = "sentiment-e5mini-zh-en"
# Start and end of a call are judged on this many of the customer's utterances each.
EDGE_UTTERANCES = 3


@dataclass(frozen=True, slots=True)
class SentimentOptions:
    # Defaults are the settings' (QA_SENTIMENT_BATCH_SIZE, QA_SENTIMENT_NEUTRAL_BAND).
    batch_size: int = Settings.model_fields["sentiment_batch_size"].default
    max_tokens: int = 128
    neutral_band: float = Settings.model_fields["sentiment_neutral_band"].default


def model_path(settings: Settings) -> Path:
    if settings.sentiment_model:
        return Path(settings.sentiment_model).expanduser()
    return settings.models_dir / DEFAULT_MODEL_DIR


def canonical_labels(id2label: dict[int, str]) -> list[str]:
    """The canonical name of each class index of a model."""
    names = [str(id2label[i]).lower() for i in range(len(id2label))]
    by_name = []
    for name in names:
        match = [c for c in CANONICAL if c[:3] in name]
        by_name.append(match[0] if len(match) == 1 else None)
    if None not in by_name and len(set(by_name)) == len(by_name):
        return by_name  # type: ignore[return-value]
    if len(names) == 2:
        return [NEGATIVE, POSITIVE]
    if len(names) == 3:
        return list(CANONICAL)
    raise ModelError(
        f"cannot tell which of the sentiment model's labels {names} are negative/positive: "
        "name them negative/neutral/positive in config.json id2label"
    )


class SentimentModel:
    """A loaded classifier; ``predict`` turns texts into sentiment dicts."""

    def __init__(self, path: Path, device: str, options: SentimentOptions) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a progress bar per load is noise in a service log

        if not (path / "config.json").is_file():
            raise ModelError(
                f"no sentiment model at {path}: set QA_SENTIMENT_MODEL to a Hugging Face "
                "sequence-classification directory"
            )
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            # float16 weights on disk are widened on the CPU, where half precision is slow.
            dtype = torch.float16 if device == "cuda" else torch.float32
            model = AutoModelForSequenceClassification.from_pretrained(
                path, local_files_only=True, dtype=dtype
            )
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load the sentiment model at {path}: {exc}") from exc
        self.model = model.to(device).eval()
        self.labels = canonical_labels(model.config.id2label)
        self.path = path
        self.device = device
        self.options = options

    def probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        import torch

        # Batches of similar length waste little compute on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[dict[str, float]] = [{} for _ in texts]
        size = self.options.batch_size
        for start in range(0, len(order), size):
            index = order[start : start + size]
            enc = self.tokenizer(
                [texts[i] if texts[i].strip() else "." for i in index],
                truncation=True,
                max_length=self.options.max_tokens,
                padding=True,
                return_tensors="pt",
            ).to(self.device)
            with torch.inference_mode():
                probs = self.model(**enc).logits.float().softmax(-1).cpu().tolist()
            for i, row in zip(index, probs, strict=True):
                out[i] = dict(zip(self.labels, row, strict=True))
        return out

    def predict(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        return [self.describe(p) for p in self.probabilities(texts)]

    def describe(self, probs: dict[str, float]) -> dict[str, Any]:
        label = max(probs, key=probs.__getitem__)
        if NEUTRAL not in probs and probs[label] < self.options.neutral_band:
            label = NEUTRAL
        score = probs.get(POSITIVE, 0.0) - probs.get(NEGATIVE, 0.0)
        return {
            "label": label,
            "score": round(score, 4),
            "probs": {k: round(v, 4) for k, v in probs.items()},
        }


def load_sentiment_model(settings: Settings) -> SentimentModel:
    """The configured model; ``Engines`` keeps one per process."""
    options = SentimentOptions(
        batch_size=settings.sentiment_batch_size,
        neutral_band=settings.sentiment_neutral_band,
    )
    return SentimentModel(model_path(settings).resolve(), torch_device(settings.device), options)


def annotate_sentiment(transcript: Transcript, engines: Engines | None) -> dict[str, Any]:
    """Fill ``utterance.sentiment`` for every utterance; return the call summary.

    The model is asked of ``engines`` only when there is something to read: a call without
    speech needs none.
    """
    utterances = [u for u in transcript.utterances if u.text.strip()]
    if utterances:
        assert engines is not None, "utterances to score need the engines' sentiment model"
        model = engines.sentiment
        for utt, result in zip(
            utterances, model.predict([u.text for u in utterances]), strict=True
        ):
            utt.sentiment = result
    return summarize_sentiment(transcript.utterances)


def _mean_score(utterances: Sequence[Utterance]) -> float | None:
    scores = [u.sentiment["score"] for u in utterances if u.sentiment]
    return round(sum(scores) / len(scores), 4) if scores else None


def summarize_sentiment(utterances: Sequence[Utterance]) -> dict[str, Any]:
    """Customer mood at the start vs the end, agent negativity, the most negative moment."""
    scored = [u for u in utterances if u.sentiment]
    customer = [u for u in scored if u.role == Speaker.customer]
    agent = [u for u in scored if u.role == Speaker.agent]
    # A short call's start and end must not share utterances, or no change could show.
    edge = min(EDGE_UTTERANCES, max(1, len(customer) // 2))
    start = _mean_score(customer[:edge])
    end = _mean_score(customer[-edge:])
    agent_negative = [u for u in agent if u.sentiment["label"] == NEGATIVE]
    worst = min(scored, key=lambda u: u.sentiment["score"], default=None)
    return {
        "customer_start": start,
        "customer_end": end,
        "customer_change": None if start is None or end is None else round(end - start, 4),
        "customer_negative_count": sum(u.sentiment["label"] == NEGATIVE for u in customer),
        "agent_mean": _mean_score(agent),
        "agent_negative_count": len(agent_negative),
        "agent_negative_ratio": round(len(agent_negative) / len(agent), 4) if agent else None,
        "most_negative": None
        if worst is None
        else {
            "role": worst.role,
            "start": round(worst.start, 3),
            "end": round(worst.end, 3),
            "text": worst.text,
            "score": worst.sentiment["score"],
        },
    }
