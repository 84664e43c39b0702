"""What the embedded model's reply costs and how sure it was, on the llama.cpp runtime.

Two things the runtime does not offer itself:

- a compact JSON grammar: its schema grammar makes whitespace between JSON tokens mandatory,
  and the models then write newlines and indentation (some 10-15 tokens a reply, each as
  costly as a word); the grammar here allows one optional space there, the form the models
  write unconstrained;
- the probability of each option of a string enum in the reply (the answer yes / no /
  not_applicable): read from the model's next-token distribution at the place the reply
  writes the value, which ranks calls far better than the bare answer does. It costs one
  token's evaluation: the prompt and the reply up to the value are still in the KV cache.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from qa_service.engines.llm import Message

_SPACE_RULE = re.compile(r"^space ::= .*$", re.MULTILINE)
COMPACT_SPACE_RULE = 'space ::= " "?'


def compact_grammar(schema: dict[str, Any]) -> str:
    """The runtime's GBNF grammar for ``schema``, with at most one space between tokens."""
    from llama_cpp_py_sync.constraints import response_format_to_grammar

    grammar = response_format_to_grammar({"type": "json_schema", "json_schema": {"schema": schema}})
    if grammar is None or not _SPACE_RULE.search(grammar):
        raise ValueError("the runtime's schema grammar has no space rule to make compact")
    return _SPACE_RULE.sub(COMPACT_SPACE_RULE, grammar, count=1)


def enum_fields(schema: dict[str, Any]) -> dict[str, list[str]]:
    """The top-level string properties of ``schema`` that take one of a list of values."""
    fields: dict[str, list[str]] = {}
    for name, spec in (schema.get("properties") or {}).items():
        options = spec.get("enum") if isinstance(spec, dict) else None
        if spec.get("type") == "string" and options and all(isinstance(o, str) for o in options):
            fields[name] = list(options)
    return fields


def value_offset(reply: str, field: str) -> int | None:
    """Where the reply's value of the top-level string ``field`` starts (after its quote)."""
    found = re.search(r"^\s*\{.*?" + re.escape(json.dumps(field)) + r'\s*:\s*"', reply, re.S)
    return found.end() if found else None


def option_probabilities(
    logits: list[float] | Any, first_tokens: dict[str, int]
) -> dict[str, float] | None:
    """Each option's share of the probability the model gave the options' first tokens.

    None where two options begin with the same token (the first token cannot tell them
    apart) or the options together got no probability at all.
    """
    if len(set(first_tokens.values())) != len(first_tokens):
        return None
    top = max(float(logits[t]) for t in first_tokens.values())
    weights = {o: math.exp(float(logits[t]) - top) for o, t in first_tokens.items()}
    total = sum(weights.values())
    if not total or not math.isfinite(total):
        return None
    return {o: round(w / total, 4) for o, w in weights.items()}


def first_tokens(llama: Any, options: list[str]) -> dict[str, int]:
    """Each option's first token: what ``option_probabilities`` weighs it by."""
    return {o: llama.tokenize(o, add_special=False)[0] for o in options}


def shares_after(
    llama: Any, chat: list[Message], reply_head: str, options: list[str], cache_key: str
) -> dict[str, float] | None:
    """Each option's probability as the next text after the prompt and ``reply_head``."""
    from qa_service.engines.llm.llama_decode import last_logits

    prompt, _ = llama._format_chat_prompt(chat)
    firsts = first_tokens(llama, options)
    tokens = llama.tokenize(prompt + reply_head, add_special=True)
    if len(tokens) >= llama._n_ctx:
        raise ValueError("the request exceeds the model's context window")
    reused, _status = llama._prepare_chat_prefix(tokens, cache_key)
    llama._eval_tokens(tokens[reused:], reused)
    logits = last_logits(llama)
    return None if logits is None else option_probabilities(logits, firsts)


def reply_head(field: str) -> str:
    """How a reply whose first field is ``field`` begins, as the models write it."""
    return "{" + json.dumps(field) + ': "'


def forced_head(schema: dict[str, Any]) -> str:
    """How every reply under ``schema`` begins: its leading fields held to one value each
    (an answer chosen before the reply), up to the opening quote of the first free string.

    Written as the models write JSON (``reply_head``'s spacing), which the compact grammar
    allows; "" where the first field is free.
    """
    properties = schema.get("properties") or {}
    if schema.get("type") != "object" or list(schema.get("required") or []) != list(properties):
        return ""  # optional fields: the grammar may begin with any of them
    head = "{"
    for name, spec in properties.items():
        options = spec.get("enum") if isinstance(spec, dict) else None
        if spec.get("type") == "string" and options and len(options) == 1:
            head += json.dumps(name) + ": " + json.dumps(options[0]) + ", "
        elif spec.get("type") == "string" and head != "{":
            return head + json.dumps(name) + ': "'
        else:
            return ""
    return ""


def reply_probabilities(
    llama: Any, chat: list[Message], reply: str, schema: dict[str, Any], cache_key: str
) -> dict[str, dict[str, float]]:
    """For each string-enum field the reply wrote, the probability of each of its options.

    Runs right after the reply was generated under ``cache_key``: the prompt and the reply
    are the cached prefix, so each field costs about one token's evaluation. A field held to
    one value has nothing to report.
    """
    found: dict[str, dict[str, float]] = {}
    for field, options in enum_fields(schema).items():
        offset = value_offset(reply, field)
        if offset is None or len(options) < 2:
            continue
        shares = shares_after(llama, chat, reply[:offset], options, cache_key)
        if shares is not None:
            found[field] = shares
    return found


def choice_probabilities(
    llama: Any, chat: list[Message], field: str, options: list[str], cache_key: str
) -> dict[str, float] | None:
    """Before the reply: each option's probability as the value of its first field ``field``.

    Reads the prompt (from the cache where it was read before) and the few tokens that open
    the reply; the reply generated next reuses them all but those few.
    """
    return shares_after(llama, chat, reply_head(field), options, cache_key)
