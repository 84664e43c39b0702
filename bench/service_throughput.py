"""Service throughput: uploads per minute, and analysed calls per minute with the embedded
worker vs 2 Celery workers, on the same recordings, as a ratio.

Each backend gets a fresh data folder and SQLite database, a real ``qa-service serve`` over
HTTP, and (for Celery) a throwaway redis-server and two ``qa-service celery-worker``
processes of one job each. Every worker first analyses one warm-up call (model loading is
not counted); then the recordings are uploaded one per request and timed until analysed.

    .venv/bin/python bench/service_throughput.py [--copies 1] [--analyzer real|MODULE:CLASS]

``--copies N`` uploads each shared recording N times with one sample changed, so the bytes
(and so the calls) differ. ``--analyzer`` swaps the pipeline for another class, e.g.
``tests.service_fixtures:FakeAnalyzer`` to measure the queue alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CALLS = REPO.parent / "shared" / "data" / "calls"
QA = [sys.executable, "-m", "qa_service"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recordings(copies: int, folder: Path, first: int = 0) -> list[Path]:
    """The shared stereo calls, ``copies`` times, each copy with different bytes."""
    sources = sorted(p for p in CALLS.glob("*.wav") if not p.name.endswith(".mono.wav"))
    out = []
    for k in range(first, first + copies):
        for src in sources:
            data = bytearray(src.read_bytes())
            data[-2] ^= k  # the last sample's low byte: inaudible, but another recording
            path = folder / f"{src.stem}-{k}.wav"
            path.write_bytes(bytes(data))
            out.append(path)
    return out


class Api:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}/api"
        self.token = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> dict:
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, body, headers, method=method)
        with urllib.request.urlopen(req, timeout=120) as reply:
            return json.loads(reply.read() or b"{}")

    def sign_in(self, password: str) -> None:
        body = f"username=admin&password={password}".encode()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        self.token = self.request("POST", "/auth/token", body, form)["access_token"]

    def upload(self, path: Path) -> None:
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{path.name}"\r\nContent-Type: audio/wav\r\n\r\n'
        ).encode()
        body = head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        content_type = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        self.request("POST", "/calls", body, content_type)

    def count(self, status: str) -> int:
        return self.request("GET", f"/calls?status={status}&limit=1")["total"]

    def wait_analysed(self, expected: int, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.count("failed"):
                raise SystemExit("a call failed to analyse: see the service log")
            if self.count("analysed") >= expected:
                return
            time.sleep(0.2)
        raise SystemExit(f"timed out waiting for {expected} analysed calls")


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        cwd=REPO,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def admin_password(data_dir: Path, server: subprocess.Popen, log: Path) -> str:
    """The first admin's password, from the file the service writes it to on first start
    (or, from a service of before that file, from its console)."""
    path = data_dir / "admin_password"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if path.is_file() and (lines := path.read_text().split()):
            return lines[-1]
        for line in log.read_text().splitlines():
            if line.strip().startswith("password:"):
                return line.split(":", 1)[1].strip()
        if server.poll() is not None:
            raise SystemExit(f"the service stopped:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
    raise SystemExit("the service wrote no admin password")


def wait_healthy(api: Api, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            api.request("GET", "/health")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the service did not come up")


def run_backend(backend: str, files: list[Path], warmups: list[Path], args) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"qa-bench-{backend}-"))
    port = free_port()
    threads = max(1, (os.cpu_count() or 2) // (args.workers if backend == "celery" else 1))
    env = {
        **os.environ,
        "QA_DATA_DIR": str(work / "var"),
        "QA_DATABASE_URL": "",
        "QA_JOB_BACKEND": backend,
        "QA_CPU_THREADS": str(threads),
        "QA_MODELS_DIR": os.environ.get("QA_MODELS_DIR", str(REPO / "models")),
        "PYTHONPATH": str(REPO),
    }
    if args.analyzer != "real":
        env["QA_ANALYZER"] = args.analyzer
    processes = []
    try:
        if backend == "celery":
            redis_port = free_port()
            env["QA_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            redis = ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"]
            processes.append(start(redis, env, work / "redis.log"))
            for k in range(args.workers):
                worker = [*QA, "celery-worker", "--concurrency", "1", "--name", f"qa{k}@%h"]
                processes.append(start(worker, env, work / f"celery-{k}.log"))
        server = start([*QA, "serve", "--port", str(port)], env, work / "serve.log")
        processes.append(server)
        api = Api(port)
        password = admin_password(work / "var", server, work / "serve.log")
        wait_healthy(api)
        api.sign_in(password)
        for path in warmups:
            api.upload(path)
        api.wait_analysed(len(warmups), args.timeout)
        started = time.perf_counter()
        for path in files:
            api.upload(path)
        uploaded = time.perf_counter() - started
        api.wait_analysed(len(warmups) + len(files), args.timeout)
        analysed = time.perf_counter() - started
    finally:
        for process in reversed(processes):
            stop(process)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "backend": backend,
        "calls": len(files),
        "upload_s": uploaded,
        "uploads_per_min": 60 * len(files) / uploaded,
        "analysed_s": analysed,
        "analysed_per_min": 60 * len(files) / analysed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--analyzer", default="real")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qa-bench-calls-"))
    try:
        files = recordings(args.copies, folder)
        spare = recordings(1, folder, first=args.copies)[: args.workers]
        results = []
        for backend, warm in (("embedded", spare[:1]), ("celery", spare)):
            result = run_backend(backend, files, warm, args)
            results.append(result)
            print(
                f"{backend:9s} {result['calls']} calls"
                f"  uploads {result['uploads_per_min']:7.1f}/min"
                f"  analysed {result['analysed_per_min']:6.2f}/min ({result['analysed_s']:.1f} s)",
                flush=True,
            )
        embedded, celery = results
        print(
            f"ratio celery({args.workers})/embedded: uploads "
            f"{celery['uploads_per_min'] / embedded['uploads_per_min']:.2f}, analysed calls "
            f"{celery['analysed_per_min'] / embedded['analysed_per_min']:.2f}"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
