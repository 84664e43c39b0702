"""Chinese word boundaries: jieba's dictionary plus the rule pack's own vocabulary.

A phrase must match whole words: 基金 is not in 手机基本上 (手机/基本上) and 分期 is not in
积分期待 (积分/期待). The pack's phrases are added as words so that a phrase the dictionary
does not know (不归我们管) is still cut as one piece where nothing around it argues otherwise;
each gets jieba's own suggested frequency, the lowest that keeps it whole on its own, so a real
dictionary word across its edge (举办|不了) still wins.

The dictionary is loaded once per process (about a second); a pack's vocabulary is an overlay
on it, never a change to jieba's global tokenizer that every other pack would see.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import ChainMap
from functools import lru_cache
from typing import Any

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(rf"[{HAN}]+")
# An untrusted pack cannot make the overlay (and the time to build it) unbounded.
MAX_VOCABULARY = 20_000
MAX_WORD_CHARS = 24
# Dictionary entries seen fewer times than this in jieba's corpus do not count as words: two
# thirds of its multi-character entries, mostly set phrases and fragments (疑问请, 感谢您,
# 理好, 请稍等) that would otherwise hide the boundary of a real word (请, 感谢, 好).
MIN_WORD_FREQ = 5
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _base() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()  # our own instance: jieba's global one stays untouched
    tokenizer.initialize()
    rare = [w for w, f in tokenizer.FREQ.items() if 0 < f < MIN_WORD_FREQ and len(w) > 1]
    for word in rare:
        tokenizer.total -= tokenizer.FREQ[word]
        tokenizer.FREQ[word] = 0  # still a prefix of longer words, no longer a word
    return tokenizer


@lru_cache(maxsize=16)
def _segmenter(vocabulary: frozenset[str]) -> Any:
    base = _base()
    if not vocabulary:
        return base
    import jieba

    overlay: dict[str, int] = {}
    added = 0
    for word in sorted(vocabulary)[:MAX_VOCABULARY]:
        if base.FREQ.get(word):
            continue
        freq = base.suggest_freq(word, tune=False)
        overlay[word] = freq
        added += freq
        for end in range(1, len(word)):
            overlay.setdefault(word[:end], base.FREQ.get(word[:end], 0))
    tokenizer = jieba.Tokenizer()
    # jieba reads FREQ and total only; a ChainMap keeps the big dictionary shared.
    tokenizer.FREQ = ChainMap(overlay, base.FREQ)
    tokenizer.total = base.total + added
    tokenizer.initialized = True
    return tokenizer


def vocabulary_of(phrases: list[str]) -> frozenset[str]:
    """The Chinese words a pack's phrases contribute: every run of Chinese characters."""
    words = {
        run for text in phrases for run in _HAN_RUN.findall(text) if 2 <= len(run) <= MAX_WORD_CHARS
    }
    return frozenset(words)


def word_spans(text: str, vocabulary: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """(start, end) offsets of each Chinese word in ``text``, dictionary words only.

    The HMM that guesses unknown words is off: an unknown stretch (often an ASR error) stays
    single characters, so it never hides a boundary.
    """
    with _LOCK:  # the first call builds the dictionary; lru_cache alone would race
        segmenter = _segmenter(vocabulary)
    spans: list[tuple[int, int]] = []
    for run in _HAN_RUN.finditer(text):
        pos = run.start()
        for word in segmenter.cut(run.group(), HMM=False):
            spans.append((pos, pos + len(word)))
            pos += len(word)
    return spans


def is_word(text: str) -> bool:
    """Whether ``text`` is one word of the dictionary (not the pack's vocabulary)."""
    base = _base()
    return bool(base.FREQ.get(text))
