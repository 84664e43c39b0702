"""The ASR stage's second listen to the numbers (``QA_PII_SECOND_LISTEN``): the stretch of
a speaker's audio behind an utterance whose number the first pass left unmasked or unfound
is decoded again, biased toward digits, and the re-decoded words replace the first pass's
where ``domain.pii.relisten.better`` says so. Measured in bench/pii_listen.py
(bench/README.md, "Second listen to the numbers").
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from qa_service.domain.pii import relisten
from qa_service.domain.transcript import Utterance, Word, join_words, sort_timeline

if TYPE_CHECKING:
    from qa_service.engines.asr import SpeechRecognizer
    from qa_service.engines.pcm import Samples

# Audio taken before the window's first word and, at most, after its last (a number cut
# at an utterance's end is often still in the audio after it): never into the same
# speaker's previous or next utterance.
LEAD_S = 0.3
TAIL_S = 1.5


def _stretch(utterances: list[Utterance], window: list[int]) -> tuple[float, float]:
    first, last = utterances[window[0]], utterances[window[-1]]
    same = [u for u in utterances if u.role == first.role]
    before = [u.end for u in same if u.end <= first.start]
    after = [u.start for u in same if u.start >= last.end]
    start = max([first.start - LEAD_S, *before, 0.0])
    end = min([last.end + TAIL_S, *after])
    return start, end


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


def listen_again(
    utterances: list[Utterance],
    samples_of_role: dict[str, Samples],
    rate: int,
    language: str | None,
    recognizer: SpeechRecognizer,
    beam_size: int,
) -> tuple[list[Utterance], dict[str, Any]]:
    """The utterances with the second listen's words where they were taken, and a summary
    (windows listened to, windows taken, seconds, windows over ``relisten.MAX_WINDOWS``)."""
    from qa_service.engines.asr import ASROptions
    from qa_service.engines.word_timing import refine_word_times

    summary = {"windows": 0, "taken": 0, "seconds": 0.0, "not_listened": 0}
    if not relisten.applies(language):
        return utterances, summary
    began = time.perf_counter()
    options = ASROptions(
        language=language,
        beam_size=beam_size,
        initial_prompt=relisten.PROMPT,
        temperature=0.0,
        max_new_tokens=relisten.MAX_TOKENS,
    )
    current = list(utterances)
    # The form the detector reads a stored result in, kept beside the utterances so that a
    # window's trial re-renders only its own lines.
    stored = [u.to_dict() for u in current]
    flagged = relisten.windows(stored, language)
    summary["not_listened"] = max(0, len(flagged) - relisten.MAX_WINDOWS)
    for window in flagged[: relisten.MAX_WINDOWS]:
        samples = samples_of_role.get(current[window[0]].role)
        if samples is None:
            continue
        start, end = _stretch(current, window)
        a, b = int(start * rate), int(end * rate)
        if b - a < int(0.2 * rate):
            continue
        summary["windows"] += 1
        heard = recognizer.transcribe(samples[a:b], options).words
        words = [Word(w.start + start, w.end + start, w.text, w.probability) for w in heard]
        refine_word_times(words, samples, rate)
        trial, trial_stored = list(current), list(stored)
        for i, mine in zip(window, _assign(words, current, window), strict=True):
            text = join_words(mine, language)
            trial[i] = replace(
                current[i],
                text=text,
                words=mine,
                start=mine[0].start if mine else current[i].start,
                end=max(w.end for w in mine) if mine else current[i].end,
            )
            trial_stored[i] = trial[i].to_dict()
        if relisten.better(stored, trial_stored, window, language):
            summary["taken"] += 1
            current, stored = trial, trial_stored
    summary["seconds"] = round(time.perf_counter() - began, 3)
    return sort_timeline(u for u in current if u.text), summary
