"""Inspection: load a rule pack and its scorecard, run the checks, score the call.

``run_checks`` is what the pipeline calls after the transcript; ``rescore`` and
``qa-service rules ...`` use the same functions on stored transcripts.
Pack problems are reported as ``FILE:LINE: field: message`` and refuse the pack whole.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qa_service.config import get_settings
from qa_service.domain.checks import CheckContext
from qa_service.domain.checks.logic import semantic_installed
from qa_service.domain.metrics import compute_metrics
from qa_service.domain.results import CallScore, Finding
from qa_service.domain.rulepack import (
    Loc,
    PackInvalid,
    Problem,
    RulePack,
    RulePackError,
    Scorecard,
    build_pack,
    build_scorecard,
)
from qa_service.domain.scoring import score_call
from qa_service.domain.transcript import Transcript

DEFAULT_PACKS = {"zh": "zh-default", "en": "en-default"}
FALLBACK_LANGUAGE = "en"
PACK_SUFFIXES = (".yaml", ".yml")
SCORECARDS_DIR = "scorecards"


@dataclass
class InspectionOutcome:
    findings: list[Finding]
    score: CallScore
    metrics: dict[str, Any] = field(default_factory=dict)


def default_pack_name(language: str | None) -> str:
    base = (language or FALLBACK_LANGUAGE).split("-")[0].lower()
    return DEFAULT_PACKS.get(base, DEFAULT_PACKS[FALLBACK_LANGUAGE])


def run_checks(
    transcript: Transcript, pack: str | Path | RulePack | None = None
) -> InspectionOutcome:
    """Findings, score and metrics of one transcript under a pack (default: by language)."""
    if not isinstance(pack, RulePack):
        pack = load_pack(pack if pack is not None else default_pack_name(transcript.language))
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
    return InspectionOutcome(findings, score_call(findings, pack.scorecard), metrics)


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


def resolve_scorecard_path(name: str, pack_path: Path) -> Path:
    if name.endswith(PACK_SUFFIXES):
        candidates = [pack_path.parent / name, Path(name)]
    else:
        candidates = [
            pack_path.parent / SCORECARDS_DIR / f"{name}.yaml",
            rules_dir() / SCORECARDS_DIR / f"{name}.yaml",
        ]
    for path in candidates:
        if path.is_file():
            return path
    raise RulePackError(
        f"{pack_path}: scorecard {name!r} not found (looked in "
        f"{', '.join(str(c.parent) for c in candidates)})"
    )


_CACHE: dict[Path, tuple[tuple[float, ...], RulePack]] = {}
# Packs validated from temporary folders (uploads) must not pile up in a long-lived server.
CACHE_SIZE = 64


def load_pack(pack: str | Path) -> RulePack:
    """Load and validate a pack; any problem refuses it whole with ``RulePackError``."""
    path = resolve_pack_path(pack)
    doc = read_yaml(path)
    scorecard_name = doc.data.get("scorecard", "standard") if isinstance(doc.data, dict) else None
    scorecard_doc = None
    if isinstance(scorecard_name, str):
        scorecard_doc = read_yaml(resolve_scorecard_path(scorecard_name, path))
    stamp = (path.stat().st_mtime, scorecard_doc.path.stat().st_mtime if scorecard_doc else 0.0)
    key = path.resolve()
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    _import_plugins(doc)
    scorecard = _build_scorecard(scorecard_doc) if scorecard_doc else None
    try:
        rule_pack = build_pack(doc.data, scorecard, source=str(path))
    except PackInvalid as exc:
        docs = {"pack": doc, "scorecard": scorecard_doc or doc}
        raise _pack_error([docs[p.document].describe(p) for p in exc.problems]) from None
    _CACHE.pop(key, None)
    if len(_CACHE) >= CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    _CACHE[key] = (stamp, rule_pack)
    return rule_pack


def load_scorecard(path: Path) -> Scorecard:
    return _build_scorecard(read_yaml(path))


def _build_scorecard(doc: YamlDoc) -> Scorecard:
    try:
        return build_scorecard(doc.data)
    except PackInvalid as exc:
        raise _pack_error([doc.describe(p) for p in exc.problems]) from None


def _import_plugins(doc: YamlDoc) -> None:
    """Modules that register custom check types; imported before the rules are validated."""
    plugins = doc.data.get("plugins") if isinstance(doc.data, dict) else None
    if not isinstance(plugins, list):
        return
    problems = []
    for k, module in enumerate(plugins):
        try:
            importlib.import_module(str(module))
        except Exception as exc:  # any import failure is the pack author's to fix
            problems.append(
                doc.describe(Problem(("plugins", k), f"cannot import {module!r}: {exc}"))
            )
    if problems:
        raise _pack_error(problems)


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
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(f"{path}: cannot read ({exc})") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise RulePackError(f"{path}:{line}: YAML syntax error: {exc.problem}") from None
    except yaml.YAMLError as exc:
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
