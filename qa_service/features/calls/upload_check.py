"""What an upload may name before it is sent: the agents, teams and queues the service
knows, and a CSV manifest checked row by row against them.

An agent id that no account has would make a phantom agent (a typo becomes a person with
calls and KPIs of their own), so the upload page offers only known agents and a manifest
row naming another is a problem of that row. Teams come from the accounts and the calls;
queues only from the calls, so a first call of a new queue is still possible.

Problems are codes with the field and value they concern, never sentences: each front end
says them in its own language. Every problem of every row is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from qa_service.features.calls.schemas import CallMetadata
from qa_service.features.imports.sources import ManifestError, parse_manifest
from qa_service.store.accounts import AccountRole, User
from qa_service.store.calls import Call

# A manifest is a short text the page sends: bounded before it is parsed.
MAX_MANIFEST_CHARS = 1_000_000
MAX_MANIFEST_ROWS = 5000
# Known values a page lists at most (a select of thousands helps nobody).
MAX_KNOWN = 2000


@dataclass(frozen=True, slots=True)
class KnownAgent:
    agent_id: str
    name: str  # the account's full name, else its username
    team: str | None


@dataclass(frozen=True, slots=True)
class KnownValues:
    agents: list[KnownAgent]
    teams: list[str]
    queues: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "agents": [{"id": a.agent_id, "name": a.name, "team": a.team} for a in self.agents],
            "teams": self.teams,
            "queues": self.queues,
        }


def known_values(session: Session) -> KnownValues:
    """Active agents' accounts, the teams of accounts and calls, the queues of calls."""
    agents = session.execute(
        select(User.agent_id, User.full_name, User.username, User.team)
        .where(User.agent_id.is_not(None), User.active, User.role == AccountRole.agent.value)
        .order_by(User.agent_id)
        .limit(MAX_KNOWN)
    )
    teams = union(
        select(User.team).where(User.team.is_not(None)),
        select(Call.team).where(Call.team.is_not(None)),
    ).subquery()
    queues = select(Call.queue).distinct().where(Call.queue.is_not(None)).order_by(Call.queue)
    return KnownValues(
        agents=[KnownAgent(a, full or user, team) for a, full, user, team in agents],
        teams=list(session.scalars(select(teams.c[0]).order_by(teams.c[0]).limit(MAX_KNOWN))),
        queues=list(session.scalars(queues.limit(MAX_KNOWN))),
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """``code``: unknown_agent, unknown_team, bad_value (``field``: which), or for the whole
    manifest too_large, too_many_rows, no_file_column, empty_file, listed_twice."""

    code: str
    field: str = ""
    value: str = ""
    line: int = 0


@dataclass(slots=True)
class ManifestRow:
    line: int
    file: str
    metadata: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class ManifestCheck:
    rows: list[ManifestRow] = field(default_factory=list)
    problem: Problem | None = None  # the manifest as a whole could not be read


def _value_problems(metadata: dict[str, Any]) -> list[Problem]:
    try:
        CallMetadata.model_validate(metadata)
    except ValidationError as exc:
        found = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            value = metadata.get(name)
            found.append(Problem("bad_value", name, "" if value is None else str(value)[:80]))
        return found
    return []


def check_row(metadata: dict[str, Any], known: KnownValues) -> list[Problem]:
    """Every problem of one file's metadata: bad values, an unknown agent or team."""
    problems = _value_problems(metadata)
    agent, team = metadata.get("agent_id"), metadata.get("team")
    if agent and agent not in {a.agent_id for a in known.agents}:
        problems.append(Problem("unknown_agent", "agent_id", str(agent)[:80]))
    if team and team not in known.teams:
        problems.append(Problem("unknown_team", "team", str(team)[:80]))
    return problems


def check_manifest(session: Session, text: str) -> ManifestCheck:
    """The manifest's rows with their metadata and every problem of each row."""
    if len(text) > MAX_MANIFEST_CHARS:
        return ManifestCheck(problem=Problem("too_large", value=str(MAX_MANIFEST_CHARS)))
    try:
        rows = parse_manifest(text, "manifest")
    except ManifestError as exc:
        return ManifestCheck(problem=Problem(exc.reason, value=exc.value, line=exc.line))
    if len(rows) > MAX_MANIFEST_ROWS:
        return ManifestCheck(problem=Problem("too_many_rows", value=str(MAX_MANIFEST_ROWS)))
    known = known_values(session)
    return ManifestCheck(
        rows=[ManifestRow(line, path, meta, check_row(meta, known)) for line, path, meta in rows]
    )
