"""Fixtures for the browser tests: the real service on a free local port (API, web pages and
the embedded worker, SQLite in a temporary folder), a real call analysed once per session by
the real pipeline and a generated 60-minute call. The browser itself and the helpers that
drive the pages are in ``tests/web_fixtures_browser.py``.

The worker's analyzer replays results prepared here (keyed by the recording's SHA-256), so
the expensive analysis runs once per session however many calls a test uploads; the worker
still runs the rule pack and stores the result exactly as in production.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pytest

from qa_service.analysis.pipeline import AnalyzeOptions, transcript_from_dict
from qa_service.config import Settings
from qa_service.domain.results import CallResult
from qa_service.engines.registry import Engines
from tests.audio_fixtures import write_wav
from tests.conftest import CALLS_DIR, REPO
from tests.service_fixtures import free_port, wait_for

PASSWORD = "correct horse battery"
REAL_CALL = "en-billing-deflect"
# username: (role, team, agent_id)
ACCOUNTS = {
    "qa1": ("qa", None, None),
    "lead_a": ("supervisor", "A", None),
    "agent_a1": ("agent", "A", "A1"),
    "agent_a2": ("agent", "A", "A2"),
}
ANALYSIS_TIMEOUT_S = 120


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Results the worker hands out ---------------------------------------------------------------

_PREPARED: dict[str, CallResult] = {}


def prepare(recording: Path, result: CallResult) -> None:
    """The result the worker returns when it analyses these exact bytes."""
    _PREPARED[sha256_file(recording)] = result


class ReplayAnalyzer:
    """The worker's analyzer in these tests: prepared results, by the recording's hash."""

    def __init__(self, settings: Settings, engines: Engines | None = None) -> None:
        self.settings = settings

    def warm_up(self) -> None:
        pass

    def analyze(self, path: Path, options: AnalyzeOptions) -> CallResult:
        digest = sha256_file(Path(path))
        if digest not in _PREPARED:
            raise RuntimeError(f"no prepared result for {path} ({digest[:12]})")
        result = copy.deepcopy(_PREPARED[digest])
        result.call_id = options.call_id or result.call_id
        result.metadata = {**result.metadata, **options.metadata}
        return result


@pytest.fixture(scope="session")
def real_call(engines: Engines) -> tuple[Path, CallResult]:
    """A real recording and the real pipeline's analysis of it (ASR, sentiment, rules)."""
    from qa_service.analysis.pipeline import analyze_file

    path = CALLS_DIR / f"{REAL_CALL}.wav"
    if not path.is_file():
        pytest.fail(f"test data missing: {path}")
    result = analyze_file(path, None, engines)
    prepare(path, result)
    return path, result


# A generated 60-minute call -----------------------------------------------------------------

AGENT_LINES = (
    "Thank you for calling, how can I help you today?",
    "Let me check your account details for you.",
    "I can see the charge on your statement.",
    "I understand, let me look into the billing history.",
    "That is not my department, you need to call the bank.",
    "Please hold while I review the last payment.",
    "Whatever, I can not change that.",
)
CUSTOMER_LINES = (
    "I was charged twice for my subscription.",
    "Yes, the last four digits are one two three four.",
    "This is ridiculous, I have called three times already.",
    "Okay, thank you.",
    "Can you tell me when the refund arrives?",
)


def long_transcript(minutes: float = 60.0, turn_s: float = 1.2) -> dict:
    """Alternating agent and customer turns filling ``minutes``: thousands of utterances, a
    deflection or a forbidden phrase every few agent turns (hundreds of findings)."""
    turns = []
    n = int(minutes * 60 / turn_s)
    for i in range(n):
        role = "agent" if i % 2 == 0 else "customer"
        lines = AGENT_LINES if role == "agent" else CUSTOMER_LINES
        start = round(i * turn_s + 0.1, 3)
        text = lines[(i // 2) % len(lines)]
        turns.append(
            {"role": role, "start": start, "end": round(start + turn_s - 0.3, 3), "text": text}
        )
    return {"turns": turns, "language": "en", "duration_s": minutes * 60}


def write_turns_wav(path: Path, data: dict, rate: int = 8000) -> Path:
    """Stereo 8 kHz: a tone on the speaker's channel (left agent, right customer) per turn."""
    total = int(data["duration_s"] * rate)
    channels = {"agent": np.zeros(total, np.float32), "customer": np.zeros(total, np.float32)}
    tone = 0.2 * np.sin(2 * np.pi * 440 * np.arange(rate * 2, dtype=np.float32) / rate)
    for turn in data["turns"]:
        a, b = int(turn["start"] * rate), min(total, int(turn["end"] * rate))
        channels[turn["role"]][a:b] = tone[: b - a]
    return write_wav(path, [channels["agent"], channels["customer"]], rate)


# A short billing call with a deflection and a complaint: findings to review, dispute, coach.
DEFLECTING_TURNS = (
    ("agent", "What do you want?"),
    ("customer", "I was charged twice for my subscription."),
    ("agent", "That is not my department, you need to call the bank."),
    ("customer", "This is ridiculous, I want to make a complaint."),
    ("agent", "Whatever, I can not change that."),
    ("customer", "Fine."),
)


def upload_scripted_call(
    service: LiveService,
    folder: Path,
    name: str,
    meta: dict,
    seconds: float = 2.0,
    turns: tuple[tuple[str, str], ...] = DEFLECTING_TURNS,
) -> tuple[dict, dict]:
    """(role, text) turns as a tone-per-turn recording (a turn every ``seconds``) whose
    analysis is the script itself; uploaded with ``meta`` and analysed. (the call, its
    transcript)"""
    data = {
        "turns": [
            {"role": role, "start": seconds * k + 0.2, "end": seconds * k + 1.8, "text": text}
            for k, (role, text) in enumerate(turns)
        ],
        "language": "en",
        "duration_s": seconds * len(turns),
    }
    path = write_turns_wav(folder / f"{name}.wav", data)
    prepare(path, CallResult(name, transcript_from_dict(data)))
    return service.wait_analysed(service.upload(path, meta)["id"]), data


@pytest.fixture(scope="session")
def long_call(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("long-call")
    data = long_transcript()
    path = write_turns_wav(folder / "long-call-60min.wav", data)
    result = CallResult("long-call-60min", transcript_from_dict(data))
    prepare(path, result)
    return path, data


# The live service ---------------------------------------------------------------------------


@dataclass
class LiveService:
    url: str
    settings: Settings
    admin_password: str
    app: object
    ids: dict[str, int] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def client(self, username: str | None = None) -> httpx.Client:
        headers = {}
        if username is not None:
            headers["Authorization"] = f"Bearer {self.token(username)}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    @contextmanager
    def page_session(self, username: str, lang: str | None = None) -> Iterator[httpx.Client]:
        """A client signed in as the pages are (session cookie, the pages' Origin)."""
        with httpx.Client(base_url=self.url, headers={"Origin": self.url}, timeout=60) as client:
            if lang is not None:
                client.cookies.set("qa_lang", lang)
            form = {"username": username, "password": PASSWORD}
            assert client.post("/api/auth/session", data=form).status_code == 200
            yield client

    def token(self, username: str) -> str:
        if username not in self._tokens:
            password = self.admin_password if username == "admin" else PASSWORD
            with httpx.Client(base_url=self.url, timeout=60) as anonymous:
                reply = anonymous.post(
                    "/api/auth/token", data={"username": username, "password": password}
                )
            assert reply.status_code == 200, reply.text
            self._tokens[username] = reply.json()["access_token"]
        return self._tokens[username]

    def upload(self, path: Path, metadata: dict, as_: str = "qa1") -> dict:
        with self.client(as_) as client, path.open("rb") as fh:
            reply = client.post(
                "/api/calls",
                files=[("files", (path.name, fh, "application/octet-stream"))],
                data={"metadata": json.dumps(metadata)},
            )
        assert reply.status_code in (200, 201), reply.text
        return reply.json()["calls"][0]["call"]

    def wait_analysed(self, call_id: int, timeout_s: float = ANALYSIS_TIMEOUT_S) -> dict:
        with self.client("qa1") as client:

            def done() -> dict | None:
                call = client.get(f"/api/calls/{call_id}").json()
                if call["status"] == "failed":
                    raise AssertionError(f"analysis of call {call_id} failed: {call['error']}")
                return call if call["status"] == "analysed" else None

            return wait_for(done, timeout_s, f"call {call_id} to be analysed")


def _create_accounts(service: LiveService) -> None:
    with service.client("admin") as admin:
        for username, (role, team, agent_id) in ACCOUNTS.items():
            body = {"username": username, "password": PASSWORD, "role": role, "team": team}
            if agent_id:
                body["agent_id"] = agent_id
            reply = admin.post("/api/users", json=body)
            assert reply.status_code == 201, reply.text
            service.ids[username] = reply.json()["id"]


@pytest.fixture(scope="module")
def live_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """The whole service (API, pages, embedded worker) on 127.0.0.1:PORT; one per module."""
    import uvicorn

    from qa_service.api.app import create_app
    from qa_service.features.users.bootstrap import ensure_first_admin
    from qa_service.web import install_web

    tmp = tmp_path_factory.mktemp("web")
    settings = Settings(
        data_dir=tmp / "var",
        database_url=f"sqlite:///{tmp / 'var' / 'qa.db'}",
        secret_key="web-test-secret-key-long-enough-for-hs256",
        worker_poll_s=0.2,
        models_dir=REPO / "models",
    )
    app = install_web(create_app(settings, start_worker=True, analyzer=ReplayAnalyzer(settings)))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: server.started, 30, "the test server to start")
    password = ensure_first_admin(app.state.db, settings)
    service = LiveService(url, settings, password, app)
    _create_accounts(service)
    try:
        yield service
    finally:
        server.should_exit = True
        thread.join(30)
