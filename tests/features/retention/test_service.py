"""Retention purge and deletion requests on SQLite and PostgreSQL: what goes, what stays
(KPIs equal before and after), running twice, and a process killed half way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from qa_service.config import Settings
from qa_service.domain.periods import parse_period
from qa_service.features.kpi.service import export_report, period_report
from qa_service.features.retention.files import call_files
from qa_service.features.retention.schemas import DeletionRequest
from qa_service.features.retention.service import purge, request_deletion
from qa_service.store.audit import AuditEntry
from qa_service.store.calls import Call, CallStatus, FindingRecord
from qa_service.store.db import Database
from tests.conftest import REPO
from tests.kpi_month import insert_month

pytest_plugins = ["tests.service_fixtures"]

NOVEMBER = parse_period("2026-11")
LATER = datetime(2027, 3, 1, tzinfo=UTC)
WORDS = "my card is 6222 0200 1234 5678"


def _settings(tmp_path: Path, db: Database, **fields) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "var", database_url=db.url, **fields)


def _result(call: Call) -> dict:
    findings = [
        {
            "rule_id": f.rule_id,
            "category": f.category,
            "severity": "major",
            "role": "agent",
            "start": 1.0,
            "end": 2.0,
            "text": WORDS,
            "evidence": {"quote": WORDS},
        }
        for f in call.findings
    ]
    return {
        "call_id": call.call_id,
        "language": "en",
        "duration_s": call.duration_s,
        "channels": {"left": "agent", "right": "customer"},
        "utterances": [{"role": "customer", "start": 1.0, "end": 2.0, "text": WORDS}],
        "findings": findings,
        "score": {"total": call.score_total},
        "metrics": {"x": 1},
    }


def _month(db: Database, settings: Settings) -> None:
    """The KPI test month, each call with a transcript, a recording and waveform peaks."""
    root = Path(settings.data_dir)
    with db.session() as session:
        insert_month(session)
        session.flush()
        for call in session.scalars(select(Call)):
            sha = call.content_sha256
            call.media_path = f"recordings/{sha[:2]}/{sha}.wav"
            call.filename = f"{WORDS}.wav"
            if call.status == CallStatus.analysed:
                call.result = _result(call)
                for f in call.findings:
                    f.text, f.evidence = WORDS, {"quote": WORDS}
            for path in (root / call.media_path, root / "peaks" / sha[:2] / f"{sha}.v1.json"):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"x")


def _kpis(db: Database, settings: Settings) -> list[bytes]:
    with db.session(write=False) as session:
        return [
            export_report(period_report(session, settings, period=NOVEMBER, by=by), "csv").data
            for by in ("agent", "team", "queue")
        ]


def _files(settings: Settings) -> list[Path]:
    root = Path(settings.data_dir)
    return sorted(p for p in root.rglob("*") if p.is_file() and p.parent.parent != root / "x")


def _calls(db: Database) -> list[Call]:
    with db.session(write=False) as session:
        return list(session.scalars(select(Call).order_by(Call.id)))


def test_retention_purge_keeps_kpis_and_is_idempotent(database: Database, tmp_path: Path):
    settings = _settings(tmp_path, database, retention_audio_days=30, retention_transcript_days=60)
    _month(database, settings)
    before = _kpis(database, settings)
    n_files = len(_files(settings))

    assert purge(database, settings, dry_run=True, now=LATER).audio_calls > 0
    assert len(_files(settings)) == n_files  # a dry run deletes nothing

    report = purge(database, settings, now=LATER)
    calls = _calls(database)
    settled = [c for c in calls if c.status != CallStatus.queued]
    assert report.audio_calls == report.transcript_calls == len(settled) > 100
    assert report.files_removed == 2 * len(settled)
    assert len(_files(settings)) == 2 * (len(calls) - len(settled))  # queued: kept for analysis
    for call in settled:
        assert call.audio_purged_at is not None and call.transcript_purged_at is not None
        assert call.purge_reason == "retention" and call.purge_pending is None
        assert WORDS not in json.dumps(call.result or {})
    with database.session(write=False) as session:
        texts = session.scalars(select(FindingRecord.text)).all()
    assert texts and set(texts) == {""}
    assert _kpis(database, settings) == before

    again = purge(database, settings, now=LATER)
    assert (again.audio_calls, again.transcript_calls, again.files_removed) == (0, 0, 0)
    assert _kpis(database, settings) == before


def test_only_the_due_part_goes(database: Database, tmp_path: Path):
    """Audio past its retention, transcripts kept for ever (0): only recordings go."""
    settings = _settings(tmp_path, database, retention_audio_days=30)
    _month(database, settings)
    # Calls of November 2026, purged as of 2026-12-20 with 30 days: those before Nov 20.
    report = purge(database, settings, now=datetime(2026, 12, 20, tzinfo=UTC))
    calls = _calls(database)
    gone = [c for c in calls if c.audio_purged_at is not None]
    assert report.transcript_calls == 0 and len(gone) == report.audio_calls > 0
    assert all(c.started_at < datetime(2026, 11, 20, tzinfo=UTC) for c in gone)
    kept = [c for c in calls if c.audio_purged_at is None and c.status == CallStatus.analysed]
    assert kept and all(Path(settings.data_dir, c.media_path).is_file() for c in kept)
    assert all(c.transcript_purged_at is None for c in gone)
    assert all(WORDS in json.dumps(c.result) for c in gone if c.status == CallStatus.analysed)
    off = _settings(tmp_path, database)
    assert purge(database, off, now=LATER).audio_calls == 0  # retention off: nothing


def test_customer_deletion_keeps_kpis_and_audits_without_personal_data(
    database: Database, tmp_path: Path
):
    settings = _settings(tmp_path, database)
    _month(database, settings)
    before = _kpis(database, settings)
    ref = "a1-cust-0"  # a customer who called twice (a repeat contact: FCR)
    mine = [c.id for c in _calls(database) if c.customer_ref == ref]
    assert len(mine) == 2

    report = request_deletion(
        database, settings, DeletionRequest(customer_ref=ref, reason="PIPL request 17"), None
    )
    assert sorted(report.calls) == mine and report.files_removed == 4
    after = {c.id: c for c in _calls(database)}
    for pk in mine:
        call = after[pk]
        assert call.customer_ref != ref and call.customer_ref.startswith("erased-")
        assert WORDS not in call.filename and WORDS not in json.dumps(call.result or {})
        assert call.purge_reason == "request" and call.audio_purged_at is not None
        assert not Path(settings.data_dir, call.media_path).exists()
    assert after[mine[0]].customer_ref == after[mine[1]].customer_ref  # still one customer
    assert _kpis(database, settings) == before
    with database.session(write=False) as session:
        entries = session.scalars(select(AuditEntry)).all()
    entry = next(e for e in entries if e.action == "personal_data.delete")
    assert entry.after["reason"] == "PIPL request 17" and sorted(entry.after["calls"]) == mine
    assert ref not in json.dumps([e.after for e in entries] + [e.entity_id for e in entries])

    again = request_deletion(
        database, settings, DeletionRequest(customer_ref=ref, reason="again"), None
    )
    assert (again.calls, again.files_removed) == ([], 0)
    by_call = request_deletion(
        database, settings, DeletionRequest(call_id=mine[0], reason="again"), None
    )
    assert (by_call.calls, by_call.already_deleted) == ([], [mine[0]])


KILLER = """
import os, signal, sys
import qa_service.features.retention.service as service
real = service.remove_files
def remove_then_die(paths):
    removed = real(paths)
    if removed:  # files gone, the database not told yet
        os.kill(os.getpid(), signal.SIGKILL)
    return removed
service.remove_files = remove_then_die
from qa_service.cli import main
main(sys.argv[1:])
"""


def _cli(settings: Settings, *args: str, kill: bool = False, **env: str):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    environment.update(
        QA_DATA_DIR=str(settings.data_dir),
        QA_DATABASE_URL=settings.resolved_database_url(),
        PYTHONPATH=str(REPO),
        **env,
    )
    code = KILLER if kill else "from qa_service.cli import main; import sys; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_purge_killed_after_deleting_files_is_completed_by_the_next_run(
    database: Database, tmp_path: Path
):
    settings = _settings(tmp_path, database)
    _month(database, settings)
    before = _kpis(database, settings)
    days = {"QA_RETENTION_AUDIO_DAYS": "1", "QA_RETENTION_TRANSCRIPT_DAYS": "1"}
    dry = _cli(settings, "purge", "--dry-run", "--json", **days)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["audio_calls"] > 100 and _kpis(database, settings) == before
    assert all(c.audio_purged_at is None and c.purge_pending is None for c in _calls(database))
    killed = _cli(settings, "purge", kill=True, **days)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    calls = _calls(database)
    half = [c for c in calls if c.purge_pending == "audio"]
    assert half and all(c.audio_purged_at is None for c in calls)
    first = half[0]
    assert not Path(settings.data_dir, first.media_path).exists()  # the file went first

    done = _cli(settings, "purge", "--json", **days)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # The killed run had marked its whole batch: this one finishes those, then transcripts.
    assert report["resumed"] == len(half) and report["transcript_calls"] > 0
    calls = {c.id: c for c in _calls(database)}
    assert calls[first.id].audio_purged_at is not None
    assert all(c.purge_pending is None for c in calls.values())
    assert _kpis(database, settings) == before


def test_deletion_killed_midway_is_finished_by_the_purge(database: Database, tmp_path: Path):
    settings = _settings(tmp_path, database)
    _month(database, settings)
    before = _kpis(database, settings)
    ref = "a3-cust-10"
    mine = [c.id for c in _calls(database) if c.customer_ref == ref]
    refused = _cli(settings, "delete", "--reason", "ticket 9")  # neither call nor customer
    assert refused.returncode == 2 and "exactly one" in refused.stderr
    killed = _cli(settings, "delete", "--customer", ref, "--reason", "ticket 9", kill=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    half = {c.id: c for c in _calls(database) if c.id in mine}
    # Taken: marked, the reference replaced and the request audited, before any file went.
    assert {c.purge_pending for c in half.values()} == {"request"}
    assert all(c.customer_ref.startswith("erased-") for c in half.values())
    assert all(WORDS in c.filename for c in half.values())  # not finalised yet

    done = _cli(settings, "purge")  # retention off: it only finishes what was begun
    assert done.returncode == 0, done.stderr
    for call in (c for c in _calls(database) if c.id in mine):
        assert call.purge_pending is None and call.purge_reason == "request"
        assert WORDS not in call.filename and not Path(settings.data_dir, call.media_path).exists()
    assert _kpis(database, settings) == before
    with database.session(write=False) as session:
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "personal_data.delete")
        ).all()
    assert len(audited) == 1 and audited[0].after["via"] == "cli"


def test_call_files_stay_inside_the_data_folder(tmp_path: Path):
    root = tmp_path / "var"
    sha = "ab" * 32
    outside = tmp_path / "outside.wav"
    outside.write_bytes(b"x")
    for path in (root / "recordings/ab" / f"{sha}.wav", root / "redacted/ab" / f"{sha}.r.wav"):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x")
    (root / "recordings/ab" / f"{'ab' * 31}cd.wav").write_bytes(b"another call")
    found = call_files(root, f"recordings/ab/{sha}.wav", sha)
    assert [p.relative_to(root).parts[0] for p in found] == ["recordings", "redacted"]
    assert call_files(root, "../outside.wav", "not-a-hash") == []
    assert call_files(root, str(outside), "*") == []
