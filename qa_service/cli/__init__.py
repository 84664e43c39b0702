"""The ``qa-service`` command. Each area registers its sub-commands from its own module."""

from __future__ import annotations

import sys
from functools import cache

import typer

from qa_service.errors import QAError

app = typer.Typer(
    name="qa-service",
    help="AI-assisted call quality inspection: transcribe, check, score, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@cache
def _register() -> None:
    # Once per process: a second call would add every command to ``app`` again (tests call
    # ``main`` many times). Imported here so `qa-service --help` stays fast and each area
    # owns its module.
    from qa_service.cli import analyze, models

    analyze.register(app)
    models.register(app)
    from qa_service.cli import sentiment

    sentiment.register(app)
    from qa_service.cli import acts

    acts.register(app)
    from qa_service.cli import rules

    rules.register(app)
    from qa_service.cli import serve

    serve.register(app)
    from qa_service.cli import importer, kpi, retention, sample

    importer.register(app)
    kpi.register(app)
    sample.register(app)
    retention.register(app)


def main(argv: list[str] | None = None) -> None:
    _register()
    try:
        app(args=argv, standalone_mode=True)
    except QAError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        sys.exit(exc.exit_code)
