"""What a worker runs on a recording: the real pipeline, or any class with the same shape."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import Protocol

from qa_service.config import Settings
from qa_service.domain.results import CallResult
from qa_service.errors import InputError
from qa_service.pipeline import AnalyzeOptions


class Analyzer(Protocol):
    def __init__(self, settings: Settings) -> None: ...

    def warm_up(self) -> None:
        """Load the models now, once per worker process, not on the first call."""

    def analyze(self, path: Path, options: AnalyzeOptions) -> CallResult: ...


class PipelineAnalyzer:
    """The real thing: ``qa_service.pipeline.analyze_file``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def warm_up(self) -> None:
        from qa_service.engines.asr import get_recognizer

        get_recognizer(self.settings)

    def analyze(self, path: Path, options: AnalyzeOptions) -> CallResult:
        from qa_service.pipeline import analyze_file

        return analyze_file(path, options, self.settings)


_analyzers: dict[str, Analyzer] = {}
_lock = threading.Lock()


def load_analyzer_class(spec: str) -> type[Analyzer]:
    module_name, _, attr = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise InputError(
            f"QA_ANALYZER={spec!r} is not an importable 'module:Class' ({exc})"
        ) from None


def get_analyzer(settings: Settings) -> Analyzer:
    """The process-wide analyzer named by ``settings.analyzer``; one per process."""
    with _lock:
        if settings.analyzer not in _analyzers:
            _analyzers[settings.analyzer] = load_analyzer_class(settings.analyzer)(settings)
        return _analyzers[settings.analyzer]
