"""Uploads over real sockets: a file whose first bytes are no audio is refused before the
rest of it is sent, an upload cut off mid-way leaves no spool file, and spool files left by a
killed process are swept away when the service starts."""

from __future__ import annotations

import os
import socket
import struct
import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa_service.api.app import create_app
from qa_service.api.multipart import STALE_PARTIAL_S
from tests.live_fixtures import Live
from tests.service_fixtures import make_wav, service_settings, wait_for

pytestmark = pytest.mark.api

pytest_plugins = ["tests.live_fixtures"]

DECLARED_BYTES = 50 * 1024 * 1024


def _open_upload(live: Live, filename: str) -> tuple[socket.socket, bytes]:
    """A multipart upload of one file announced as 50 MiB, of which only the headers are sent;
    returns the socket and the closing boundary."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    request = (
        f"POST /api/calls HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n"
        f"Authorization: Bearer {live.tokens['admin']}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + DECLARED_BYTES + len(tail)}\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", live.port), timeout=10)
    sock.sendall(request + head)
    return sock, tail


def _answer(sock: socket.socket) -> tuple[str, str]:
    """The status line and body of the server's answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[
            1
        ]
    )
    while len(body) < length:
        body += sock.recv(4096)
    return head.split(b"\r\n")[0].decode(), body.decode()


def _spool(live: Live) -> list[Path]:
    folder = Path(live.app.state.settings.data_dir) / "uploads"
    return sorted(folder.glob("*")) if folder.is_dir() else []


def test_a_file_that_is_no_audio_is_refused_from_its_first_bytes(live) -> None:
    sock, _tail = _open_upload(live, "notes.wav")
    with sock:
        sock.sendall(b"just some text, no recording\n" * 4000)
        # The answer comes while 50 MiB are still unsent: nothing past the head was needed.
        status, body = _answer(sock)
        assert status.startswith("HTTP/1.1 415"), (status, body)
        assert "notes.wav: not a readable audio file" in body
    assert _spool(live) == []


def test_an_upload_cut_off_midway_leaves_nothing(live, tmp_path) -> None:
    wav = make_wav(tmp_path / "cut.wav", seconds=60).read_bytes()
    sock, _tail = _open_upload(live, "cut.wav")
    try:
        sock.sendall(wav)
        wait_for(lambda: _spool(live), 10, "the upload to be spooled")
    finally:
        # A reset, as when the client is killed: no orderly end of the body.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    wait_for(lambda: not _spool(live), 10, "the spool file to be deleted")


def test_spool_files_of_a_killed_process_are_swept_at_start(tmp_path) -> None:
    settings = service_settings(tmp_path, f"sqlite:///{tmp_path / 'var' / 'qa.db'}")
    spool = Path(settings.data_dir) / "uploads"
    spool.mkdir(parents=True)
    # An upload's spool file and a batch import's copy, both left by a killed process.
    stale = [spool / "a.partial", spool / "import-b.wav"]
    running = spool / "c.partial"
    for path in (*stale, running):
        path.write_bytes(b"RIFF" + bytes(1024))
    old = time.time() - STALE_PARTIAL_S - 60
    for path in stale:
        os.utime(path, (old, old))
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/api/health").status_code == 200
    app.state.db.dispose()
    # The one still written to (fresh) may belong to another process's running upload.
    assert not any(p.exists() for p in stale) and running.exists()
