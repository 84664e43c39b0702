"""``qa-service rules check|test|list`` and ``qa-service rescore``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from qa_service.errors import InputError

rules_app = typer.Typer(help="Validate, test and list rule packs.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@rules_app.command("check")
def check(
    packs: Annotated[list[str], typer.Argument(help="Pack names under the rules dir, or paths.")],
) -> None:
    """Validate packs and their scorecards; every problem is listed as FILE:LINE: field: why."""
    from qa_service.analysis.packs import load_pack
    from qa_service.domain.rulepack import RulePackError

    failed = False
    for name in packs:
        try:
            pack = load_pack(name)
        except RulePackError as exc:
            failed = True
            err.print(f"[red]invalid[/red] {name}: {len(exc.problems)} problem(s)")
            for problem in exc.problems:
                err.print(f"  {escape(problem)}")
            continue
        out.print(
            f"[green]ok[/green] {pack.name}: {len(pack.rules)} rules, "
            f"scorecard {pack.scorecard.scorecard} ({pack.source})"
        )
        for note in unscored_categories(pack):
            out.print(f"  note: {escape(note)}")
    if failed:
        raise typer.Exit(2)


def unscored_categories(pack) -> list[str]:
    scored = {c for item in pack.scorecard.items for c in item.categories}
    scored_rules = {r for item in pack.scorecard.items for r in item.rules}
    return [
        f"rule {rule.id!r} ({rule.category}) costs no points in scorecard "
        f"{pack.scorecard.scorecard!r}"
        for rule in pack.rules
        if rule.category not in scored and rule.id not in scored_rules
    ]


@rules_app.command("test")
def test(
    pack: Annotated[str, typer.Argument(help="Pack name or path.")],
    cases: Annotated[list[Path], typer.Argument(help="Cases files (YAML or JSON).")],
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every finding.")] = False,
) -> None:
    """Run labelled cases through a pack; exit 1 when any case fails."""
    from qa_service.analysis.packs import load_pack
    from qa_service.analysis.rulecases import run_cases
    from qa_service.config import get_settings
    from qa_service.engines.registry import Engines

    engines = Engines(get_settings())
    rule_pack = load_pack(pack)
    passed = total = 0
    for path in cases:
        if not path.is_file():
            raise InputError(f"{path}: cases file not found")
        for result in run_cases(rule_pack, path, engines):
            total += 1
            passed += result.passed
            mark = "[green]PASS[/green]" if result.passed else "[red]FAIL[/red]"
            score = result.outcome.score.total if result.outcome else None
            out.print(f"{mark} {escape(path.name)}: {escape(result.name)} (score {score})")
            for failure in result.failures:
                out.print(f"     {escape(failure)}")
            if verbose and result.outcome:
                for f in result.outcome.findings:
                    out.print(escape(f"     - {f.rule_id} [{f.severity}] {f.text}"))
    out.print(f"{passed}/{total} cases passed")
    if passed != total:
        raise typer.Exit(1)


@rules_app.command("list")
def list_packs() -> None:
    """Packs in the rules directory (QA_RULES_DIR) and the check types they can use."""
    from qa_service.analysis.packs import available_packs, rules_dir
    from qa_service.domain.checks import check_types

    out.print(f"rules directory: {rules_dir()}")
    for name in available_packs():
        out.print(f"  pack {name}")
    for name, spec in sorted(check_types().items()):
        out.print(f"  type {name}: {escape(spec.summary)}")


def rescore(
    result: Annotated[Path, typer.Argument(help="A stored result JSON (analyze --format json).")],
    rules: Annotated[
        str | None, typer.Option("--rules", help="Pack name or path (default: by language).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text.")] = "json",
) -> None:
    """Re-run checks and scoring on a stored transcript, without transcribing again."""
    from qa_service.analysis import inspect
    from qa_service.analysis.packs import pack_for
    from qa_service.cli.render import render_json, render_text, write_atomic
    from qa_service.config import get_settings
    from qa_service.domain.results import CallResult
    from qa_service.engines.registry import Engines

    if fmt not in ("json", "text"):
        raise InputError(f"--format must be json or text (got '{fmt}')")
    try:
        data = json.loads(result.read_text(encoding="utf-8"))
        call = CallResult.from_dict(data)
    except FileNotFoundError:
        raise InputError(f"{result}: no such file") from None
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{result}: not a stored result JSON ({exc})") from None
    inspect.apply(call, pack_for(call.transcript, rules), Engines(get_settings()))
    text = render_json(call) if fmt == "json" else render_text(call)
    if output is None:
        print(text)
    else:
        write_atomic(output, text + "\n")


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
    app.command("rescore")(rescore)
