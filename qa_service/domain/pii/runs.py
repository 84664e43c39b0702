"""Digit runs: the units of one speaker that belong to one number, across utterances.

A run goes on over soft separators (a few at most) and over the end of an utterance when the
same speaker's next utterance starts with digits soon after: "幺三八 零零一三" / "八零零零".
Within a run, *segments* are the pieces between separators; a segment that follows
punctuation, a filler or a pause (not only a space) starts *strongly*, and a run holding two
numbers is split at strong starts only: "one three eight" has a segment per word, and none
of them may begin a number inside a longer one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qa_service.domain.pii.digit_units import HARD, SOFT, SPACE, Item, Unit
from qa_service.domain.pii.numerals import settle_speaker, tokenize

# More separators than this in a row (spaces aside) end a run: "138, uh, 0013" is one
# number, "138, uh... , ..., 0013" two.
MAX_SOFT = 3
# A number may go on in the same speaker's next utterance if it starts within this time.
MAX_SPLIT_GAP_S = 10.0


@dataclass(slots=True)
class Run:
    segments: list[list[Unit]] = field(default_factory=list)
    # Per segment: whether it follows punctuation, a filler or a pause (see module doc).
    strong: list[bool] = field(default_factory=list)

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
    soft, space = 0, False
    for item in items:
        if isinstance(item, Unit):
            if current is None:
                current = Run()
                runs.append(current)
            if soft or space or not current.segments:
                current.segments.append([])
                current.strong.append(bool(soft) or len(current.segments) == 1)
            current.segments[-1].append(item)
            soft, space = 0, False
        elif item == SPACE:
            space = True
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
    utterances: list[list[Item]] = []
    breaks: list[Item] = []
    last_end: float | None = None
    for i, line in enumerate(lines):
        if line.speaker != speaker:
            continue
        if last_end is not None:
            breaks.append(SOFT if line.start - last_end <= MAX_SPLIT_GAP_S else HARD)
        utterances.append(tokenize(line.text, i, settled=False))
        last_end = line.end
    return settle_speaker(utterances, breaks)


def speaker_runs(lines: Sequence[Line]) -> list[list[Run]]:
    """Each speaker's digit runs in the order they were said."""
    speakers = dict.fromkeys(line.speaker for line in lines)
    return [_runs_of(speaker_items(lines, s)) for s in speakers]
