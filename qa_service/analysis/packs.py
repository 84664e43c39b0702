"""Rule packs and scorecards: find them, read their YAML with line numbers, load and validate.

A pack is a name in the rules folder (``settings.rules_dir``) or a YAML file; it may extend
packs of that folder and names a scorecard. Any problem refuses the pack whole; each problem
is a ``Problem`` with its file, line and field. Running a pack is ``analysis.inspect.run``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from qa_service import safe_yaml
from qa_service.config import get_settings
from qa_service.domain.pack_inheritance import MAX_DEPTH, Merged, merge, root
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
from qa_service.domain.transcript import Transcript
from qa_service.domain.vocabulary import Channel
from qa_service.errors import InputError

DEFAULT_PACKS = {"zh": "zh-default", "en": "en-default"}
# Written conversations get the language's chat pack (``LANG-chat``) when the rules folder
# has one, else the language's default pack (whose timing rules then are not evaluated).
CHAT_PACK_SUFFIX = "-chat"
FALLBACK_LANGUAGE = "en"
PACK_SUFFIXES = (".yaml", ".yml")
SCORECARDS_DIR = "scorecards"


@dataclass(frozen=True, slots=True)
class PackRef:
    """A rule pack as a call or a request names it: ``NAME`` (the newest stored version, else
    the built-in pack) or ``NAME@VERSION`` (one stored version). ``str()`` gives it back."""

    name: str
    version: int | None = None

    @classmethod
    def parse(cls, text: str) -> PackRef:
        """``NAME`` or ``NAME@VERSION``; a path or a version that is not a number is refused."""
        name, sep, version = text.strip().partition("@")
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise InputError(f"{text!r} is not a rule pack name (NAME or NAME@VERSION)")
        if not sep:
            return cls(name)
        if not version.isdigit():
            raise InputError(f"{text!r}: the version after '@' must be a number")
        return cls(name, int(version))

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name}@{self.version}"


def default_pack_name(
    language: str | None, channel: str = Channel.voice, folder: Path | None = None
) -> str:
    """The pack a call gets when none is named: by language, and by channel for chats."""
    base = (language or FALLBACK_LANGUAGE).split("-")[0].lower()
    if base not in DEFAULT_PACKS:
        base = FALLBACK_LANGUAGE
    if channel == Channel.chat and f"{base}{CHAT_PACK_SUFFIX}" in available_packs(folder):
        return f"{base}{CHAT_PACK_SUFFIX}"
    return DEFAULT_PACKS[base]


def pack_for(
    transcript: Transcript, pack: str | Path | None, folder: Path | None = None
) -> RulePack:
    """The named pack (a name in ``folder`` or a file), else the transcript's default one."""
    if pack is None:
        pack = default_pack_name(transcript.language, transcript.channel, folder)
    return load_pack(pack, folder)


def rules_dir(folder: Path | None = None) -> Path:
    """``folder`` when given (the app's or worker's ``settings.rules_dir``), else the
    process's settings: what the CLI and scripts use."""
    return Path(folder) if folder is not None else Path(get_settings().rules_dir)


def available_packs(folder: Path | None = None) -> list[str]:
    folder = rules_dir(folder)
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def resolve_pack_path(pack: str | Path, folder: Path | None = None) -> Path:
    """A pack name under the rules directory, or a path to a YAML file."""
    text = str(pack)
    if isinstance(pack, Path) or text.endswith(PACK_SUFFIXES) or "/" in text or "\\" in text:
        path = Path(pack)
        if not path.is_file():
            raise RulePackError(f"{path}: rule pack file not found")
        return path
    path = rules_dir(folder) / f"{text}.yaml"
    if not path.is_file():
        known = ", ".join(available_packs(folder)) or "none"
        where = rules_dir(folder)
        raise RulePackError(f"no rule pack named {text!r} in {where} (available: {known})")
    return path


def load_pack(pack: str | Path, folder: Path | None = None) -> RulePack:
    """Load and validate a pack file (or a name in the rules folder); any problem refuses it
    whole with ``RulePackError``. ``folder``: the rules folder (default: the process's)."""
    return _load(read_yaml(resolve_pack_path(pack, folder)), folder, {})


def load_pack_text(
    text: str, name: str, folder: Path | None = None, scorecards: dict[str, str] | None = None
) -> RulePack:
    """A pack given as text (an upload, a stored version), named ``NAME.yaml`` in its problems,
    with the scorecards it pins as ``{name: text}``; nothing is written anywhere."""
    for what, value in (("rule pack", name), *(("scorecard", n) for n in scorecards or {})):
        # Names come from pack content (older stored rows included): never a path.
        if not is_safe_name(value):
            raise RulePackError(f"{value!r} is not a {what} name")
    pinned = {n: parse_yaml(t, f"{SCORECARDS_DIR}/{n}.yaml") for n, t in (scorecards or {}).items()}
    return _load(parse_yaml(text, f"{name}.yaml"), folder, pinned)


def check_pack_text(
    text: str, name: str, folder: Path | None = None, scorecards: dict[str, str] | None = None
) -> RulePack | list[Problem]:
    """``load_pack_text``, with its problems returned instead of raised (for editors)."""
    try:
        return load_pack_text(text, name, folder, scorecards)
    except RulePackError as exc:
        return exc.structured


def load_scorecard(path: Path) -> Scorecard:
    return _build_scorecard(read_yaml(path))


def load_scorecard_text(text: str, name: str) -> Scorecard:
    """A scorecard given as text, named ``NAME.yaml`` in its problems."""
    return _build_scorecard(parse_yaml(text, f"{name}.yaml"))


_CACHE: dict[tuple, RulePack] = {}
# Packs validated from uploads must not pile up in a long-lived server.
CACHE_SIZE = 64


def _load(top: YamlDoc, folder: Path | None, pinned: dict[str, YamlDoc]) -> RulePack:
    chain = pack_chain(top, folder)
    merged = merge_chain(chain)
    data = merged.data
    named_in = chain[merged.key_origins.get(("scorecard",), 0)]
    scorecard_name = data.get("scorecard", DEFAULT_SCORECARD)
    scorecard_doc = _scorecard_doc(scorecard_name, named_in, folder, pinned)
    # The texts themselves are the key: an edited file or another upload loads afresh.
    key = (*((d.name, d.digest) for d in chain), scorecard_doc.digest if scorecard_doc else "")
    if key in _CACHE:
        return _CACHE[key]
    scorecard = _build_scorecard(scorecard_doc) if scorecard_doc else None
    problems = list(merged.problems)
    try:
        rule_pack = build_pack(data, scorecard, source=top.name)
    except PackInvalid as exc:
        problems += exc.problems
    if problems:
        raise RulePackError([_locate(p, chain, merged, scorecard_doc) for p in problems])
    if len(_CACHE) >= CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    _CACHE[key] = rule_pack
    return rule_pack


def _scorecard_doc(
    name: Any, doc: YamlDoc, folder: Path | None, pinned: dict[str, YamlDoc]
) -> YamlDoc | None:
    """The YAML of the scorecard that ``doc`` (a pack of the chain) names: pinned with an
    uploaded pack or beside a pack file, else in the rules folder. None when it is inline (or
    not a name: the pack's validation says why). A name is never a path (``is_safe_name``),
    so nothing outside those folders is read, and whether other files exist is never told."""
    if not isinstance(name, str) or not is_safe_name(name):
        return None
    shared = rules_dir(folder) / SCORECARDS_DIR
    beside = doc.path.parent / SCORECARDS_DIR if doc.path is not None else None
    if doc.path is None and name in pinned:
        return pinned[name]
    for where in (beside, shared):
        if where is not None and (where / f"{name}.yaml").is_file():
            return read_yaml(where / f"{name}.yaml")
    known = set(pinned) if doc.path is None else set()
    for where in (beside, shared):
        if where is not None and where.is_dir():
            known |= {p.stem for p in where.glob("*.yaml")}
    message = f"scorecard {name!r} not found (available: {', '.join(sorted(known)) or 'none'})"
    raise RulePackError(doc.locate(Problem(("scorecard",), message)))


def pack_chain(top: YamlDoc, folder: Path | None = None) -> list[YamlDoc]:
    """The pack and the packs it extends, the furthest ancestor first.

    A parent is found by name in the rules folder only (pack content is untrusted: never a
    path), at most ``MAX_DEPTH`` levels up, never twice.
    """
    chain = [top]
    seen = {top.path.resolve()} if top.path is not None else set()
    while "extends" in chain[0].data:
        child = chain[0]
        name = child.data["extends"]
        where = Problem(("extends",), "")
        if not isinstance(name, str) or not re.fullmatch(ID_PATTERN, name):
            raise RulePackError(child.locate(replace(where, message="must be a pack name")))
        parent = rules_dir(folder) / f"{name}.yaml"
        if not parent.is_file():
            known = ", ".join(available_packs(folder)) or "none"
            why = f"no pack named {name!r} in the rules folder (available: {known})"
            raise RulePackError(child.locate(replace(where, message=why)))
        if parent.resolve() in seen or len(chain) > MAX_DEPTH:
            why = f"extending {name!r} makes a loop or a chain over {MAX_DEPTH} packs"
            raise RulePackError(child.locate(replace(where, message=why)))
        seen.add(parent.resolve())
        chain.insert(0, read_yaml(parent))
    return chain


def merge_chain(chain: list[YamlDoc]) -> Merged:
    merged = root(chain[0].data)
    for index, doc in enumerate(chain[1:], start=1):
        merged = merge(merged, doc.data, index)
    return merged


def _locate(
    problem: Problem, chain: list[YamlDoc], merged: Merged, scorecard_doc: YamlDoc | None
) -> Problem:
    """The problem with the file and line, in the document of the chain with the faulty part."""
    if problem.document == "scorecard" and scorecard_doc is not None:
        return scorecard_doc.locate(problem)
    loc = problem.loc
    inherited_rule = len(loc) > 1 and loc[0] == "rules" and isinstance(loc[1], int)
    if inherited_rule and loc[1] < len(merged.rule_origins):
        doc, index = merged.rule_origins[loc[1]]
        return chain[doc].locate(replace(problem, loc=("rules", index, *loc[2:])))
    for prefix in (loc[:2], loc[:1]):
        if prefix in merged.key_origins:
            return chain[merged.key_origins[prefix]].locate(problem)
    having = [d for d in chain if loc and isinstance(d.data, dict) and loc[0] in d.data]
    return (having[-1] if having else chain[-1]).locate(problem)


def _build_scorecard(doc: YamlDoc) -> Scorecard:
    try:
        return build_scorecard(doc.data)
    except PackInvalid as exc:
        raise RulePackError([doc.locate(p) for p in exc.problems]) from None


# YAML with line numbers ------------------------------------------------------------------


@dataclass(frozen=True)
class YamlDoc:
    name: str  # how problems name it: the file's path, or NAME.yaml for text
    data: Any
    lines: dict[Loc, int]
    path: Path | None = None  # None: given as text
    digest: str = ""

    def line_of(self, loc: Loc) -> int:
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return 1

    def locate(self, problem: Problem) -> Problem:
        return replace(problem, file=self.name, line=self.line_of(problem.loc))


def read_yaml(path: Path) -> YamlDoc:
    """A YAML file, parsed as ``parse_yaml`` does, named by its path."""
    try:
        if path.stat().st_size > safe_yaml.MAX_BYTES:
            raise RulePackError(f"{path}: larger than {safe_yaml.MAX_BYTES // 1024} KiB")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(f"{path}: cannot read ({exc})") from None
    return replace(parse_yaml(text, str(path)), path=path)


# Parsed documents by (name, digest of the text): the same pack files are read for every
# call, and the line-keeping parser is pure Python. Nothing mutates a parsed document (the
# merge copies what it changes); bounded like the pack cache.
_PARSED: dict[tuple[str, str], YamlDoc] = {}


def parse_yaml(text: str, name: str) -> YamlDoc:
    """Parse YAML keeping the line of every key and list item; duplicate keys are errors."""
    key = (name, hashlib.sha256(text.encode("utf-8")).hexdigest())
    if key not in _PARSED:
        if len(_PARSED) >= CACHE_SIZE:
            del _PARSED[next(iter(_PARSED))]
        _PARSED[key] = _parse_yaml(text, name, key[1])
    return _PARSED[key]


def _parse_yaml(text: str, name: str, digest: str) -> YamlDoc:
    loader = safe_yaml.BoundedLoader(text)
    try:
        node, data = safe_yaml.compose(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = Problem((), f"YAML syntax error: {exc.problem}", file=name, line=line)
        raise RulePackError(problem) from None
    except (yaml.YAMLError, ValueError) as exc:
        raise RulePackError(f"{name}: YAML error: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        message = "the file must be a mapping of keys (pack:, rules:, ...)"
        raise RulePackError(Problem((), message, file=name, line=1))
    lines: dict[Loc, int] = {(): 1}
    duplicates = [
        Problem(loc, "duplicate key", file=name, line=line) for loc, line in _walk(node, (), lines)
    ]
    if duplicates:
        raise RulePackError(duplicates)
    return YamlDoc(name, data, lines, digest=digest)


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
