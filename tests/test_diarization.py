"""Mono speaker separation: the real ASR words and encoder on the shared mono calls, and parts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.domain.transcript import Word
from qa_service.engines import agent_cues, speaker_encoder
from qa_service.engines import diarization as dia
from qa_service.engines.diarization_score import score_split
from qa_service.engines.registry import Engines
from tests.conftest import CALLS_DIR, call_truth

MONO_CALLS = sorted(p.name.removesuffix(".mono.wav") for p in CALLS_DIR.glob("*.mono.wav"))
MIN_AGREEMENT = 0.85


@pytest.fixture(scope="session")
def mono_words(
    settings: Settings, engines: Engines
) -> dict[str, tuple[np.ndarray, list[Word], str | None]]:
    """Each mono call decoded and transcribed once, as the pipeline does it."""
    from qa_service.engines.asr import ASROptions
    from qa_service.engines.audio import SAMPLE_RATE, load_arrays
    from qa_service.engines.word_timing import refine_word_times

    recognizer = engines.recognizer
    found = {}
    for call_id in MONO_CALLS:
        channels = load_arrays(CALLS_DIR / f"{call_id}.mono.wav", settings)
        assert len(channels) == 1
        samples = channels[0]
        channel = recognizer.transcribe(samples, ASROptions(beam_size=settings.beam_size))
        refine_word_times(channel.words, samples, SAMPLE_RATE)
        found[call_id] = (samples, channel.words, channel.language)
    return found


@pytest.fixture(scope="session")
def splits(mono_words, settings) -> dict[str, dia.SpeakerSplit]:
    return {
        call_id: dia.separate_speakers(samples, words, language, settings)
        for call_id, (samples, words, language) in mono_words.items()
    }


def test_there_are_mono_calls_to_check():
    assert len(MONO_CALLS) >= 3


@pytest.mark.parametrize("call_id", MONO_CALLS)
def test_split_agrees_with_ground_truth(splits, call_id):
    score = score_split(splits[call_id], call_truth(call_id)["turns"])
    assert score.agreement >= MIN_AGREEMENT, score
    assert score.word_agreement >= MIN_AGREEMENT, score


@pytest.mark.parametrize("call_id", MONO_CALLS)
def test_every_word_goes_to_one_role(splits, mono_words, call_id):
    split = splits[call_id]
    assert sum(len(w) for w in split.words_by_role.values()) == len(mono_words[call_id][1])
    assert split.words_by_role["agent"] and split.words_by_role["customer"]
    assert split.speakers == 2
    assert split.overlap_reliable is False


def test_service_cues_name_the_agent_with_a_confidence(splits):
    # zh-broadband-silence opens with 您好，很高兴为您服务 and asks for details.
    choice = splits["zh-broadband-silence"].agent_choice
    assert choice.chosen_by == "cues" and not choice.low_confidence
    assert {c["kind"] for c in choice.cues if c["speaker"] == choice.speaker} & {"self_id"}
    summary = splits["zh-broadband-silence"].summary()
    assert summary["agent_choice"]["confidence"] == round(choice.confidence, 3)
    assert summary["voices"]["count"] == 2


def _phone_band(samples: np.ndarray) -> np.ndarray:
    """An 8 kHz telephone copy (300-3400 Hz), back at 16 kHz."""
    from scipy import signal

    narrow = signal.resample_poly(samples, 1, 2)
    narrow = signal.lfilter(*signal.butter(4, [300 / 4000, 3400 / 4000], btype="band"), narrow)
    return signal.resample_poly(narrow, 2, 1).astype(np.float32)


@pytest.mark.parametrize("call_id", ["en-billing-deflect", "zh-logistics-deflect"])
@pytest.mark.models
def test_a_phone_band_copy_chooses_the_same_agent(settings, engines, call_id):
    from qa_service.engines.asr import ASROptions
    from qa_service.engines.audio import SAMPLE_RATE, load_arrays
    from qa_service.engines.word_timing import refine_word_times

    samples = _phone_band(load_arrays(CALLS_DIR / f"{call_id}.mono.wav", settings)[0])
    channel = engines.recognizer.transcribe(samples, ASROptions(beam_size=1))
    refine_word_times(channel.words, samples, SAMPLE_RATE)
    split = dia.separate_speakers(samples, channel.words, channel.language, settings)
    score = score_split(split, call_truth(call_id)["turns"])
    assert score.agreement >= MIN_AGREEMENT, (score, split.agent_choice)
    assert split.speakers == 2


def _single_voice_clips() -> list:
    """The shared real single-speaker clips (zh and en; jfk.flac and the AISHELL clip are the
    same files as in samples/)."""
    shared = CALLS_DIR.parent / "audio"
    clips = sorted(p for p in shared.glob("*/*") if p.suffix in (".wav", ".flac"))
    return [p for p in clips if p.name != "stereo_diarization.wav"]  # two voices at once


@pytest.mark.parametrize("band", ["full", "phone"])
@pytest.mark.parametrize("clip", _single_voice_clips(), ids=lambda p: p.name)
@pytest.mark.models
def test_one_voice_is_not_split_in_two(settings, clip, band):
    from qa_service.engines.audio import load_arrays

    samples = np.mean(load_arrays(clip, settings), axis=0).astype(np.float32)  # made mono
    if band == "phone":
        samples = _phone_band(samples)
    split = dia.separate_speakers(samples, [], None, settings)
    assert split.speakers <= 1, split.voices


@pytest.mark.parametrize("setting", ["first", "second"])
def test_queue_setting_decides_the_agent(mono_words, setting):
    samples, words, language = mono_words["zh-broadband-silence"]
    split = dia.separate_speakers(samples, words, language, Settings(mono_agent_speaker=setting))
    score = score_split(split, call_truth("zh-broadband-silence")["turns"])
    # The agent speaks first in this call: "second" swaps the roles.
    if setting == "first":
        assert score.agreement >= MIN_AGREEMENT
    else:
        assert score.agreement <= 1 - MIN_AGREEMENT
    assert split.agent_chosen_by == f"setting:{setting}"


def test_summary_is_plain_data(splits):
    summary = splits["en-billing-deflect"].summary()
    assert summary["overlap_reliable"] is False
    assert {s["role"] for s in summary["segments"]} == {"agent", "customer"}


# --- parts ---


def test_windows_cover_each_region_and_end_with_it():
    windows = dia.sliding_windows([(0.0, 1.0), (2.0, 5.2)], window_s=1.5, hop_s=0.5)
    assert windows[0] == (0.0, 1.0)
    assert windows[1] == (2.0, 3.5)
    assert windows[-1] == pytest.approx((3.7, 5.2))
    assert all(e - s <= 1.5 + 1e-9 for s, e in windows)


def _voices(rng, n, centre):
    rows = centre + 0.15 * rng.standard_normal((n, len(centre)))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_two_voices_cluster_apart():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(16), rng.standard_normal(16)
    emb = np.vstack([_voices(rng, 10, a), _voices(rng, 8, b)])
    labels, centres = dia.cluster_two(emb, np.ones(18, dtype=bool), 0.9)
    assert len(centres) == 2
    assert len(set(labels[:10])) == 1 and len(set(labels[10:])) == 1
    assert labels[0] != labels[-1]


def test_one_voice_stays_one_speaker():
    rng = np.random.default_rng(1)
    emb = _voices(rng, 12, rng.standard_normal(16) * 3)
    labels, centres = dia.cluster_two(emb, np.ones(12, dtype=bool), 0.9)
    assert len(centres) == 1 and set(labels) == {0}


def test_turn_change_inside_a_region_falls_between_windows():
    centres = np.eye(2)
    windows = [(0.0, 1.5), (0.5, 2.0), (1.0, 2.5), (1.5, 3.0)]
    embeddings = np.array([[1.0, 0.0], [0.9, 0.1], [0.1, 0.9], [0.0, 1.0]])
    frames = dia.frame_speakers(windows, embeddings, centres, 3.0)
    assert frames[int(0.5 / dia.FRAME_S)] == 0
    assert frames[int(2.8 / dia.FRAME_S)] == 1
    words = [Word(0.2, 0.6, "a"), Word(2.4, 2.9, "b")]
    assert dia.word_speakers(words, frames) == [0, 1]


def test_short_pauses_stay_inside_a_turn():
    frames = np.array([0] * 100 + [-1] * 30 + [0] * 50 + [-1] * 100 + [1] * 40)
    segments = dia.speaker_segments(frames, {0: "agent", 1: "customer"}, merge_gap_s=0.5)
    assert [(s.role, round(s.start, 2), round(s.end, 2)) for s in segments] == [
        ("agent", 0.0, 1.8),
        ("customer", 2.8, 3.2),
    ]


def _turns(*spec):
    words, speakers, t = [], [], 0.0
    for speaker, text in spec:
        for token in text.split():
            # Whisper's words carry their leading space.
            words.append(Word(t, t + 0.3, f" {token}"))
            speakers.append(speaker)
            t += 0.4
        t += 1.0
    return words, speakers


@pytest.mark.parametrize(
    ("spec", "agent", "how"),
    [
        ([(1, "你好"), (0, "您好 很高兴 为您服务"), (1, "我 想 问 一下")], 0, "cues"),
        ([(0, "hello"), (1, "thank you for calling how can I help")], 1, "cues"),
        ([(1, "喂 说吧"), (0, "我的 快递 没到")], 1, "first_speaker"),
        # The customer's greeting does not outweigh answering the call.
        ([(0, "喂"), (1, "你好 我想 问一下 维修单")], 0, "first_speaker"),
        # Outbound: the customer answers, the agent names the service.
        ([(1, "喂"), (0, "您好 我是 招商银行 客服")], 0, "cues"),
        # A short first word in the wrong voice: cues later in the call decide.
        (
            [
                (1, "hello"),
                (0, "hi I am calling about my bill"),
                (1, "sure can I have your account number"),
                (0, "it is 5521"),
                (1, "thanks is there anything else"),
            ],
            1,
            "cues",
        ),
        (
            [
                (0, "喂"),
                (1, "你们 的 快递 怎么 还没 到"),
                (0, "请 提供 一下 您的 订单号"),
                (1, "好"),
                (0, "还有 其他 问题 吗"),
            ],
            0,
            "cues",
        ),
    ],
)
def test_agent_is_chosen_from_cues_over_the_whole_call(spec, agent, how):
    words, speakers = _turns(*spec)
    language = "zh" if any("\u4e00" <= ch <= "\u9fff" for _, t in spec for ch in t) else "en"
    choice = agent_cues.choose_agent(words, speakers, language, "auto")
    assert (choice.speaker, choice.chosen_by) == (agent, how)
    assert 0.5 <= choice.confidence <= 1.0


def test_a_choice_without_cues_is_flagged_low_confidence():
    words, speakers = _turns((0, "嗯"), (1, "嗯"))
    choice = agent_cues.choose_agent(words, speakers, "zh", "auto")
    assert choice.chosen_by == "first_speaker" and choice.low_confidence
    words, speakers = _turns((0, "您好 工号 1234 为您服务"), (1, "你们 的 网 又 断 了"))
    sure = agent_cues.choose_agent(words, speakers, "zh", "auto")
    assert not sure.low_confidence and sure.confidence > choice.confidence
    assert {c["kind"] for c in sure.cues} >= {"self_id", "customer"}


def test_score_of_a_perfect_and_a_swapped_split():
    turns = [
        {"role": "agent", "start": 0.0, "end": 2.0},
        {"role": "customer", "start": 2.5, "end": 4.0},
    ]
    segments = [
        dia.SpeakerSegment(0.0, 2.0, 0, "agent"),
        dia.SpeakerSegment(2.5, 4.0, 1, "customer"),
    ]
    words = {"agent": [Word(0.1, 1.9, "x")], "customer": [Word(2.6, 3.9, "y")]}
    split = dia.SpeakerSplit(words, segments, 0, "cues", 2)
    perfect = score_split(split, turns)
    assert perfect.agreement == 1.0 and perfect.word_agreement == 1.0 and perfect.der == 0.0
    swapped = dia.SpeakerSplit(
        {"agent": words["customer"], "customer": words["agent"]},
        [replace(s, role="customer" if s.role == "agent" else "agent") for s in segments],
        1,
        "cues",
        2,
    )
    worst = score_split(swapped, turns)
    assert worst.agreement == 0.0 and worst.word_agreement == 0.0 and worst.der == 1.0


def test_no_speech_gives_an_empty_split(settings):
    silence = np.zeros(16000 * 2, dtype=np.float32)
    split = dia.separate_speakers(silence, [], None, settings)
    assert split.segments == [] and split.words_by_role == {"agent": [], "customer": []}


# --- device ---


@pytest.mark.parametrize(("cuda", "expected"), [(True, "cuda"), (False, "cpu")])
@pytest.mark.models
def test_encoder_loads_on_cuda_when_torch_sees_one(monkeypatch, cuda, expected):
    import torch

    moved = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.nn.Module, "to", lambda self, device: moved.append(device) or self)
    encoder = speaker_encoder.load_speaker_encoder(Settings(device="auto"))
    assert encoder.device == expected and moved == [expected]


def test_missing_encoder_weights_are_a_clear_error(tmp_path):
    from qa_service.errors import ModelError

    with pytest.raises(ModelError, match="not found"):
        speaker_encoder.load_speaker_encoder(Settings(speaker_encoder=str(tmp_path / "x.pt")))


@pytest.mark.models
def test_spans_embedded_group_by_group_match_one_pass(settings, monkeypatch):
    """Hours of speech are embedded a group of spans at a time (their mel frames held
    together); the rows are those of one pass over every span, whatever their lengths."""
    from qa_service.engines.audio import load_arrays

    samples = load_arrays(CALLS_DIR / f"{MONO_CALLS[0]}.mono.wav", settings)[0]
    seconds = len(samples) / 16000
    spans = [(t, min(seconds, t + 1.5 + (t % 3) * 0.5)) for t in np.arange(0.0, seconds, 0.7)]
    encoder = speaker_encoder.load_speaker_encoder(settings)
    whole = encoder.embed(samples, spans)
    monkeypatch.setattr(speaker_encoder, "SPANS_AT_ONCE", 7)
    grouped = encoder.embed(samples, spans)
    assert len(spans) > 3 * 7 and len({round(e - s, 2) for s, e in spans}) >= 3
    np.testing.assert_allclose(grouped, whole, atol=1e-5)
