"""The embedded backend's compact JSON grammar and its reading of answer probabilities
(the parts that need no model; tests/test_llm_backends.py runs them on the real one)."""

from __future__ import annotations

import math

import pytest

from qa_service.engines.llm.llama_choices import (
    COMPACT_SPACE_RULE,
    compact_grammar,
    enum_fields,
    forced_head,
    option_probabilities,
    reply_head,
    value_offset,
)

pytest.importorskip("llama_cpp_py_sync.constraints")

SCHEMA = {
    "type": "object",
    "properties": {
        "answer": {"type": "string", "enum": ["yes", "no"]},
        "justification": {"type": "string", "maxLength": 20},
        "cited": {"type": "array", "items": {"type": "integer", "enum": [0, 1]}},
    },
    "required": ["answer", "justification", "cited"],
    "additionalProperties": False,
}


def test_the_grammar_allows_one_optional_space_between_json_tokens_not_newlines() -> None:
    grammar = compact_grammar(SCHEMA)
    spaces = [line for line in grammar.splitlines() if line.startswith("space ::=")]
    assert spaces == [COMPACT_SPACE_RULE]
    assert '"\\n"' not in grammar
    assert '"\\"yes\\"" | "\\"no\\""' in grammar  # the rest of the schema is kept


def test_only_string_properties_with_a_list_of_values_are_weighed() -> None:
    assert enum_fields(SCHEMA) == {"answer": ["yes", "no"]}


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"answer": "no", "cited": [1]}', len('{"answer": "')),
        ('{ "answer" :"yes"}', len('{ "answer" :"')),
        ('{"justification": "the answer", "answer": "no"}', None),  # only a key, never text
        ('{"justification": "x", "cited": []}', None),
    ],
)
def test_the_value_is_found_where_the_reply_writes_the_field(reply: str, expected) -> None:
    offset = value_offset(reply, "answer")
    if expected is None:
        assert offset is None or reply[:offset].endswith('"answer": "')
    else:
        assert offset == expected


def test_option_probabilities_are_shares_of_the_options_first_tokens() -> None:
    logits = [0.0] * 10
    logits[3], logits[7] = math.log(3.0), math.log(1.0)
    shares = option_probabilities(logits, {"yes": 3, "no": 7})
    assert shares == {"yes": 0.75, "no": 0.25}
    # Two options that begin with the same token cannot be told apart by it.
    assert option_probabilities(logits, {"no": 7, "not_applicable": 7}) is None


def _schema(answer: dict, required: list[str] | None = None) -> dict:
    properties = {"answer": answer, "justification": {"type": "string"}, "cited": {"type": "array"}}
    return {"type": "object", "properties": properties, "required": required or list(properties)}


@pytest.mark.parametrize(
    ("schema", "head"),
    [
        # Held to one answer: the reply can only begin this way.
        (_schema({"type": "string", "enum": ["no"]}), '{"answer": "no", "justification": "'),
        # A free answer: nothing is forced.
        (_schema({"type": "string", "enum": ["yes", "no"]}), ""),
        # An optional field: the grammar may begin with another one.
        (_schema({"type": "string", "enum": ["no"]}, ["answer", "cited"]), ""),
        # The field after the held one is not a string: nothing to open.
        (
            {
                "type": "object",
                "properties": {
                    "answer": {"type": "string", "enum": ["no"]},
                    "n": {"type": "integer"},
                },
                "required": ["answer", "n"],
            },
            "",
        ),
    ],
)
def test_the_forced_head_is_what_every_reply_under_the_schema_begins_with(schema, head) -> None:
    assert forced_head(schema) == head
    if head:
        assert head.startswith(reply_head("answer"))
