"""The service's own second listen (``analysis/second_listen.listen_again``) on a call of
a bench set: each role's channel rebuilt from the clips ``bench/pii_asr.py --keep-audio``
kept, each clip at its utterance's start, then listened to exactly as the ASR stage does
(its windows, stretches, decodes together and acceptance). ``bench/pii_listen.py --service``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

RATE = 16000


def channels(case: dict[str, Any], audio: Path) -> dict[str, Any] | None:
    """Each role's channel at 16 kHz, or None when a clip is missing."""
    import numpy as np
    from faster_whisper import decode_audio

    clips = []
    for j, u in enumerate(case["utterances"]):
        clip = audio / f"{case['id']}-{j}.wav"
        if not clip.exists():
            return None
        clips.append((u["role"], int(u["start"] * RATE), decode_audio(str(clip))))
    length = max(at + len(samples) for _, at, samples in clips)
    out: dict[str, Any] = {}
    for role, at, samples in clips:
        # Two clips of one speaker may overlap by the tail of silence after the last word.
        channel = out.setdefault(role, np.zeros(length, dtype=np.float32))
        channel[at : at + len(samples)] += samples
    return out


def service_listen(
    case: dict[str, Any], audio: Path, recognizer: Any, beam: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The call's utterances after the service's second listen, and its summary."""
    from qa_service.analysis.second_listen import listen_again
    from qa_service.domain.transcript import Utterance

    roles = channels(case, audio)
    if roles is None:
        return case["utterances"], {"windows": 0, "decodes": 0, "taken": 0, "seconds": 0.0}
    utterances = [Utterance.from_dict(u) for u in case["utterances"]]
    heard, summary = listen_again(utterances, roles, RATE, case["language"], recognizer, beam)
    return [u.to_dict() for u in heard], summary
