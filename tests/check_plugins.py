"""A custom check type installed the way an administrator installs one: a distribution
(``*.dist-info`` with an ``entry_points.txt``) on ``sys.path`` whose entry point in group
``qa_service.checks`` names a module that registers the check.

``install_shout_check`` also gives the registry a private copy for the test, so the check
type is gone again afterwards (other tests list every registered type).
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_service.domain.checks import registry

CHECK_TYPE = "shout"
GROUP = "qa_service.checks"
MODULE = "qa_test_shout_checks"
CHECK_SOURCE = '''\
from qa_service.domain.checks import Params, Phrases, register_check

class ShoutParams(Params):
    phrases: Phrases
    times: int = 2

@register_check("shout", ShoutParams)
def shout(ctx, rule, params):
    """The phrase said at least `times` times."""
    hits = ctx.search(params.phrases, ctx.select(rule.role, rule.window), "exclude")
    return [ctx.call_finding(rule, "shouting")] if len(hits) >= params.times else []
'''


def write_distribution(folder: Path, module: str, source: str, entry_points: str) -> None:
    """A minimal installed distribution: the module and its dist-info metadata."""
    (folder / f"{module}.py").write_text(source, "utf-8")
    info = folder / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points), "utf-8")


def isolate_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations during the test go to copies that the monkeypatch throws away; the
    process counts as started before the install (no look-up loads entry points itself)."""
    monkeypatch.setattr(registry, "_CHECKS", dict(registry._CHECKS))
    monkeypatch.setattr(registry, "_LOADED", set(registry._LOADED))
    monkeypatch.setattr(registry, "_SCANNED", True)


def install_shout_check(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Install the ``shout`` check as an entry point on ``sys.path`` (not loaded yet)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_distribution(
        folder,
        MODULE,
        CHECK_SOURCE,
        f"""\
        [{GROUP}]
        {CHECK_TYPE} = {MODULE}:shout
        """,
    )
    isolate_registry(monkeypatch)
    monkeypatch.syspath_prepend(str(folder))
    return CHECK_TYPE


@pytest.fixture
def shout_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The ``shout`` check type installed as an entry point, not loaded yet."""
    yield install_shout_check(tmp_path / "site-packages", monkeypatch)
    sys.modules.pop(MODULE, None)
