"""Deletion requests through the API, on SQLite and PostgreSQL: who may ask, what the
deleted parts answer (410), the page's notice, unchanged KPIs; and the worker's schedule."""

from __future__ import annotations

import pytest

from qa_service.config import Settings
from qa_service.jobs.retention import PurgeSchedule
from qa_service.jobs.worker import EmbeddedWorker
from qa_service.web import install_web
from tests.service_fixtures import FakeAnalyzer, wait_for

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]

STARTED = "2026-11-03T09:30:00Z"
CUSTOMER = "cust-13800138000"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def svc(request):
    service = request.getfixturevalue("service" if request.param == "sqlite" else "pg_service")
    install_web(service.app)
    return service


def _kpis(svc) -> list:
    """The KPI API, the dashboard's CSV export, and the dashboard page rendering."""
    assert svc.get("/dashboard?period=2026-11", "qa1").status_code == 200
    return [
        svc.get(f"/api/kpi?period=2026-11&by={by}", "qa1").json()["rows"]
        for by in ("agent", "team")
    ] + [svc.get("/dashboard/export?period=2026-11&format=csv", "qa1").content]


def _parts(svc, call_id: int, user: str = "qa1") -> dict[str, int]:
    paths = {
        "audio": f"/api/calls/{call_id}/audio",
        "transcript": f"/api/calls/{call_id}/transcript",
        "result": f"/api/calls/{call_id}/result",
        "findings": f"/api/calls/{call_id}/findings",
        "score": f"/api/calls/{call_id}/score",
        "peaks": f"/calls/{call_id}/peaks.json",
        "page": f"/calls/{call_id}",
    }
    return {name: svc.get(path, user).status_code for name, path in paths.items()}


def test_customer_deletion_through_the_api(svc) -> None:
    mine = [
        svc.new_call("A1", customer_ref=CUSTOMER, started_at=STARTED)["id"],
        svc.new_call("A2", customer_ref=CUSTOMER, started_at="2026-11-04T10:00:00Z")["id"],
    ]
    other = svc.new_call("A1", customer_ref="someone-else", started_at=STARTED)["id"]
    assert _parts(svc, mine[0]) == dict.fromkeys(
        ("audio", "transcript", "result", "findings", "score", "peaks", "page"), 200
    )
    before = _kpis(svc)
    body = {"customer_ref": CUSTOMER, "reason": "PIPL request, ticket 88"}

    for role in ("agent_a1", "lead_a"):
        refused = svc.post("/api/deletions", role, json=body)
        assert refused.status_code == 403, refused.text
    assert svc.post("/api/deletions", "qa1", json={"reason": "no target"}).status_code == 422
    done = svc.post("/api/deletions", "qa1", json=body)
    assert done.status_code == 200, done.text
    assert (
        sorted(done.json()["calls"]) == mine and done.json()["files_removed"] == 3
    )  # 2 recordings, 1 peaks

    for call_id in mine:
        codes = _parts(svc, call_id)
        assert codes == {
            "audio": 410,
            "transcript": 410,
            "result": 410,
            "findings": 200,
            "score": 200,
            "peaks": 410,
            "page": 200,
        }
        gone = svc.get(f"/api/calls/{call_id}/audio", "qa1").json()["error"]
        assert gone["code"] == "gone" and "deleted by request on" in gone["message"]
        page = svc.get(f"/calls/{call_id}", "qa1").text
        assert 'id="audio-deleted"' in page and 'id="transcript-deleted"' in page
        detail = svc.get(f"/api/calls/{call_id}", "qa1").json()
        assert CUSTOMER not in str(detail) and detail["purge_reason"] == "request"
        assert detail["call_id"] == detail["filename"] == f"erased-{call_id}"
        assert all(f["text"] == "" for f in svc.get(f"/api/calls/{call_id}/findings", "qa1").json())
        rescore = svc.post(f"/api/calls/{call_id}/rescore", "qa1", json={"pack": "en-default"})
        assert rescore.status_code == 410
    assert svc.get(f"/api/calls/{mine[0]}/audio", "agent_a1").status_code == 410
    assert _parts(svc, other)["audio"] == 200
    assert _kpis(svc) == before

    audit = svc.get("/api/audit?action=personal_data.delete", "admin").json()["items"]
    assert audit[0]["actor_id"] == svc.ids["qa1"] and audit[0]["after"]["calls"] == mine
    assert CUSTOMER not in str(svc.get("/api/audit?limit=200", "admin").json())

    again = svc.post("/api/deletions", "qa1", json={"call_id": mine[0], "reason": "again"})
    assert again.status_code == 200 and again.json()["already_deleted"] == [mine[0]]
    missing = svc.post("/api/deletions", "qa1", json={"call_id": 999999, "reason": "x" * 5})
    assert missing.status_code == 404


def test_the_worker_purges_on_its_schedule(svc) -> None:
    call = svc.new_call("B1", started_at=STARTED)["id"]
    before = _kpis(svc)
    now = [0.0]
    settings = svc.settings.model_copy(
        update={"retention_audio_days": 1, "retention_purge_interval_s": 600.0}
    )
    schedule = PurgeSchedule(svc.db, settings, clock=lambda: now[0])
    first = schedule.tick()
    assert first is not None and call in first.call_ids
    assert schedule.tick() is None  # not again before the interval
    assert _parts(svc, call)["audio"] == 410 and _parts(svc, call)["transcript"] == 200
    now[0] = 601.0
    assert schedule.tick().audio_calls == 0  # nothing new is due
    assert _kpis(svc) == before


def test_deleting_a_queued_call_cancels_its_analysis(svc) -> None:
    reply = svc.upload("qa1", [("queued.wav", svc.wav())], {"agent_id": "A1", "team": "A"})
    call_id = reply.json()["calls"][0]["call"]["id"]
    done = svc.post("/api/deletions", "qa1", json={"call_id": call_id, "reason": "ticket 5"})
    assert done.status_code == 200 and done.json()["calls"] == [call_id]
    assert svc.run_jobs() == 0  # the queued analysis was cancelled: nothing brings it back
    detail = svc.get(f"/api/calls/{call_id}", "qa1").json()
    assert detail["status"] == "failed" and detail["job"]["status"] == "failed"
    assert svc.get(f"/api/calls/{call_id}/audio", "qa1").status_code == 410
    page = svc.get(f"/calls/{call_id}", "qa1")
    assert page.status_code == 200 and 'id="audio-deleted"' in page.text


def test_the_embedded_worker_runs_the_purge_when_it_starts(svc) -> None:
    call = svc.new_call("A2", started_at=STARTED)["id"]
    settings = svc.settings.model_copy(update={"retention_transcript_days": 1})
    worker = EmbeddedWorker(svc.db, settings, FakeAnalyzer(settings)).start()
    try:
        transcript = f"/api/calls/{call}/transcript"
        wait_for(lambda: svc.get(transcript, "qa1").status_code == 410, 30, "the worker's purge")
    finally:
        worker.stop(10)
    assert svc.get(f"/api/calls/{call}/score", "qa1").status_code == 200


def test_celery_beat_sends_the_purge() -> None:
    from qa_service.jobs.celery_app import PURGE_TASK, QUEUE, app, make_celery

    assert PURGE_TASK in app.tasks
    beat = make_celery(Settings(_env_file=None, retention_purge_interval_s=120)).conf.beat_schedule
    assert beat["retention-purge"]["task"] == PURGE_TASK
    assert beat["retention-purge"]["schedule"] == 120
    assert beat["retention-purge"]["options"]["queue"] == QUEUE
