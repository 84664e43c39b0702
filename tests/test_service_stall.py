"""A client that opens a recording's download and stops reading holds nothing: for a minute,
every other request (health, a call, sign-in, the list, findings, the waveform peaks, an
upload) answers in under a second, and a job that runs meanwhile keeps its lease and is done
on its first attempt. A real server on 127.0.0.1 (uvicorn, embedded worker, SQLite) and a real
socket with a small receive buffer."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from qa_service.store.jobs import Job
from tests.live_fixtures import AGENT, LIMIT_S, Live
from tests.service_fixtures import BLOCK_FILE, fake_events, make_wav, wait_for
from tests.slow_client import StalledDownload, kernel_buffer_bytes

pytest_plugins = ["tests.live_fixtures"]

STALL_S = 60.0
REQUESTS = 100
# Requests that may fail before the test stops waiting (each may take its whole timeout).
MAX_FAILURES = 3
# Big enough that the kernel's buffers fill long before the server has sent it all.
BIG_CALL_S = 900.0


def _upload(client: httpx.Client, path: Path) -> int:
    with path.open("rb") as fh:
        reply = client.post(
            "/api/calls",
            files=[("files", (path.name, fh, "audio/wav"))],
            data={"agent_id": "S1", "team": "S"},
        )
    assert reply.status_code == 201, reply.text
    return reply.json()["calls"][0]["call"]["id"]


def _analysed(client: httpx.Client, call_id: int) -> dict | None:
    call = client.get(f"/api/calls/{call_id}").json()
    assert call["status"] != "failed", call
    return call if call["status"] == "analysed" else None


def _starts(fake_dir: Path) -> list[int]:
    return [pid for kind, pid in fake_events(fake_dir) if kind == "start"]


def _mixed_requests(live: Live, call_id: int) -> Iterator[tuple[str, httpx.Client, str, dict]]:
    """(label, client, method, request arguments): reads, sign-ins, the pages' peaks."""
    admin, agent, anonymous = live.client("admin"), live.client("agent"), live.client()
    login = {"data": {"username": AGENT["username"], "password": AGENT["password"]}}
    kinds = [
        ("health", anonymous, "GET", {"url": "/api/health"}),
        ("call", admin, "GET", {"url": f"/api/calls/{call_id}"}),
        ("login", anonymous, "POST", {"url": "/api/auth/token", **login}),
        ("list", admin, "GET", {"url": "/api/calls"}),
        ("findings", agent, "GET", {"url": f"/api/calls/{call_id}/findings"}),
        ("own call", agent, "GET", {"url": f"/api/calls/{call_id}"}),
        ("peaks", admin, "GET", {"url": f"/calls/{call_id}/peaks.json"}),
    ]
    try:
        yield from itertools.islice(itertools.cycle(kinds), REQUESTS)
    finally:
        for client in (admin, agent, anonymous):
            client.close()


def test_a_stalled_download_blocks_no_one(live, tmp_path):
    big = make_wav(tmp_path / "big.wav", seconds=BIG_CALL_S)
    assert big.stat().st_size > 4 * kernel_buffer_bytes(4096)
    with live.client("admin") as admin:
        big_id = _upload(admin, big)
        small_id = _upload(admin, make_wav(tmp_path / "small.wav"))
        for call_id in (big_id, small_id):
            wait_for(lambda c=call_id: _analysed(admin, c), 30, f"call {call_id} analysed")
        (live.fake_dir / BLOCK_FILE).touch()
        slow: list[tuple[str, float, int]] = []
        started = time.monotonic()
        with StalledDownload(live.port, f"/api/calls/{big_id}/audio", live.tokens["admin"]) as dl:
            assert dl.status == 200 and dl.content_length == big.stat().st_size
            # A job that runs through the stall: it writes a heartbeat every second.
            starts = len(_starts(live.fake_dir))
            t0 = time.perf_counter()
            job_call = _upload(admin, make_wav(tmp_path / "during.wav"))
            slow += [("upload", time.perf_counter() - t0, 201)]
            wait_for(lambda: len(_starts(live.fake_dir)) > starts, 10, "the job to start")
            pace = (STALL_S - 15) / REQUESTS
            failures = 0
            for label, client, method, args in _mixed_requests(live, small_id):
                t0 = time.perf_counter()
                try:
                    status = client.request(method, **args).status_code
                except httpx.TimeoutException:
                    status = 0
                took = time.perf_counter() - t0
                slow.append((label, took, status))
                failures += status != 200 or took >= LIMIT_S
                if failures >= MAX_FAILURES:
                    break
                time.sleep(max(0.0, pace - took))
            (live.fake_dir / BLOCK_FILE).unlink()
            wait_for(lambda: _analysed(admin, job_call), 10, "the job to finish")
            time.sleep(max(0.0, STALL_S - (time.monotonic() - started)))
            # The download was held up the whole time, and is whole once read.
            assert dl.drain() == big.stat().st_size
    bad = [(label, round(took, 2), status) for label, took, status in slow]
    bad = [row for row in bad if row[1] >= LIMIT_S or row[2] not in (200, 201)]
    assert not bad, f"requests slower than {LIMIT_S} s or failed during the stall: {bad}"
    assert len(slow) == REQUESTS + 1
    with live.app.state.db.session(write=False) as session:
        job = session.query(Job).filter(Job.call_id == job_call).one()
        assert (job.status, job.attempts, job.last_error) == ("done", 1, None)
