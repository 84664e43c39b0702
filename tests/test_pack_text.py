"""Names and descriptions of rules, dimensions and items: a text, or one per language; the
reader's language first, then the other, then (a name) the id (issue 15)."""

from __future__ import annotations

import re

import pytest

from qa_service.analysis.packs import available_packs, load_pack
from qa_service.domain.pack_text import MAX_NAME_CHARS, text_in
from qa_service.domain.rulepack import RulePackError

HAN = re.compile(r"[\u4e00-\u9fff]")
RULE = """\
  - id: deflection
    type: phrase
    category: deflection
    role: agent
    params: {{phrases: [不归我们管]}}
{extra}"""


def _pack(tmp_path, extra: str):
    path = tmp_path / "mine.yaml"
    path.write_text(f"pack: mine\nscorecard: standard\nrules:\n{RULE.format(extra=extra)}", "utf-8")
    return load_pack(path)


@pytest.mark.parametrize("name", ["zh-default", "en-default", "zh-chat", "en-chat"])
def test_every_shipped_rule_dimension_and_item_is_named_in_both_languages(name):
    pack = load_pack(name)
    card = pack.scorecard
    texts = [("pack", pack.description)]
    texts += [(rule.id, rule.name) for rule in pack.rules]
    texts += [(rule.id, rule.description) for rule in pack.rules]
    texts += [(d.id, d.name) for d in card.dimensions] + [
        (d.id, d.description) for d in card.dimensions
    ]
    texts += [(i.id, i.name) for i in card.items]
    texts += [(i.id, i.description) for i in card.items if i.description]
    for where, text in texts:
        assert isinstance(text, dict) and set(text) == {"zh", "en"}, where
        assert HAN.search(text["zh"]) and not HAN.search(text["en"]), (where, text)
    assert name in available_packs()


def test_a_pack_in_one_language_keeps_working(tmp_path):
    plain = _pack(tmp_path, "    name: 推诿\n    description: 推诿客户。\n").rules[0]
    assert plain.name_in("en") == "推诿" and plain.description_in("en") == "推诿客户。"
    only_zh = _pack(tmp_path, "    name: {zh: 推诿}\n").rules[0]
    assert only_zh.name_in("en") == "推诿", "the other language before the id"
    both = _pack(tmp_path, "    name: {zh: 推诿, en: Deflection}\n").rules[0]
    assert (both.name_in("zh"), both.name_in("en")) == ("推诿", "Deflection")
    unnamed = _pack(tmp_path, "").rules[0]
    assert unnamed.name_in("zh") == "deflection" and unnamed.description_in("zh") == ""


@pytest.mark.parametrize(
    "extra",
    [
        f"    name: {{en: {'x' * (MAX_NAME_CHARS + 1)}}}\n",
        "    name: {fr: nom}\n",
        "    description: [a, b]\n",
    ],
)
def test_names_are_bounded_and_keyed_by_our_languages(tmp_path, extra):
    with pytest.raises(RulePackError):
        _pack(tmp_path, extra)


def test_text_in_prefers_the_readers_language():
    assert text_in({"zh": "静音", "en": "Silence"}, "zh") == "静音"
    assert text_in({"zh": "静音", "en": "Silence"}, None) == "静音", "any, when none is asked"
    assert text_in({"en": "Silence"}, "zh") == "Silence"
    assert text_in("", "zh", "silence") == "silence" and text_in(None, "en") == ""
