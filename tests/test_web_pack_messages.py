"""The pack editor's problems in people's words: the validator's error kinds said in the
page's language (never "Input should be ..." or "Extra inputs are not permitted"), with
every problem of every rule listed at once."""

from __future__ import annotations

import pytest

from qa_service.analysis.packs import check_pack_text
from qa_service.web.i18n import Translator
from qa_service.web.routes.packs import problem_dict

DRAFT = (
    "pack: mine\nlanguage: en\nrules:\n"
    "  - {id: a, type: phrase, category: deflection, role: x,\n"
    '     params: {phrases: ["not my department"]}}\n'
    "  - {id: b, type: phrase, category: deflection, role: agent, severity: huge,\n"
    '     params: {phrases: ["x"]}, colour: red}\n'
)


@pytest.fixture(scope="module")
def problems():
    found = check_pack_text(DRAFT, "mine")
    assert isinstance(found, list)
    return found


def test_every_problem_of_every_rule_at_once(problems):
    assert [(p.field, p.kind) for p in problems] == [
        ("rules[0].role", "literal_error"),
        ("rules[1].severity", "literal_error"),
        ("rules[1].colour", "extra_forbidden"),
    ]


@pytest.mark.parametrize(
    ("lang", "role", "unknown"),
    [
        ("zh", "必须是 'agent', 'customer'或'any' 之一", "未知的键：此处不允许（请检查拼写）"),
        ("en", "must be one of 'agent', 'customer' or 'any'", "unknown key"),
    ],
)
def test_problems_in_the_page_language(problems, lang, role, unknown):
    shown = [problem_dict(p, Translator(lang)) for p in problems]
    assert shown[0]["message"] == role
    assert shown[2]["message"].startswith(unknown)
    assert shown[0]["line"] == 4 and shown[2]["field"] == "rules[1].colour"
    raw = ("Input should", "Extra inputs")
    assert not [s for s in shown if any(r in s["message"] for r in raw)]


def test_a_check_objection_not_in_the_table_stays_as_it_is():
    rule = "{id: a, type: similar, category: deflection, params: {examples: [x], method: nosuch}}"
    found = check_pack_text(f"pack: t\nlanguage: en\nrules:\n  - {rule}\n", "t")
    assert isinstance(found, list) and found
    # An objection web/pack_value_errors.py does not list is shown as the check wrote it,
    # without pydantic's "Value error, " prefix.
    assert found[0].kind == "value_error"
    shown = problem_dict(found[0], Translator("zh"))
    assert shown["message"].startswith("unknown similarity 'nosuch'"), shown


CHECK_OBJECTIONS = [
    ("{id: a, type: phrase, category: forbidden_phrase, params: {phrases: []}}", "至少需要"),
    (
        "{id: b, type: conditional, category: empathy_missing,"
        " params: {when: {role: customer}, then: {phrases: [sorry]}}}",
        "触发条件需要",
    ),
    ("{id: c, type: count, category: courtesy_low, params: {phrases: [please]}}", "min"),
    (
        '{id: d, type: phrase, category: forbidden_phrase, params: {phrases: ["@nope"]}}',
        "没有短语集“@nope”",
    ),
    (
        '{id: e, type: phrase, category: forbidden_phrase, params: {phrases: [{regex: "("}]}}',
        "无法解析",
    ),
]


@pytest.mark.parametrize(("rule", "said"), CHECK_OBJECTIONS)
def test_a_check_s_own_objection_is_said_in_the_page_s_language(rule, said):
    found = check_pack_text(f"pack: t\nlanguage: en\nrules:\n  - {rule}\n", "t")
    assert isinstance(found, list) and len(found) == 1
    (problem,) = found
    zh = problem_dict(problem, Translator("zh"))["message"]
    en = problem_dict(problem, Translator("en"))["message"]
    assert said in zh and zh != problem.message, zh
    assert en and not any("\u4e00" <= ch <= "\u9fff" for ch in en), en
