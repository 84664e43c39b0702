"""``qa-service sample``: draw a sampling plan; ``plans``: list, show and re-derive plans;
``coverage``: machine-checked vs human-reviewed calls and each reviewer's workload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qa_service.cli.kpi import GroupBy, open_database, write_output
from qa_service.domain.sampling import DEFAULT_RATE, DEFAULT_SHORT_RATIO

out = Console()
plans_app = typer.Typer(help="Stored sampling plans.", no_args_is_help=True)


def _names(listed: str | None) -> list[str]:
    return [n.strip() for n in (listed or "").split(",") if n.strip()]


def _plan_lines(rows) -> tuple[list[str], list[list]]:
    header = ["call_id", "agent_id", "queue", "started_at", "stratum", "risks", "reviewer_id"]
    lines = [
        [
            call.call_id,
            item.agent_id,
            call.queue,
            call.started_at.isoformat() if call.started_at else None,
            item.stratum,
            item.risks,
            item.reviewer_id,
        ]
        for item, call in rows
    ]
    return header, lines


def _print_quotas(result) -> None:
    table = Table(title="Sample per agent")
    for title in ("agent", "calls", "drawn", "strata (population/drawn)"):
        table.add_column(
            title, justify="left" if title != "calls" and title != "drawn" else "right"
        )
    for q in result.quotas:
        strata = ", ".join(f"{k} {n}/{d}" for k, (n, d) in q.strata.items())
        table.add_row(q.agent_id, str(q.population), str(q.target), strata)
    out.print(table)


def sample(
    period: Annotated[str, typer.Option(help="2026-11, 2026-W45, ...")],
    rate: Annotated[
        float, typer.Option(help="Share of each agent's calls to review.")
    ] = DEFAULT_RATE,
    min_per_agent: Annotated[int, typer.Option(help="At least this many per agent.")] = 0,
    max_per_agent: Annotated[int | None, typer.Option(help="At most this many per agent.")] = None,
    by: Annotated[
        str | None, typer.Option(help="Strata inside each agent: queue, direction or both.")
    ] = None,
    oversample: Annotated[
        str | None,
        typer.Option(
            help="Risky calls drawn more often: critical,complaint,negative,silence,short "
            "(default weights) or critical=5,short=2."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed; default: a new random one.")] = None,
    short_ratio: Annotated[
        float, typer.Option(help="'short' = under this share of the queue's mean duration.")
    ] = DEFAULT_SHORT_RATIO,
    team: Annotated[str | None, typer.Option(help="Only these teams (comma-separated).")] = None,
    queue: Annotated[str | None, typer.Option(help="Only these queues (comma-separated).")] = None,
    reviewers: Annotated[
        str | None, typer.Option(help="Share the sample among these accounts (usernames).")
    ] = None,
    note: Annotated[str, typer.Option(help="A note stored with the plan.")] = "",
    dry_run: Annotated[bool, typer.Option(help="Show the sample; store nothing.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="CSV of the calls.")] = None,
) -> None:
    """Draw a seeded, reproducible sample of the period's calls for human review."""
    from qa_service.domain.periods import parse_period
    from qa_service.features.exports import csv_bytes
    from qa_service.features.sampling import service
    from qa_service.store.call_facts import Scope

    options = service.plan_options(
        rate=rate,
        min_per_agent=min_per_agent,
        max_per_agent=max_per_agent,
        by=_names(by),
        oversample=oversample,
        seed=seed,
        short_ratio=short_ratio,
    )
    parsed = parse_period(period)
    scope = Scope.from_lists(teams=team, queues=queue)
    _settings, db = open_database()
    with db.session() as session:
        if dry_run:
            result = service.preview(session, period=parsed, options=options, scope=scope)
            _print_quotas(result)
            out.print(f"{len(result.selected)} of {result.population} calls (seed {options.seed})")
            session.rollback()
            return
        plan = service.create_plan(
            session,
            period=parsed,
            options=options,
            scope=scope,
            reviewers=_names(reviewers),
            note=note,
        )
        rows = service.review_queue(session, plan_id=plan.id)
        message = (
            f"plan {plan.id}: {plan.selected} of {plan.population} calls of {plan.period} "
            f"for review (seed {plan.seed})"
        )
        lines = _plan_lines(rows)
    db.dispose()
    if output is not None:
        write_output(csv_bytes(lines), output, "CSV")
    out.print(message)


@plans_app.command("list")
def plans_list(
    period: Annotated[str | None, typer.Option(help="Only this period.")] = None,
) -> None:
    """Stored plans, newest first."""
    from qa_service.features.sampling.service import list_plans

    _settings, db = open_database()
    with db.session() as session:
        table = Table(title="Sampling plans")
        for title in ("id", "period", "selected", "population", "seed", "parameters", "note"):
            table.add_column(title)
        for plan in list_plans(session, period=period):
            params = {
                k: v for k, v in plan.parameters.items() if k != "seed" and v not in (None, [], {})
            }
            table.add_row(
                str(plan.id),
                plan.period,
                str(plan.selected),
                str(plan.population),
                str(plan.seed),
                json.dumps(params),
                plan.note,
            )
    out.print(table)


@plans_app.command("show")
def plans_show(
    plan_id: int,
    pending: Annotated[bool, typer.Option(help="Only calls nobody has reviewed yet.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="CSV file.")] = None,
) -> None:
    """The calls of a plan (its review queue), as CSV."""
    from qa_service.features.exports import csv_bytes
    from qa_service.features.sampling.service import review_queue

    _settings, db = open_database()
    with db.session() as session:
        data = csv_bytes(_plan_lines(review_queue(session, plan_id=plan_id, pending=pending)))
    write_output(data if output else data.decode("utf-8-sig"), output, "CSV")


@plans_app.command("check")
def plans_check(plan_id: int) -> None:
    """Draw a plan again from its stored parameters and seed, and compare."""
    from qa_service.features.sampling.service import check_plan

    _settings, db = open_database()
    with db.session() as session:
        check = check_plan(session, plan_id=plan_id)
    if check.same_selection:
        out.print(f"plan {plan_id}: re-derived exactly (same calls)")
        return
    why = "the period's calls changed since" if not check.same_population else "parameters"
    out.print(
        f"plan {plan_id}: differs ({why}): {len(check.added)} call(s) would be added, "
        f"{len(check.removed)} removed"
    )
    raise typer.Exit(1)


def coverage(
    period: Annotated[str, typer.Option(help="2026-11, 2026-W45, ...")],
    by: Annotated[GroupBy, typer.Option(help="One row per agent, team or queue.")] = GroupBy.agent,
    team: Annotated[str | None, typer.Option(help="Only these teams (comma-separated).")] = None,
) -> None:
    """Machine checks 100%, people review the sample: coverage and reviewer workload."""
    from qa_service.domain.periods import parse_period
    from qa_service.features.sampling.service import coverage_report
    from qa_service.store.call_facts import Scope

    parsed = parse_period(period)
    _settings, db = open_database()
    with db.session() as session:
        report = coverage_report(
            session, period=parsed, by=by.value, scope=Scope.from_lists(teams=team), reviewers=True
        )
    table = Table(title=f"Coverage {parsed.label} by {by.value}")
    for title in (by.value, "calls", "analysed", "machine %", "sampled", "reviewed", "review %"):
        table.add_column(title, justify="left" if title == by.value else "right")
    for c in report.rows:
        table.add_row(
            c.key,
            str(c.calls),
            str(c.analysed),
            "-" if c.machine_rate is None else f"{100 * c.machine_rate:.1f}",
            str(c.sampled),
            str(c.reviewed),
            "-" if c.review_rate is None else f"{100 * c.review_rate:.1f}",
        )
        if not c.reviewed and c.analysed:
            table.rows[-1].style = "yellow"
    out.print(table)
    work = Table(title=f"Reviewer workload {parsed.label}")
    for title in ("reviewer", "assigned", "done", "pending", "reviews written"):
        work.add_column(title, justify="left" if title == "reviewer" else "right")
    for w in report.reviewers:
        work.add_row(w.username, str(w.assigned), str(w.done), str(w.pending), str(w.reviews))
    out.print(work)


def register(app: typer.Typer) -> None:
    app.command()(sample)
    app.command()(coverage)
    app.add_typer(plans_app, name="plans")
