"""Loading packs: the defaults validate, broken packs are refused whole with FILE:LINE errors."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from qa_service.analysis.packs import default_pack_name, load_pack
from qa_service.cli import main
from qa_service.config import get_settings
from qa_service.domain.checks import check_types, load_installed_checks
from qa_service.domain.results import CallResult
from qa_service.domain.rulepack import RulePackError
from tests.rules_helpers import RULES, check, transcript

pytest_plugins = ["tests.check_plugins"]

GOOD_RULE = """\
  - id: deflection
    type: phrase
    category: deflection
    role: agent
    params: {phrases: [不归我们管]}
"""


def write_pack(tmp_path: Path, rules: str, head: str = "", name: str = "mine") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"pack: {name}\nscorecard: standard\n{head}rules:\n{rules}", "utf-8")
    return path


@pytest.fixture
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty rules directory (with the standard scorecard) as QA_RULES_DIR."""
    (tmp_path / "scorecards").mkdir()
    card = (RULES / "scorecards" / "standard.yaml").read_text("utf-8")
    (tmp_path / "scorecards" / "standard.yaml").write_text(card, "utf-8")
    monkeypatch.setenv("QA_RULES_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize("name", ["zh-default", "en-default"])
def test_default_packs_validate(name: str) -> None:
    pack = load_pack(name)
    assert pack.name == name and pack.language == name[:2]
    assert {r.category for r in pack.rules} >= {
        "greeting_missing",
        "closing_missing",
        "deflection",
        "forbidden_phrase",
        "interruption",
        "silence",
        "empathy_missing",
        "risk_disclosure_missing",
        "complaint",
    }


@pytest.mark.parametrize(
    ("language", "pack"),
    [
        ("zh", "zh-default"),
        ("zh-CN", "zh-default"),
        ("en", "en-default"),
        (None, "en-default"),
        ("fr", "en-default"),
    ],
)
def test_default_pack_by_language(language, pack: str) -> None:
    assert default_pack_name(language) == pack
    assert check(transcript(("agent", "hello"), language=language)).metrics["rule_pack"] == pack


@pytest.mark.parametrize(
    ("rules", "line", "where", "message"),
    [
        (
            GOOD_RULE.replace("type: phrase", "type: frobnicate"),
            5,
            "rules[0].type",
            "unknown check type 'frobnicate'",
        ),
        (
            GOOD_RULE.replace("category: deflection", "category: nonsense"),
            6,
            "rules[0].category",
            "unknown category 'nonsense'",
        ),
        (
            GOOD_RULE.replace("[不归我们管]", '["@nope"]'),
            8,
            "rules[0].params.phrases[0]",
            "unknown phrase set '@nope'",
        ),
        (
            GOOD_RULE.replace("[不归我们管]", '[{regex: "(oops"}]'),
            8,
            "rules[0].params.phrases[0]",
            "cannot compile regex",
        ),
        (GOOD_RULE.replace("role: agent", "role: robot"), 7, "rules[0].role", "Input should be"),
        (
            GOOD_RULE.replace("params: {", "params: {colour: red, "),
            8,
            "rules[0].params.colour",
            "Extra inputs are not permitted",
        ),
        (
            GOOD_RULE.replace("    params: {phrases: [不归我们管]}\n", ""),
            4,
            "rules[0].params.phrases",
            "Field required",
        ),
        (GOOD_RULE + GOOD_RULE, 9, "rules[1].id", "used twice"),
        (
            GOOD_RULE.replace("role: agent", "window: {first_s: -1}"),
            7,
            "rules[0].window.first_s",
            "greater than 0",
        ),
    ],
)
def test_problems_name_file_line_and_field(tmp_path, rules, line, where, message) -> None:
    path = write_pack(tmp_path, rules)
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    problem = info.value.problems[0]
    assert problem.startswith(f"{path}:{line}: {where}: "), problem
    assert message in problem
    assert info.value.status_code == 422


def test_every_problem_is_reported_and_the_pack_refused_whole(tmp_path) -> None:
    broken = GOOD_RULE.replace("type: phrase", "type: frobnicate")
    path = write_pack(
        tmp_path,
        GOOD_RULE.replace("id: deflection", "id: first")
        + broken
        + GOOD_RULE.replace("category: deflection", "category: nonsense").replace(
            "id: deflection", "id: third"
        ),
    )
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    assert len(info.value.problems) == 2
    assert "(and 1 more problem)" in info.value.message


def test_a_fixed_pack_loads_after_a_broken_one(tmp_path) -> None:
    path = write_pack(tmp_path, GOOD_RULE.replace("type: phrase", "type: nope"))
    with pytest.raises(RulePackError):
        load_pack(path)
    write_pack(tmp_path, GOOD_RULE)
    assert [r.id for r in load_pack(path).rules] == ["deflection"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pack: x\nrules: [\n", ":3: YAML syntax error"),
        ("- just\n- a list\n", ":1: the file must be a mapping"),
        (f"pack: x\npack: y\nrules:\n{GOOD_RULE}", ":2: pack: duplicate key"),
        ("pack: x\nrules: []\n", ":2: rules: List should have at least 1 item"),
        (f"pack: x\nscorecard: nowhere\nrules:\n{GOOD_RULE}", "scorecard 'nowhere' not found"),
        (
            f"pack: x\nscorecard: standard\nsettings: {{min_similarity: 2}}\nrules:\n{GOOD_RULE}",
            ":3: settings.min_similarity: Input should be less than or equal to 1",
        ),
    ],
)
def test_file_level_problems(tmp_path, text: str, expected: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(RulePackError, match=expected.replace("[", r"\[")):
        load_pack(path)


def test_scorecard_problems_point_into_the_scorecard(tmp_path) -> None:
    (tmp_path / "scorecards").mkdir()
    (tmp_path / "scorecards" / "mine.yaml").write_text(
        textwrap.dedent(
            """\
            scorecard: mine
            dimensions: [{id: a, weight: 1}]
            items:
              - {id: i, dimension: a, rules: [no-such-rule], points: -5}
            """
        ),
        "utf-8",
    )
    path = tmp_path / "p.yaml"
    path.write_text(f"pack: p\nscorecard: mine\nrules:\n{GOOD_RULE}", "utf-8")
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    assert info.value.problems == [
        f"{tmp_path / 'scorecards' / 'mine.yaml'}:4: items[0].rules[0]: "
        "no rule 'no-such-rule' in pack 'p'"
    ]


def test_inline_scorecard(tmp_path) -> None:
    head = (
        "scorecard:\n  scorecard: inline\n  dimensions: [{id: a, weight: 1}]\n  items:\n"
        "    - {id: i, dimension: a, categories: [deflection], points: -50}\n"
    )
    path = tmp_path / "p.yaml"
    path.write_text(f"pack: p\n{head}rules:\n{GOOD_RULE}", "utf-8")
    outcome = check(transcript(("agent", "这个不归我们管")), path)
    assert outcome.score.scorecard == "inline" and outcome.score.total == 50


def test_pack_by_name_from_the_rules_dir(rules_dir: Path) -> None:
    write_pack(rules_dir, GOOD_RULE, name="team-a")
    assert load_pack("team-a").name == "team-a"
    with pytest.raises(RulePackError, match=r"no rule pack named 'team-b'.*available: team-a"):
        load_pack("team-b")


def test_custom_check_type_from_an_entry_point(tmp_path, shout_installed) -> None:
    """A check type the administrator installed is registered like a built-in and used by
    name; before it is loaded, the same pack is refused."""
    rules = "  - {id: s, type: shout, category: agent_negative, params: {phrases: [喂]}}\n"
    path = write_pack(tmp_path, rules)
    with pytest.raises(RulePackError, match="unknown check type 'shout'"):
        load_pack(path)
    assert load_installed_checks() == [shout_installed]
    assert load_installed_checks() == []  # each entry point is loaded once
    outcome = check(transcript(("agent", "喂喂，喂"), ("agent", "喂")), path)
    assert [f.rule_id for f in outcome.findings] == ["s"]
    assert check_types()["shout"].summary == "The phrase said at least `times` times."


def test_plugins_key_is_refused_and_nothing_is_imported(tmp_path, monkeypatch) -> None:
    marker = tmp_path / "imported"
    (tmp_path / "probe_module_here.py").write_text(f"open({str(marker)!r}, 'w').close()\n", "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    path = write_pack(tmp_path, GOOD_RULE, head="plugins: [probe_module_here]\n")
    with pytest.raises(RulePackError, match=r":3: plugins: packs cannot load code") as caught:
        load_pack(path)
    assert "qa_service.checks" in str(caught.value)
    assert not marker.exists() and "probe_module_here" not in sys.modules


# The command line -------------------------------------------------------------------------


def cli(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.slow
def test_cli_rules_check(tmp_path, capsys) -> None:
    assert cli("rules", "check", "zh-default", "en-default") == 0
    assert "ok zh-default" in capsys.readouterr().out
    bad = write_pack(tmp_path, GOOD_RULE.replace("type: phrase", "type: nope"))
    assert cli("rules", "check", str(bad)) == 2
    captured = capsys.readouterr()
    assert f"{bad}:5: rules[0].type: unknown check type 'nope'" in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.slow
def test_cli_rules_test(tmp_path, capsys) -> None:
    assert cli("rules", "test", "zh-default", str(RULES / "cases" / "zh-default.yaml")) == 0
    assert cli("rules", "test", "en-default", str(RULES / "cases" / "en-default.yaml")) == 0
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "cases:\n  - name: wrong expectation\n    turns: [{agent: 您好}]\n"
        "    expect: {findings: [deflection]}\n",
        "utf-8",
    )
    assert cli("rules", "test", "zh-default", str(cases)) == 1
    assert "expected a 'deflection' finding" in capsys.readouterr().out
    cases.write_text("cases:\n  - name: no expect\n    turns: []\n", "utf-8")
    assert cli("rules", "test", "zh-default", str(cases)) == 2
    assert "cases[0].expect: Field required" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_rescore(tmp_path, capsys) -> None:
    call = CallResult("c1", transcript(("agent", "喂，说吧"), ("customer", "我要投诉")))
    call.metrics = {"asr_seconds": 1.5}
    stored = tmp_path / "c1.json"
    stored.write_text(json.dumps(call.to_dict(), ensure_ascii=False), "utf-8")
    out = tmp_path / "new.json"
    assert cli("rescore", str(stored), "--rules", "zh-default", "-o", str(out)) == 0
    result = json.loads(out.read_text("utf-8"))
    assert {"greeting_missing", "complaint", "forbidden_phrase"} <= {
        f["category"] for f in result["findings"]
    }
    assert result["score"]["critical_failed"] is True
    assert result["metrics"]["rule_pack"] == "zh-default"
    assert result["metrics"]["asr_seconds"] == 1.5  # other metrics are kept
    assert result["utterances"] == call.to_dict()["utterances"]
    assert cli("rescore", str(stored), "--rules", "en-default") == 0
    assert json.loads(capsys.readouterr().out)["metrics"]["rule_pack"] == "en-default"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("{not json", "not a stored result JSON")],
)
@pytest.mark.slow
def test_cli_rescore_bad_input(tmp_path, capsys, content, message: str) -> None:
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content, "utf-8")
    assert cli("rescore", str(path)) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_pack_cache_stays_bounded(tmp_path) -> None:
    from qa_service.analysis import packs as inspection

    for k in range(inspection.CACHE_SIZE + 5):
        load_pack(write_pack(tmp_path, GOOD_RULE, name=f"p{k}"))
    assert len(inspection._CACHE) <= inspection.CACHE_SIZE
    assert len(inspection._PARSED) <= inspection.CACHE_SIZE


def test_an_edited_pack_file_is_read_again(tmp_path) -> None:
    path = write_pack(tmp_path, GOOD_RULE)
    assert [r.id for r in load_pack(path).rules] == ["deflection"]
    path.write_text(path.read_text("utf-8").replace("id: deflection", "id: renamed"), "utf-8")
    assert [r.id for r in load_pack(path).rules] == ["renamed"]
    path.write_text(path.read_text("utf-8").replace("role: agent", "role: nobody"), "utf-8")
    with pytest.raises(RulePackError, match="role"):
        load_pack(path)


SEMANTIC_RULE = """\
  - id: deflection-like
    type: similar
    category: deflection
    role: agent
    params: {examples: ["这个不归我们管，你去找快递公司"], min_similarity: 0.6}
"""


@pytest.mark.parametrize("method", ["", ", method: semantic", ", method: ngram"])
@pytest.mark.slow
def test_a_similar_rule_validates_and_runs_outside_the_pipeline(tmp_path, capsys, method) -> None:
    """`rules check` and `rules test` know the configured similarity before any call ran."""
    path = write_pack(tmp_path, SEMANTIC_RULE.replace(", min_similarity: 0.6", method))
    assert cli("rules", "check", str(path)) == 0, capsys.readouterr().err
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "cases:\n  - name: paraphrased deflection\n"
        "    turns: [{agent: 这个不归我们管，你去问快递公司吧}]\n"
        "    expect: {findings: [deflection-like]}\n"
        "  - name: helpful\n    turns: [{agent: 好的，我马上帮您查一下物流信息}]\n"
        "    expect: {no_findings: [deflection-like]}\n",
        "utf-8",
    )
    assert cli("rules", "test", str(path), str(cases)) == 0, capsys.readouterr()
