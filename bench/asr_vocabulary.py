"""The centre's vocabulary in the recogniser: recall of its terms, CER/WER, echoes in silence.

Each mode (no vocabulary, Whisper hotwords, initial prompt) runs the product's transcription
path (``transcribe_audio``: guards, word timing, the vocabulary guard) on:

- the shared stereo calls, with a centre vocabulary (brand, products, departments) given as
  call metadata: recall of the terms the ground-truth turns contain, terms inserted beyond
  them, and terms inside the calls' labelled silences (must be 0);
- the zh clips: CER with that (unrelated) centre vocabulary, and recall and CER with a list
  of domain words the clips contain (an oracle list: how far biasing can help at best);
- jfk: WER with the English vocabulary.

    .venv/bin/python bench/asr_vocabulary.py [--modes off,hotwords,prompt] [--batch-size 0]
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("QA_SHARED_DIR", REPO.parent / "shared")) / "data"
CALLS = DATA / "calls"
CLIPS = DATA / "audio" / "zh"
JFK = DATA / "audio" / "en" / "jfk.flac"
JFK_TEXT = (
    "and so my fellow americans ask not what your country can do for you "
    "ask what you can do for your country"
)
# What a centre would declare: its name, products, departments, plans.
CENTRE_TERMS = {
    "zh": ["星河客服", "工号", "宽带账号", "分期", "手续费", "订单号", "转运中心", "售后", "退款"],
    "en": ["Star River", "subscription", "technician"],
}
# Domain words of the clips (oracle: taken from their references).
CLIP_TERMS = ["交易", "停滞", "销售", "商场", "业绩", "经理", "部门", "汇报"]


def squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def count(text: str, term: str) -> int:
    return squash(text).count(squash(term))


def transcribe(path: Path, language: str, terms: list[str], engines, mode: str, batch: int):
    from qa_service.analysis.pipeline import AnalyzeOptions, transcribe_audio
    from qa_service.engines.audio import load_audio

    settings = engines.settings.model_copy(
        update={"asr_vocabulary_mode": mode, "asr_batch_size": batch}
    )
    recognizer = engines.recognizer
    recognizer.batch_size = batch
    # The same loaded models under this run's settings (mono clips use the speaker encoder).
    view = SimpleNamespace(
        settings=settings, recognizer=recognizer, speaker_encoder=engines.speaker_encoder
    )
    options = AnalyzeOptions(language=language, metadata={"vocabulary": terms} if terms else {})
    with load_audio(path, settings) as audio:
        transcript, source = transcribe_audio(audio, options, view)
    return transcript, source


def in_silences(transcript, terms: list[str], silences: list[dict]) -> int:
    """Term occurrences whose words overlap a labelled silence (either channel)."""
    from qa_service.engines.asr_vocabulary import term_spans

    found = 0
    for utt in transcript.utterances:
        for _, a, b in term_spans(utt.words, terms):
            start, end = utt.words[a].start, utt.words[b - 1].end
            found += any(start < s["end"] and end > s["start"] for s in silences)
    return found


def calls_round(engines, mode: str, batch: int) -> dict:
    hits = truth_total = inserted = silent = 0
    for path in sorted(p for p in CALLS.glob("*.wav") if ".mono." not in p.name):
        truth = json.loads(path.with_suffix(".json").read_text("utf-8"))
        terms = CENTRE_TERMS[truth["language"]]
        transcript, _ = transcribe(path, truth["language"], terms, engines, mode, batch)
        for role in ("agent", "customer"):
            ref = " ".join(t["text"] for t in truth["turns"] if t["role"] == role)
            hyp = " ".join(u.text for u in transcript.by_role(role))
            for term in terms:
                want, got = count(ref, term), count(hyp, term)
                truth_total += want
                hits += min(want, got)
                inserted += max(0, got - want)
        silent += in_silences(transcript, terms, truth["events"]["silences"])
    return {
        "recall": hits / truth_total,
        "terms": truth_total,
        "inserted": inserted,
        "in_silence": silent,
    }


def clips_round(engines, mode: str, batch: int) -> dict:
    import jiwer

    refs = {}
    for line in (CLIPS / "text").read_text("utf-8").splitlines():
        if line.strip():
            key, text = line.split(maxsplit=1)
            refs[key] = squash(text)
    out = {}
    for name, terms in (("centre", CENTRE_TERMS["zh"]), ("clip", CLIP_TERMS)):
        edits = hits = total = 0
        for key, ref in refs.items():
            transcript, _ = transcribe(CLIPS / f"{key}.wav", "zh", terms, engines, mode, batch)
            hyp = squash(" ".join(u.text for u in transcript.utterances))
            o = jiwer.process_characters(ref, hyp)
            edits += o.substitutions + o.deletions + o.insertions
            for term in terms:
                total += count(ref, term)
                hits += min(count(ref, term), count(hyp, term))
        chars = sum(len(r) for r in refs.values())
        out[f"cer_{name}_vocab"] = edits / chars
        out[f"recall_{name}_vocab"] = hits / total if total else None
    transcript, _ = transcribe(JFK, "en", CENTRE_TERMS["en"], engines, mode, batch)
    hyp = " ".join(re.sub(r"[^\w\s']", " ", u.text.lower()) for u in transcript.utterances)
    out["jfk_wer"] = jiwer.wer(JFK_TEXT, " ".join(hyp.split()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="off,hotwords,prompt")
    parser.add_argument("--batch-size", type=int, default=0, help="0: sequential decoding")
    args = parser.parse_args()

    from qa_service.config import get_settings
    from qa_service.engines.registry import Engines

    engines = Engines(get_settings())
    for mode in args.modes.split(","):
        row = {"mode": mode, **calls_round(engines, mode, args.batch_size)}
        row |= clips_round(engines, mode, args.batch_size)
        print(
            json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}),
            flush=True,
        )


if __name__ == "__main__":
    main()
