"""The centre's vocabulary: bounded terms, the biasing text, and the guard against echoes."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from qa_service.analysis.vocabulary import metadata_terms
from qa_service.domain.asr_terms import MAX_TERM_CHARS, MAX_TERMS, clean_terms, merge_terms
from qa_service.domain.pii.asr_terms import label_terms
from qa_service.domain.rulepack import RulePackError
from qa_service.domain.transcript import Word
from qa_service.engines.asr import ASROptions, _collect
from qa_service.engines.asr_vocabulary import (
    MAX_PROMPT_CHARS,
    bias_text,
    drop_unvoiced_terms,
    term_spans,
)
from qa_service.errors import InputError

RATE = 16000


def words(*spec: tuple[float, float, str]) -> list[Word]:
    return [Word(a, b, text) for a, b, text in spec]


def test_terms_are_trimmed_deduplicated_and_bounded() -> None:
    assert clean_terms([" 星河客服 ", "Star  River", "星河客服"]) == ("星河客服", "Star River")
    for bad in ["", "x" * (MAX_TERM_CHARS + 1), "a\u200bb", "a\x00b", 7]:
        with pytest.raises(ValueError):
            clean_terms([bad])
    with pytest.raises(ValueError, match="at most"):
        clean_terms([f"t{k}" for k in range(MAX_TERMS + 1)])
    assert len(merge_terms([f"a{k}" for k in range(80)], [f"b{k}" for k in range(80)])) == MAX_TERMS


def test_metadata_vocabulary_is_a_list_or_comma_separated_text() -> None:
    assert metadata_terms({"vocabulary": "星河客服，工号, Star River"}) == (
        "星河客服",
        "工号",
        "Star River",
    )
    assert metadata_terms({"vocabulary": ["分期"]}) == ("分期",)
    assert metadata_terms({}) == ()
    for bad in [{"a": 1}, ["x" * 100], 3]:
        with pytest.raises(InputError):
            metadata_terms({"vocabulary": bad})


def test_a_pack_declares_its_vocabulary_and_bad_terms_refuse_it() -> None:
    from qa_service.analysis.packs import load_pack_text

    body = (
        "pack: centre\nlanguage: zh\nvocabulary: [星河客服, 转运中心]\nrules:\n"
        "  - {id: s, type: silence, category: silence, params: {min_s: 5}}\n"
    )
    pack = load_pack_text(body, "centre")
    assert pack.asr_terms == ("星河客服", "转运中心")
    with pytest.raises(RulePackError, match="vocabulary"):
        load_pack_text(body.replace("转运中心", "'" + "长" * 40 + "'"), "centre")


def test_the_biasing_text_keeps_whole_terms_within_the_prompt_budget() -> None:
    terms = [f"术语{k:03d}" for k in range(60)]
    text = bias_text(terms)
    assert text is not None and len(text) <= MAX_PROMPT_CHARS
    kept = text.split(" ")
    assert kept == terms[: len(kept)] and len(kept) < len(terms)
    assert bias_text([]) is None


def test_terms_are_found_across_word_pieces_and_case() -> None:
    found = term_spans(
        words(
            (0, 1, "欢迎"), (1, 2, "致电星"), (2, 3, "河客服"), (3, 4, " Star"), (4, 5, " river")
        ),
        ["星河客服", "star river", "工号"],
    )
    assert found == [("星河客服", 1, 3), ("starriver", 3, 5)]


def speech_and_silence() -> np.ndarray:
    """Two seconds of voiced sound, then two of near silence."""
    rng = np.random.default_rng(1)
    t = np.arange(4 * RATE) / RATE
    samples = 0.001 * rng.standard_normal(len(t))
    voiced = t < 2.0
    samples[voiced] += (
        0.3 * np.sin(2 * np.pi * 220 * t[voiced]) * (1 + np.sin(2 * np.pi * 3 * t[voiced]))
    )
    return samples.astype(np.float32)


def test_a_term_on_silence_is_dropped_and_one_on_speech_kept() -> None:
    heard = words((0.3, 0.8, "星河"), (0.8, 1.2, "客服"), (2.5, 3.4, "星河客服"), (3.4, 3.6, "好"))
    kept, dropped = drop_unvoiced_terms(heard, ["星河客服"], speech_and_silence(), RATE)
    assert [w.text for w in kept] == ["星河", "客服", "好"]
    assert [(d["text"], d["start"]) for d in dropped] == [("星河客服", 2.5)]


def test_on_steady_noise_every_term_is_dropped() -> None:
    noise = (0.2 * np.random.default_rng(2).standard_normal(4 * RATE)).astype(np.float32)
    heard = words((0.5, 1.5, "工号"), (2.0, 2.5, "你好"))
    kept, dropped = drop_unvoiced_terms(heard, ["工号"], noise, RATE)
    assert [w.text for w in kept] == ["你好"] and len(dropped) == 1


def segment(text: str, no_speech: float, pieces: list[str]):
    spoken = [
        SimpleNamespace(start=k, end=k + 1, word=p, probability=0.9) for k, p in enumerate(pieces)
    ]
    return SimpleNamespace(
        text=text,
        start=0.0,
        end=len(pieces),
        no_speech_prob=no_speech,
        avg_logprob=-0.2,
        words=spoken,
    )


def test_a_segment_the_model_doubts_is_speech_loses_its_terms_only() -> None:
    options = ASROptions(vocabulary=("星河客服",), hotwords="星河客服")
    doubted = segment("星河客服你好", 0.9, ["星河客服", "你好"])
    sure = segment("星河客服你好", 0.1, ["星河客服", "你好"])
    got = _collect([doubted, sure], "zh", 1.0, options)
    assert [w.text for w in got.words] == ["你好", "星河客服", "你好"]
    assert [d["why"] for d in got.dropped] == ["vocabulary term in non-speech"]
    # Without a vocabulary nothing is biased, so nothing is removed.
    plain = _collect([doubted], "zh", 1.0, ASROptions())
    assert [w.text for w in plain.words] == ["星河客服", "你好"]


@pytest.mark.parametrize(
    ("language", "pii_labels", "added"),
    [
        ("zh", True, label_terms("zh")),
        ("zh", False, ()),  # QA_ASR_PII_TERMS off (the default)
        ("en", True, ()),  # English labels came through ASR: none added
        (None, True, ()),  # language unknown before the ASR
    ],
)
def test_pii_labels_join_the_vocabulary_after_the_centres_terms(
    language: str | None, pii_labels: bool, added: tuple[str, ...]
) -> None:
    from qa_service.analysis.pipeline import AnalyzeOptions
    from qa_service.analysis.vocabulary import call_vocabulary

    options = AnalyzeOptions(language=language, metadata={"vocabulary": ["星河客服", "验证码"]})
    got = call_vocabulary(options, language, None, pii_labels=pii_labels)
    assert got.terms[:2] == ("星河客服", "验证码")
    assert got.terms[2:] == tuple(t for t in added if t != "验证码")
    assert got.from_pii == len(got.terms) - 2


def test_every_pii_asr_term_is_a_label_the_detector_anchors_on() -> None:
    from qa_service.domain.pii.detect import detect_text

    def kinds(text: str) -> list[str]:
        return [span.kind.value for span in detect_text(text, "zh")]

    # Written digits that do not validate: the short ones are nothing alone (a code, a local
    # number), the long ones a card or an ID by their length (and an ID's year in place:
    # spoken.read_out_kind). Each term must make one of them personal data of its own type.
    bare = ("4821", "23456789", "12345678901", "1234567890123456", "123456199001015678")
    assert [kinds(b) for b in bare] == [[], [], [], ["CARD"], ["ID"]]
    for term in label_terms("zh"):
        assert any(kinds(f"{term}是{b}") not in ([], kinds(b)) for b in bare), term


def test_a_named_packs_language_picks_the_pii_labels_when_the_call_has_none() -> None:
    from qa_service.analysis.pipeline import AnalyzeOptions
    from qa_service.analysis.vocabulary import call_vocabulary

    for pack, added in (("zh-default", label_terms("zh")), ("en-default", ())):
        got = call_vocabulary(AnalyzeOptions(rule_pack=pack), None, None, pii_labels=True)
        assert got.terms == added and got.pack == pack
