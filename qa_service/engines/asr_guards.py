"""Guards against Whisper's known failure modes on call audio.

Whisper invents text on silence and noise, loops on one phrase, and in Chinese emits the
subtitle credits it saw in its training data. These filters drop such segments, and
Chinese output is normalised to simplified characters.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

# Whole-segment hallucinations seen in Whisper output on silence or music (subtitle credits,
# channel outros). Matched after removing punctuation and spaces.
KNOWN_HALLUCINATIONS = (
    "请不吝点赞订阅转发打赏支持明镜与点点栏目",
    "明镜与点点栏目",
    "字幕由amaraorg社区提供",
    "字幕byamaraorg社区",
    "小编字幕",
    "中文字幕",
    "字幕志愿者",
    "优优独播剧场",
    "yoyotelevisionseriesexclusive",
    "谢谢观看",
    "感谢观看",
    "请订阅我的频道",
    "subtitlesbytheamaraorgcommunity",
    "thanksforwatching",
    "thankyouforwatching",
    "pleasesubscribe",
)
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class GuardOptions:
    # A segment the model thinks is probably not speech AND is unsure of is dropped.
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    # gzip compression ratio above this means the text repeats itself (a loop).
    compression_ratio_threshold: float = 2.4


def squash(text: str) -> str:
    return _PUNCT.sub("", text).lower()


def is_known_hallucination(text: str) -> bool:
    squashed = squash(text)
    return bool(squashed) and any(
        squashed == phrase or (len(phrase) >= 6 and phrase in squashed and len(squashed) < 40)
        for phrase in KNOWN_HALLUCINATIONS
    )


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def rejection_reason(
    text: str, no_speech_prob: float, avg_logprob: float, options: GuardOptions
) -> str | None:
    """Why a segment must be dropped, or None when it looks like real speech."""
    if not squash(text):
        return "empty"
    if is_known_hallucination(text):
        return "known hallucination"
    if no_speech_prob > options.no_speech_threshold and avg_logprob < options.log_prob_threshold:
        return "no speech"
    if compression_ratio(text) > options.compression_ratio_threshold:
        return "repetition loop"
    return None


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)
