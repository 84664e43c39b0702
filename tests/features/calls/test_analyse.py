"""The worker's use case: a stored call is analysed and scored by its rule pack exactly once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from qa_service.analysis import inspect
from qa_service.engines.registry import Engines
from qa_service.jobs.analyzer import PipelineAnalyzer
from qa_service.jobs.queue import enqueue
from qa_service.jobs.tasks import Outcome, WorkerContext, run_job
from qa_service.store.calls import TRANSCRIPT_FORMAT, Call
from qa_service.store.db import Database
from tests.conftest import sqlite_copy
from tests.fake_engines import FakeEngines
from tests.service_fixtures import make_wav, service_settings


@pytest.fixture
def db(tmp_path: Path, migrated_sqlite: Path):
    database = Database(sqlite_copy(migrated_sqlite, tmp_path / "qa.db"))
    yield database
    database.dispose()


@pytest.fixture
def counted_runs(monkeypatch) -> list[str]:
    """The name of the pack of every ``inspect.run`` (the one way checks run)."""
    seen: list[str] = []
    real = inspect.run

    def counting(transcript, pack, engines, **options):
        seen.append(pack.name)
        return real(transcript, pack, engines, **options)

    monkeypatch.setattr(inspect, "run", counting)
    return seen


def _stored_call(db: Database, media: Path, media_format: str, pack: str | None) -> int:
    with db.session() as session:
        call = Call(
            call_id=media.stem,
            content_sha256="0" * 64,
            filename=media.name,
            media_path=media.name,
            media_format=media_format,
            size_bytes=media.stat().st_size,
            language_hint="en",
            pack_request=pack,
        )
        session.add(call)
        session.flush()
        enqueue(session, "analyze", call.id, 3)
        return call.id


def _run(db: Database, settings, engines: Engines) -> Call:
    ctx = WorkerContext(db, settings, PipelineAnalyzer(settings, engines), engines)
    assert run_job(ctx, "test") is Outcome.done
    with db.session() as session:
        return session.scalars(select(Call)).one()


def test_a_recording_is_scored_once_by_the_pack_it_asked_for(db, tmp_path, counted_runs):
    settings = service_settings(tmp_path, db.url)
    (tmp_path / "var").mkdir()
    wav = make_wav(tmp_path / "var" / "call.wav", seconds=4.0)
    _stored_call(db, wav, "wav", "en-default")
    engines = FakeEngines(settings)
    call = _run(db, settings, engines)
    assert counted_runs == ["en-default"]
    assert engines.fake_recognizer.channels == 2
    assert call.rule_pack == "en-default"
    assert call.result["metrics"]["similarity_backend"] == "ngram"
    # The findings stored are those of that one run: the pack's, on the stored transcript.
    assert call.result["findings"] and call.result["metrics"]["rule_pack"] == "en-default"


def test_a_text_call_is_scored_once_by_the_default_pack(db, tmp_path, counted_runs):
    settings = service_settings(tmp_path, db.url)
    (tmp_path / "var").mkdir()
    chat = tmp_path / "var" / "chat.json"
    turns = [
        {"role": "agent", "start": 0.0, "end": 2.0, "text": "Hello, how can I help?"},
        {"role": "customer", "start": 2.5, "end": 4.0, "text": "My parcel is late."},
    ]
    chat.write_text(json.dumps({"language": "en", "utterances": turns}), "utf-8")
    _stored_call(db, chat, TRANSCRIPT_FORMAT, None)
    call = _run(db, settings, FakeEngines(settings))
    assert counted_runs == [call.rule_pack]
    assert call.rule_pack.startswith("en-")


def test_the_calls_metadata_vocabulary_biases_its_transcription(db, tmp_path):
    settings = service_settings(tmp_path, db.url)
    (tmp_path / "var").mkdir()
    wav = make_wav(tmp_path / "var" / "call.wav", seconds=4.0)
    call_id = _stored_call(db, wav, "wav", "en-default")
    with db.session() as session:
        session.get(Call, call_id).extra = {"vocabulary": ["Star River", "router"]}
    engines = FakeEngines(settings)
    call = _run(db, settings, engines)
    assert [o.hotwords for o in engines.fake_recognizer.options] == ["Star River router"] * 2
    shown = call.result["source"]["asr_vocabulary"]
    assert shown["terms"] == ["Star River", "router"] and shown["mode"] == "hotwords"
    assert (shown["pack"], shown["from_pack"], shown["from_metadata"]) == ("en-default", 0, 2)


def test_pii_labels_bias_a_chinese_calls_transcription_when_switched_on(db, tmp_path):
    settings = service_settings(tmp_path, db.url, asr_pii_terms=True)
    (tmp_path / "var").mkdir()
    wav = make_wav(tmp_path / "var" / "call.wav", seconds=4.0)
    call_id = _stored_call(db, wav, "wav", None)
    with db.session() as session:
        session.get(Call, call_id).language_hint = "zh"
    engines = FakeEngines(settings)
    call = _run(db, settings, engines)
    hotwords = {o.hotwords for o in engines.fake_recognizer.options}
    assert hotwords == {"手机号 电话 身份证号 银行卡号 卡号 验证码 密码"}
    shown = call.result["source"]["asr_vocabulary"]
    assert (shown["pack"], shown["from_pack"], shown["from_pii"]) == ("zh-default", 0, 7)
