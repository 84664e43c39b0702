"""Schemathesis against the real service on 127.0.0.1: every operation of the OpenAPI
document, boundary values (the coverage phase) and random input (fuzzing), as an admin and
as an agent. No answer may be a server error, and every status must be one the document
lists for that operation. Bounded: a few examples per operation, about two minutes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import live_api

pytestmark = [pytest.mark.api, pytest.mark.slow]

ST = Path(sys.executable).with_name("st")
PASSWORD = "Fuzzing-account-2026"
# Signing out and changing the password would end the run's own token.
EXCLUDED = ("DELETE /api/auth/session", "POST /api/auth/password")
MAX_EXAMPLES = 4
TIMEOUT_S = 240


def schemathesis(url: str, token: str, seed: int, report: Path) -> subprocess.CompletedProcess:
    command = [
        str(ST),
        "run",
        f"{url}/api/openapi.json",
        "--checks",
        "not_a_server_error,status_code_conformance",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        "coverage,fuzzing",
        "--no-shrink",
        "--workers",
        "1",
        "--seed",
        str(seed),
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    for name in EXCLUDED:
        command += ["--exclude-name", name]
    # Run in the report's folder: schemathesis keeps a cache in its working directory.
    return subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=report.parent
    )


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_schemathesis_finds_no_server_error(role, tmp_path) -> None:
    if not ST.is_file():
        pytest.fail("schemathesis is not installed: pip install -e '.[dev]'")
    # Fuzzed sign-ins fail by the hundred: the throttle would answer them all 429.
    with live_api(
        tmp_path, login_failures_per_address=10**6, login_failures_per_account=10**6
    ) as live:
        if role == "admin":
            token = live.token("admin", live.admin_password)
        else:
            live.add_user("fuzz_agent", PASSWORD, "agent", team="A", agent_id="A1")
            token = live.token("fuzz_agent", PASSWORD)
        result = schemathesis(live.url, token, seed=12, report=tmp_path / "junit.xml")
    tail = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, tail
    assert "generated" in result.stdout and "passed" in result.stdout, tail
