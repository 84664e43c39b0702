"""Trying a draft pack on stored calls: the findings it would add and remove and the new
score, from the stored transcript alone; a draft with problems runs on nothing; nothing is
stored either way."""

from __future__ import annotations

import pytest

from qa_service.features.packs.preview import MAX_PREVIEW_CALLS, diff_findings, preview_pack
from qa_service.store.accounts import User
from qa_service.store.calls import Call, CallStatus, apply_result
from qa_service.store.packs import PackVersion
from tests.fake_engines import FakeEngines
from tests.features.conftest import result_contract

DRAFT = (
    "pack: mine\nlanguage: en\nrules:\n"
    "  - {id: deflect, type: phrase, category: deflection, role: agent,\n"
    '     params: {phrases: ["not my department"]}}\n'
)


def _store_call(db, n: int, pack: str = "mine@1") -> int:
    result = result_contract(["greeting_missing"])
    result["utterances"][0]["text"] = "sorry this is not my department"
    result["metrics"]["rule_pack"] = pack
    with db.session() as session:
        call = Call(
            call_id=f"p{n}",
            content_sha256=f"{n:064x}",
            filename=f"p{n}.wav",
            media_path=f"recordings/p{n}.wav",
            media_format="wav",
            size_bytes=10,
            status=CallStatus.queued,
        )
        session.add(call)
        session.flush()
        apply_result(session, call, result)
        return call.id


@pytest.fixture
def qa_user(db) -> int:
    with db.session() as session:
        user = User(username="qa-preview", role="qa", password_hash="x")
        session.add(user)
        session.flush()
        return user.id


def test_the_draft_shows_what_it_adds_and_removes(db, feature_settings, qa_user):
    ids = [_store_call(db, n) for n in (1, 2)]
    other = _store_call(db, 3, pack="en-default")
    engines = FakeEngines(feature_settings)
    with db.session() as session:
        user = session.get(User, qa_user)
        found = preview_pack(session, feature_settings, user, DRAFT, engines, limit=5)
        assert found.problems == [] and found.name == "mine"
        assert [c.id for c in found.calls] == sorted(ids, reverse=True), "newest first"
        assert other not in [c.id for c in found.calls], "only calls this pack scored"
        first = found.calls[0]
        assert [f["rule_id"] for f in first.added] == ["deflect"]
        assert [f["rule_id"] for f in first.removed] == ["r-greeting_missing"]
        assert first.score_before == 80.0 and first.score_after is not None
        # Nothing is stored: no version, the calls keep their findings.
        assert session.query(PackVersion).count() == 0
        stored = session.get(Call, ids[0])
        assert [f["rule_id"] for f in stored.result["findings"]] == ["r-greeting_missing"]


def test_a_draft_with_problems_runs_on_nothing(db, feature_settings, qa_user):
    _store_call(db, 1)
    bad = DRAFT.replace("role: agent", "role: x")
    with db.session() as session:
        user = session.get(User, qa_user)
        found = preview_pack(session, feature_settings, user, bad, FakeEngines(feature_settings))
    assert found.calls == [] and found.name is None
    assert [(p.loc, p.line) for p in found.problems] == [(("rules", 0, "role"), 4)]


def test_the_number_of_calls_is_bounded(db, feature_settings, qa_user):
    for n in range(MAX_PREVIEW_CALLS + 2):
        _store_call(db, 100 + n)
    with db.session() as session:
        user = session.get(User, qa_user)
        engines = FakeEngines(feature_settings)
        found = preview_pack(session, feature_settings, user, DRAFT, engines, limit=10_000)
    assert len(found.calls) == MAX_PREVIEW_CALLS


def test_findings_are_matched_by_rule_and_start():
    before = [{"rule_id": "a", "start": 1.04}, {"rule_id": "b", "start": 2.0}]
    after = [{"rule_id": "a", "start": 1.0}, {"rule_id": "b", "start": 5.0}]
    added, removed = diff_findings(before, after)
    assert [(f["rule_id"], f["start"]) for f in added] == [("b", 5.0)]
    assert [(f["rule_id"], f["start"]) for f in removed] == [("b", 2.0)]
