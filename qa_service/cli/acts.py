"""``qa-service models train-acts`` and ``qa-service eval acts``: the call-act model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from qa_service.config import get_settings
from qa_service.errors import InputError

err = Console(stderr=True)


def default_stc3_dir() -> Path:
    """The STC-3 dialogues beside the repository (``../shared/data/dialogues/stc3``)."""
    shared = Path(os.environ.get("QA_SHARED_DIR") or Path.cwd().parent / "shared")
    return shared / "data" / "dialogues" / "stc3"


def _stc3_dir(value: Path | None, required: bool) -> Path | None:
    path = value or default_stc3_dir()
    if (path / "dev_zh.jsonl").is_file():
        return path
    if required:
        raise InputError(
            f"{path}: no STC-3 dev dialogues; their labelled turns are held out from training, "
            "so training needs them: pass --stc3 DIR"
        )
    err.print(f"[yellow]no STC-3 dialogues at {path}: evaluating the written split only")
    return None


def eval_acts(
    model: Annotated[
        Path | None, typer.Option(help="Model directory (default: QA_ACTS_MODEL).")
    ] = None,
    stc3: Annotated[Path | None, typer.Option(help="STC-3 dialogues folder.")] = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.5,
    cache: Annotated[
        Path | None, typer.Option(help="Embedding cache (.npz) shared with train-acts.")
    ] = None,
) -> None:
    """Per-act precision/recall on the held-out split; rows trained on are left out."""
    from qa_service.engines.acts import ActModel, model_path
    from qa_service.training.acts import CachedEncoder
    from qa_service.training.acts_data import heldout_split
    from qa_service.training.acts_eval import evaluate_acts, markdown_table, split_rows

    settings = get_settings()
    path = model if model is not None else model_path(settings)
    if path is None:
        raise InputError("the call-act model is off (QA_ACTS_MODEL=off): pass --model DIR")
    threads = settings.resolved_cpu_threads()
    engine = ActModel(path.resolve(), threads, CachedEncoder(threads, cache))
    splits = split_rows(heldout_split(_stc3_dir(stc3, required=False)))
    results = {name: evaluate_acts(engine, rows, threshold) for name, rows in splits.items()}
    print(f"model={engine.path} threshold={threshold}")
    for name, result in results.items():
        overlap = "unknown" if result.overlap is None else result.overlap
        print(f"{name}: rows={result.rows} overlap_with_training={overlap}")
    print(markdown_table(results))


def train_acts_command(
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: the default model dir).")
    ] = None,
    stc3: Annotated[
        Path | None,
        typer.Option(help="STC-3 dialogues folder (labelled turns)."),
    ] = None,
    seed: Annotated[int, typer.Option()] = 1234,
    threads: Annotated[int, typer.Option(min=1, max=64, help="CPU threads.")] = 2,
    cache: Annotated[
        Path | None, typer.Option(help="Embedding cache (.npz) to reuse between runs.")
    ] = None,
) -> None:
    """Train the call-act model from the project's labelled sentences (about 15 min on 2 cores)."""
    from qa_service.engines.acts import DEFAULT_MODEL_DIR
    from qa_service.training.acts import ActTrainOptions, train_acts
    from qa_service.training.acts_card import write_act_card
    from qa_service.training.acts_data import heldout_split

    settings = get_settings()
    stc3_dir = _stc3_dir(stc3, required=True)
    heldout = heldout_split(stc3_dir)
    target = out or settings.models_dir / DEFAULT_MODEL_DIR
    options = ActTrainOptions(
        seed=seed, threads=threads, cache=str(cache) if cache is not None else None
    )
    report = train_acts(target, options, heldout, report=err.print, stc3_dir=stc3_dir)
    write_act_card(target, report, options, heldout, report_progress=err.print)
    err.print(f"model written to {target}")


def register(app: typer.Typer) -> None:
    from qa_service.cli.models import models_app
    from qa_service.cli.sentiment import eval_app

    models_app.command("train-acts")(train_acts_command)
    eval_app.command("acts")(eval_acts)
