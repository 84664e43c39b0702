"""Choosing the device and numeric type for inference."""

from __future__ import annotations

from dataclasses import dataclass

from qa_service.config import Settings
from qa_service.errors import ModelError


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    device: str  # "cuda" | "cpu"
    compute_type: str
    cpu_threads: int


def cuda_device_count() -> int:
    """CUDA devices CTranslate2 can use (0 where it was built without CUDA or there is none)."""
    try:
        import ctranslate2

        return ctranslate2.get_cuda_device_count()
    except Exception:
        return 0


def choose_device(settings: Settings) -> DeviceChoice:
    """CUDA with float16 where present, else CPU int8 using every available core."""
    device = settings.device
    if device == "auto":
        device = "cuda" if cuda_device_count() > 0 else "cpu"
    compute_type = settings.compute_type
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return DeviceChoice(device, compute_type, settings.resolved_cpu_threads())


def torch_device(setting: str) -> str:
    """``auto`` -> cuda when torch can use a GPU, else cpu; an explicit choice is checked."""
    import torch

    available = torch.cuda.is_available()
    if setting == "auto":
        return "cuda" if available else "cpu"
    if setting == "cuda" and not available:
        raise ModelError("QA_DEVICE=cuda, but torch sees no CUDA device")
    return setting
