"""Device choice at load: CUDA with float16 where present, else CPU int8 on every core."""

from __future__ import annotations

import pytest

from qa_service.config import Settings
from qa_service.engines import device


@pytest.mark.parametrize(
    ("cuda_count", "setting", "expected"),
    [
        (0, "auto", ("cpu", "int8")),
        (1, "auto", ("cuda", "float16")),
        (1, "cpu", ("cpu", "int8")),
        (0, "cuda", ("cuda", "float16")),
    ],
)
def test_choose_device(monkeypatch, cuda_count, setting, expected):
    monkeypatch.setattr(device, "cuda_device_count", lambda: cuda_count)
    choice = device.choose_device(Settings(device=setting))
    assert (choice.device, choice.compute_type) == expected


def test_cpu_threads_default_to_available_cores(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0, 1, 2})
    assert Settings().resolved_cpu_threads() == 3
    assert Settings(cpu_threads=1).resolved_cpu_threads() == 1


def test_explicit_compute_type_wins(monkeypatch):
    monkeypatch.setattr(device, "cuda_device_count", lambda: 0)
    assert device.choose_device(Settings(compute_type="float32")).compute_type == "float32"
