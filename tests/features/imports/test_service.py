"""Imports called directly: paths stay under the import root, the metadata fields come
from the upload schema, and a server file goes through the same ingestion as an upload."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from qa_service.errors import InputError
from qa_service.features.calls.ingest import ingest_copy
from qa_service.features.calls.schemas import METADATA_FIELDS, CallMetadata
from qa_service.features.imports.service import inside_root
from qa_service.features.imports.sources import FilenamePattern, read_manifest
from qa_service.store.calls import Call
from qa_service.store.jobs import Job

TRANSCRIPT = {
    "language": "en",
    "utterances": [
        {"role": "agent", "start": 0.0, "end": 1.5, "text": "Thanks for calling"},
        {"role": "customer", "start": 2.0, "end": 3.0, "text": "Hi"},
    ],
}


def test_metadata_fields_are_the_schemas():
    assert set(METADATA_FIELDS) == set(CallMetadata.model_fields) - {"extra"}
    with pytest.raises(InputError, match="is not call metadata: use call_id, agent_id"):
        FilenamePattern("{nonsense}.wav")


def test_manifest_columns_split_into_metadata_and_extra(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,agent_id,started_at,region\nx.wav,a1,2026-11-03,north\n")
    [(path, meta)] = read_manifest(manifest)
    assert (path, meta) == (
        "x.wav",
        {"agent_id": "a1", "started_at": "2026-11-03", "extra": {"region": "north"}},
    )


@pytest.mark.parametrize(
    ("given", "ok"), [("batch", True), ("../outside", False), ("missing", False), ("/", False)]
)
def test_paths_stay_under_the_import_root(feature_settings, given, ok):
    root = feature_settings.data_dir / "import"
    (root / "batch").mkdir(parents=True)
    (feature_settings.data_dir / "outside").mkdir()
    if ok:
        assert inside_root(feature_settings, given, "folder") == (root / given).resolve()
    else:
        with pytest.raises(InputError):
            inside_root(feature_settings, given, "folder")


def _transcript(tmp_path, name="chat.json", **extra):
    path = tmp_path / name
    path.write_text(json.dumps({**TRANSCRIPT, **extra}))
    return path


def test_a_server_file_is_ingested_like_an_upload(db, account, feature_settings, tmp_path):
    source = _transcript(tmp_path)
    before = source.read_bytes()
    ingested, job_ids = ingest_copy(
        db, feature_settings, account("qa1"), source, "ab" * 32, {"agent_id": "a9"}, "in/chat.json"
    )
    again, no_jobs = ingest_copy(
        db, feature_settings, account("qa1"), source, "ab" * 32, {}, "in/chat.json"
    )
    assert ingested.created and not again.created and no_jobs == []
    assert again.call.id == ingested.call.id
    assert source.read_bytes() == before  # the server's file is copied, never moved
    with db.session(write=False) as session:
        call = session.get(Call, ingested.call.id)
        jobs = list(session.scalars(select(Job.call_id).where(Job.id.in_(job_ids))))
    assert (call.agent_id, call.media_format, call.call_id) == ("a9", "json", "chat")
    assert jobs == [call.id]
    assert list((feature_settings.data_dir / "uploads").iterdir()) == []


@pytest.mark.parametrize(
    ("metadata", "message"),
    [({"csat": "lots"}, "in/x.json: metadata csat"), ({"colour": "red"}, "metadata colour")],
)
def test_bad_metadata_names_the_file(db, account, feature_settings, tmp_path, metadata, message):
    with pytest.raises(InputError, match=message):
        ingest_copy(
            db,
            feature_settings,
            account("qa1"),
            _transcript(tmp_path),
            "cd" * 32,
            metadata,
            "in/x.json",
        )
    with db.session(write=False) as session:
        assert session.scalar(select(Call.id)) is None
