from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qa_service.features.schemas import ORMModel
from qa_service.features.users.passwords import MAX_PASSWORD_LENGTH, NewPassword, password_problem
from qa_service.store.accounts import AccountRole

NAME = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$"
TEAM = r"^[^\x00-\x1f]{1,64}$"


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=NAME)
    password: NewPassword
    role: AccountRole
    full_name: str = Field("", max_length=200)
    team: str | None = Field(None, pattern=TEAM)
    agent_id: str | None = Field(None, pattern=NAME, description="Default for agents: username.")

    @model_validator(mode="after")
    def _team_for_team_roles(self) -> UserCreate:
        if self.role in (AccountRole.agent, AccountRole.supervisor) and not self.team:
            raise ValueError(f"a {self.role} needs a team")
        if self.role == AccountRole.agent and not self.agent_id:
            self.agent_id = self.username
        problem = password_problem(self.password, self.username)
        if problem:
            raise ValueError(f"password: {problem}")
        return self


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(None, max_length=200)
    role: AccountRole | None = None
    team: str | None = Field(None, pattern=TEAM)
    agent_id: str | None = Field(None, pattern=NAME)
    active: bool | None = None
    password: NewPassword | None = None


class UserPublic(ORMModel):
    id: int
    username: str
    full_name: str
    role: AccountRole
    team: str | None
    agent_id: str | None
    active: bool
    created_at: datetime


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: NewPassword


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
