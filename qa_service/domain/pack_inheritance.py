"""Pack inheritance: a pack that ``extends`` another takes its rules, phrase sets and settings.

Only plain data is merged here; finding the parent (by name, in the rules folder only: pack
content is untrusted, never a path) is the loader's job. The child:

- drops inherited rules by id (``exclude_rules``) or by check type (``exclude_types``);
- replaces an inherited rule by giving a rule with the same id (it stays in the parent's place);
- adds its own rules after the inherited ones;
- replaces inherited phrase sets and settings key by key, adds categories and vocabulary;
- keeps the parent's language and scorecard unless it names its own.

Every merged rule remembers which document it came from, so a problem is reported at the
line of the file that has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qa_service.domain.checks import check_types
from qa_service.domain.rulepack import Loc, Problem

INHERITANCE_KEYS = ("extends", "exclude_rules", "exclude_types")
# A longer chain is more likely a mistake than a design; it also bounds the work.
MAX_DEPTH = 4


@dataclass(frozen=True, slots=True)
class Merged:
    data: dict[str, Any]
    # For each merged rule: (index of the document in the chain, the rule's index there).
    rule_origins: list[tuple[int, int]]
    # Which document (index in the chain) each top-level key and phrase set came from.
    key_origins: dict[Loc, int]
    problems: list[Problem]


def merge(parent: Merged, child: dict[str, Any], child_doc: int) -> Merged:
    """The child pack's data over its (already merged) parent's."""
    problems = list(parent.problems)
    data = dict(parent.data)
    for key in INHERITANCE_KEYS:
        data.pop(key, None)
    key_origins = dict(parent.key_origins)
    for key, value in child.items():
        if key in ("rules", "phrase_sets", "settings", "categories", "vocabulary"):
            continue
        data[key] = value
        key_origins[(key,)] = child_doc
    data["settings"] = {**_mapping(parent.data, "settings"), **_mapping(child, "settings")}
    data["categories"] = _union(parent.data.get("categories"), child.get("categories"))
    data["vocabulary"] = _union(parent.data.get("vocabulary"), child.get("vocabulary"))
    for key in ("settings", "categories", "vocabulary"):
        if key in child:
            key_origins[(key,)] = child_doc
    phrase_sets = dict(_mapping(parent.data, "phrase_sets"))
    for name, entries in _mapping(child, "phrase_sets").items():
        phrase_sets[name] = entries
        key_origins[("phrase_sets", name)] = child_doc
    data["phrase_sets"] = phrase_sets
    rules, origins = _merge_rules(parent, child, child_doc, problems)
    data["rules"] = rules
    return Merged(data, origins, key_origins, problems)


def root(data: dict[str, Any]) -> Merged:
    """A pack that extends nothing, as the first link of a chain."""
    rules = data.get("rules")
    count = len(rules) if isinstance(rules, list) else 0
    return Merged(dict(data), [(0, i) for i in range(count)], {}, [])


def _mapping(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _union(first: Any, second: Any) -> list[Any]:
    items = [
        *(first if isinstance(first, list) else []),
        *(second if isinstance(second, list) else []),
    ]
    return list(dict.fromkeys(str(i) for i in items))


def _rule_id(rule: Any) -> str | None:
    return str(rule["id"]) if isinstance(rule, dict) and "id" in rule else None


def _merge_rules(
    parent: Merged, child: dict[str, Any], child_doc: int, problems: list[Problem]
) -> tuple[list[Any], list[tuple[int, int]]]:
    inherited = parent.data.get("rules") if isinstance(parent.data.get("rules"), list) else []
    own = child.get("rules") if isinstance(child.get("rules"), list) else []
    exclude_ids = _names(child, "exclude_rules", problems)
    exclude_types = _names(child, "exclude_types", problems)
    parent_ids = {_rule_id(r) for r in inherited}
    for k, rule_id in enumerate(exclude_ids):
        if rule_id not in parent_ids:
            problems.append(Problem(("exclude_rules", k), f"the parent has no rule {rule_id!r}"))
    known_types = check_types()
    for k, name in enumerate(exclude_types):
        if name not in known_types:
            problems.append(Problem(("exclude_types", k), f"unknown check type {name!r}"))
    # A child rule with an inherited id takes that rule's place; the others come after.
    replacing: dict[str | None, int] = {}
    for i, rule in enumerate(own):
        rule_id = _rule_id(rule)
        if rule_id in parent_ids and rule_id not in exclude_ids:
            replacing.setdefault(rule_id, i)
    rules: list[Any] = []
    origins: list[tuple[int, int]] = []
    for rule, origin in zip(inherited, parent.rule_origins, strict=True):
        rule_id = _rule_id(rule)
        kind = rule.get("type") if isinstance(rule, dict) else None
        if rule_id in exclude_ids or (kind in exclude_types and rule_id not in replacing):
            continue
        if rule_id in replacing:
            rules.append(own[replacing[rule_id]])
            origins.append((child_doc, replacing[rule_id]))
        else:
            rules.append(rule)
            origins.append(origin)
    placed = set(replacing.values())
    for i, rule in enumerate(own):
        if i not in placed:
            rules.append(rule)
            origins.append((child_doc, i))
    return rules, origins


def _names(child: dict[str, Any], key: str, problems: list[Problem]) -> list[str]:
    value = child.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem((key,), "must be a list of names"))
        return []
    return value
