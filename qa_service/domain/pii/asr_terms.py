"""The words the detector anchors a number on, as vocabulary for the recogniser.

A phone, card or ID number read out is found by its label as much as by its digits (a
number that does not validate is still masked under its label, see ``numbers``). Whisper
base loses short Mandarin labels more often than the digits after them (验证码 came back as
"眼真马", 身份证号 as "神神神" in bench/pii_asr.py's sets), and every centre's callers say
them, so with ``QA_ASR_PII_TERMS`` they join the centre's own vocabulary of a Chinese call.
Off by default: measured on those sets (bench/README.md, issue 14), whisper base then wrote
the labels but lost the digits after them. English labels came through whisper base in
those sets, so English gets none.
"""

from __future__ import annotations

LABEL_TERMS: dict[str, tuple[str, ...]] = {
    "zh": ("手机号", "电话", "身份证号", "银行卡号", "卡号", "验证码", "密码"),
}


def label_terms(language: str | None) -> tuple[str, ...]:
    """The label words to bias the recogniser toward for a call of ``language``."""
    return LABEL_TERMS.get((language or "").split("-")[0].lower(), ())
