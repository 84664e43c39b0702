"""Shared fixtures: the real data in ../shared and the real base model, loaded once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qa_service.config import Settings, get_settings
from qa_service.domain.results import CallResult
from qa_service.engines.registry import Engines

# Helper modules hold asserts of their own; rewrite them like test modules.
pytest.register_assert_rewrite(
    "tests.service_fixtures",
    "tests.service_api_fixtures",
    "tests.web_fixtures",
    "tests.kpi_month",
    "tests.live_fixtures",
    "tests.slow_client",
)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QA_SHARED_DIR", REPO.parent / "shared"))
CALLS_DIR = SHARED / "data" / "calls"
AUDIO_DIR = SHARED / "data" / "audio"


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"test data missing: {path} (the suite expects ../shared beside the repo)")
    return path


def stereo_call_paths() -> list[Path]:
    return sorted(p for p in CALLS_DIR.glob("*.wav") if not p.name.endswith(".mono.wav"))


def call_truth(call_id: str) -> dict:
    return json.loads((CALLS_DIR / f"{call_id}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return _require(SHARED)


@pytest.fixture(scope="session")
def settings() -> Settings:
    os.environ.setdefault("QA_MODELS_DIR", str(REPO / "models"))
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture(scope="session")
def engines(settings: Settings) -> Engines:
    """The session's models, each loaded on first use (as one per process in the service)."""
    return Engines(settings)


@pytest.fixture(scope="session")
def analyzed_calls(engines: Engines) -> dict[str, CallResult]:
    """Every stereo call of ../shared/data/calls through the real pipeline, once per session."""
    from qa_service.analysis.pipeline import analyze_file

    _require(CALLS_DIR)
    return {path.stem: analyze_file(path, None, engines) for path in stereo_call_paths()}
