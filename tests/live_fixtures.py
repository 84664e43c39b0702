"""The whole service on a free port of 127.0.0.1 for tests that need real sockets: uvicorn
with the API, the pages and the embedded worker (the fake analyzer, which a ``block`` file in
``live.fake_dir`` holds up), SQLite in a temporary folder, an admin and one agent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import CHEAP_PASSWORDS
from tests.live_server import serve_in_thread
from tests.service_fixtures import (
    BLOCK_FILE,
    FAKE_DIR_ENV,
    FakeAnalyzer,
    service_settings,
)

# Requests of the tests answer within this (a slower answer is a failure).
LIMIT_S = 1.0
AGENT = {"username": "agent_s1", "password": "stall test password", "role": "agent"}


@dataclass
class Live:
    port: int
    app: object
    fake_dir: Path
    tokens: dict[str, str]

    def client(self, username: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[username]}"} if username else {}
        return httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}", headers=headers, timeout=2 * LIMIT_S + 3
        )


def _sign_in(port: int, username: str, password: str) -> str:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as anonymous:
        reply = anonymous.post("/api/auth/token", data={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    return reply.json()["access_token"]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The whole service (API, pages, embedded worker with the fake analyzer) on 127.0.0.1."""
    from qa_service.api.app import create_app
    from qa_service.features.users.bootstrap import ensure_first_admin
    from qa_service.web import install_web

    tmp = tmp_path_factory.mktemp("stall")
    fake_dir = tmp / "fake"
    fake_dir.mkdir()
    # A short lease: heartbeats that wait on a lock for a few seconds lose the job. Cheap
    # Argon2: this test is about locks, not about the cost of hashing.
    url = f"sqlite:///{tmp / 'var' / 'qa.db'}"
    settings = service_settings(tmp, url, job_lease_s=3.0, **CHEAP_PASSWORDS)
    os.environ[FAKE_DIR_ENV] = str(fake_dir)
    try:
        analyzer = FakeAnalyzer(settings)
    finally:
        os.environ.pop(FAKE_DIR_ENV)
    app = install_web(create_app(settings, start_worker=True, analyzer=analyzer))
    try:
        with serve_in_thread(app, "stall-test-server") as port:
            try:
                admin_password = ensure_first_admin(app.state.db, settings)
                tokens = {"admin": _sign_in(port, "admin", admin_password)}
                live = Live(port, app, fake_dir, tokens)
                with live.client("admin") as admin:
                    body = {**AGENT, "team": "S", "agent_id": "S1"}
                    assert admin.post("/api/users", json=body).status_code == 201
                tokens["agent"] = _sign_in(port, AGENT["username"], AGENT["password"])
                yield live
            finally:
                # Unblock the fake analyzer first, or stopping the server waits on its job.
                (fake_dir / BLOCK_FILE).unlink(missing_ok=True)
    finally:
        app.state.db.dispose()
