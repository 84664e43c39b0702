"""The ASR stage's second listen to the numbers (``QA_PII_SECOND_LISTEN``): the stretch of
a speaker's audio behind an utterance whose number the first pass left unmasked or unfound
is decoded again, biased toward digits, and the re-decoded words replace the first pass's
where ``domain.pii.relisten.better`` says so. Measured in bench/pii_listen.py
(bench/README.md, "Second listen to the numbers").

A call's stretches are decoded together, joined with a second of silence between them, as
many as fill one of whisper's 30-second windows: whisper pads a 4-second stretch to a whole
window, so one decode of five stretches costs about what one stretch alone did.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from qa_service.domain.pii import relisten
from qa_service.domain.transcript import Utterance, Word, join_words, sort_timeline

if TYPE_CHECKING:
    from qa_service.engines.asr import ASROptions, SpeechRecognizer
    from qa_service.engines.pcm import Samples

# Audio taken before the window's first word and, at most, after its last (a number cut
# at an utterance's end is often still in the audio after it): never into the same
# speaker's previous or next utterance.
LEAD_S = 0.3
TAIL_S = 1.5
# Silence between two stretches decoded together: under the voice detector's 2 s, so
# whisper reads them as pauses, not as the end of speech; a word is a stretch's when its
# middle falls in the stretch or within half of this of it.
GAP_S = 1.0
# Audio one decode holds at most: whisper's 30-second window, less a margin for the
# voice detector's padding.
GROUP_S = 28.0


@dataclass(frozen=True, slots=True)
class Stretch:
    """One window's audio: ``start``-``end`` seconds of its speaker's channel."""

    window: list[int]
    start: float
    end: float
    samples: Samples

    @property
    def seconds(self) -> float:
        return self.end - self.start


def _bounds(utterances: list[Utterance], window: list[int]) -> tuple[float, float]:
    first, last = utterances[window[0]], utterances[window[-1]]
    same = [u for u in utterances if u.role == first.role]
    before = [u.end for u in same if u.end <= first.start]
    after = [u.start for u in same if u.start >= last.end]
    start = max([first.start - LEAD_S, *before, 0.0])
    end = min([last.end + TAIL_S, *after])
    return start, end


def stretches(
    utterances: list[Utterance],
    flagged: list[list[int]],
    samples_of_role: dict[str, Samples],
    rate: int,
) -> list[Stretch]:
    """Each window's stretch of its speaker's channel (none for a role without audio, or
    for a stretch under 0.2 s)."""
    out = []
    for window in flagged:
        samples = samples_of_role.get(utterances[window[0]].role)
        if samples is None:
            continue
        start, end = _bounds(utterances, window)
        a, b = int(start * rate), int(end * rate)
        if b - a >= int(0.2 * rate):
            out.append(Stretch(window, start, end, samples[a:b]))
    return out


def decode_groups(stretches: list[Stretch]) -> list[list[Stretch]]:
    """The stretches in call order, cut into groups whose joined audio (a GAP_S between
    two) fits GROUP_S; a longer stretch is a group of its own."""
    groups: list[list[Stretch]] = []
    length = 0.0
    for stretch in stretches:
        if groups and length + GAP_S + stretch.seconds <= GROUP_S:
            groups[-1].append(stretch)
            length += GAP_S + stretch.seconds
        else:
            groups.append([stretch])
            length = stretch.seconds
    return groups


def heard_together(
    group: list[Stretch], rate: int, recognizer: SpeechRecognizer, options: ASROptions
) -> list[list[Word]]:
    """Each stretch's words, on the channel's clock, from one decode of the group."""
    import numpy as np

    from qa_service.engines.word_timing import refine_word_times

    gap = np.zeros(int(GAP_S * rate), dtype=np.float32)
    parts, offsets, at = [], [], 0.0
    for k, stretch in enumerate(group):
        if k:
            parts.append(gap)
            at += len(gap) / rate
        offsets.append(at)
        parts.append(np.asarray(stretch.samples, dtype=np.float32))
        at += len(stretch.samples) / rate
    joined = np.concatenate(parts)
    # A segment may now hold several stretches' numbers: the cap is per stretch.
    capped = replace(options, max_new_tokens=relisten.MAX_TOKENS * len(group))
    words = list(recognizer.transcribe(joined, capped).words)
    refine_word_times(words, joined, rate)
    out: list[list[Word]] = [[] for _ in group]
    for w in words:
        middle = (w.start + w.end) / 2
        for k, (stretch, offset) in enumerate(zip(group, offsets, strict=True)):
            if offset - GAP_S / 2 <= middle < offset + stretch.seconds + GAP_S / 2:
                shift = stretch.start - offset
                out[k].append(Word(w.start + shift, w.end + shift, w.text, w.probability))
                break
    return out


def _assign(words: list[Word], utterances: list[Utterance], window: list[int]) -> list[list[Word]]:
    """The re-decoded words of each utterance of the window: a word goes to the last
    utterance that starts before its middle (the first, for a word before them all)."""
    out: list[list[Word]] = [[] for _ in window]
    for w in words:
        middle = (w.start + w.end) / 2
        k = 0
        for n, i in enumerate(window):
            if utterances[i].start <= middle:
                k = n
        out[k].append(w)
    return out


def _trial(
    current: list[Utterance], window: list[int], words: list[Word], language: str
) -> list[Utterance]:
    """The call with the window's utterances rewritten from the re-decoded words."""
    trial = list(current)
    for i, mine in zip(window, _assign(words, current, window), strict=True):
        trial[i] = replace(
            current[i],
            text=join_words(mine, language),
            words=mine,
            start=mine[0].start if mine else current[i].start,
            end=max(w.end for w in mine) if mine else current[i].end,
        )
    return trial


def listen_again(
    utterances: list[Utterance],
    samples_of_role: dict[str, Samples],
    rate: int,
    language: str | None,
    recognizer: SpeechRecognizer,
    beam_size: int,
) -> tuple[list[Utterance], dict[str, Any]]:
    """The utterances with the second listen's words where they were taken, and a summary
    (windows listened to, decodes they took, windows taken, seconds, windows over
    ``relisten.MAX_WINDOWS``)."""
    from qa_service.engines.asr import ASROptions

    summary = {"windows": 0, "decodes": 0, "taken": 0, "seconds": 0.0, "not_listened": 0}
    if not relisten.applies(language):
        return utterances, summary
    began = time.perf_counter()
    options = ASROptions(
        language=language,
        beam_size=beam_size,
        initial_prompt=relisten.prompt_for(language),
        temperature=0.0,
        max_new_tokens=relisten.MAX_TOKENS,
    )
    current = list(utterances)
    # The form the detector reads a stored result in, kept beside the utterances so that a
    # window's trial re-renders only its own lines.
    stored = [u.to_dict() for u in current]
    flagged = relisten.windows(stored, language)
    summary["not_listened"] = max(0, len(flagged) - relisten.MAX_WINDOWS)
    listened = stretches(current, flagged[: relisten.MAX_WINDOWS], samples_of_role, rate)
    for group in decode_groups(listened):
        summary["decodes"] += 1
        summary["windows"] += len(group)
        for stretch, words in zip(
            group, heard_together(group, rate, recognizer, options), strict=True
        ):
            trial = _trial(current, stretch.window, words, language)
            trial_stored = list(stored)
            for i in stretch.window:
                trial_stored[i] = trial[i].to_dict()
            if relisten.better(stored, trial_stored, stretch.window, language):
                summary["taken"] += 1
                current, stored = trial, trial_stored
    summary["seconds"] = round(time.perf_counter() - began, 3)
    return sort_timeline(u for u in current if u.text), summary
