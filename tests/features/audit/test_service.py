"""The audit log read directly: filters narrow it, newest first."""

from __future__ import annotations

import pytest

from qa_service.features.audit.service import list_audit
from qa_service.features.users import service as users
from qa_service.features.users.schemas import UserCreate, UserUpdate


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["user.update", "user.create", "user.create"]),
        ({"action": "user.create"}, ["user.create", "user.create"]),
        ({"entity_id": "LAST"}, ["user.update", "user.create"]),
        ({"actor_id": 10_000}, []),
    ],
)
def test_filters_and_order(db, feature_settings, account, filters, expected):
    admin = account("admin")
    with db.session() as session:
        for name in ("aud_one", "aud_two"):
            body = UserCreate(username=name, password="Correct-Horse-Battery-9", role="qa")
            last = users.create_user(session, feature_settings, admin, body)
        users.update_user(session, feature_settings, admin, last.id, UserUpdate(full_name="Two"))
    if filters.get("entity_id") == "LAST":
        filters = {"entity_id": str(last.id)}
    with db.session(write=False) as session:
        page = list_audit(session, **filters)
    assert [e.action for e in page["items"]] == expected
    assert page["total"] == len(expected)
