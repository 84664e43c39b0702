"""``qa-service analyze``: one recording, many, or a folder of them."""

from __future__ import annotations

import sys
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from qa_service.cli.render import render_json, render_text, write_atomic
from qa_service.errors import InputError, QAError

AUDIO_SUFFIXES = {".wav", ".mp3", ".flac", ".m4a", ".aac", ".mp4", ".ogg", ".opus", ".oga", ".wma"}
# Transcripts (a chat log, another vendor's ASR): analysed without ASR.
TRANSCRIPT_SUFFIXES = {".json"}
INPUT_SUFFIXES = AUDIO_SUFFIXES | TRANSCRIPT_SUFFIXES
err = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def collect_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; folders expanded to the recordings and transcript JSON files inside them
    (recursively)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
            )
        else:
            found.append(path)
    if not found:
        raise InputError(
            f"no recordings found in {', '.join(map(str, paths))} (nor transcript .json files)"
        )
    return found


def _emit(result, fmt: OutputFormat, output: Path | None, many: bool) -> None:
    text = render_json(result) if fmt is OutputFormat.json else render_text(result)
    if output is None:
        print(text if fmt is OutputFormat.text or not many else text.replace("\n", ""), flush=True)
        return
    suffix = ".json" if fmt is OutputFormat.json else ".txt"
    target = output / f"{result.call_id}{suffix}" if many or output.is_dir() else output
    write_atomic(target, text + "\n")


def analyze(
    paths: Annotated[list[Path], typer.Argument(help="Recordings, transcript JSONs or folders.")],
    lang: Annotated[str | None, typer.Option("--lang", help="zh, en or auto.")] = None,
    channels: Annotated[
        str | None, typer.Option(help="Roles of the left,right channels (default agent,customer).")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="text or json.")
    ] = OutputFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (one call) or folder (many).")
    ] = None,
) -> None:
    """Transcribe and inspect calls; print or write one result per call."""
    from qa_service.analysis.pipeline import AnalyzeOptions, analyze_file, parse_roles
    from qa_service.config import get_settings
    from qa_service.engines.registry import Engines

    language = None if lang in (None, "auto") else lang
    if language not in (None, "zh", "en"):
        raise InputError(f"--lang must be zh, en or auto (got '{lang}')")
    inputs = collect_inputs(paths)
    many = len(inputs) > 1
    options = AnalyzeOptions(language=language, roles=parse_roles(channels))
    engines = Engines(get_settings())  # one load of each model for all the calls
    if not many:
        _emit(analyze_file(inputs[0], options, engines), fmt, output, many)
        return
    failures = _analyze_many(inputs, options, fmt, output, partial(analyze_file, engines=engines))
    err.print(f"analysed {len(inputs) - len(failures)} of {len(inputs)} calls")
    for path, message in failures:
        err.print(f"  failed: {path}: {message}")
    if failures:
        sys.exit(1)


def _analyze_many(inputs, options, fmt, output, analyze_file) -> list[tuple[Path, str]]:
    failures: list[tuple[Path, str]] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("analysing", total=len(inputs))
        for path in inputs:
            progress.update(task, description=f"analysing {path.name}")
            try:
                _emit(analyze_file(path, options), fmt, output, True)
            except QAError as exc:
                failures.append((path, exc.message))
            progress.advance(task)
    return failures


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
