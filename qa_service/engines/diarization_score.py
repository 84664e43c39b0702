"""A mono split scored against reference turns: agreement and DER, frame by frame."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qa_service.domain.vocabulary import Speaker
from qa_service.engines.diarization import FRAME_S, SpeakerSplit


@dataclass(frozen=True, slots=True)
class DiarizationScore:
    """A split scored against reference turns, frame by frame (10 ms, no collar)."""

    agreement: float  # single-speaker reference speech whose predicted role is right
    word_agreement: float  # the same, over the time the recognised words cover
    der: float  # (missed + false alarm + confusion) / reference speech, overlaps included
    speech_s: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(getattr(self, k), 4) for k in self.__slots__}


def _role_frames(spans: Sequence[tuple[float, float, str]], n: int) -> dict[str, np.ndarray]:
    frames = {role: np.zeros(n, dtype=bool) for role in (Speaker.agent, Speaker.customer)}
    for start, end, role in spans:
        frames[role][int(start / FRAME_S) : int(end / FRAME_S)] = True
    return frames


def score_split(split: SpeakerSplit, turns: Sequence[dict[str, Any]]) -> DiarizationScore:
    """Compare with reference ``turns`` (``role``, ``start``, ``end``), e.g. a call's JSON."""
    end = max([t["end"] for t in turns] + [s.end for s in split.segments] + [0.0])
    n = int(np.ceil(end / FRAME_S)) + 1
    ref = _role_frames([(t["start"], t["end"], t["role"]) for t in turns], n)
    hyp = _role_frames([(s.start, s.end, s.role) for s in split.segments], n)
    words = _role_frames(
        [(w.start, w.end, role) for role, ws in split.words_by_role.items() for w in ws], n
    )
    agent, customer = Speaker.agent, Speaker.customer
    single = ref[agent] ^ ref[customer]
    ref_agent = ref[agent][single]
    hyp_agent, hyp_customer = hyp[agent][single], hyp[customer][single]
    right = np.where(ref_agent, hyp_agent & ~hyp_customer, hyp_customer & ~hyp_agent)
    worded = words[agent][single] | words[customer][single]
    word_right = np.where(ref_agent, words[agent][single], words[customer][single])
    n_ref = ref[agent].astype(int) + ref[customer]
    n_hyp = hyp[agent].astype(int) + hyp[customer]
    n_correct = (ref[agent] & hyp[agent]).astype(int) + (ref[customer] & hyp[customer])
    errors = np.maximum(n_ref, n_hyp) - n_correct
    total = max(int(n_ref.sum()), 1)
    return DiarizationScore(
        agreement=float(right.mean()) if right.size else 0.0,
        word_agreement=float((word_right & worded).sum() / max(int(worded.sum()), 1)),
        der=float(errors.sum() / total),
        speech_s=float(n_ref.sum() * FRAME_S),
    )
