"""Security regressions (issue 12) in how the running service takes requests and answers
them: state changes by cookie from another origin refused (our own pages and API clients
still work), security headers and the session cookie's Secure flag, bounded input (4xx,
never 5xx) and the documented error answers in the OpenAPI document. Tokens, passwords and
throttled sign-ins are in ``test_api_security.py``."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.service_api_fixtures import OWN_ORIGIN, PASSWORD

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]


# Cross-site requests (item 9) ---------------------------------------------------------------


@pytest.fixture
def browser(service):
    """A browser signed in as QA by the session cookie, its requests from our own page."""
    with TestClient(service.app, headers={"Origin": OWN_ORIGIN}) as client:
        reply = client.post("/api/auth/session", data={"username": "qa2", "password": PASSWORD})
        assert reply.status_code == 200, reply.text
        yield client


def _upload_as_browser(browser, service, headers: dict[str, str]):
    files = [("files", ("csrf.wav", service.wav(), "application/octet-stream"))]
    data = {"metadata": json.dumps({"agent_id": "A1", "team": "A"})}
    return browser.post("/api/calls", files=files, data=data, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://testserver:8081"},  # another port of the same host
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": OWN_ORIGIN, "Sec-Fetch-Site": "same-site"},
        {"Origin": OWN_ORIGIN, "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cookie_state_changes_from_another_origin_are_refused(service, browser, headers) -> None:
    before = service.get("/api/calls?limit=500", "qa1").json()["total"]
    reply = _upload_as_browser(browser, service, headers)
    assert reply.status_code == 403, reply.text
    assert service.get("/api/calls?limit=500", "qa1").json()["total"] == before


def test_cookie_request_without_origin_is_refused(service, browser) -> None:
    """No Origin and no Sec-Fetch-Site, but the cookie: not a page of ours."""
    with TestClient(service.app) as bare:
        bare.cookies.set("qa_session", browser.cookies.get("qa_session"))
        assert bare.get("/api/auth/me").status_code == 200  # reading is fine
        assert _upload_as_browser(bare, service, {}).status_code == 403
        assert bare.delete("/api/auth/session").status_code == 403
    assert browser.get("/api/auth/me").status_code == 200  # and it did not sign out


def test_own_pages_and_api_clients_still_work(service, browser) -> None:
    same_origin = _upload_as_browser(browser, service, {"Sec-Fetch-Site": "same-origin"})
    assert same_origin.status_code == 201, same_origin.text
    by_origin = _upload_as_browser(browser, service, {})
    assert by_origin.status_code == 201, by_origin.text
    # A bearer token cannot be sent by another site's page, so its Origin does not matter.
    token_client = service.upload("qa1", [("t.wav", service.wav())], {"agent_id": "A1"})
    assert token_client.status_code == 201


def test_login_from_another_origin_is_refused(service) -> None:
    with TestClient(service.app) as victim:
        reply = victim.post(
            "/api/auth/session",
            data={"username": "qa1", "password": PASSWORD},
            headers={"Origin": "http://attacker.example"},
        )
        assert reply.status_code == 403
        assert "qa_session" not in reply.headers.get("set-cookie", "")
        forged = victim.post(
            "/api/auth/session",
            data={"username": "qa1", "password": PASSWORD},
            headers={"Sec-Fetch-Site": "same-site"},
        )
        assert forged.status_code == 403


# Headers and the cookie (item 15) -----------------------------------------------------------


def test_security_headers_on_api_answers(service) -> None:
    for reply in (service.get("/api/auth/me", "qa1"), service.get("/api/calls/999999", "qa1")):
        headers = reply.headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["cache-control"] == "no-store"


def _login_cookie(client: TestClient, origin: str) -> str:
    reply = client.post(
        "/api/auth/session",
        data={"username": "qa1", "password": PASSWORD},
        headers={"Origin": origin},
    )
    assert reply.status_code == 200, reply.text
    return reply.headers["set-cookie"].lower()


def test_session_cookie_is_secure_over_https(service) -> None:
    with TestClient(service.app) as plain:
        cookie = _login_cookie(plain, OWN_ORIGIN)
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    with TestClient(service.app, base_url="https://testserver") as tls:
        assert "; secure" in _login_cookie(tls, "https://testserver")
    forced = service.settings.model_copy(update={"cookie_secure": True})
    service.app.state.settings = forced
    try:
        with TestClient(service.app) as plain:
            assert "; secure" in _login_cookie(plain, OWN_ORIGIN)
    finally:
        service.app.state.settings = service.settings


# Out-of-range input (item 10) ---------------------------------------------------------------

HUGE = 2**63


@pytest.mark.parametrize(
    "path",
    [
        f"/api/calls/{HUGE}",
        f"/api/calls/{HUGE}/findings",
        f"/api/users/{HUGE * 4}",
        f"/api/sampling/plans/{HUGE}",
        f"/api/imports/{HUGE}",
        f"/api/disputes/{HUGE}",
        f"/api/packs/default-zh/versions/{HUGE}",
        f"/api/calls?offset={HUGE * 2}",
        f"/api/users?offset={HUGE}",
        f"/api/disputes?call_id={HUGE}",
        f"/api/audit?actor_id={HUGE}",
        "/api/calls?started_to=0001-01-01T00:00:00",
        "/api/calls?started_from=9999-12-31T23:59:59",
        "/api/kpi?period=9999-12",
        "/api/kpi?period=0001",
        "/api/kpi?period=2026-11&weights=qa_score%3Dinf",
        "/api/kpi?period=2026-11&weights=qa_score%3Dnan",
        "/api/kpi?period=2026-11&tiers=A%3Ainf",
        "/api/coverage?period=" + "2" * 5000,
    ],
)
def test_out_of_range_queries_are_client_errors(service, path) -> None:
    reply = service.get(path, "admin")
    assert 400 <= reply.status_code < 500, (path, reply.status_code, reply.text)
    assert reply.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"period": "2026-11", "seed": HUGE},
        {"period": "2026-11", "min_per_agent": HUGE},
        {"period": "0001-01"},
        {"period": "2026-11", "short_ratio": float("inf")},
    ],
)
def test_out_of_range_plan_is_refused(service, body) -> None:
    reply = service.client.post(
        "/api/sampling/plans",
        headers=service.headers("qa1"),
        content=json.dumps(body, allow_nan=True),
    )
    assert reply.status_code == 422, reply.text


def _upload_metadata_text(service, text: str):
    files = [("files", ("m.wav", service.wav(), "application/octet-stream"))]
    return service.post("/api/calls", "qa1", files=files, data={"metadata": text})


def test_deep_metadata_and_nul_paths_are_refused(service) -> None:
    nested = _upload_metadata_text(service, "[" * 1000 + "]" * 1000)
    assert nested.status_code == 422 and "nested" in nested.text
    deep_object = _upload_metadata_text(service, '{"extra": ' * 1000 + "1" + "}" * 1000)
    assert deep_object.status_code == 422
    bad_time = _upload_metadata_text(service, '{"started_at": "0001-01-01T00:00:00"}')
    assert bad_time.status_code == 422
    for number in ('{"csat": 1e999}', '{"extra": {"x": 1e999}}', '{"extra": {"x": 1e300000}}'):
        reply = _upload_metadata_text(service, number)
        assert reply.status_code == 422, (number, reply.text)
    for body in ({"folder": "calls\x00/x"}, {"folder": "ok", "manifest": "m\x00.csv"}):
        reply = service.post("/api/imports", "qa1", json=body)
        assert reply.status_code == 422, reply.text
    scores = {"scores": {"attitude": float("inf")}}
    reply = service.client.put(
        "/api/calls/1/self-assessment",
        headers=service.headers("agent_a1"),
        content=json.dumps(scores, allow_nan=True),
    )
    assert reply.status_code == 422


# The OpenAPI document (item 17) -------------------------------------------------------------


def test_openapi_documents_error_answers_and_limits(service) -> None:
    spec = service.client.get("/api/openapi.json").json()
    paths = spec["paths"]

    def codes(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    assert {"401", "404", "422"} <= codes("/api/calls/{call_id}", "get")
    assert {"401", "403", "409", "422"} <= codes("/api/users", "post")
    assert {"401", "403", "404", "409"} <= codes("/api/disputes/{dispute_id}/decision", "post")
    assert {"413", "415", "401", "403"} <= codes("/api/calls", "post")
    assert {"401", "429", "503"} <= codes("/api/auth/token", "post")
    error = paths["/api/calls/{call_id}"]["get"]["responses"]["422"]["content"]
    assert "error" in error["application/json"]["schema"]["properties"]
    call_id = paths["/api/calls/{call_id}"]["get"]["parameters"][0]["schema"]
    assert call_id["maximum"] == 2**31 - 1 and call_id["minimum"] == 1
    period = next(p for p in paths["/api/kpi"]["get"]["parameters"] if p["name"] == "period")
    assert period["schema"]["maxLength"] == 10 and period["schema"]["pattern"]
    login = spec["components"]["schemas"]
    form = next(v for k, v in login.items() if "login_for_token" in k)
    assert form["properties"]["username"]["maxLength"] == 64
    assert form["properties"]["password"]["maxLength"] == 256
