"""A pack's rules inside its YAML text: where each one is, and writing one rule into the text.

The rule builder edits one rule of a draft the author may have commented and laid out by
hand, so the rule is spliced into the text where it stands (or after the last rule) and
everything else is kept byte for byte. The text is parsed with the bounded loader (packs
are untrusted data) and the result is parsed again (as validation will parse it) and
compared, so a splice that would not give back exactly the rule written falls back to
rewriting the ``rules:`` list alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from qa_service import safe_yaml
from qa_service.analysis.packs import parse_yaml
from qa_service.domain.rulepack import RulePackError, is_safe_name


class DraftUnreadable(ValueError):
    """The draft is not a YAML mapping the builder can write into; ``kind`` says why (a
    message key) and ``line`` where, when known."""

    def __init__(self, kind: str, line: int | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.line = line


@dataclass(frozen=True, slots=True)
class RuleSpan:
    index: int
    data: dict[str, Any]
    start: int  # character offsets of the rule's own text
    end: int
    line: int  # first and last line, counted from 1
    end_line: int

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None


def _compose(text: str) -> tuple[yaml.Node | None, Any]:
    if safe_yaml.too_large(text):
        raise DraftUnreadable("too_large")
    loader = safe_yaml.BoundedLoader(text)
    try:
        return safe_yaml.compose(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DraftUnreadable("yaml", mark.line + 1 if mark else None) from None
    except (yaml.YAMLError, ValueError):
        raise DraftUnreadable("yaml") from None
    finally:
        loader.dispose()


def _end(node: yaml.Node, text: str) -> int:
    """Where a node's own text ends: a block collection's end mark lies past the blank lines
    and comments that follow it, which belong to what comes next."""
    if isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _end(last[1] if isinstance(node, yaml.MappingNode) else last, text)
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1  # a block scalar (|, >) ends after its line break
    return end


def _list_entry(root: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(root, yaml.MappingNode):
        raise DraftUnreadable("not_mapping")
    for name, value in root.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            return name, value
    return None


def _spans(value: yaml.Node, data: Any, text: str) -> list[RuleSpan]:
    if not isinstance(value, yaml.SequenceNode) or not isinstance(data, list):
        return []
    spans = []
    for index, (item, rule) in enumerate(zip(value.value, data, strict=True)):
        if isinstance(rule, dict):
            end = _end(item, text)
            end_line = text.count("\n", 0, end) + 1
            line = item.start_mark.line + 1
            spans.append(RuleSpan(index, rule, item.start_mark.index, end, line, end_line))
    return spans


# A document kind: the key that names it, and the key of its list of rules (or items).
KEYS = {"pack": ("pack", "rules"), "scorecard": ("scorecard", "items")}


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    data: dict[str, Any]
    kind: str
    entry: tuple[yaml.Node, yaml.Node] | None  # the ``rules`` (``items``) key and its value
    spans: list[RuleSpan]

    @property
    def key(self) -> str:
        return KEYS[self.kind][1]

    @property
    def name(self) -> str:
        """What validation calls the draft's file (``NAME.yaml``)."""
        name = self.data.get(KEYS[self.kind][0])
        return name if isinstance(name, str) and is_safe_name(name) else "draft"


def read_draft(text: str, kind: str = "pack") -> Draft:
    """The draft parsed once: its data, where its ``rules:`` (a scorecard's ``items:``) are,
    and each one's span."""
    key = KEYS[kind][1]
    root, data = _compose(text)
    entry = _list_entry(root, key)
    spans = _spans(entry[1], data.get(key), text) if entry is not None else []
    return Draft(text, data, kind, entry, spans)


def rule_spans(text: str, kind: str = "pack") -> list[RuleSpan]:
    """Every rule (item) of the draft that is a mapping, with where its text is."""
    return read_draft(text, kind).spans


class _RuleDumper(yaml.SafeDumper):
    """Block YAML down to the rule itself; a list or mapping inside a rule that fits on one
    short line stays on it (``window: {first_turns: 2}``, ``params: {phrases: [...]}``), as
    the built-in packs are written."""

    FLOW_MAX = 80
    BILINGUAL_FLOW_MAX = 48
    BLOCK_LEVELS = 1  # the rule's own mapping

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._depth = 0

    def ignore_aliases(self, data: Any) -> bool:
        return True  # the bounded loader refuses anchors and aliases

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style  # "@greeting", as the packs write it

    def _flow(self, data: Any) -> bool:
        if self._depth < self.BLOCK_LEVELS:
            return False
        text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=True, width=10**6)
        if isinstance(data, dict) and set(data) == {"en", "zh"}:
            # A text in both languages: a name on one line, a description one language a
            # line, as the shipped packs write them.
            return len(text) <= self.BILINGUAL_FLOW_MAX
        return len(text) <= self.FLOW_MAX

    def represent_mapping(self, tag: str, mapping: Any, flow_style: bool | None = None) -> Any:
        flow = self._flow(mapping)
        if isinstance(mapping, dict) and set(mapping) == {"en", "zh"}:
            mapping = {k: _Quoted(v) if isinstance(v, str) else v for k, v in mapping.items()}
        self._depth += 1
        try:
            return super().represent_mapping(tag, mapping, flow)
        finally:
            self._depth -= 1

    def represent_sequence(self, tag: str, sequence: Any, flow_style: bool | None = None) -> Any:
        flow = self._flow(sequence)
        self._depth += 1
        try:
            return super().represent_sequence(tag, sequence, flow)
        finally:
            self._depth -= 1


class _Quoted(str):
    """A text of a name or description, double-quoted as the shipped packs write them."""


def _represent_quoted(dumper: yaml.SafeDumper, data: _Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')


_RuleDumper.add_representer(_Quoted, _represent_quoted)


class _RulesDumper(_RuleDumper):
    BLOCK_LEVELS = 3  # the document, its rules list, each rule


def _dump(data: Any, dumper: type[_RuleDumper] = _RuleDumper) -> str:
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)


def dump_rule(rule: dict[str, Any], indent: int) -> str:
    """A rule as block YAML whose lines after the first are indented by ``indent``."""
    return _dump(rule).rstrip("\n").replace("\n", "\n" + " " * indent)


def _dash_column(text: str, item_start: int, column: int) -> int:
    """The column of the ``-`` that opens a block sequence item starting at ``item_start``."""
    at = item_start - 1
    while at >= 0 and text[at] == " ":
        at -= 1
    line_start = text.rfind("\n", 0, item_start) + 1
    return at - line_start if at >= line_start and text[at] == "-" else max(column - 2, 0)


def _splice(text: str, value: yaml.Node, spans: list[RuleSpan], rule: dict, replace: str) -> str:
    """The rule written in place of the rule ``replace`` names, else after the last rule."""
    target = next((s for s in spans if s.id == replace), None)
    if target is not None:
        column = value.value[target.index].start_mark.column
        return text[: target.start] + dump_rule(rule, column) + text[target.end :]
    last = spans[-1]
    item = value.value[last.index]
    dash = _dash_column(text, item.start_mark.index, item.start_mark.column)
    added = "\n\n" + " " * dash + "- " + dump_rule(rule, dash + 2)
    return text[: last.end] + added + text[last.end :]


def _rewrite_rules(
    text: str, entry: tuple[yaml.Node, yaml.Node] | None, key: str, rules: list
) -> str:
    """The ``rules:`` (``items:``) list written out again as a whole (or added at the end)."""
    block = _dump({key: rules}, _RulesDumper).rstrip("\n")
    if entry is None:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    key, value = entry
    if key.start_mark.column != 0:
        raise DraftUnreadable("not_mapping")
    return text[: key.start_mark.index] + block + text[_end(value, text) :]


def _line_of(text: str, draft: Draft, rule: dict[str, Any]) -> int | None:
    """The line ``rule`` starts on in ``text`` when the text parses and holds exactly it.

    Parsed as validation parses (``parse_yaml`` keeps the result by the text's digest), so
    checking the written draft afterwards does not parse it again."""
    try:
        doc = parse_yaml(text, f"{draft.name}.yaml")
    except RulePackError:
        return None
    rules = doc.data.get(draft.key)
    found = [i for i, r in enumerate(rules) if r == rule] if isinstance(rules, list) else []
    return doc.lines.get((draft.key, found[0])) if found else None


def put_rule(
    draft: Draft, rule: dict[str, Any], replace: str | None = None
) -> tuple[str, int, int]:
    """The draft's text with ``rule`` written in, and its first and last line: in place of
    the rule whose id is ``replace`` (by default the rule's own id), else after the last
    rule; the rest of the text is kept."""
    text, entry, spans = draft.text, draft.entry, draft.spans
    wanted = replace or rule.get("id")
    height = dump_rule(rule, 0).count("\n")
    if spans and entry is not None:
        spliced = _splice(text, entry[1], spans, rule, wanted)
        line = _line_of(spliced, draft, rule)
        if line is not None:
            return spliced, line, line + height
    rules = draft.data.get(draft.key)
    rules = rules if isinstance(rules, list) else []
    same = [i for i, r in enumerate(rules) if isinstance(r, dict) and r.get("id") == wanted]
    at = same[0] if same else len(rules)
    kept = [r for i, r in enumerate(rules) if i not in same]
    rewritten = _rewrite_rules(text, entry, draft.key, [*kept[:at], rule, *kept[at:]])
    line = _line_of(rewritten, draft, rule)
    if line is None:
        raise DraftUnreadable("yaml")
    return rewritten, line, line + height
