"""The data folder of a real ``qa-service serve``: the first admin password goes to an
owner-only file and never to the console, every folder is 0700 and every file 0600 (the
database with its -wal and -shm, recordings, secret key), an unusable data folder is one
``error:`` line, and processes starting together all read the same whole secret key."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from qa_service.config import Settings
from qa_service.features.users.security import secret_key
from tests.conftest import REPO
from tests.service_fixtures import free_port, make_wav, wait_for

pytestmark = pytest.mark.api

ROUNDS, STARTING_TOGETHER = 40, 8


@dataclass
class Served:
    url: str
    data_dir: Path
    log: Path


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update({"QA_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)})
    return env


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``qa-service serve --no-worker`` on a fresh data folder, with one call uploaded."""
    tmp = tmp_path_factory.mktemp("data-files")
    port, log = free_port(), tmp / "serve.log"
    command = [sys.executable, "-m", "qa_service", "serve", "--port", str(port), "--no-worker"]
    with log.open("w") as out:
        server = subprocess.Popen(
            command, env=_env(tmp / "var"), cwd=tmp, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _healthy(url) or server.poll() is not None, 60, "the service")
        assert server.poll() is None, log.read_text()
        yield Served(url, tmp / "var", log)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


def _admin_token(served: Served) -> str:
    username, password = (served.data_dir / "admin_password").read_text().split()
    reply = httpx.post(
        f"{served.url}/api/auth/token", data={"username": username, "password": password}
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["access_token"]


def test_the_first_admin_password_is_in_a_private_file_not_on_the_console(served) -> None:
    path = served.data_dir / "admin_password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = path.read_text().split()[1]
    console = served.log.read_text()
    assert password not in console
    assert str(path) in console
    _admin_token(served)


def test_every_data_file_is_private(served, tmp_path) -> None:
    token = _admin_token(served)
    wav = make_wav(tmp_path / "private.wav")
    reply = httpx.post(
        f"{served.url}/api/calls",
        headers={"Authorization": f"Bearer {token}"},
        files=[("files", ("private.wav", wav.read_bytes(), "audio/wav"))],
    )
    assert reply.status_code == 201, reply.text
    entries = [served.data_dir, *served.data_dir.rglob("*")]
    names = {p.name for p in entries}
    assert {"qa.db", "qa.db-wal", "qa.db-shm", "secret_key", "admin_password"} <= names
    assert any(p.suffix == ".wav" and "recordings" in p.parts for p in entries)
    wrong = [
        (str(p), oct(stat.S_IMODE(p.stat().st_mode)))
        for p in entries
        if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)
    ]
    assert not wrong, f"not owner-only: {wrong}"


def test_an_unusable_data_folder_is_one_error_line(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = subprocess.run(
        [sys.executable, "-m", "qa_service", "serve", "--port", str(free_port())],
        env=_env(blocker / "var"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert str(blocker / "var") in lines[0]


def test_processes_starting_together_read_one_whole_secret_key(tmp_path) -> None:
    for round_ in range(ROUNDS):
        settings = Settings(data_dir=tmp_path / f"r{round_}", secret_key="")
        start = threading.Barrier(STARTING_TOGETHER)
        keys: list[str] = []

        def starting(settings=settings, start=start, keys=keys) -> None:
            start.wait()
            keys.append(secret_key(settings))

        threads = [threading.Thread(target=starting) for _ in range(STARTING_TOGETHER)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(keys) == STARTING_TOGETHER and len(set(keys)) == 1 and keys[0], keys
        assert stat.S_IMODE((settings.data_dir / "secret_key").stat().st_mode) == 0o600
