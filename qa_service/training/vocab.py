"""Which XLM-R pieces the compact sentiment model keeps."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np

from qa_service.training.backbone import SPECIAL_PIECES
from qa_service.training.e5_import import E5Checkpoint

CJK_PIECE = re.compile(r"^▁?[\u3400-\u9fff\uf900-\ufaff]+$")
LATIN_PIECE = re.compile(r"^▁?[A-Za-z]+$")
# Single characters (CJK ideographs, digits, punctuation) let any text be spelled out.
SHORT_PIECE = re.compile(r"^▁?[\u3000-\u303f\u3400-\u9fff\uff00-\uffef0-9!-/:-@\[-`{-~]$")


def select_pieces(
    ckpt: E5Checkpoint,
    tokenizer,
    texts: Iterable[str],
    *,
    top_cjk_words: int,
    top_latin: int,
) -> np.ndarray:
    """Ids (into the full vocabulary, ascending) of the pieces to keep.

    Kept: the special tokens, every piece the training texts use, every single character
    piece, and the most frequent Chinese multi-character and Latin pieces (the unigram scores
    are log frequencies), so unseen text of both languages still tokenises as before.
    """
    used: Counter[int] = Counter()
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) == 2048:
            used.update(i for ids in tokenizer(batch)["input_ids"] for i in ids)
            batch = []
    if batch:
        used.update(i for ids in tokenizer(batch)["input_ids"] for i in ids)

    pieces = ckpt.pieces
    keep = set(used) | {pieces.index(p) for p in SPECIAL_PIECES}
    keep |= {i for i, p in enumerate(pieces) if SHORT_PIECE.match(p)}
    by_score = np.argsort(-ckpt.scores, kind="stable")
    cjk_words = [
        i for i in by_score if len(pieces[i].lstrip("▁")) > 1 and CJK_PIECE.match(pieces[i])
    ]
    latin = [i for i in by_score if LATIN_PIECE.match(pieces[i])]
    keep |= set(cjk_words[:top_cjk_words]) | set(latin[:top_latin])
    return np.array(sorted(keep), dtype=np.int64)
