"""Acoustic cues on the real call audio, with voices raised (louder, higher) by known amounts."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from qa_service.domain.metrics import speech_units
from qa_service.domain.transcript import Transcript, Utterance
from qa_service.engines.acoustic import AcousticOptions, annotate_acoustics, measure
from qa_service.engines.audio import SAMPLE_RATE, load_arrays
from tests.conftest import CALLS_DIR, call_truth, stereo_call_paths

CALL_IDS = [p.stem for p in stereo_call_paths()]
CALL = "zh-logistics-good"


def truth_transcript(call_id: str) -> Transcript:
    """The reference turns as utterances: real timing, no ASR needed."""
    truth = call_truth(call_id)
    utterances = [Utterance(t["role"], t["start"], t["end"], t["text"]) for t in truth["turns"]]
    return Transcript(utterances, truth["language"], truth["duration_s"], truth["channels"])


@pytest.fixture(scope="session")
def call_audio(settings) -> dict[str, dict[str, np.ndarray]]:
    found = {}
    for call_id in CALL_IDS:
        left, right = load_arrays(CALLS_DIR / f"{call_id}.wav", settings)
        channels = call_truth(call_id)["channels"]
        found[call_id] = {channels["left"]: left, channels["right"]: right}
    return found


@pytest.fixture(scope="session")
def calm(call_audio) -> dict[str, tuple[Transcript, dict]]:
    """Each call's reference transcript annotated from its own audio, and the summary: the
    baseline the tests compare with, measured once (tests read it, never change it)."""
    found = {}
    for call_id in CALL_IDS:
        transcript = truth_transcript(call_id)
        found[call_id] = (
            transcript,
            annotate_acoustics(transcript, call_audio[call_id], SAMPLE_RATE),
        )
    return found


def _cues(transcript: Transcript, role: str) -> list[dict]:
    return [u.extra["acoustic"] for u in transcript.utterances if u.role == role]


def _changed(samples: np.ndarray, utt: Utterance, fn) -> np.ndarray:
    out = samples.copy()
    a, b = int(utt.start * SAMPLE_RATE), int(utt.end * SAMPLE_RATE)
    out[a:b] = fn(out[a:b])[: b - a]
    return out


def _original_cues(calm, index: int) -> dict:
    return calm[CALL][0].utterances[index].extra["acoustic"]


def _target(transcript: Transcript, role: str = "agent", nth: int = 1) -> tuple[int, Utterance]:
    found = [(i, u) for i, u in enumerate(transcript.utterances) if u.role == role]
    return found[nth]


@pytest.mark.parametrize("call_id", CALL_IDS)
def test_every_utterance_gets_cues_and_calm_calls_raise_no_voice(calm, call_id):
    transcript, summary = calm[call_id]
    assert len(transcript.utterances) == len(call_truth(call_id)["turns"])
    for utt in transcript.utterances:
        cues = utt.extra["acoustic"]
        assert cues["raised_voice"] is False, (utt.text, cues)
        assert -40 < cues["loudness_db"] < 0
        assert 0.0 <= cues["agitation"] <= 1.0
    assert set(summary["roles"]) == {"agent", "customer"}
    assert summary["shared_channel"] is False


def test_pitch_follows_a_phone_band_voice_without_its_fundamental():
    rate, f0 = 8000, 180.0
    t = np.arange(int(rate * 1.5)) / rate
    # Harmonics from 360 Hz up: what a 300-3400 Hz line leaves of a 180 Hz voice.
    voice = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(2, 18)).astype(np.float32) * 0.1
    sound = measure(voice, rate, AcousticOptions())
    assert 2 ** (sound.pitch_mean_st / 12) == pytest.approx(f0, rel=0.03)


def test_louder_utterance_is_a_raised_voice(call_audio, calm):
    transcript = truth_transcript(CALL)
    index, utt = _target(transcript)
    channels = dict(call_audio[CALL])
    before = _original_cues(calm, index)
    channels["agent"] = _changed(channels["agent"], utt, lambda x: x * 10 ** (10 / 20))
    summary = annotate_acoustics(transcript, channels, SAMPLE_RATE)
    cues = transcript.utterances[index].extra["acoustic"]
    assert cues["loudness_db"] - before["loudness_db"] == pytest.approx(10.0, abs=0.3)
    assert cues["raised_voice"] is True
    raised = [c for c in _cues(transcript, "agent") if c["raised_voice"]]
    assert len(raised) == 1 and not any(c["raised_voice"] for c in _cues(transcript, "customer"))
    assert summary["roles"]["agent"]["raised_voice"] == 1
    assert summary["roles"]["agent"]["most_agitated"]["utterance"] == index


def test_higher_and_somewhat_louder_is_a_raised_voice(call_audio, calm):
    import librosa

    transcript = truth_transcript(CALL)
    index, utt = _target(transcript)
    channels = dict(call_audio[CALL])
    before = _original_cues(calm, index)
    # 3 semitones higher and 5 dB louder than this speaker's baseline, not than this line.
    steps = 3.0 - before["pitch_delta_st"]
    gain_db = 5.0 - before["loudness_delta_db"]

    def shout(x):
        higher = librosa.effects.pitch_shift(x, sr=SAMPLE_RATE, n_steps=steps)
        return higher * 10 ** (gain_db / 20) * np.sqrt(np.mean(x**2) / np.mean(higher**2))

    channels["agent"] = _changed(channels["agent"], utt, shout)
    annotate_acoustics(transcript, channels, SAMPLE_RATE)
    cues = transcript.utterances[index].extra["acoustic"]
    shift = 12 * np.log2(cues["pitch_hz_mean"] / before["pitch_hz_mean"])
    assert shift == pytest.approx(steps, abs=0.7)
    assert cues["loudness_db"] - before["loudness_db"] == pytest.approx(gain_db, abs=0.5)
    # Less than raised_db louder: only the pitch makes it a raised voice.
    assert 3.0 <= cues["loudness_delta_db"] < 6.0
    assert cues["raised_voice"] is True
    assert cues["agitation"] >= 0.4


def test_short_interjection_is_never_raised(call_audio):
    transcript = truth_transcript(CALL)
    index, utt = _target(transcript)
    utt.end = utt.start + 0.5
    channels = dict(call_audio[CALL])
    channels["agent"] = _changed(channels["agent"], utt, lambda x: x * 10 ** (12 / 20))
    annotate_acoustics(transcript, channels, SAMPLE_RATE)
    cues = transcript.utterances[index].extra["acoustic"]
    assert cues["loudness_delta_db"] > 6 and cues["raised_voice"] is False


def test_quieter_utterance_is_not_raised(call_audio, calm):
    transcript = truth_transcript(CALL)
    index, utt = _target(transcript)
    channels = dict(call_audio[CALL])
    before = _original_cues(calm, index)
    channels["agent"] = _changed(channels["agent"], utt, lambda x: x * 10 ** (-10 / 20))
    annotate_acoustics(transcript, channels, SAMPLE_RATE)
    cues = transcript.utterances[index].extra["acoustic"]
    assert cues["loudness_db"] - before["loudness_db"] == pytest.approx(-10.0, abs=0.3)
    assert cues["loudness_delta_db"] < -5
    assert cues["raised_voice"] is False and cues["agitation"] < 0.3


def test_speech_rate_is_units_per_minute_of_the_utterance(calm):
    transcript = calm[CALL][0]
    for utt in transcript.utterances:
        expected = speech_units(utt.text) * 60.0 / utt.duration
        assert utt.extra["acoustic"]["speech_rate"] == pytest.approx(expected, abs=0.1)


def test_mono_shares_one_channel_between_roles(call_audio):
    transcript = truth_transcript(CALL)
    mixed = call_audio[CALL]["agent"] + call_audio[CALL]["customer"]
    summary = annotate_acoustics(transcript, {"agent": mixed, "customer": mixed}, SAMPLE_RATE)
    assert summary["shared_channel"] is True
    assert all("acoustic" in u.extra for u in transcript.utterances)


def test_roles_without_audio_are_left_alone(call_audio):
    transcript = truth_transcript(CALL)
    annotate_acoustics(transcript, {"agent": call_audio[CALL]["agent"]}, SAMPLE_RATE)
    assert all(("acoustic" in u.extra) == (u.role == "agent") for u in transcript.utterances)


def test_too_short_to_measure_gives_no_numbers():
    sound = measure(np.zeros(100, dtype=np.float32), 8000, AcousticOptions())
    assert sound.loudness_db is None and sound.pitch_st is None


def _voice_findings(transcript: Transcript):
    from qa_service.analysis.packs import default_pack_name, load_pack
    from tests.rules_helpers import run

    outcome = run(load_pack(default_pack_name(transcript.language)), transcript)
    voice = {"agent_raised_voice", "customer_raised_voice"}
    return [f for f in outcome.findings if f.category in voice], outcome


@pytest.mark.parametrize("call_id", CALL_IDS)
def test_default_pack_hears_no_raised_voice_on_calm_calls(calm, call_id):
    found, outcome = _voice_findings(copy.deepcopy(calm[call_id][0]))
    assert found == []
    assert not any("raised" in n["rule_id"] for n in outcome.metrics["not_evaluated"])


def test_default_pack_reports_a_shouting_customer_and_scores_it(call_audio):
    transcript = truth_transcript(CALL)
    index, utt = _target(transcript, role="customer")
    channels = dict(call_audio[CALL])
    channels["customer"] = _changed(channels["customer"], utt, lambda x: x * 10 ** (10 / 20))
    annotate_acoustics(transcript, channels, SAMPLE_RATE)
    found, outcome = _voice_findings(transcript)
    assert [(f.rule_id, f.evidence["utterance"]) for f in found] == [
        ("customer-raised-voice", index)
    ]
    assert found[0].evidence["loudness_delta_db"] >= 6.0
    items = {i["item"]: i for i in outcome.score.items}
    assert items["customer-voice"]["points"] == -5
    assert "agent-voice" not in items
