"""The packs service called directly: versions validated from their text (nothing written),
problems as structured objects, and the rules folder of the settings passed in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa_service.analysis.packs import PackRef, check_pack_text
from qa_service.config import Settings
from qa_service.domain.rulepack import Problem, RulePackError
from qa_service.errors import NotFoundError
from qa_service.features.packs import service
from qa_service.store.accounts import User
from qa_service.store.db import Database
from qa_service.store.packs import DocumentKind, PackVersion
from tests.conftest import sqlite_copy

REPO = Path(__file__).resolve().parents[3]
RULE = (
    "  - {id: deflect, type: phrase, category: deflection, role: agent,\n"
    '     params: {phrases: ["not my department"]}}\n'
)


def pack_text(name: str, rules: str = RULE, head: str = "") -> str:
    return f"pack: {name}\nlanguage: en\n{head}rules:\n{rules}"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A rules folder of its own: one pack and the standard scorecard."""
    folder = tmp_path / "rules"
    (folder / "scorecards").mkdir(parents=True)
    shutil.copy(REPO / "rules" / "scorecards" / "standard.yaml", folder / "scorecards")
    (folder / "own-base.yaml").write_text(pack_text("own-base"), "utf-8")
    return folder


@pytest.fixture
def env(tmp_path: Path, rules: Path, migrated_sqlite: Path):
    settings = Settings(data_dir=tmp_path / "var", rules_dir=rules)
    db = Database(sqlite_copy(migrated_sqlite, tmp_path / "qa.db"))
    with db.session() as session:
        user = User(username="qa1", role="qa", password_hash="-")
        session.add(user)
        session.flush()
        yield settings, session, user
    db.dispose()


def test_a_version_is_stored_and_resolved_from_its_text_alone(env, tmp_path) -> None:
    settings, session, user = env
    stored = service.create_version(
        session, settings, user, DocumentKind.pack, pack_text("mine"), "first"
    )
    assert (stored.name, stored.version, stored.scorecard_name) == ("mine", 1, "standard")
    resolved = service.resolve_pack(session, settings, "mine")
    assert resolved.label == "mine@1" and [r.id for r in resolved.pack.rules] == ["deflect"]
    assert service.resolve_pack(session, settings, PackRef("mine", 1)).label == "mine@1"
    with pytest.raises(NotFoundError, match="rule pack mine@2 does not exist"):
        service.resolve_pack(session, settings, "mine@2")
    assert not (tmp_path / "var").exists(), "validating and loading write nothing"


def test_problems_are_structured_with_file_line_and_field(env) -> None:
    settings, session, user = env
    bad = RULE.replace("category: deflection", "category: deflection, severity: apocalyptic")
    with pytest.raises(RulePackError) as caught:
        service.create_version(session, settings, user, DocumentKind.pack, pack_text("x", bad), "")
    (problem,) = caught.value.structured
    assert (problem.file, problem.line, problem.field) == ("x.yaml", 4, "rules[0].severity")
    assert problem.loc == ("rules", 0, "severity")
    assert caught.value.problems == [str(problem)]
    assert str(problem).startswith("x.yaml:4: rules[0].severity: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pack: x\npack: y\n", ("x.yaml", 2, "pack", "duplicate key")),
        ("pack: x\nrules: [\n", ("x.yaml", 3, "", "YAML syntax error")),
        ("just text", ("x.yaml", 1, "", "the file must be a mapping")),
    ],
)
def test_yaml_problems_name_their_line(rules, text, expected) -> None:
    (problem,) = check_pack_text(text, "x", rules)
    file, line, field, message = expected
    assert (problem.file, problem.line, problem.field) == (file, line, field)
    assert problem.message.startswith(message)


def test_a_pinned_scorecard_is_named_as_beside_the_pack(rules) -> None:
    card = (rules / "scorecards" / "standard.yaml").read_text("utf-8")
    broken = card.replace("dimensions:", "dimensions:\n  - {id: extra, weight: -1}", 1)
    problems = check_pack_text(pack_text("x"), "x", rules, {"standard": broken})
    assert problems and all(p.file == "scorecards/standard.yaml" for p in problems)
    assert all(isinstance(p, Problem) and p.line for p in problems)


def test_the_editor_check_stores_nothing_and_answers_problems(env) -> None:
    settings, session, user = env
    name, problems = service.check_document(session, settings, user, DocumentKind.pack, "")
    assert name is None and [p.message for p in problems] == ["the document is empty"]
    name, problems = service.check_document(
        session, settings, user, DocumentKind.pack, pack_text("ok")
    )
    assert (name, problems) == ("ok", [])
    assert service.summaries(session, settings, DocumentKind.pack, "ok") == []
    name, problems = service.check_document(
        session, settings, user, DocumentKind.pack, "a: [1,\n b"
    )
    assert name is None and problems[0].line == 2 and problems[0].file == ""


def test_the_settings_rules_folder_is_the_one_listed_and_loaded(env) -> None:
    settings, session, user = env
    (summary,) = service.summaries(session, settings, DocumentKind.pack)
    assert (summary.name, summary.builtin, summary.latest_version) == ("own-base", True, None)
    assert service.resolve_pack(session, settings, "own-base").label == "own-base"
    with pytest.raises(Exception, match="no rule pack named 'en-default'"):
        service.resolve_pack(session, settings, "en-default")
    # A pack extending one of this folder's packs finds it there.
    extended = "pack: child\nextends: own-base\n"
    stored = service.create_version(session, settings, user, DocumentKind.pack, extended, "")
    assert [r.id for r in service.load_version(settings, stored).rules] == ["deflect"]


def test_a_stored_row_naming_a_path_is_refused_without_writing(env) -> None:
    settings = env[0]
    row = PackVersion(
        kind=DocumentKind.pack,
        name="old",
        version=1,
        content=pack_text("old", head="scorecard: ../../victim\n"),
        sha256="0" * 64,
        scorecard_name="../../victim",
        scorecard_content="scorecard: overwritten\n",
    )
    with pytest.raises(RulePackError, match="not a scorecard name"):
        service.load_version(settings, row)
