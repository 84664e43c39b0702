"""Shared fixtures: the real data in ../shared and the real base model, loaded once."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
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
    "tests.web_fixtures_browser",
    "tests.web_call_page",
    "tests.kpi_month",
    "tests.live_fixtures",
    "tests.slow_client",
)

# The markers a test gets from the fixtures it uses (directly or through other fixtures),
# keyed by (module that defines the fixture, fixture name). A test that needs a model, a
# server or a browser without such a fixture says so with a `pytestmark` in its file.
FIXTURE_MARKERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("tests.conftest", "analyzed_calls"): ("asr", "slow"),
    ("tests.web_fixtures", "real_call"): ("asr",),
    ("tests.web_fixtures_browser", "browser"): ("browser",),
    ("tests.web_fixtures", "live_service"): ("browser",),
    ("tests.sentiment_fixtures", "sentiment_model"): ("models",),
    ("tests.test_sentiment_engine", "tiny_model_dir"): ("models",),
    ("tests.test_embedding", "backends"): ("models",),
    ("tests.test_diarization", "mono_words"): ("asr",),
    ("tests.test_asr_models", "tiny_whisper_dir"): ("asr",),
    ("tests.service_api_fixtures", "service"): ("api",),
    ("tests.service_api_fixtures", "pg_service"): ("api", "services"),
    ("tests.live_fixtures", "live"): ("api",),
    ("tests.service_fixtures", "postgres_server"): ("services",),
    ("tests.service_fixtures", "redis_url"): ("services",),
}
# Fixtures parametrized over databases: their PostgreSQL case starts a server.
DATABASE_FIXTURES = ("database", "empty_database", "month_db")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QA_SHARED_DIR", REPO.parent / "shared"))
CALLS_DIR = SHARED / "data" / "calls"
AUDIO_DIR = SHARED / "data" / "audio"
# Argon2 at its lowest allowed cost, for tests that hash passwords many times and are not
# about the cost (the hash format and checks are the same; the flood test keeps the real one).
CHEAP_PASSWORDS = {
    "password_time_cost": 1,
    "password_memory_kib": 8 * 1024,
    "password_parallelism": 1,
}


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


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with every migration applied, made once per session. Tests copy it
    (``sqlite_copy``) instead of migrating a file each (~0.15 s of CPU apiece);
    test_store_schema runs the migrations themselves."""
    from qa_service.store.db import Database
    from qa_service.store.migrate import upgrade

    path = tmp_path_factory.mktemp("migrated") / "qa.db"
    database = Database(f"sqlite:///{path}")
    try:
        upgrade(database)
    finally:
        database.dispose()
    # Out of WAL mode: everything in the file itself, so a copy of it is complete (each
    # copy's Database turns WAL on again as it connects).
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


def sqlite_copy(template: Path, path: Path) -> str:
    """A copy of the migrated ``template`` at ``path``; its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def markers_from_fixtures(item: pytest.Item) -> set[str]:
    found: set[str] = set()
    fixture_info = getattr(item, "_fixtureinfo", None)
    for name, definitions in (fixture_info.name2fixturedefs if fixture_info else {}).items():
        for definition in definitions:
            found.update(FIXTURE_MARKERS.get((definition.func.__module__, name), ()))
    params = getattr(getattr(item, "callspec", None), "params", {})
    if any(params.get(name) == "postgresql" for name in DATABASE_FIXTURES):
        found.add("services")
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by what they need, so `make test-fast` can leave those out."""
    for item in items:
        for name in sorted(markers_from_fixtures(item)):
            item.add_marker(name)
