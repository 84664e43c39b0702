"""The calls service called directly: listing filters within what a role may see, the
stored result's parts, the recording, and analysing again."""

from __future__ import annotations

import pytest

from qa_service.errors import ConflictError, NotFoundError
from qa_service.features.calls import service
from qa_service.store.calls import CallStatus
from qa_service.store.jobs import Job


@pytest.mark.parametrize(
    ("name", "filters", "expected"),
    [
        ("qa1", {}, {"a1", "b1", "a2"}),
        ("qa1", {"team": "B"}, {"b1"}),
        ("qa1", {"agent_id": "a2"}, {"a2"}),
        ("qa1", {"status": CallStatus.queued}, {"a2"}),
        ("lead_a", {}, {"a1", "a2"}),
        ("lead_a", {"team": "B"}, set()),
        ("agent_a1", {}, {"a1"}),
        ("agent_noid", {}, set()),
    ],
)
def test_listing_filters_within_visibility(db, add_call, account, name, filters, expected):
    add_call(team="A", agent_id="a1")
    add_call(team="B", agent_id="b1")
    add_call(team="A", agent_id="a2", analysed=False)
    with db.session(write=False) as session:
        page = service.list_calls(session, account(name), **filters)
    assert {c.agent_id for c in page["items"]} == expected
    assert page["total"] == len(expected)


def test_listing_is_newest_first_and_paged(db, add_call, account):
    ids = [add_call() for _ in range(3)]
    with db.session(write=False) as session:
        page = service.list_calls(session, account("qa1"), limit=2, offset=1)
    assert [c.id for c in page["items"]] == [ids[1], ids[0]]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)


def test_result_parts_come_from_the_stored_contract(db, add_call, account):
    call_id = add_call(categories=("greeting_missing", "hold_too_long"))
    user = account("agent_a1")
    with db.session(write=False) as session:
        transcript = service.call_transcript(session, user, call_id)
        score = service.call_score(session, user, call_id)
        findings = service.call_findings(session, user, call_id)
    assert [u["text"] for u in transcript["utterances"]] == ["hello", "hi"]
    assert transcript["channels"] == {"left": "agent", "right": "customer"}
    assert (transcript["language"], transcript["duration_s"]) == ("en", 30.0)
    assert score["total"] == 80.0
    assert [i["finding"] for i in score["items"]] == [0, 1]
    assert [f.rule_id for f in findings] == ["r-greeting_missing", "r-hold_too_long"]


def test_parts_of_an_unanalysed_call_conflict(db, add_call, account):
    call_id = add_call(analysed=False)
    with db.session(write=False) as session, pytest.raises(ConflictError):
        service.call_transcript(session, account("qa1"), call_id)


def test_detail_carries_the_latest_job(db, add_call, account, feature_settings):
    call_id = add_call()
    with db.session() as session:
        detail, job_id = service.reanalyse(session, feature_settings, account("qa1"), call_id)
    assert detail.status == CallStatus.queued
    assert detail.job is not None and detail.job.id == job_id
    with db.session(write=False) as session:
        assert service.call_detail(session, account("qa1"), call_id).job.id == job_id
        assert session.get(Job, job_id).call_id == call_id


def test_reanalyse_refuses_a_call_already_queued(db, add_call, account, feature_settings):
    call_id = add_call()
    with db.session() as session:
        service.reanalyse(session, feature_settings, account("qa1"), call_id)
    with db.session() as session, pytest.raises(ConflictError):
        service.reanalyse(session, feature_settings, account("qa1"), call_id)


@pytest.mark.parametrize(
    ("media_format", "on_disk", "found"),
    [("wav", True, True), ("wav", False, False), ("json", True, False)],
)
def test_recording(db, add_call, account, feature_settings, media_format, on_disk, found):
    call_id = add_call(media_format=media_format)
    path = feature_settings.data_dir / f"recordings/c1.{media_format}"
    if on_disk:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"RIFF")
    if found:
        got = service.recording(db, feature_settings, account("lead_a"), call_id)
        assert (got.path, got.media_format, got.filename) == (path, "wav", "c1.wav")
    else:
        with pytest.raises(NotFoundError):
            service.recording(db, feature_settings, account("lead_a"), call_id)


def test_recording_of_an_unseen_call_is_missing(db, add_call, account, feature_settings):
    call_id = add_call(team="B", agent_id="b1")
    with pytest.raises(NotFoundError, match=f"call {call_id} not found"):
        service.recording(db, feature_settings, account("agent_a1"), call_id)
