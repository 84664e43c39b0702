"""ASR accuracy on real recordings with the real base model."""

from __future__ import annotations

import re

import jiwer
import pytest

from qa_service.analysis.pipeline import analyze_file
from tests.conftest import AUDIO_DIR

pytestmark = [pytest.mark.asr, pytest.mark.slow]

_NON_WORD = re.compile(r"[^\w\s']", re.UNICODE)


def normalise_en(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def normalise_zh(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def zh_references() -> dict[str, str]:
    refs = {}
    for line in (AUDIO_DIR / "zh" / "text").read_text(encoding="utf-8").splitlines():
        if line.strip():
            utt_id, text = line.split(maxsplit=1)
            refs[utt_id] = normalise_zh(text)
    return refs


def full_text(result) -> str:
    return " ".join(u.text for u in result.transcript.utterances)


def test_jfk_word_error_rate(engines):
    result = analyze_file(AUDIO_DIR / "en" / "jfk.flac", None, engines)
    reference = (
        "And so my fellow Americans, ask not what your country can do for you, "
        "ask what you can do for your country."
    )
    wer = jiwer.wer(normalise_en(reference), normalise_en(full_text(result)))
    assert wer <= 0.10, full_text(result)


def test_mandarin_character_error_rate(engines):
    refs = zh_references()
    assert len(refs) == 4
    hyps = {
        utt_id: normalise_zh(
            full_text(analyze_file(AUDIO_DIR / "zh" / f"{utt_id}.wav", None, engines))
        )
        for utt_id in refs
    }
    # Overall CER: all edits over all reference characters.
    edits = 0
    for key, ref in refs.items():
        out = jiwer.process_characters(ref, hyps[key])
        edits += out.substitutions + out.deletions + out.insertions
    total = sum(len(r) for r in refs.values())
    assert edits / total <= 0.25, hyps


def test_stereo_channels_land_on_their_roles(engines):
    result = analyze_file(AUDIO_DIR / "en" / "stereo_diarization.wav", None, engines)
    left = (
        "He began a confused complaint against the wizard, "
        "who had vanished behind the curtain on the left."
    )
    right = "The horizon seems extremely distant."
    by_role = {
        role: normalise_en(" ".join(u.text for u in result.transcript.by_role(role)))
        for role in ("agent", "customer")
    }
    assert jiwer.wer(normalise_en(left), by_role["agent"]) <= 0.15
    assert jiwer.wer(normalise_en(right), by_role["customer"]) <= 0.15
    assert result.transcript.channels == {"left": "agent", "right": "customer"}


def test_swapped_channel_map_swaps_roles(engines):
    from qa_service.analysis.pipeline import AnalyzeOptions

    options = AnalyzeOptions(roles=("customer", "agent"))
    result = analyze_file(AUDIO_DIR / "en" / "stereo_diarization.wav", options, engines)
    customer = normalise_en(" ".join(u.text for u in result.transcript.by_role("customer")))
    assert "wizard" in customer


@pytest.mark.parametrize("name", ["BAC009S0764W0121", "TEST_MEETING_T0000000001_S00000"])
def test_mandarin_output_is_simplified(engines, name):
    import opencc

    text = full_text(analyze_file(AUDIO_DIR / "zh" / f"{name}.wav", None, engines))
    assert text
    assert opencc.OpenCC("t2s").convert(text) == text
