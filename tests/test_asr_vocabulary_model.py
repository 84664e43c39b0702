"""The centre's vocabulary through the real base model: terms heard, never invented."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_service.analysis.pipeline import AnalyzeOptions, analyze_file
from qa_service.engines.asr_guards import squash
from tests.audio_fixtures import write_wav
from tests.conftest import CALLS_DIR

pytestmark = [pytest.mark.asr, pytest.mark.slow]

# A centre's declared words: its name, products, departments.
TERMS = ["星河客服", "工号", "宽带账号", "分期", "手续费", "订单号", "转运中心", "售后", "退款"]


def text_of(result, role: str | None = None) -> str:
    return squash(" ".join(u.text for u in result.transcript.utterances if role in (None, u.role)))


def test_the_centres_name_is_recognised_with_its_vocabulary(engines) -> None:
    options = AnalyzeOptions(language="zh", metadata={"vocabulary": TERMS}, checks=False)
    result = analyze_file(CALLS_DIR / "zh-logistics-good.wav", options, engines)
    assert "星河客服" in text_of(result, "agent")
    shown = result.source["asr_vocabulary"]
    assert shown["terms"] == TERMS and shown["mode"] == "hotwords"


def test_no_term_is_written_into_silence_or_noise(engines, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n = 12 * 16000
    silence = 0.0005 * rng.standard_normal(n)
    hiss = 0.08 * rng.standard_normal(n)
    path = write_wav(tmp_path / "quiet.wav", [silence, hiss], 16000)
    options = AnalyzeOptions(language="zh", metadata={"vocabulary": TERMS}, checks=False)
    heard = text_of(analyze_file(path, options, engines))
    assert not [t for t in TERMS if t in heard], heard
