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

A pack loads the module that defines it through its ``plugins:`` list.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qa_service.domain.checks.params import Params

if TYPE_CHECKING:
    from qa_service.domain.checks.context import CheckContext
    from qa_service.domain.results import Finding
    from qa_service.domain.rulepack import Rule

CheckFn = Callable[["CheckContext", "Rule", Any], "list[Finding]"]


@dataclass(frozen=True, slots=True)
class CheckType:
    name: str
    params: type[Params]
    run: CheckFn
    # Needs each party on its own channel (overlaps cannot be seen in a mixed recording).
    needs_channels: bool
    summary: str
    # Judges what the rule's role said in its window: with no speech there the rule is
    # listed in not_evaluated instead of being run (a closing cannot be missing from a call
    # whose agent never spoke after the opening).
    needs_speech: bool = True


_CHECKS: dict[str, CheckType] = {}


def register_check(
    name: str, params: type[Params], *, needs_channels: bool = False, needs_speech: bool = True
) -> Callable[[CheckFn], CheckFn]:
    def decorate(fn: CheckFn) -> CheckFn:
        existing = _CHECKS.get(name)
        if existing is not None and existing.run.__qualname__ != fn.__qualname__:
            raise ValueError(f"check type {name!r} is already registered by {existing.run}")
        summary = (inspect.getdoc(fn) or "").split("\n", 1)[0]
        _CHECKS[name] = CheckType(name, params, fn, needs_channels, summary, needs_speech)
        return fn

    return decorate


def get_check(name: str) -> CheckType:
    try:
        return _CHECKS[name]
    except KeyError:
        known = ", ".join(sorted(_CHECKS))
        raise ValueError(f"unknown check type {name!r} (known: {known})") from None


def check_types() -> dict[str, CheckType]:
    return dict(_CHECKS)
