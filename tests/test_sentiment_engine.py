"""The sentiment engine without the shipped model: devices, label mapping, other model dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_service.config import Settings
from qa_service.engines import sentiment as engine
from qa_service.engines.device import torch_device
from qa_service.engines.registry import Engines
from qa_service.errors import ModelError

pytestmark = pytest.mark.models


@pytest.mark.parametrize(
    ("setting", "cuda", "expected"),
    [("auto", True, "cuda"), ("auto", False, "cpu"), ("cpu", True, "cpu"), ("cuda", True, "cuda")],
)
def test_device_follows_torch_cuda(monkeypatch, setting, cuda, expected):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert torch_device(setting) == expected


def test_cuda_requested_without_cuda_is_a_clear_error(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ModelError, match="no CUDA"):
        torch_device("cuda")


def test_model_loads_on_the_chosen_device(monkeypatch, tiny_model_dir):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    settings = Settings(sentiment_model=str(tiny_model_dir), device="auto")
    model = engine.load_sentiment_model(settings)
    assert model.device == "cpu"
    assert next(model.model.parameters()).device.type == "cpu"


@pytest.mark.parametrize(
    ("id2label", "expected"),
    [
        ({0: "LABEL_0", 1: "LABEL_1"}, ["negative", "positive"]),
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, ["negative", "neutral", "positive"]),
        ({0: "POSITIVE", 1: "NEGATIVE"}, ["positive", "negative"]),
        ({0: "neg", 1: "neu", 2: "pos"}, ["negative", "neutral", "positive"]),
    ],
)
def test_label_names_map_to_canonical_labels(id2label, expected):
    assert engine.canonical_labels(id2label) == expected


def test_unreadable_label_set_is_a_clear_error():
    with pytest.raises(ModelError, match="id2label"):
        engine.canonical_labels({i: f"{i + 1} stars" for i in range(5)})


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A randomly initialised two-class BERT with its own word-piece tokenizer."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    path = tmp_path_factory.mktemp("tiny-bert")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"您好请问有什么可以帮", "help", "you"]
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(path / "vocab.txt")).save_pretrained(path)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=2,
    )
    BertForSequenceClassification(config).save_pretrained(path)
    return path


def test_any_hf_model_dir_loads_in_place_of_the_default(tiny_model_dir):
    settings = Settings(sentiment_model=str(tiny_model_dir), device="cpu")
    engines = Engines(settings)
    model = engines.sentiment
    assert model is engines.sentiment, "loaded once per process"
    results = model.predict(["您好，请问有什么可以帮您？", "help you", ""])
    assert len(results) == 3
    for result in results:
        assert set(result["probs"]) == {"negative", "positive"}
        assert result["label"] in {"negative", "neutral", "positive"}


def test_two_class_model_calls_weak_predictions_neutral(tiny_model_dir):
    model = engine.SentimentModel(tiny_model_dir, "cpu", engine.SentimentOptions(neutral_band=0.6))
    assert model.describe({"negative": 0.55, "positive": 0.45})["label"] == "neutral"
    assert model.describe({"negative": 0.8, "positive": 0.2})["label"] == "negative"
    assert model.describe({"negative": 0.1, "positive": 0.9})["label"] == "positive"


def test_missing_model_dir_is_a_clear_error(tmp_path):
    settings = Settings(sentiment_model=str(tmp_path / "nothing"), device="cpu")
    with pytest.raises(ModelError, match="QA_SENTIMENT_MODEL"):
        engine.load_sentiment_model(settings)
