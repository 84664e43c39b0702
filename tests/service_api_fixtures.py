"""A running service for the API tests: accounts for every role, a client signed in as any
of them, uploads of small unique recordings, and the embedded worker run on demand."""

from __future__ import annotations

import contextlib
import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa_service.api.app import create_app
from qa_service.features.users.bootstrap import ensure_first_admin
from qa_service.jobs.worker import EmbeddedWorker
from tests.conftest import CHEAP_PASSWORDS
from tests.service_fixtures import FakeAnalyzer, make_wav, service_settings

PASSWORD = "correct horse battery"
# The test client's own address: the Origin of requests from our own pages.
OWN_ORIGIN = "http://testserver"
# username: (role, team, agent_id)
ACCOUNTS = {
    "qa1": ("qa", None, None),
    "qa2": ("qa", None, None),
    "lead_a": ("supervisor", "A", None),
    "lead_b": ("supervisor", "B", None),
    "agent_a1": ("agent", "A", "A1"),
    "agent_a2": ("agent", "A", "A2"),
    "agent_b1": ("agent", "B", "B1"),
}
TEAM_OF_AGENT = {"A1": "A", "A2": "A", "B1": "B"}


class FixedRng(random.Random):
    """``random()`` always gives ``value``: decides the second-review draw in a test."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


class Service:
    def __init__(self, client: TestClient, app, settings, tmp: Path, admin_password: str) -> None:
        self.client = client
        self.app = app
        self.settings = settings
        self.tmp = tmp
        self.admin_password = admin_password
        self.worker = EmbeddedWorker(app.state.db, settings, FakeAnalyzer(settings))
        self._tokens: dict[str, str] = {}
        self._names = itertools.count(1)
        self.ids: dict[str, int] = {}

    @property
    def db(self):
        return self.app.state.db

    def token(self, username: str, password: str = PASSWORD) -> str:
        if username not in self._tokens:
            password = self.admin_password if username == "admin" else password
            reply = self.client.post(
                "/api/auth/token", data={"username": username, "password": password}
            )
            assert reply.status_code == 200, reply.text
            self._tokens[username] = reply.json()["access_token"]
        return self._tokens[username]

    def headers(self, username: str | None) -> dict[str, str]:
        return {} if username is None else {"Authorization": f"Bearer {self.token(username)}"}

    def get(self, path: str, as_: str | None, **kwargs):
        return self.client.get(path, headers=self.headers(as_), **kwargs)

    def post(self, path: str, as_: str | None, **kwargs):
        return self.client.post(path, headers=self.headers(as_), **kwargs)

    def put(self, path: str, as_: str | None, **kwargs):
        return self.client.put(path, headers=self.headers(as_), **kwargs)

    def patch(self, path: str, as_: str | None, **kwargs):
        return self.client.patch(path, headers=self.headers(as_), **kwargs)

    def wav(self, seconds: float = 1.0) -> bytes:
        return make_wav(self.tmp / f"upload-{next(self._names)}.wav", seconds).read_bytes()

    def upload(self, as_: str, files: list[tuple[str, bytes]], metadata=None, **fields):
        data = dict(fields)
        if metadata is not None:
            data["metadata"] = json.dumps(metadata)
        parts = [("files", (name, content, "application/octet-stream")) for name, content in files]
        return self.post("/api/calls", as_, files=parts, data=data)

    def run_jobs(self) -> int:
        return self.worker.run_until_idle()

    def new_call(self, agent_id: str = "A1", **metadata) -> dict:
        """A call of ``agent_id`` uploaded by QA and analysed; returns its public view."""
        meta = {"agent_id": agent_id, "team": TEAM_OF_AGENT.get(agent_id, "A"), **metadata}
        reply = self.upload("qa1", [(f"call-{next(self._names)}.wav", self.wav())], meta)
        assert reply.status_code == 201, reply.text
        call_id = reply.json()["calls"][0]["call"]["id"]
        self.run_jobs()
        call = self.get(f"/api/calls/{call_id}", "qa1").json()
        assert call["status"] == "analysed", call
        return call

    def stored_files(self) -> list[Path]:
        root = Path(self.settings.data_dir)
        return sorted(p for p in root.rglob("*") if p.is_file() and "recordings" in p.parts)

    def spooled_files(self) -> list[Path]:
        return sorted((Path(self.settings.data_dir) / "uploads").glob("*"))


def _create_accounts(service: Service) -> None:
    for username, (role, team, agent_id) in ACCOUNTS.items():
        body = {"username": username, "password": PASSWORD, "role": role, "team": team}
        if agent_id:
            body["agent_id"] = agent_id
        reply = service.post("/api/users", "admin", json=body)
        assert reply.status_code == 201, reply.text
        service.ids[username] = reply.json()["id"]


@contextlib.contextmanager
def running_service(tmp: Path, database_url: str, **overrides) -> Iterator[Service]:
    """The service with every role's account, on the database at ``database_url``
    (``overrides``: other settings)."""
    # Cheap Argon2 parameters: the tests sign in dozens of times; the format is the same.
    settings = service_settings(tmp, database_url, **(CHEAP_PASSWORDS | overrides))
    app = create_app(settings, review_rng=FixedRng(0.99))
    try:
        with TestClient(app) as client:
            password = ensure_first_admin(app.state.db, settings)
            assert password
            svc = Service(client, app, settings, tmp, password)
            _create_accounts(svc)
            yield svc
    finally:
        app.state.db.dispose()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The service on SQLite; one per test module."""
    tmp = tmp_path_factory.mktemp("service")
    with running_service(tmp, f"sqlite:///{tmp / 'var' / 'qa.db'}") as svc:
        yield svc


@pytest.fixture(scope="module")
def pg_service(tmp_path_factory: pytest.TempPathFactory, postgres_server) -> Iterator[Service]:
    """The service on a fresh PostgreSQL database; one per test module."""
    name = postgres_server.create_database()
    try:
        with running_service(
            tmp_path_factory.mktemp("pg-service"), postgres_server.url(name)
        ) as svc:
            yield svc
    finally:
        postgres_server.drop_database(name)
