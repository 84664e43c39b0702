"""A second listen to the numbers: which utterances to transcribe again, and when the
re-decoded text is taken (issue 14; measured in bench/pii_listen.py, bench/README.md
"Second listen to the numbers").

Whisper mishears a number's digits and cuts it at pauses; the text rules read most of what
it writes, but where the first pass shows a number's label or a digit run and the detector
either finds nothing there or leaves digits of it unmasked, the same speaker's audio is
decoded once more, biased toward digits (the ASR stage does that, ``analysis``). The
re-decoded text replaces the first pass's only where it is better for masking:

- it gives a number of a listened type (phone, ID, card) that validates (a mobile or a
  landline, an ID's check character, a card's Luhn) and that the first pass lacked there,
  leaving no more digits unmasked than the first pass did; or
- every digit of the window is masked where the first pass left some, under a number of a
  listened type, with no loop of words in it;

and in both cases of the type the first pass gave the window, if it gave one (a second
listen completes a number, it does not retype it: an ID with a digit added passes Luhn one
time in ten), and with no reference label ("订单号", "invoice") in either pass's text: a
reference number heard differently is still one ("Envoy 7-0-5-1-6..." re-decoded "Invoys
705-160-1378-1767-148706", bench set 180). A number the prompt itself holds is never taken
(its numbers validate as nothing anyway).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from qa_service.domain.pii.detect import detect
from qa_service.domain.pii.digit_units import SOFT, SPACE, Unit
from qa_service.domain.pii.labels import (
    CARD_LABEL,
    CERTIFICATE_NUMBER,
    ID_LABEL,
    REFERENCE,
    phone_label_end,
    reference_last,
)
from qa_service.domain.pii.numbers import validate
from qa_service.domain.pii.numerals import tokenize
from qa_service.domain.pii.redact import redact_utterance
from qa_service.domain.pii.types import PiiSpan, PiiType

# The text the second listen is prompted with, per language: numbers as whisper writes them
# in a call, none of them valid (a mobile's second digit 2, an ID's check character and a
# card's Luhn wrong; a North American area code led by 1), so a prompt the model echoes is
# never taken. Labels in the prompt ("银行卡号是") were written by whisper base into IDs read
# out (bench sets 119-120): numbers only.
PROMPTS = {
    "zh": "12812345678，110101199003071235，6222021234567890124。",
    "en": "123-456-7890, 4111 1111 1111 1112.",
}
_PROMPT_NUMBERS = tuple(
    re.sub(r"\D", "", number) for text in PROMPTS.values() for number in re.split(r"[，,]", text)
)
# Tokens one segment of the second listen may take: a number and its words, not a loop.
MAX_TOKENS = 60
# Stretches one call is listened to again at most (each costs whisper a 30-second window,
# about 2 CPU s here): a call reading out more numbers keeps the first pass for the rest.
MAX_WINDOWS = 24
LISTENED = (PiiType.phone, PiiType.resident_id, PiiType.card)
# A digit run worth a second listen without a label: this many digits or more (fewer, a
# code's four to six, has no check to take a re-decode by).
MIN_DIGITS = 7
# Digits a window needs to be listened to at all: a label alone ("能用手机号查吗") has no
# number to hear again (three real calls of shared/data/calls had such windows).
MIN_WINDOW_DIGITS = 3
# A loop of words whisper wrote after a number ("我认认认认", "设计设计设计设计").
_LOOP = re.compile(r"(\D{1,4})\1{3,}")
# The languages it runs for (bench/README.md, "Second listen to the numbers").
LANGUAGES = tuple(PROMPTS)


def _base(language: str | None) -> str:
    return (language or "").split("-")[0].lower()


def applies(language: str | None) -> bool:
    return _base(language) in LANGUAGES


def prompt_for(language: str | None) -> str:
    return PROMPTS[_base(language)]


def _has_label(text: str) -> bool:
    return phone_label_end(text) >= 0 or any(
        p.search(text) for p in (CARD_LABEL, ID_LABEL, CERTIFICATE_NUMBER)
    )


def _digits(text: str) -> int:
    return sum(len(i.digits) for i in tokenize(text, 0) if isinstance(i, Unit) and not i.guess)


def left_units(text: str) -> list[Unit]:
    """The digits a masked text still shows, but not a Chinese digit character standing
    alone between words: the 一 of "核对一下" ("check it") is a word, not a digit left."""
    items = tokenize(text, 0)
    units = []
    for k, item in enumerate(items):
        if not isinstance(item, Unit) or item.guess:
            continue
        near = [x for x in items[max(0, k - 1) : k + 2] if x is not item]
        if item.zh and not any(isinstance(x, Unit) or x in (SOFT, SPACE) for x in near):
            continue
        units.append(item)
    return units


def _left(text: str) -> int:
    return sum(len(unit.digits) for unit in left_units(text))


def left_in(utterances: Sequence[dict[str, Any]], spans: Sequence[PiiSpan], window) -> int:
    """Digits left unmasked in the window's utterances."""
    return sum(
        _left(redact_utterance(utterances[i], [s for s in spans if s.utterance == i])["text"])
        for i in window
    )


def _groups(utterances: Sequence[dict[str, Any]], spans: Sequence[PiiSpan]):
    """(type, digits, utterances) of each detected group."""
    by_group: dict[int, list[PiiSpan]] = {}
    for s in spans:
        by_group.setdefault(s.group, []).append(s)
    for members in by_group.values():
        text = " ".join(utterances[s.utterance]["text"][s.start : s.end] for s in members)
        digits = "".join(i.digits for i in tokenize(text, 0) if isinstance(i, Unit))
        yield members[0].kind, digits, {s.utterance for s in members}


def _valid(utterances, spans) -> set[tuple[PiiType, str, frozenset[int]]]:
    out = set()
    for kind, digits, where in _groups(utterances, spans):
        if validate(digits.upper(), False) == kind:
            out.add((kind, digits, frozenset(where)))
    return out


def windows(utterances: Sequence[dict[str, Any]], language: str | None) -> list[list[int]]:
    """The utterances to listen to again: one with a label or a digit run where no number
    was found or digits are left unmasked, with the same speaker's next utterance (within
    two) when that has digits too. Each window is one stretch of one speaker's audio."""
    spans = detect(utterances, language)
    complete = {i for _, _, where in _valid(utterances, spans) for i in where}
    out: list[list[int]] = []
    taken: set[int] = set()
    for i, u in enumerate(utterances):
        text = str(u.get("text") or "")
        if i in taken or i in complete:
            continue
        if not (_has_label(text) or _digits(text) >= MIN_DIGITS):
            continue
        if reference_last(text):
            continue  # a reference number, which the second listen could only retype
        window = [i]
        for j in range(i + 1, min(i + 3, len(utterances))):
            if utterances[j].get("role") == u.get("role"):
                if _digits(str(utterances[j].get("text") or "")) and j not in complete:
                    window.append(j)
                break
        taken.update(window)
        if sum(_digits(str(utterances[j].get("text") or "")) for j in window) < MIN_WINDOW_DIGITS:
            continue
        found = any(s.utterance in window for s in spans)
        if found and not left_in(utterances, spans, window):
            continue  # masked already, whatever its digits: nothing a reader would see
        out.append(window)
    return out


def _window_text(utterances: Sequence[dict[str, Any]], window: Sequence[int]) -> str:
    return " ".join(str(utterances[i].get("text") or "") for i in window)


def better(
    first: Sequence[dict[str, Any]],
    trial: Sequence[dict[str, Any]],
    window: Sequence[int],
    language: str | None,
) -> bool:
    """Whether ``trial`` (the call with the window's utterances re-decoded) is taken over
    ``first`` (see the module's docstring)."""
    context = _window_text(trial, window)
    if REFERENCE.search(context) or REFERENCE.search(_window_text(first, window)):
        return False
    first_spans, trial_spans = detect(first, language), detect(trial, language)
    typed = {s.kind for s in first_spans if s.utterance in window}
    was, now = left_in(first, first_spans, window), left_in(trial, trial_spans, window)
    before = {(kind, digits) for kind, digits, _ in _valid(first, first_spans)}
    new = [
        kind
        for kind, digits, where in _valid(trial, trial_spans)
        if kind in LISTENED
        and where & set(window)
        and (kind, digits) not in before
        and not any(digits in number for number in _PROMPT_NUMBERS)
        and (not typed or kind in typed)
    ]
    if new and now <= was:
        return True
    if not was or now or _LOOP.search(context):
        return False
    found = {s.kind for s in trial_spans if s.utterance in window and s.kind in LISTENED}
    return bool(found) and (not typed or bool(found & typed))
