"""Accounts: sign-in (token and cookie), hashed passwords, admin management, audit, and the
error shape every endpoint shares."""

from __future__ import annotations

from sqlalchemy import select

from qa_service.features.users.bootstrap import ensure_first_admin
from qa_service.store.accounts import User
from tests.service_api_fixtures import PASSWORD

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]


def test_first_admin_is_created_once(service) -> None:
    assert ensure_first_admin(service.db, service.settings) is None
    me = service.get("/api/auth/me", "admin").json()
    assert (me["username"], me["role"]) == ("admin", "admin")


def test_passwords_are_stored_hashed(service) -> None:
    with service.db.session() as session:
        hashes = session.scalars(select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2") and PASSWORD not in h for h in hashes)


def test_wrong_password_and_unknown_user_get_the_same_answer(service) -> None:
    wrong = service.client.post("/api/auth/token", data={"username": "qa1", "password": "nope"})
    unknown = service.client.post("/api/auth/token", data={"username": "ghost", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_browser_session_cookie(service) -> None:
    client = service.client
    reply = client.post("/api/auth/session", data={"username": "agent_a1", "password": PASSWORD})
    assert reply.status_code == 200 and reply.json()["username"] == "agent_a1"
    assert "httponly" in reply.headers["set-cookie"].lower()
    assert client.get("/api/auth/me").json()["username"] == "agent_a1"
    client.delete("/api/auth/session")
    client.cookies.clear()
    assert client.get("/api/auth/me").status_code == 401


def test_admin_manages_accounts_with_audit(service) -> None:
    body = {"username": "temp_agent", "password": "longenough1", "role": "agent", "team": "A"}
    created = service.post("/api/users", "admin", json=body)
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["agent_id"] == "temp_agent" and "password" not in user
    assert service.post("/api/users", "admin", json=body).status_code == 409
    disabled = service.patch(f"/api/users/{user['id']}", "admin", json={"active": False})
    assert disabled.json()["active"] is False
    reply = service.client.post(
        "/api/auth/token", data={"username": "temp_agent", "password": "longenough1"}
    )
    assert reply.status_code == 401
    audit = service.get(f"/api/audit?entity=user&entity_id={user['id']}", "admin").json()
    actions = [e["action"] for e in audit["items"]]
    assert actions == ["user.update", "user.create"]
    update = audit["items"][0]
    assert (update["before"]["active"], update["after"]["active"]) == (True, False)
    assert update["actor_id"] == service.get("/api/auth/me", "admin").json()["id"]
    assert "password_hash" not in str(audit)


def test_account_rules(service) -> None:
    no_team = {"username": "lonely", "password": "longenough1", "role": "agent"}
    short = {"username": "shorty", "password": "short", "role": "qa"}
    for body in (no_team, short):
        reply = service.post("/api/users", "admin", json=body)
        assert reply.status_code == 422 and reply.json()["error"]["details"]
    me = service.get("/api/auth/me", "admin").json()
    reply = service.patch(f"/api/users/{me['id']}", "admin", json={"role": "qa"})
    assert reply.status_code == 422


def test_changing_ones_own_password(service) -> None:
    body = {"username": "pw_user", "password": "first-password", "role": "qa"}
    service.post("/api/users", "admin", json=body)
    service._tokens.pop("pw_user", None)
    token = service.token("pw_user", "first-password")
    headers = {"Authorization": f"Bearer {token}"}
    wrong = service.client.post(
        "/api/auth/password",
        headers=headers,
        json={"current_password": "nope", "new_password": "second-password"},
    )
    assert wrong.status_code == 401
    ok = service.client.post(
        "/api/auth/password",
        headers=headers,
        json={"current_password": "first-password", "new_password": "second-password"},
    )
    assert ok.status_code == 204
    login = service.client.post(
        "/api/auth/token", data={"username": "pw_user", "password": "second-password"}
    )
    assert login.status_code == 200


def test_errors_have_one_shape(service) -> None:
    for reply in (
        service.get("/api/calls/not-a-number", "qa1"),
        service.get("/api/no/such/route", "qa1"),
        service.post("/api/users", "admin", json={"username": "x"}),
        service.client.delete("/api/calls"),
    ):
        assert 400 <= reply.status_code < 500
        error = reply.json()["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str)


def test_openapi_documents_the_api(service) -> None:
    spec = service.client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "qa-service"
    upload = spec["paths"]["/api/calls"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"413", "415", "422"} <= set(upload["responses"])
    for path in (
        "/api/calls/{call_id}/reviews",
        "/api/disputes/{dispute_id}/decision",
        "/api/packs",
        "/api/auth/token",
        "/api/calls/{call_id}/rescore",
    ):
        assert path in spec["paths"]
    assert service.client.get("/api/docs").status_code == 200


def test_health(service) -> None:
    reply = service.get("/api/health", None)
    assert reply.status_code == 200 and reply.json()["status"] == "ok"
