"""The training script's pieces that decide what the model sees: leakage guard, batches, data."""

from __future__ import annotations

import json
import random
import struct

import numpy as np
import pytest

from qa_service.errors import InputError
from qa_service.training.call_phrases import call_sentences, expand
from qa_service.training.corpora import (
    LABELS,
    Example,
    dedupe,
    drop_overlap,
    fingerprints,
    normalise,
    read_labelled_csv,
)
from qa_service.training.e5_import import dequantize_q4
from qa_service.training.sentiment import FINGERPRINT_FILE, TRAINING_INFO_FILE, length_batches
from tests.sentiment_fixtures import sentiment_model_dir

pytestmark = pytest.mark.models

MODEL_DIR = sentiment_model_dir()


@pytest.mark.parametrize(
    ("a", "b"),
    [("很好 吃", "很好吃"), ("ＡＢＣ好", "abc好"), ("Thank You", "thankyou")],
)
def test_normalise_ignores_width_case_and_spaces(a, b):
    assert normalise(a) == normalise(b)


def test_drop_overlap_catches_exact_and_prefix_matches():
    long_eval = "这家酒店的位置非常好，离地铁站很近，房间也很干净，下次还会再来"
    examples = [
        Example("  这家酒店的位置非常好，离地铁站很近，房间也很干净，下次还会再来 ", 2, "s"),
        Example("这家酒店的位置非常好，离地铁站很近，房间也很干净，但是早餐很差", 0, "s"),
        Example("送餐很快", 2, "s"),
        Example("完全不同的一句话", 0, "s"),
    ]
    kept, dropped = drop_overlap(examples, [long_eval, "送餐很快"])
    assert [e.text for e in kept] == ["完全不同的一句话"]
    assert len(dropped) == 3


def test_short_texts_only_match_exactly():
    kept, dropped = drop_overlap([Example("好吃", 2, "s"), Example("好吃吗", 1, "s")], ["好吃"])
    assert [e.text for e in kept] == ["好吃吗"]
    assert len(dropped) == 1


def test_dedupe_drops_texts_with_conflicting_labels():
    examples = [
        Example("一般", 0, "a"),
        Example("一般", 2, "b"),
        Example("好", 2, "a"),
        Example("好 ", 2, "b"),
    ]
    assert [e.text for e in dedupe(examples)] == ["好"]


def test_length_batches_cover_every_example_once_and_are_seeded():
    lengths = [random.Random(1).randint(1, 60) for _ in range(1000)]
    batches = length_batches(lengths, 32, random.Random(5))
    flat = sorted(i for batch in batches for i in batch)
    assert flat == list(range(1000))
    assert batches == length_batches(lengths, 32, random.Random(5))
    assert batches != length_batches(lengths, 32, random.Random(6))


def test_call_phrases_cover_every_label_in_both_languages():
    sentences = list(call_sentences())
    for label in LABELS:
        texts = [t for t, lab in sentences if lab == label]
        assert any(t.isascii() for t in texts), label
        assert any(not t.isascii() for t in texts), label


def test_expand_fills_every_slot_item():
    assert expand("我的{x}", ["订单", "账单"]) == ["我的订单", "我的账单"]
    assert expand("您好", ["订单"]) == ["您好"]


def test_dequantize_q4_block_layout():
    # One block: scale 0.5, byte j holds weight j (low nibble) and weight j+16 (high nibble).
    scale = np.array([0.5], dtype=np.float16).tobytes()
    nibbles = bytes(((j % 16) | ((15 - j % 16) << 4)) for j in range(16))
    weights = dequantize_q4(scale + nibbles, 1, 32)
    assert weights[0, :16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[0, 16:].tolist() == [(7 - j) * 0.5 for j in range(16)]
    assert struct.calcsize("<H") + 16 == 18


def test_read_labelled_csv_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,score\nabc,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="label,review"):
        read_labelled_csv(bad)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("label,review\n3,abc\n", encoding="utf-8")
    with pytest.raises(InputError, match="0 or 1"):
        read_labelled_csv(wrong)
    with pytest.raises(InputError, match="no such file"):
        read_labelled_csv(tmp_path / "none.csv")


def test_shipped_model_directory_is_complete():
    for name in ("config.json", "model.safetensors", "tokenizer.json", "README.md"):
        assert (MODEL_DIR / name).is_file(), name
    info = json.loads((MODEL_DIR / TRAINING_INFO_FILE).read_text())
    assert info["options"]["seed"] is not None
    lines = (MODEL_DIR / FINGERPRINT_FILE).read_text().splitlines()
    assert len(lines) == info["report"]["examples"]
    text, _ = next(iter(call_sentences()))
    assert " ".join(fingerprints(text)) in set(lines)


def test_shipped_model_is_small():
    # 12 e5-small layers in float16 and a pruned vocabulary: 67 MB in all.
    size = sum(p.stat().st_size for p in MODEL_DIR.iterdir())
    assert size < 70e6


@pytest.mark.parametrize(
    ("accuracy", "expected"),
    [
        ({"a.csv": 0.86, "b.csv": 0.85}, "Every evaluation set reaches"),
        ({"a.csv": 0.86, "b.csv": 0.849}, "short of it: b.csv 0.849."),
    ],
)
def test_model_card_says_whether_the_goal_is_met(accuracy, expected):
    from qa_service.training.model_card import goal_line

    assert expected in goal_line(accuracy)
