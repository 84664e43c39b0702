"""Inspection: load a rule pack and its scorecard, run the checks, score the call.

``run_checks`` is what the pipeline calls after the transcript; ``rescore`` and
``qa-service rules ...`` use the same functions on stored transcripts.
Pack problems are reported as ``FILE:LINE: field: message`` and refuse the pack whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from qa_service import safe_yaml
from qa_service.config import get_settings
from qa_service.domain.checks import CheckContext
from qa_service.domain.checks.logic import semantic_installed
from qa_service.domain.metrics import compute_metrics
from qa_service.domain.pack_inheritance import MAX_DEPTH, Merged, merge, root
from qa_service.domain.results import CallScore, Finding
from qa_service.domain.rulepack import (
    DEFAULT_SCORECARD,
    ID_PATTERN,
    Loc,
    PackInvalid,
    Problem,
    RulePack,
    RulePackError,
    Scorecard,
    build_pack,
    build_scorecard,
    is_safe_name,
)
from qa_service.domain.scoring import score_call
from qa_service.domain.transcript import Transcript

DEFAULT_PACKS = {"zh": "zh-default", "en": "en-default"}
# Written conversations get the language's chat pack (``LANG-chat``) when the rules folder
# has one, else the language's default pack (whose timing rules then are not evaluated).
CHAT_PACK_SUFFIX = "-chat"
FALLBACK_LANGUAGE = "en"
PACK_SUFFIXES = (".yaml", ".yml")
SCORECARDS_DIR = "scorecards"


@dataclass
class InspectionOutcome:
    findings: list[Finding]
    score: CallScore
    metrics: dict[str, Any] = field(default_factory=dict)


def default_pack_name(language: str | None, channel: str = "voice") -> str:
    """The pack a call gets when none is named: by language, and by channel for chats."""
    base = (language or FALLBACK_LANGUAGE).split("-")[0].lower()
    if base not in DEFAULT_PACKS:
        base = FALLBACK_LANGUAGE
    if channel == "chat" and f"{base}{CHAT_PACK_SUFFIX}" in available_packs():
        return f"{base}{CHAT_PACK_SUFFIX}"
    return DEFAULT_PACKS[base]


def run_checks(
    transcript: Transcript, pack: str | Path | RulePack | None = None
) -> InspectionOutcome:
    """Findings, score and metrics of one transcript under a pack (default: by language)."""
    if not isinstance(pack, RulePack):
        if pack is None:
            pack = default_pack_name(transcript.language, transcript.channel)
        pack = load_pack(pack)
    return inspect(transcript, pack)


def inspect(transcript: Transcript, pack: RulePack) -> InspectionOutcome:
    if not semantic_installed():
        from qa_service.engines.embedding import install_similarity

        install_similarity(get_settings())
    ctx = CheckContext(transcript, pack.settings, vocabulary=pack.vocabulary)
    findings: list[Finding] = []
    for rule in pack.rules:
        if rule.check.needs_channels and not ctx.separate_channels:
            ctx.note_not_evaluated(rule, "needs each party on its own channel")
            continue
        if rule.check.needs_timing and not transcript.real_timestamps:
            ctx.note_not_evaluated(rule, "needs the real times of the messages")
            continue
        if rule.check.needs_speech and not ctx.spoken(ctx.select(rule.role, rule.window)):
            who = "" if rule.role == "any" else f"{rule.role} "
            ctx.note_not_evaluated(rule, f"no {who}speech in the rule's window")
            continue
        findings.extend(rule.check.run(ctx, rule, rule.params))
    findings.sort(key=lambda f: (f.start is None, f.start or 0.0, f.rule_id))
    metrics = compute_metrics(
        transcript,
        silence_min_s=pack.settings.silence_min_s,
        overlap_min_s=pack.settings.overlap_min_s,
        separate_channels=ctx.separate_channels,
        is_backchannel=ctx.is_backchannel,
    )
    metrics["rule_pack"] = pack.name
    metrics["not_evaluated"] = ctx.not_evaluated
    score = score_call(findings, pack.scorecard, ctx.not_evaluated)
    return InspectionOutcome(findings, score, metrics)


# Loading -------------------------------------------------------------------------------


def rules_dir() -> Path:
    return Path(get_settings().rules_dir)


def available_packs() -> list[str]:
    folder = rules_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def resolve_pack_path(pack: str | Path) -> Path:
    """A pack name under the rules directory, or a path to a YAML file."""
    text = str(pack)
    if isinstance(pack, Path) or text.endswith(PACK_SUFFIXES) or "/" in text or "\\" in text:
        path = Path(pack)
        if not path.is_file():
            raise RulePackError(f"{path}: rule pack file not found")
        return path
    path = rules_dir() / f"{text}.yaml"
    if not path.is_file():
        known = ", ".join(available_packs()) or "none"
        raise RulePackError(f"no rule pack named {text!r} in {rules_dir()} (available: {known})")
    return path


def _scorecard_folders(pack_path: Path) -> tuple[Path, Path]:
    return pack_path.parent / SCORECARDS_DIR, rules_dir() / SCORECARDS_DIR


def resolve_scorecard_path(name: str, pack_path: Path) -> Path | None:
    """The scorecard a pack names: ``scorecards/NAME.yaml`` beside the pack, else in the
    rules directory. A name is never a path (``is_safe_name``), so nothing outside those
    folders is ever read, and whether other files exist is never told."""
    if not is_safe_name(name):
        return None
    for folder in _scorecard_folders(pack_path):
        path = folder / f"{name}.yaml"
        if path.is_file():
            return path
    return None


def available_scorecards(pack_path: Path) -> list[str]:
    folders = [f for f in _scorecard_folders(pack_path) if f.is_dir()]
    return sorted({p.stem for folder in folders for p in folder.glob("*.yaml")})


def _scorecard_doc(name: Any, doc: YamlDoc) -> YamlDoc | None:
    """The YAML of the scorecard that ``doc`` (a pack of the chain) names; None when it is
    inline (or not a name: the pack's validation says why)."""
    if not isinstance(name, str) or not is_safe_name(name):
        return None
    path = resolve_scorecard_path(name, doc.path)
    if path is None:
        known = ", ".join(available_scorecards(doc.path)) or "none"
        message = f"scorecard {name!r} not found (available: {known})"
        raise _pack_error([doc.describe(Problem(("scorecard",), message))])
    return read_yaml(path)


_CACHE: dict[Path, tuple[tuple[float, ...], RulePack]] = {}
# Packs validated from temporary folders (uploads) must not pile up in a long-lived server.
CACHE_SIZE = 64


def load_pack(pack: str | Path) -> RulePack:
    """Load and validate a pack; any problem refuses it whole with ``RulePackError``."""
    path = resolve_pack_path(pack)
    chain = pack_chain(path)
    merged = merge_chain(chain)
    data = merged.data
    named_in = chain[merged.key_origins.get(("scorecard",), 0)]
    scorecard_doc = _scorecard_doc(data.get("scorecard", DEFAULT_SCORECARD), named_in)
    stamp = tuple(d.path.stat().st_mtime for d in chain)
    stamp += (scorecard_doc.path.stat().st_mtime if scorecard_doc else 0.0,)
    key = path.resolve()
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    scorecard = _build_scorecard(scorecard_doc) if scorecard_doc else None
    problems = list(merged.problems)
    try:
        rule_pack = build_pack(data, scorecard, source=str(path))
    except PackInvalid as exc:
        problems += exc.problems
    if problems:
        raise _pack_error([_describe(p, chain, merged, scorecard_doc) for p in problems])
    _CACHE.pop(key, None)
    if len(_CACHE) >= CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    _CACHE[key] = (stamp, rule_pack)
    return rule_pack


def pack_chain(path: Path) -> list[YamlDoc]:
    """The pack and the packs it extends, the furthest ancestor first.

    A parent is found by name in the rules folder only (pack content is untrusted: never a
    path), at most ``MAX_DEPTH`` levels up, never twice.
    """
    chain = [read_yaml(path)]
    seen = {path.resolve()}
    while "extends" in chain[0].data:
        child = chain[0]
        name = child.data["extends"]
        where = Problem(("extends",), "")
        if not isinstance(name, str) or not re.fullmatch(ID_PATTERN, name):
            raise _pack_error([child.describe(replace(where, message="must be a pack name"))])
        parent = rules_dir() / f"{name}.yaml"
        if not parent.is_file():
            known = ", ".join(available_packs()) or "none"
            why = f"no pack named {name!r} in the rules folder (available: {known})"
            raise _pack_error([child.describe(replace(where, message=why))])
        if parent.resolve() in seen or len(chain) > MAX_DEPTH:
            why = f"extending {name!r} makes a loop or a chain over {MAX_DEPTH} packs"
            raise _pack_error([child.describe(replace(where, message=why))])
        seen.add(parent.resolve())
        chain.insert(0, read_yaml(parent))
    return chain


def merge_chain(chain: list[YamlDoc]) -> Merged:
    merged = root(chain[0].data)
    for index, doc in enumerate(chain[1:], start=1):
        merged = merge(merged, doc.data, index)
    return merged


def _describe(
    problem: Problem, chain: list[YamlDoc], merged: Merged, scorecard_doc: YamlDoc | None
) -> str:
    """``FILE:LINE: field: message`` in the file of the chain that has the faulty part."""
    if problem.document == "scorecard" and scorecard_doc is not None:
        return scorecard_doc.describe(problem)
    loc = problem.loc
    inherited_rule = len(loc) > 1 and loc[0] == "rules" and isinstance(loc[1], int)
    if inherited_rule and loc[1] < len(merged.rule_origins):
        doc, index = merged.rule_origins[loc[1]]
        return chain[doc].describe(replace(problem, loc=("rules", index, *loc[2:])))
    for prefix in (loc[:2], loc[:1]):
        if prefix in merged.key_origins:
            return chain[merged.key_origins[prefix]].describe(problem)
    having = [d for d in chain if loc and isinstance(d.data, dict) and loc[0] in d.data]
    return (having[-1] if having else chain[-1]).describe(problem)


def load_scorecard(path: Path) -> Scorecard:
    return _build_scorecard(read_yaml(path))


def _build_scorecard(doc: YamlDoc) -> Scorecard:
    try:
        return build_scorecard(doc.data)
    except PackInvalid as exc:
        raise _pack_error([doc.describe(p) for p in exc.problems]) from None


def _pack_error(problems: list[str]) -> RulePackError:
    more = len(problems) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return RulePackError(problems[0] + suffix, problems)


# YAML with line numbers ------------------------------------------------------------------


@dataclass
class YamlDoc:
    path: Path
    data: Any
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int:
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return 1

    def describe(self, problem: Problem) -> str:
        where = format_loc(problem.loc)
        field_part = f"{where}: " if where else ""
        return f"{self.path}:{self.line_of(problem.loc)}: {field_part}{problem.message}"


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_yaml(path: Path) -> YamlDoc:
    """Parse YAML keeping the line of every key and list item; duplicate keys are errors."""
    try:
        if path.stat().st_size > safe_yaml.MAX_BYTES:
            raise RulePackError(f"{path}: larger than {safe_yaml.MAX_BYTES // 1024} KiB")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(f"{path}: cannot read ({exc})") from None
    loader = safe_yaml.BoundedLoader(text)
    try:
        node, data = safe_yaml.compose(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise RulePackError(f"{path}:{line}: YAML syntax error: {exc.problem}") from None
    except (yaml.YAMLError, ValueError) as exc:
        raise RulePackError(f"{path}: YAML error: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise RulePackError(f"{path}:1: the file must be a mapping of keys (pack:, rules:, ...)")
    lines: dict[Loc, int] = {(): 1}
    duplicates = [
        f"{path}:{line}: {format_loc(loc)}: duplicate key" for loc, line in _walk(node, (), lines)
    ]
    if duplicates:
        raise _pack_error(duplicates)
    return YamlDoc(path, data, lines)


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> Iterator[tuple[Loc, int]]:
    """Record lines under ``loc``; yield the location of every duplicate key."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_loc = (*loc, str(key_node.value))
            if key_loc in lines:
                yield key_loc, key_node.start_mark.line + 1
            lines[key_loc] = key_node.start_mark.line + 1
            yield from _walk(value_node, key_loc, lines)
    elif isinstance(node, yaml.SequenceNode):
        for k, item in enumerate(node.value):
            lines[(*loc, k)] = item.start_mark.line + 1
            yield from _walk(item, (*loc, k), lines)
