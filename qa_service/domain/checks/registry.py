"""The one registry of check types. Built-in operators register here exactly like custom ones.

A custom check is a function ``(ctx, rule, params) -> list[Finding]`` with a ``Params``
model for its parameters::

    from qa_service.domain.checks import CheckContext, Params, register_check

    class LongCallParams(Params):
        max_s: float = 600

    @register_check("long_call", LongCallParams)
    def long_call(ctx, rule, params):
        if ctx.transcript.duration_s <= params.max_s:
            return []
        return [ctx.call_finding(rule, f"call lasted {ctx.transcript.duration_s:.0f} s")]

A pack is data and never names code: custom check types come from what the administrator
installed, Python entry points in the group ``qa_service.checks`` (the entry point's name is
the check type; loading it imports the module whose ``register_check`` registers it)::

    [project.entry-points."qa_service.checks"]
    long_call = "my_checks:long_call"

They are loaded once per process, at start or on the first look-up of a check type.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qa_service.domain.checks.params import Params

if TYPE_CHECKING:
    from qa_service.domain.checks.context import CheckContext
    from qa_service.domain.results import Finding
    from qa_service.domain.rulepack import Rule

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "qa_service.checks"
CheckFn = Callable[["CheckContext", "Rule", Any], "list[Finding]"]


@dataclass(frozen=True, slots=True)
class CheckType:
    name: str
    params: type[Params]
    run: CheckFn
    # Needs each party on its own channel (overlaps cannot be seen in a mixed recording).
    needs_channels: bool
    summary: str
    # Needs the real times things were said or sent (not a chat log's made-up timeline).
    needs_timing: bool = False
    # Judges what the rule's role said in its window: with no speech there the rule is
    # listed in not_evaluated instead of being run (a closing cannot be missing from a call
    # whose agent never spoke after the opening).
    needs_speech: bool = True


_CHECKS: dict[str, CheckType] = {}
# Entry points already loaded, by "name = value": each is imported once per process.
_LOADED: set[str] = set()
_SCANNED = False


def register_check(
    name: str,
    params: type[Params],
    *,
    needs_channels: bool = False,
    needs_timing: bool = False,
    needs_speech: bool = True,
) -> Callable[[CheckFn], CheckFn]:
    def decorate(fn: CheckFn) -> CheckFn:
        existing = _CHECKS.get(name)
        if existing is not None and existing.run.__qualname__ != fn.__qualname__:
            raise ValueError(f"check type {name!r} is already registered by {existing.run}")
        summary = (inspect.getdoc(fn) or "").split("\n", 1)[0]
        _CHECKS[name] = CheckType(
            name, params, fn, needs_channels, summary, needs_timing, needs_speech
        )
        return fn

    return decorate


def load_installed_checks() -> list[str]:
    """Register the check types installed as entry points; returns the names newly loaded.

    A broken or clashing entry point is logged and left out: its packs then fail validation
    with "unknown check type", and the rest of the service works.
    """
    global _SCANNED
    from importlib.metadata import entry_points

    _SCANNED = True
    loaded: list[str] = []
    for point in entry_points(group=ENTRY_POINT_GROUP):
        key = f"{point.name} = {point.value}"
        if key in _LOADED:
            continue
        _LOADED.add(key)
        try:
            point.load()
        except Exception:  # the administrator's package: report it, keep the service up
            log.exception("cannot load check type entry point %s", key)
            continue
        if point.name not in _CHECKS:
            log.error("entry point %s did not register a check type %r", key, point.name)
            continue
        loaded.append(point.name)
    return loaded


def _registry() -> dict[str, CheckType]:
    if not _SCANNED:
        load_installed_checks()
    return _CHECKS


def get_check(name: str) -> CheckType:
    checks = _registry()
    try:
        return checks[name]
    except KeyError:
        known = ", ".join(sorted(checks))
        raise ValueError(f"unknown check type {name!r} (known: {known})") from None


def check_types() -> dict[str, CheckType]:
    return dict(_registry())
