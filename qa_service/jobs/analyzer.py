"""What a worker runs on a recording: the real pipeline, or any class with the same shape."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

from qa_service.analysis.pipeline import AnalyzeOptions
from qa_service.config import Settings
from qa_service.domain.results import CallResult
from qa_service.engines.registry import Engines
from qa_service.errors import InputError


class Analyzer(Protocol):
    def __init__(self, settings: Settings, engines: Engines | None = None) -> None: ...

    def warm_up(self) -> None:
        """Load the models now, once per worker process, not on the first call."""

    def analyze(self, path: Path, options: AnalyzeOptions) -> CallResult: ...


class PipelineAnalyzer:
    """The real thing: ``qa_service.analysis.pipeline.analyze_file`` on the worker's engines."""

    def __init__(self, settings: Settings, engines: Engines | None = None) -> None:
        self.settings = settings
        self.engines = engines or Engines(settings)

    def warm_up(self) -> None:
        _ = self.engines.recognizer

    def analyze(self, path: Path, options: AnalyzeOptions) -> CallResult:
        from qa_service.analysis.pipeline import analyze_file

        return analyze_file(path, options, self.engines)


def load_analyzer_class(spec: str) -> type[Analyzer]:
    module_name, _, attr = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise InputError(
            f"QA_ANALYZER={spec!r} is not an importable 'module:Class' ({exc})"
        ) from None


def make_analyzer(settings: Settings, engines: Engines) -> Analyzer:
    """The analyzer named by ``settings.analyzer``; a worker process makes one, at start."""
    return load_analyzer_class(settings.analyzer)(settings, engines)
