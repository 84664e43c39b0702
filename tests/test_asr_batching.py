"""How many voice chunks the recogniser decodes at once: the setting, else the device's room."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qa_service.config import Settings
from qa_service.engines import asr
from qa_service.engines.device import DeviceChoice

CPU = DeviceChoice("cpu", "int8", 2)
GPU = DeviceChoice("cuda", "float16", 2)


def test_an_explicit_batch_size_wins_and_is_bounded() -> None:
    assert asr.choose_batch_size(Settings(asr_batch_size=0), GPU) == 0
    assert asr.choose_batch_size(Settings(asr_batch_size=4), CPU) == 4
    for bad in (-1, 65):
        with pytest.raises(ValidationError):
            Settings(asr_batch_size=bad)


def test_cpu_uses_the_measured_default() -> None:
    assert asr.choose_batch_size(Settings(), CPU) == asr.CPU_BATCH_SIZE


@pytest.mark.parametrize(
    ("free_gib", "expected"),
    [(0.1, 1), (4.0, 8), (100.0, asr.MAX_BATCH_SIZE), (None, asr.CPU_BATCH_SIZE)],
)
def test_on_cuda_the_batch_fills_half_the_free_memory(monkeypatch, free_gib, expected) -> None:
    free = None if free_gib is None else int(free_gib * (1 << 30))
    monkeypatch.setattr(asr, "cuda_free_bytes", lambda: free)
    assert asr.choose_batch_size(Settings(), GPU) == expected


def test_short_calls_are_decoded_sequentially_whatever_the_batch_size() -> None:
    assert asr.batch_size_for(asr.BATCH_MIN_S - 1, 8) == 0
    assert asr.batch_size_for(asr.BATCH_MIN_S, 8) == 8
    assert asr.batch_size_for(600.0, 0) == 0
