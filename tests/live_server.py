"""The API served by uvicorn on 127.0.0.1:PORT in a thread, for tests that need a real
socket (floods of parallel sign-ins, schemathesis). Real Argon2, the fake analyzer."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from qa_service.config import Settings
from tests.service_fixtures import free_port, service_settings, wait_for


@dataclass
class LiveApi:
    url: str
    app: object
    settings: Settings
    admin_password: str

    def token(self, username: str, password: str) -> str:
        reply = httpx.post(
            f"{self.url}/api/auth/token",
            data={"username": username, "password": password},
            timeout=60,
        )
        assert reply.status_code == 200, reply.text
        return reply.json()["access_token"]

    def add_user(self, username: str, password: str, role: str, **fields: str) -> dict:
        headers = {"Authorization": f"Bearer {self.token('admin', self.admin_password)}"}
        body = {"username": username, "password": password, "role": role, **fields}
        reply = httpx.post(f"{self.url}/api/users", json=body, headers=headers, timeout=60)
        assert reply.status_code == 201, reply.text
        return reply.json()


@contextlib.contextmanager
def serve_in_thread(app: object, name: str) -> Iterator[int]:
    """Serve ``app`` (lifespan included) with uvicorn in a daemon thread on a free port of
    127.0.0.1; yields the port once the server has started, stops it on exit."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, 30, "the test server to start")
        yield port
    finally:
        server.should_exit = True
        thread.join(60)


@contextlib.contextmanager
def live_api(tmp: Path, **overrides: object) -> Iterator[LiveApi]:
    from qa_service.api.app import create_app
    from qa_service.features.users.bootstrap import ensure_first_admin

    settings = service_settings(tmp, f"sqlite:///{tmp / 'var' / 'qa.db'}", **overrides)
    app = create_app(settings, start_worker=True)
    try:
        with serve_in_thread(app, "live-api") as port:
            password = ensure_first_admin(app.state.db, settings)
            assert password
            yield LiveApi(f"http://127.0.0.1:{port}", app, settings, password)
    finally:
        app.state.db.dispose()
