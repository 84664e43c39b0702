"""The accounts service called directly: unique names, admins cannot lock themselves out,
a new password or a disabled account ends every sign-in."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qa_service.config import Settings
from qa_service.errors import AuthError, ConflictError, InputError
from qa_service.features.users import service
from qa_service.features.users.schemas import UserCreate, UserUpdate
from qa_service.features.users.security import (
    create_token,
    hash_password,
    revoke_tokens_of,
    secret_key,
    user_for_token,
    verify_password,
)
from qa_service.store.accounts import AccountRole
from tests.conftest import CHEAP_PASSWORDS

STRONG = "Correct-Horse-Battery-9"


def _create(db, settings, admin, **fields):
    body = UserCreate(password=STRONG, **fields)
    with db.session() as session:
        return service.create_user(session, settings, admin, body)


def test_a_taken_username_conflicts(db, feature_settings, account):
    _create(db, feature_settings, account("admin"), username="new_qa", role=AccountRole.qa)
    with pytest.raises(ConflictError):
        _create(db, feature_settings, account("admin"), username="new_qa", role=AccountRole.qa)


@pytest.mark.parametrize(
    ("role", "team", "expected"),
    [
        (None, None, 8),
        (AccountRole.agent, None, 3),
        (AccountRole.qa, None, 2),
        (None, "A", 3),
        (AccountRole.supervisor, "B", 1),
    ],
)
def test_listing_filters(db, people, role, team, expected):
    with db.session(write=False) as session:
        page = service.list_users(session, role=role, team=team, limit=5)
    assert page["total"] == expected
    assert len(page["items"]) == min(5, expected)


@pytest.mark.parametrize("change", [{"active": False}, {"role": AccountRole.qa}])
def test_an_admin_cannot_lock_themselves_out(db, feature_settings, account, change):
    admin = account("admin")
    with db.session() as session, pytest.raises(InputError):
        service.update_user(session, feature_settings, admin, admin.id, UserUpdate(**change))


@pytest.mark.parametrize(
    ("change", "ends_sign_ins"),
    [({"password": STRONG}, True), ({"active": False}, True), ({"full_name": "Q"}, False)],
)
def test_password_or_disabling_ends_sign_ins(db, account, feature_settings, change, ends_sign_ins):
    target = account("qa1")
    key = secret_key(feature_settings)
    token = create_token(target.id, target.token_version, key, 5)
    with db.session() as session:
        service.update_user(
            session, feature_settings, account("admin"), target.id, UserUpdate(**change)
        )
    if ends_sign_ins:
        with pytest.raises(AuthError):
            user_for_token(db, feature_settings, token)
    else:
        assert user_for_token(db, feature_settings, token).full_name == "Q"


def test_signing_out_revokes_every_token(db, account, feature_settings):
    user = account("lead_a")
    key = secret_key(feature_settings)
    first = create_token(user.id, user.token_version, key, 5)
    second = create_token(user.id, user.token_version, key, 5)
    assert user_for_token(db, feature_settings, second).id == user.id
    revoke_tokens_of(db, feature_settings, first)
    with pytest.raises(AuthError):
        user_for_token(db, feature_settings, second)
    revoke_tokens_of(db, feature_settings, "not-a-token")  # changes nothing, raises nothing


@pytest.mark.parametrize(("current", "changed"), [(STRONG, True), ("wrong-password-1", False)])
def test_changing_your_own_password(db, feature_settings, account, current, changed):
    settings = feature_settings
    user = _create(db, settings, account("admin"), username="pw_user", role=AccountRole.qa)
    assert service.check_password(db, settings, "pw_user", STRONG).id == user.id
    new = "Another-Long-Secret-42"
    assert service.set_own_password(db, settings, user.id, current, new) is changed
    assert (service.check_password(db, settings, "pw_user", new) is not None) is changed
    assert (service.check_password(db, settings, "pw_user", STRONG) is not None) is not changed
    assert service.check_password(db, settings, "nobody", STRONG) is None


def test_passwords_are_argon2id_at_the_settings_cost():
    production, cheap = Settings(), Settings(**CHEAP_PASSWORDS)
    assert (production.password_time_cost, production.password_memory_kib) == (3, 64 * 1024)
    assert production.password_parallelism == 4
    made = hash_password(STRONG, cheap)
    assert made.startswith("$argon2id$v=19$m=8192,t=1,p=1$") and STRONG not in made
    # A hash keeps its own parameters: it still verifies after the cost is raised.
    assert verify_password(STRONG, made, production)
    assert not verify_password("Wrong-Horse-Battery-9", made, production)
    assert hash_password(STRONG, production).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


@pytest.mark.parametrize(
    "field", ["password_time_cost", "password_memory_kib", "password_parallelism"]
)
@pytest.mark.parametrize("value", [0, 10**9])
def test_the_password_cost_is_bounded(field, value):
    with pytest.raises(ValidationError):
        Settings(**{field: value})
