"""Guards against Whisper's hallucinations, loops and traditional-character output."""

from __future__ import annotations

import pytest

from qa_service.engines.asr_guards import GuardOptions, rejection_reason, to_simplified

OPTS = GuardOptions()


@pytest.mark.parametrize(
    "text",
    [
        "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目",
        "字幕由Amara.org社区提供",
        "Thanks for watching!",
        "谢谢观看。",
        "中文字幕",
    ],
)
def test_known_hallucinations_are_dropped(text):
    assert rejection_reason(text, 0.1, -0.3, OPTS) == "known hallucination"


@pytest.mark.parametrize(
    "text",
    ["您好，请问有什么可以帮您？", "谢谢您的耐心等待", "Thank you for calling, how can I help?"],
)
def test_real_speech_is_kept(text):
    assert rejection_reason(text, 0.1, -0.3, OPTS) is None


def test_repetition_loop_is_dropped():
    assert rejection_reason("好的好的" * 30, 0.1, -0.2, OPTS) == "repetition loop"


def test_probable_non_speech_is_dropped():
    assert rejection_reason("嗯", 0.9, -1.5, OPTS) == "no speech"
    assert rejection_reason("嗯", 0.9, -0.2, OPTS) is None


@pytest.mark.parametrize(
    ("traditional", "simplified"), [("請問還有什麼問題", "请问还有什么问题"), ("單號", "单号")]
)
def test_chinese_is_normalised_to_simplified(traditional, simplified):
    assert to_simplified(traditional) == simplified
