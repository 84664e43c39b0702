"""What an upload may name: the agents, teams and queues the service knows, and a CSV
manifest checked against them row by row, every problem of every row at once."""

from __future__ import annotations

import pytest

from qa_service.features.calls.upload_check import (
    MAX_MANIFEST_ROWS,
    check_manifest,
    known_values,
)

MANY_ROWS = "file\n" + "".join(f"f{i}.wav\n" for i in range(MAX_MANIFEST_ROWS + 1))


def test_known_values_are_the_accounts_and_the_calls(db, people, add_call):
    add_call(team="C", agent_id="ghost")
    with db.session() as session:
        found = known_values(session)
    agents = {a.agent_id: a for a in found.agents}
    # Agents are the active agent accounts; an agent id seen only on a call is no person.
    assert set(agents) == {"a1", "b1"}
    assert agents["a1"].team == "A" and agents["a1"].name == "agent_a1"
    assert found.teams == ["A", "B", "C"]
    assert found.queues == []


def test_manifest_rows_carry_every_problem(db, people):
    text = (
        "\ufefffile,agent_id,team,queue,started_at,csat,note\n"
        "one.wav,a1,A,billing,2026-11-20T10:00:00,4,vip\n"
        "two.wav,a9,Z,billing,yesterday,900,\n"
        "three.wav,,,,,,\n"
    )
    with db.session() as session:
        found = check_manifest(session, text)
    assert found.problem is None
    one, two, three = found.rows
    assert (one.line, one.file, one.problems) == (2, "one.wav", [])
    assert one.metadata["extra"] == {"note": "vip"}
    codes = sorted((p.code, p.field) for p in two.problems)
    assert codes == [
        ("bad_value", "csat"),
        ("bad_value", "started_at"),
        ("unknown_agent", "agent_id"),
        ("unknown_team", "team"),
    ]
    assert next(p for p in two.problems if p.code == "unknown_agent").value == "a9"
    assert three.metadata == {} and three.problems == []


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("name,agent_id\nx.wav,a1\n", "no_file_column", 0),
        ("file,agent_id\nx.wav,a1\n,a1\n", "empty_file", 3),
        ("file\nx.wav\nx.wav\n", "listed_twice", 3),
        (MANY_ROWS, "too_many_rows", 0),
        ("file\n" + "x" * 1_000_001, "too_large", 0),
    ],
)
def test_a_manifest_that_cannot_be_read_says_why(db, people, text, code, line):
    with db.session() as session:
        found = check_manifest(session, text)
    assert found.rows == []
    assert (found.problem.code, found.problem.line) == (code, line)
