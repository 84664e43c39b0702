"""Security regressions (issue 12) against the running service, for accounts and signing
in: revoked and expiry-less tokens, the password policy, and failed sign-ins throttled per
account and per address. Cross-site requests, security headers, bounded input and the
documented error answers are in ``test_api_request_security.py``."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from qa_service.store.base import utcnow
from tests.service_api_fixtures import OWN_ORIGIN, PASSWORD

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]

STRONG = "Sturdy-passphrase-42"


def _new_user(service, username: str, password: str = STRONG, role: str = "qa") -> int:
    body = {"username": username, "password": password, "role": role}
    reply = service.post("/api/users", "admin", json=body)
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def _token(service, username: str, password: str = STRONG) -> str:
    reply = service.client.post(
        "/api/auth/token", data={"username": username, "password": password}
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["access_token"]


def _me(service, token: str) -> int:
    return service.client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {token}"}
    ).status_code


# Tokens (item 11) ---------------------------------------------------------------------------


def test_token_without_expiry_is_refused(service) -> None:
    user_id = service.ids["qa1"]
    key = service.settings.secret_key
    forever = jwt.encode({"sub": str(user_id), "iat": utcnow(), "ver": 0}, key, "HS256")
    bare = jwt.encode({"sub": str(user_id)}, key, "HS256")
    for token in (forever, bare):
        assert _me(service, token) == 401
    expired = jwt.encode(
        {"sub": str(user_id), "ver": 0, "iat": utcnow(), "exp": utcnow() - timedelta(1)},
        key,
        "HS256",
    )
    assert _me(service, expired) == 401


def test_signing_out_revokes_every_token_of_the_account(service) -> None:
    _new_user(service, "leaver")
    first, second = _token(service, "leaver"), _token(service, "leaver")
    assert _me(service, first) == _me(service, second) == 200
    reply = service.client.delete("/api/auth/session", headers={"Authorization": f"Bearer {first}"})
    assert reply.status_code == 204
    assert _me(service, first) == _me(service, second) == 401
    assert _me(service, _token(service, "leaver")) == 200  # signing in again works


def test_browser_sign_out_revokes_the_cookie(service) -> None:
    _new_user(service, "cookie_leaver")
    with TestClient(service.app, headers={"Origin": OWN_ORIGIN}) as browser:
        login = browser.post(
            "/api/auth/session", data={"username": "cookie_leaver", "password": STRONG}
        )
        assert login.status_code == 200
        stolen = browser.cookies.get("qa_session")
        assert browser.get("/api/auth/me").status_code == 200
        assert browser.delete("/api/auth/session").status_code == 204
    with TestClient(service.app) as thief:
        thief.cookies.set("qa_session", stolen)
        assert thief.get("/api/auth/me").status_code == 401


def test_password_change_and_disabling_revoke_old_tokens(service) -> None:
    user_id = _new_user(service, "changer")
    old = _token(service, "changer")
    reply = service.client.post(
        "/api/auth/password",
        headers={"Authorization": f"Bearer {old}"},
        json={"current_password": STRONG, "new_password": "Another-passphrase-7"},
    )
    assert reply.status_code == 204, reply.text
    assert _me(service, old) == 401
    fresh = _token(service, "changer", "Another-passphrase-7")
    assert _me(service, fresh) == 200
    service.patch(f"/api/users/{user_id}", "admin", json={"active": False})
    service.patch(f"/api/users/{user_id}", "admin", json={"active": True})
    assert _me(service, fresh) == 401


# Password policy (item 14) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    [
        " " * 12,
        "password",
        "12345678",
        "aaaaaaaaaaaa",
        "qwertyuiop",
        "Password123",
        "password2024!",
        "1q2w3e4r5t",
        "weakling_user1",  # contains the username
    ],
)
def test_weak_passwords_are_refused(service, weak) -> None:
    body = {"username": "weakling_user", "password": weak, "role": "qa"}
    reply = service.post("/api/users", "admin", json=body)
    assert reply.status_code == 422, reply.text
    assert "password" in reply.json()["error"]["message"]


def test_weak_new_passwords_are_refused_on_change_and_reset(service) -> None:
    user_id = _new_user(service, "keeper")
    token = _token(service, "keeper")
    for weak in ("          ", "iloveyou123", "keeper-keeper-1"):
        change = service.client.post(
            "/api/auth/password",
            headers={"Authorization": f"Bearer {token}"},
            json={"current_password": STRONG, "new_password": weak},
        )
        assert change.status_code == 422, (weak, change.text)
        reset = service.patch(f"/api/users/{user_id}", "admin", json={"password": weak})
        assert reset.status_code == 422, (weak, reset.text)
    assert _me(service, token) == 200  # nothing changed


# Throttling (item 6) ------------------------------------------------------------------------


@pytest.fixture
def strict_guard(service):
    """Small limits for one test; the module's own guard comes back afterwards."""
    from qa_service.api.login_guard import LoginGuard

    original = service.app.state.login_guard
    settings = service.settings.model_copy(
        update={"login_failures_per_account": 3, "login_failures_per_address": 6}
    )
    service.app.state.login_guard = LoginGuard(settings)
    yield
    service.app.state.login_guard = original


def _sign_in(service, username: str, password: str):
    return service.client.post("/api/auth/token", data={"username": username, "password": password})


def test_failed_sign_ins_are_throttled_per_account(service, strict_guard) -> None:
    _new_user(service, "target")
    for _ in range(3):
        assert _sign_in(service, "target", "wrong-guess-123").status_code == 401
    blocked = _sign_in(service, "target", STRONG)  # even the right password waits now
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 15 * 60
    assert blocked.json()["error"]["code"] == "too_many_requests"
    assert _sign_in(service, "qa1", PASSWORD).status_code == 200  # other accounts are not


def test_failed_sign_ins_are_throttled_per_address(service, strict_guard) -> None:
    for n in range(6):
        assert _sign_in(service, f"nobody{n}", "wrong-guess-123").status_code == 401
    assert _sign_in(service, "qa1", PASSWORD).status_code == 429


def test_wrong_current_password_counts_as_a_failure(service, strict_guard) -> None:
    _new_user(service, "guessed")
    token = _token(service, "guessed")
    for _ in range(3):
        reply = service.client.post(
            "/api/auth/password",
            headers={"Authorization": f"Bearer {token}"},
            json={"current_password": "not-it-at-all-9", "new_password": "Brand-new-phrase-1"},
        )
        assert reply.status_code == 401
    assert _sign_in(service, "guessed", STRONG).status_code == 429
