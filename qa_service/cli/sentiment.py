"""``qa-service models train-sentiment`` and ``qa-service eval sentiment CSV``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from qa_service.config import get_settings
from qa_service.errors import InputError

eval_app = typer.Typer(help="Measure models on labelled data.", no_args_is_help=True)
err = Console(stderr=True)


def default_eval_sets() -> list[Path]:
    """The shared evaluation CSVs beside the repository (``../shared/data/sentiment``)."""
    return sorted((Path.cwd().parent / "shared" / "data" / "sentiment").glob("**/*.csv"))


@eval_app.command("sentiment")
def eval_sentiment(
    csv_path: Annotated[Path, typer.Argument(help="CSV with columns label,review (1 = positive).")],
    model: Annotated[
        Path | None, typer.Option(help="Model directory (default: QA_SENTIMENT_MODEL).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Evaluate a seeded sample of N rows.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the --limit sample.")] = 0,
) -> None:
    """Accuracy of the sentiment model; rows it was trained on are counted and left out."""
    from qa_service.engines.sentiment import load_sentiment_model
    from qa_service.training.evaluate import evaluate_csv

    if not csv_path.is_file():
        raise InputError(f"{csv_path}: no such file")
    settings = get_settings()
    if model is not None:
        settings = settings.model_copy(update={"sentiment_model": str(model)})
    engine = load_sentiment_model(settings)
    result = evaluate_csv(engine, csv_path, limit=limit, seed=seed)
    print(f"model={engine.path} device={engine.device}")
    print(f"rows={result.rows}")
    if result.overlap is None:
        print("overlap=unknown (the model directory has no training fingerprints)")
    else:
        print(f"overlap={result.overlap} rows also occur in the model's training data")
    print(f"accuracy_all_rows={result.accuracy:.3f}")
    print(f"accuracy={result.accuracy_outside:.3f}")


def train_sentiment_command(
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: the default model dir).")
    ] = None,
    exclude: Annotated[
        list[Path] | None,
        typer.Option(help="Evaluation CSV whose sentences must not be trained on (repeatable)."),
    ] = None,
    seed: Annotated[int, typer.Option()] = 1234,
    epochs: Annotated[float, typer.Option()] = 1.0,
    layers: Annotated[int, typer.Option(help="Encoder layers kept from e5-small.")] = 12,
    threads: Annotated[int, typer.Option(help="CPU threads for torch.")] = 2,
) -> None:
    """Train the default sentiment model from openly licensed data (about 25 min on 2 cores)."""
    from qa_service.engines.sentiment import model_path
    from qa_service.training.model_card import write_model_card
    from qa_service.training.sentiment import TrainOptions, train_sentiment

    settings = get_settings()
    eval_sets = exclude or default_eval_sets()
    if not eval_sets:
        raise InputError(
            "no evaluation sets to keep out of the training data: pass --exclude CSV "
            "(default: ../shared/data/sentiment/**/*.csv)"
        )
    target = out or model_path(settings)
    options = TrainOptions(
        seed=seed, epochs=epochs, layers=layers, threads=threads, exclude=list(eval_sets)
    )
    report = train_sentiment(target, options, report=err.print)
    write_model_card(target, report, options, report_progress=err.print)
    err.print(f"model written to {target}")


def register(app: typer.Typer) -> None:
    from qa_service.cli.models import models_app

    models_app.command("train-sentiment")(train_sentiment_command)
    app.add_typer(eval_app, name="eval")
