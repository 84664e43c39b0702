"""``qa-service import FOLDER``: recordings plus a CSV manifest (or file-name pattern)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from qa_service.cli.kpi import open_database

err = Console(stderr=True)


def import_folder(
    folder: Annotated[Path, typer.Argument(help="Folder of recordings (searched recursively).")],
    manifest: Annotated[
        Path | None,
        typer.Option(help="CSV: a 'file' column and metadata columns (agent_id, started_at...)."),
    ] = None,
    pattern: Annotated[
        str | None,
        typer.Option(
            help="Metadata from file names, e.g. "
            "'{agent_id}_{queue}_{started_at:%Y%m%d%H%M%S}.wav'."
        ),
    ] = None,
    now: Annotated[
        bool, typer.Option("--now", help="Analyse here, one call at a time, instead of queueing.")
    ] = False,
    user: Annotated[
        str | None, typer.Option(help="Account the calls are uploaded as (default: the admin).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import a folder of recordings; run it again to resume or to retry failed files."""
    from qa_service.features.imports.importer import Importer, ImportRequest
    from qa_service.jobs.runner import JobRunner

    settings, db = open_database()
    request = ImportRequest(folder, manifest, pattern, now, user)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("import", total=None, last="")

        def advance(row, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, last=f"{row.status:<9} {row.path}")

        summary = Importer(db, settings, JobRunner(db, settings)).run(request, advance)
    db.dispose()
    data = summary.to_dict()
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(
            f"batch {data['batch_id']}: {data['total']} files: {data['imported']} imported, "
            f"{data['duplicate']} already stored, {data['failed']} failed, "
            f"{data['skipped']} done in an earlier run"
            + (f", {data['analysed']} analysed" if now else ", analysis queued")
        )
        for error in data["errors"]:
            typer.echo(f"  failed: {error['error']}", err=True)
    if summary.interrupted:
        typer.echo("interrupted: run the same command again to resume", err=True)
        raise typer.Exit(130)
    if data["failed"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("import")(import_folder)
