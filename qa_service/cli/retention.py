"""``qa-service purge`` (retention) and ``qa-service delete`` (a deletion request)."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer

from qa_service.cli.kpi import open_database


def _print(data: dict, as_json: bool, summary: str) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else summary)


def purge_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; change nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Delete recordings and transcripts past QA_RETENTION_AUDIO_DAYS / _TRANSCRIPT_DAYS
    (scores and KPIs stay), and finish deletions a crash cut short."""
    from qa_service.features.retention.service import purge

    settings, db = open_database()
    report = purge(db, settings, dry_run=dry_run)
    db.dispose()
    verb = "would delete" if dry_run else "deleted"
    _print(
        report.model_dump(),
        as_json,
        f"{verb}: {report.audio_calls} recording(s), {report.transcript_calls} transcript(s); "
        f"{report.resumed} unfinished deletion(s) {'pending' if dry_run else 'completed'}; "
        f"{report.files_removed} file(s) removed",
    )


def delete_command(
    reason: Annotated[
        str, typer.Option(help="Why (kept in the audit log): never the customer's name.")
    ],
    call: Annotated[int | None, typer.Option(help="The call's id.")] = None,
    customer: Annotated[
        str | None, typer.Option(help="Every call with this customer reference.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Erase one call or one customer's calls: recording, transcript, peaks, derived files
    and personal fields; scores stay as anonymous aggregates. Safe to run again."""
    from pydantic import ValidationError

    from qa_service.errors import InputError
    from qa_service.features.retention.schemas import DeletionRequest
    from qa_service.features.retention.service import request_deletion

    try:
        request = DeletionRequest(call_id=call, customer_ref=customer, reason=reason)
    except ValidationError as exc:
        raise InputError(exc.errors()[0]["msg"]) from None
    settings, db = open_database()
    report = request_deletion(
        db, settings, request, None, {"via": "cli", "operator": getpass.getuser()}
    )
    db.dispose()
    _print(
        report.model_dump(),
        as_json,
        f"deleted {len(report.calls)} call(s) ({len(report.already_deleted)} deleted before), "
        f"{report.files_removed} file(s) removed; audit entry {report.audit_id}",
    )


def register(app: typer.Typer) -> None:
    app.command("purge")(purge_command)
    app.command("delete")(delete_command)
