"""Pack inheritance: ``extends`` a pack of the rules folder, drop, replace and add rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qa_service.analysis.packs import load_pack
from qa_service.config import get_settings
from qa_service.domain.rulepack import RulePackError
from tests.rules_helpers import RULES, check, transcript

PARENT = """\
pack: base
language: zh
scorecard: standard
settings: {negation_window: 2, silence_min_s: 4}
phrase_sets:
  deflection: [不归我们管]
  greeting: [您好]
rules:
  - id: greeting-missing
    type: missing_phrase
    category: greeting_missing
    role: agent
    window: {first_turns: 1}
    params: {phrases: ["@greeting"]}
  - id: deflection
    type: phrase
    category: deflection
    role: agent
    params: {phrases: ["@deflection"]}
  - id: silence
    type: silence
    category: silence
    params: {min_s: 5}
  - id: late-answer
    type: late_answer
    category: late_answer
    role: agent
    params: {max_s: 5}
"""


@pytest.fixture
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A rules folder holding the parent pack ``base`` and the standard scorecard."""
    (tmp_path / "scorecards").mkdir()
    card = (RULES / "scorecards" / "standard.yaml").read_text("utf-8")
    (tmp_path / "scorecards" / "standard.yaml").write_text(card, "utf-8")
    (tmp_path / "base.yaml").write_text(PARENT, "utf-8")
    monkeypatch.setenv("QA_RULES_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def child(folder: Path, body: str, name: str = "kid") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"pack: {name}\nextends: base\n{body}", "utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "rule_ids"),
    [
        ("", ["greeting-missing", "deflection", "silence", "late-answer"]),
        ("exclude_rules: [silence]\n", ["greeting-missing", "deflection", "late-answer"]),
        ("exclude_types: [silence, late_answer]\n", ["greeting-missing", "deflection"]),
        (
            "rules:\n  - {id: extra, type: phrase, category: complaint,\n"
            "     params: {phrases: [投诉]}}\n",
            ["greeting-missing", "deflection", "silence", "late-answer", "extra"],
        ),
    ],
)
def test_rules_are_inherited_dropped_and_added(rules_dir, body, rule_ids):
    pack = load_pack(child(rules_dir, body))
    assert [r.id for r in pack.rules] == rule_ids
    assert pack.name == "kid" and pack.language == "zh" and pack.scorecard.scorecard == "standard"


def test_a_rule_with_an_inherited_id_takes_its_place(rules_dir):
    body = (
        "rules:\n"
        "  - {id: deflection, type: phrase, category: deflection, role: agent,\n"
        "     params: {phrases: [你自己去查]}}\n"
    )
    pack = load_pack(child(rules_dir, body))
    assert [r.id for r in pack.rules][:2] == ["greeting-missing", "deflection"]
    outcome = check(transcript(("agent", "您好"), ("agent", "你自己去查吧")), pack)
    assert [f.rule_id for f in outcome.findings] == ["deflection"]
    outcome = check(transcript(("agent", "您好"), ("agent", "这个不归我们管")), pack)
    assert outcome.findings == []


def test_phrase_sets_and_settings_are_replaced_key_by_key(rules_dir):
    body = "settings: {silence_min_s: 9}\nphrase_sets:\n  greeting: [欢迎光临]\n"
    pack = load_pack(child(rules_dir, body))
    assert (pack.settings.silence_min_s, pack.settings.negation_window) == (9, 2)
    outcome = check(transcript(("agent", "欢迎光临"), ("agent", "不归我们管")), pack)
    assert [f.rule_id for f in outcome.findings] == ["deflection"]  # greeting found, parent's set


def test_a_grandchild_inherits_through_its_parent(rules_dir):
    child(rules_dir, "exclude_types: [silence]\n", name="middle")
    (rules_dir / "leaf.yaml").write_text(
        "pack: leaf\nextends: middle\nexclude_rules: [late-answer]\n", "utf-8"
    )
    assert [r.id for r in load_pack("leaf").rules] == ["greeting-missing", "deflection"]


@pytest.mark.parametrize(
    ("extends", "message"),
    [
        ("nowhere", "no pack named 'nowhere' in the rules folder"),
        ("../base", "must be a pack name"),
        ("/etc/passwd", "must be a pack name"),
        ("kid", "makes a loop"),
    ],
)
def test_the_parent_is_a_pack_name_in_the_rules_folder_only(rules_dir, extends, message):
    path = rules_dir / "kid.yaml"
    path.write_text(f"pack: kid\nextends: {extends}\n", "utf-8")
    with pytest.raises(RulePackError, match=message) as caught:
        load_pack(path)
    assert caught.value.problems[0].startswith(f"{path}:2: extends:")


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("exclude_rules: [gone]\n", 3, "exclude_rules[0]: the parent has no rule 'gone'"),
        ("exclude_types: [dance]\n", 3, "exclude_types[0]: unknown check type 'dance'"),
        ("exclude_types: silence\n", 3, "exclude_types: must be a list of names"),
    ],
)
def test_bad_exclusions_are_problems_at_their_line(rules_dir, body, line, message):
    path = child(rules_dir, body)
    with pytest.raises(RulePackError) as caught:
        load_pack(path)
    assert f"{path}:{line}: {message}" in caught.value.problems


def test_a_problem_is_reported_in_the_file_that_has_it(rules_dir):
    path = child(rules_dir, "rules:\n  - {id: mine, type: phrase, category: nonsense}\n")
    with pytest.raises(RulePackError) as caught:
        load_pack(path)
    assert any(p.startswith(f"{path}:4: rules[0].category") for p in caught.value.problems)
    broken = PARENT.replace("params: {min_s: 5}", "params: {min_s: -1}")
    (rules_dir / "base.yaml").write_text(broken, "utf-8")
    with pytest.raises(RulePackError) as caught:
        load_pack(child(rules_dir, ""))
    parent = rules_dir / "base.yaml"
    line = broken.splitlines().index("    params: {min_s: -1}") + 1
    assert any(
        p.startswith(f"{parent}:{line}: rules[2].params.min_s") for p in caught.value.problems
    )


def test_a_changed_parent_is_seen_by_the_cached_child(rules_dir):
    path = child(rules_dir, "")
    assert len(load_pack(path).rules) == 4
    parent = rules_dir / "base.yaml"
    parent.write_text(PARENT.split("  - id: silence")[0], "utf-8")
    stat = parent.stat()
    os.utime(parent, (stat.st_atime, stat.st_mtime + 5))
    assert [r.id for r in load_pack(path).rules] == ["greeting-missing", "deflection"]


def test_vocabulary_is_the_union_of_parent_and_child(rules_dir):
    child(rules_dir, "vocabulary: [星河客服, 工号]\n", name="middle")
    (rules_dir / "leaf.yaml").write_text(
        "pack: leaf\nextends: middle\nvocabulary: [工号, 转运中心]\n", "utf-8"
    )
    pack = load_pack("leaf")
    assert pack.asr_terms == ("星河客服", "工号", "转运中心")
    # The terms are words for the segmenter too.
    assert {"星河客服", "转运中心"} <= pack.vocabulary
