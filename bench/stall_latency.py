"""/api/health latency before and during a stalled audio download, on a real ``qa-service
serve`` (SQLite, no worker) over 127.0.0.1.

Uploads a 15-minute stereo WAV (58 MiB), times ``--requests`` health checks, then opens the
recording's download with a 4 KiB receive buffer, reads the headers and stops reading (the
kernel's buffers fill, the server's send waits), and times the same health checks again while
it stays stalled. Each request has a 35 s timeout (a timeout counts as 35 s); an error
answer counts as failed, with the time it took.

    .venv/bin/python bench/stall_latency.py [--requests 50] [--repo PATH]

``--repo`` runs the service from another checkout (e.g. the code before the fix) with the
same client.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.service_throughput import (  # noqa: E402
    Api,
    admin_password,
    free_port,
    stop,
    wait_healthy,
)
from tests.service_fixtures import make_wav  # noqa: E402
from tests.slow_client import StalledDownload  # noqa: E402

TIMEOUT_S = 35.0


def health_latencies(port: int, n: int) -> list[tuple[float, bool]]:
    """(seconds, answered 200) per GET /api/health; a timeout counts as TIMEOUT_S."""
    took = []
    for _ in range(n):
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/health", timeout=TIMEOUT_S
            ) as reply:
                reply.read()
            took.append((time.perf_counter() - t0, True))
        except urllib.error.HTTPError:  # e.g. 500 "database is locked"
            took.append((time.perf_counter() - t0, False))
        except (urllib.error.URLError, TimeoutError):
            took.append((TIMEOUT_S, False))
        time.sleep(0.05)
    return took


def summary(label: str, took: list[tuple[float, bool]]) -> str:
    ms = sorted(t * 1000 for t, _ in took)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return (
        f"{label:34} median {statistics.median(ms):8.1f} ms  p95 {p95:8.1f} ms  "
        f"max {ms[-1]:8.1f} ms  over 1 s: {sum(t >= 1.0 for t, _ in took)}/{len(took)}  "
        f"failed: {sum(not ok for _, ok in took)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--repo", type=Path, default=REPO)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qa-stall-") as tmp:
        work = Path(tmp)
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("QA_")},
            "QA_DATA_DIR": str(work / "var"),
            "PYTHONPATH": str(args.repo.resolve()),
        }
        command = [sys.executable, "-m", "qa_service", "serve", "--port", str(port)]
        # The checkout's own folder as the working directory: `-m` imports from there.
        server = subprocess.Popen(
            [*command, "--no-worker"],
            env=env,
            cwd=args.repo,
            stdout=(work / "serve.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            api = Api(port)
            wait_healthy(api)
            api.sign_in(admin_password(work / "var", server, work / "serve.log"))
            wav = make_wav(work / "big.wav", seconds=900)
            api.upload(wav)
            call_id = api.request("GET", "/calls?limit=1")["items"][0]["id"]
            before = health_latencies(port, args.requests)
            path = f"/calls/{call_id}/audio"
            with StalledDownload(port, f"/api{path}", api.token) as download:
                assert download.status == 200, download.status
                during = health_latencies(port, args.requests)
        finally:
            stop(server)
    print(f"service from {args.repo.resolve()}")
    print(summary("GET /api/health, before", before))
    print(summary("GET /api/health, download stalled", during))


if __name__ == "__main__":
    main()
