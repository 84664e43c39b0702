"""Digit runs: the units of one speaker that belong to one number, across utterances.

A run goes on over soft separators (a few at most) and over the end of an utterance when the
same speaker's next utterance starts with digits soon after: "幺三八 零零一三" / "八零零零".
Within a run, *segments* are the pieces said without a pause or separator between them;
a run holding two numbers is split at segment boundaries only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qa_service.domain.pii.numerals import HARD, SOFT, Item, Unit, tokenize

# More soft separators than this in a row end a run ("138, uh, well, 0013" is two).
MAX_SOFT = 4
# A number may go on in the same speaker's next utterance if it starts within this time.
MAX_SPLIT_GAP_S = 10.0


@dataclass(slots=True)
class Run:
    segments: list[list[Unit]] = field(default_factory=list)

    @property
    def units(self) -> list[Unit]:
        return [u for seg in self.segments for u in seg]

    @property
    def digits(self) -> str:
        return "".join(u.digits for u in self.units)


@dataclass(frozen=True, slots=True)
class Line:
    """What the detector needs of an utterance."""

    speaker: str
    text: str
    start: float
    end: float


def _runs_of(items: Sequence[Item]) -> list[Run]:
    runs: list[Run] = []
    current: Run | None = None
    soft = 0
    for item in items:
        if isinstance(item, Unit):
            if current is None:
                current = Run()
                runs.append(current)
            if soft or not current.segments:
                current.segments.append([])
            current.segments[-1].append(item)
            soft = 0
        elif item == SOFT and current is not None:
            soft += 1
            if soft > MAX_SOFT:
                current, soft = None, 0
        elif item == HARD:
            current, soft = None, 0
    return runs


def speaker_items(lines: Sequence[Line], speaker: str) -> list[Item]:
    """The speaker's utterances in order as one item stream: a short pause between two of
    them is a soft separator, a long one a hard break."""
    items: list[Item] = []
    last_end: float | None = None
    for i, line in enumerate(lines):
        if line.speaker != speaker:
            continue
        if last_end is not None:
            items.append(SOFT if line.start - last_end <= MAX_SPLIT_GAP_S else HARD)
        items.extend(tokenize(line.text, i))
        last_end = line.end
    return items


def digit_runs(lines: Sequence[Line]) -> list[Run]:
    """Every digit run of every speaker, in no particular order."""
    speakers = dict.fromkeys(line.speaker for line in lines)
    return [run for s in speakers for run in _runs_of(speaker_items(lines, s))]
