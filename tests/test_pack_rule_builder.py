"""The rule builder's round trip without a server: a form written into a pack's text (added
or in place of a rule), the rest of the text kept byte for byte, the form's bounds, and a
pack rule (a scorecard item) read back as the form's values."""

from __future__ import annotations

import pytest

from qa_service.analysis.packs import check_pack_text, load_scorecard_text
from qa_service.features.packs import item_form, rule_form, rule_text
from qa_service.features.packs.builder import form_field
from tests.conftest import REPO

DRAFT = """\
# my team's pack: the comments stay
pack: mine
language: en
rules:
  # the opening line
  - id: greeting-missing
    type: missing_phrase
    category: greeting_missing
    severity: major
    role: agent
    window: {first_turns: 2}
    params:
      phrases: [hello, good morning]
      negation: ignore   # kept: the form does not show it

  - {id: rude, type: phrase, category: forbidden_phrase, role: agent,
     params: {phrases: ["shut up"]}}
# the end
"""

FORM = {
    "id": "dead-air",
    "type": "silence",
    "category": "silence",
    "severity": "major",
    "role": "any",
    "min_s": 8.0,
    "hold_phrases": "one moment please\n@hold_set\n",
}


def _write(text: str, values: dict, replace: str | None = None) -> tuple[str, int, int]:
    draft = rule_text.read_draft(text)
    existing = next((s.data for s in draft.spans if s.id == (replace or values["id"])), None)
    rule = rule_form.to_rule(rule_form.read_form(values), existing)
    return rule_text.put_rule(draft, rule, replace)


def test_a_new_rule_goes_after_the_last_one_and_the_rest_is_kept():
    text, first, last = _write(DRAFT, FORM)
    head = DRAFT.split("# the end\n")[0]
    assert text.startswith(head.rstrip("\n")) and text.endswith("\n# the end\n")
    added = text[len(head.rstrip("\n")) : -len("# the end\n")]
    assert added.startswith("\n\n  - id: dead-air\n"), added
    spans = rule_text.rule_spans(text)
    assert [s.id for s in spans] == ["greeting-missing", "rude", "dead-air"]
    assert spans[2].data["params"] == {
        "min_s": 8,
        "hold_phrases": ["one moment please", "@hold_set"],
    }
    assert (first, last) == (spans[2].line, spans[2].end_line)
    assert text.splitlines()[first - 1].strip() == "- id: dead-air"


def test_a_rule_is_replaced_in_place_keeping_what_the_form_does_not_show():
    values = rule_form.form_of(rule_text.rule_spans(DRAFT)[0].data)
    assert values["phrases"] == "hello\ngood morning" and values["first_turns"] == 2
    values |= {"phrases": "hello\n{regex: 'good (morning|day)'}", "severity": "critical"}
    values |= {"first_turns": None, "last_s": 30}
    text, first, last = _write(DRAFT, values)
    spans = rule_text.rule_spans(text)
    assert [s.id for s in spans] == ["greeting-missing", "rude"]
    rule = spans[0].data
    assert rule["severity"] == "critical" and rule["window"] == {"last_s": 30}
    assert rule["params"]["phrases"] == ["hello", {"regex": "good (morning|day)"}]
    assert rule["params"]["negation"] == "ignore"
    # Everything before and after the rule is the draft's own text.
    before, after = DRAFT.split("  - id: greeting-missing")[0], DRAFT.split("negation: ignore")[1]
    assert text.startswith(before + "  - id: greeting-missing\n") and text.endswith(after)
    assert first == spans[0].line == 6 and last == spans[0].end_line


def test_renaming_a_picked_rule_replaces_it():
    values = rule_form.form_of(rule_text.rule_spans(DRAFT)[1].data) | {"id": "rude-words"}
    text, *_lines = _write(DRAFT, values, replace="rude")
    assert [s.id for s in rule_text.rule_spans(text)] == ["greeting-missing", "rude-words"]


def test_the_built_in_pack_stays_valid_and_only_the_rule_changes():
    source = (REPO / "rules" / "en-default.yaml").read_text("utf-8")
    spans = rule_text.rule_spans(source)
    values = rule_form.form_of(next(s.data for s in spans if s.id == "interruption"))
    text, first, last = _write(source, values | {"min_overlap_s": 1.5})
    assert not isinstance(check_pack_text(text, "en-default"), list)
    changed = [
        n
        for n, (a, b) in enumerate(zip(source.splitlines(), text.splitlines(), strict=False), 1)
        if a != b
    ]
    assert changed and first <= min(changed) and max(changed) <= last
    assert len(text.splitlines()) - len(source.splitlines()) <= 1
    assert [s.id for s in rule_text.rule_spans(text)] == [s.id for s in spans]


def test_a_draft_without_a_rules_list_gets_one():
    text, *_lines = _write("pack: mine\nrules: []\n", FORM)
    assert [s.id for s in rule_text.rule_spans(text)] == ["dead-air"]
    text, *_lines = _write("pack: mine\n", FORM)
    assert text.startswith("pack: mine\n") and rule_text.rule_spans(text)[0].id == "dead-air"


@pytest.mark.parametrize("draft", ["a: [1,\n b", "- just\n- a list\n", ""])
def test_a_draft_that_is_no_pack_is_refused(draft):
    with pytest.raises(rule_text.DraftUnreadable):
        rule_text.put_rule(rule_text.read_draft(draft), {"id": "x"})


def test_every_bad_field_at_once_with_its_bound():
    values = FORM | {"id": "Bad Id", "min_s": 99999, "first_turns": 0, "severity": "huge"}
    with pytest.raises(rule_form.FormInvalid) as caught:
        rule_form.read_form(values)
    fields = {form_field(p.loc): p.kind for p in caught.value.problems}
    assert fields == {
        "id": "string_pattern_mismatch",
        "min_s": "less_than_equal",
        "first_turns": "greater_than_equal",
        "severity": "literal_error",
    }


def test_phrase_lines_are_bounded_and_checked():
    form = rule_form.read_form(FORM | {"hold_phrases": "ok\n{not: [closed\n" + "x" * 501})
    with pytest.raises(rule_form.FormInvalid) as caught:
        rule_form.to_rule(form)
    assert [(p.loc, p.kind, p.values["line"]) for p in caught.value.problems] == [
        (("hold_phrases",), "phrase_bad_mapping", "2"),
        (("hold_phrases",), "phrase_line_too_long", "3"),
    ]
    many = "\n".join(f"p{n}" for n in range(rule_form.MAX_PHRASE_LINES + 1))
    with pytest.raises(rule_form.FormInvalid):
        rule_form.parse_phrases(many, "phrases")


def test_a_rule_of_another_type_has_no_form():
    assert rule_form.form_of({"id": "x", "type": "count", "params": {}}) is None
    act = rule_form.form_of({"id": "x", "type": "act", "params": {"act": "empathy"}})
    assert act["act"] == "empathy" and act["min_probability"] is None


# Scorecard items: points in a dimension, or an evaluation question in zh and en.

CARD = (REPO / "rules" / "scorecards" / "standard.yaml").read_text("utf-8")


def _write_item(values: dict, replace: str | None = None) -> tuple[str, int, int]:
    draft = rule_text.read_draft(CARD, "scorecard")
    existing = next((s.data for s in draft.spans if s.id == (replace or values["id"])), None)
    item = item_form.to_rule(item_form.read_form(values), existing)
    return rule_text.put_rule(draft, item, replace)


def test_a_question_item_is_edited_in_both_languages_keeping_applies_when():
    spans = rule_text.rule_spans(CARD, "scorecard")
    values = item_form.form_of(next(s.data for s in spans if s.id == "q-empathy"))
    assert values["type"] == "question" and values["answer_no"] == -10 and values["question_zh"]
    values |= {"answer_no": -15, "question_en": "Did the agent show empathy?"}
    text, first, last = _write_item(values)
    card = load_scorecard_text(text, "standard")
    item = next(i for i in card.items if i.id == "q-empathy")
    assert item.answers == {"yes": 0, "no": -15, "not_applicable": 0}
    assert item.question["en"] == "Did the agent show empathy?" and item.question["zh"]
    assert item.applies_when is not None and "complaint" in item.applies_when.categories
    before = next(s for s in spans if s.id == "q-empathy")
    old, new = CARD.splitlines(), text.splitlines()
    assert first == before.line and new[: first - 1] == old[: before.line - 1]
    assert new[last:] == old[before.end_line :], "the items after it are as they were"


def test_a_new_findings_item_moves_points_in_a_dimension():
    values = {"id": "no-refund", "type": "findings", "dimension": "service_attitude"}
    values |= {"rules": "no-refund-promise\n", "points": -12.0, "per": "call"}
    text, *_lines = _write_item(values)
    added = rule_text.rule_spans(text, "scorecard")[-1].data
    assert added == {
        "id": "no-refund",
        "dimension": "service_attitude",
        "rules": ["no-refund-promise"],
        "points": -12,
        "per": "call",
    }
    assert text.startswith(CARD.rstrip("\n"))


def test_item_points_are_bounded():
    values = {"id": "x", "type": "question", "dimension": "d", "answer_yes": 101}
    with pytest.raises(rule_form.FormInvalid) as caught:
        item_form.read_form(values | {"answer_no": -500, "max_points": 0})
    assert {form_field(p.loc, "scorecard") for p in caught.value.problems} == {
        "answer_yes",
        "answer_no",
        "max_points",
    }


def test_untrusted_drafts_and_phrase_lines_stay_within_bounds():
    bomb = 'pack: x\na: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nrules: []\n'
    deep = "pack: x\nrules: " + "[" * 100 + "]" * 100 + "\n"
    for draft in (bomb, deep, "x" * (1024 * 1024 + 1)):
        with pytest.raises(rule_text.DraftUnreadable):
            rule_text.read_draft(draft)
    line = "{regex: &x a, exact: *x}"
    with pytest.raises(rule_form.FormInvalid) as caught:
        rule_form.parse_phrases(line, "phrases")
    assert caught.value.problems[0].kind == "phrase_bad_mapping"


@pytest.mark.parametrize(
    ("zh", "en", "written"),
    [
        ("没有问候", "No greeting", {"en": "No greeting", "zh": "没有问候"}),
        ("", "No greeting", "No greeting"),
        ("没有问候", "", "没有问候"),
    ],
)
def test_names_and_descriptions_are_written_in_both_languages(zh, en, written):
    values = FORM | {"name_zh": zh, "name_en": en, "description_zh": zh, "description_en": en}
    text, _, _ = _write(DRAFT, values)
    rule = next(s.data for s in rule_text.rule_spans(text) if s.id == "dead-air")
    assert rule["name"] == written and rule["description"] == written
    back = rule_form.form_of(rule)
    assert (back["name_zh"], back["name_en"]) == (zh, en)
    assert (back["description_zh"], back["description_en"]) == (zh, en)


def test_a_shipped_rule_named_in_both_languages_fills_both_fields():
    source = (REPO / "rules" / "en-default.yaml").read_text("utf-8")
    rule = next(s.data for s in rule_text.rule_spans(source) if s.id == "interruption")
    values = rule_form.form_of(rule)
    assert values is not None
    assert (values["name_zh"], values["name_en"]) == (rule["name"]["zh"], rule["name"]["en"])
    assert values["description_zh"] and values["description_en"]
