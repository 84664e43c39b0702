"""/api/health latency and server memory during a flood of 200 parallel sign-ins.

A real ``qa-service serve --no-worker`` (real Argon2 parameters) on a fresh data folder;
20 accounts. Two floods of 200 requests sent at once from one client address: right
passwords (the hashing cap is what protects the server) and wrong passwords (the
throttle answers 429 before hashing). Meanwhile a probe calls ``/api/health`` every 50 ms.
Reports the answers by status, the probe's latency and the server's peak RSS (VmHWM).

    .venv/bin/python bench/login_flood.py [--repo PATH] [--logins 200]

``--repo`` runs another checkout's code as the server (e.g. the commit before the
throttle) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from multiprocessing import Event, Process, Queue
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
ACCOUNTS = 20
PASSWORD = "Bench-flood-passphrase-1"
PROBE_TIMEOUT_S = 60.0


def _env(repo: Path, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(PYTHONPATH=str(repo), QA_DATA_DIR=str(data), QA_SECRET_KEY="bench-" + "k" * 40)
    return env


def _rss_peak_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def _rss_now_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def _start(repo: Path, data: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "qa_service", "serve", "--no-worker", "--port", str(port)]
    server = subprocess.Popen(
        command,
        env=_env(repo, data),
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).is_success:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


def _admin_password(repo: Path, data: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "qa_service", "users", "reset-password", "admin"],
        env=_env(repo, data),
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().rsplit(" ", 1)[-1]


def _accounts(url: str, admin_password: str) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        token = client.post(
            "/api/auth/token", data={"username": "admin", "password": admin_password}
        ).json()["access_token"]
        for n in range(ACCOUNTS):
            body = {"username": f"bench{n}", "password": PASSWORD, "role": "qa"}
            reply = client.post(
                "/api/users", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            reply.raise_for_status()


def _probe(url: str, stop: Event, out: Queue) -> None:
    """In its own process, so the flooding client's own work does not delay the probe."""
    latencies = []
    with httpx.Client(base_url=url, timeout=PROBE_TIMEOUT_S) as client:
        client.get("/api/health")
        out.put("ready")
        while not stop.is_set():
            start = time.perf_counter()
            # A timeout is counted at the timeout: the real wait was longer.
            with contextlib.suppress(httpx.TimeoutException):
                client.get("/api/health")
            latencies.append(time.perf_counter() - start)
            time.sleep(0.05)
    out.put(latencies)


async def _sign_ins(url: str, logins: int, right: bool) -> list[int]:
    limits = httpx.Limits(max_connections=logins + 5, max_keepalive_connections=logins + 5)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:

        async def sign_in(n: int) -> int:
            password = PASSWORD if right else f"wrong-{n}-guess"
            data = {"username": f"bench{n % ACCOUNTS}", "password": password}
            return (await client.post("/api/auth/token", data=data)).status_code

        return await asyncio.gather(*(sign_in(n) for n in range(logins)))


def _flood(url: str, logins: int, right: bool) -> tuple[Counter, list[float], float]:
    stop, out = Event(), Queue()
    prober = Process(target=_probe, args=(url, stop, out))
    prober.start()
    assert out.get(timeout=60) == "ready"
    start = time.perf_counter()
    codes = asyncio.run(_sign_ins(url, logins, right))
    elapsed = time.perf_counter() - start
    stop.set()
    latencies = out.get(timeout=PROBE_TIMEOUT_S + 30)
    prober.join()
    return Counter(codes), latencies, elapsed


def _report(name: str, codes: Counter, latencies: list[float], elapsed: float) -> None:
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(
        f"{name}: {dict(sorted(codes.items()))} in {elapsed:.1f} s; /api/health "
        f"n={len(ordered)} p50 {statistics.median(ordered) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="login-flood-") as tmp:
        data = Path(tmp) / "var"
        server = _start(args.repo, data, args.port)
        try:
            url = f"http://127.0.0.1:{args.port}"
            _accounts(url, _admin_password(args.repo, data))
            print(f"server code: {args.repo}; idle RSS {_rss_now_mib(server.pid):.0f} MiB")
            for name, right in (("right passwords", True), ("wrong passwords", False)):
                _report(name, *_flood(url, args.logins, right))
                print(f"  server peak RSS so far {_rss_peak_mib(server.pid):.0f} MiB")
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
