"""Recordings in the formats, rates and layouts contact centres produce."""

from __future__ import annotations

import numpy as np
import pytest

from qa_service.analysis.pipeline import analyze_file
from qa_service.engines.audio import load_audio
from qa_service.engines.pcm import PcmChannel
from qa_service.errors import InputError
from tests.audio_fixtures import transcode, write_wav
from tests.conftest import CALLS_DIR, call_truth
from tests.test_asr_accuracy import normalise_zh

SOURCE = CALLS_DIR / "zh-rude-agent.wav"

FORMATS = [
    ("mp3", "mp3", 16000),
    ("m4a", "aac", 16000),
    ("ogg", "libopus", 48000),
    ("flac", "flac", 44100),
    ("wav", "pcm_s16le", 16000),
]


def _truth_text(role: str) -> str:
    return normalise_zh(
        "".join(t["text"] for t in call_truth(SOURCE.stem)["turns"] if t["role"] == role)
    )


def _role_text(result, role):
    return normalise_zh("".join(u.text for u in result.transcript.by_role(role)))


@pytest.mark.parametrize(("suffix", "codec", "rate"), FORMATS)
@pytest.mark.asr
def test_format_gives_the_same_dialogue(tmp_path, engines, suffix, codec, rate):
    import jiwer

    path = transcode(SOURCE, tmp_path / f"call.{suffix}", codec, rate)
    result = analyze_file(path, None, engines)
    assert result.transcript.roles == {"agent", "customer"}
    for role in ("agent", "customer"):
        cer = jiwer.cer(_truth_text(role), _role_text(result, role))
        assert cer <= 0.3, (role, _role_text(result, role))
    assert abs(result.transcript.duration_s - call_truth(SOURCE.stem)["duration_s"]) < 0.2


def test_mono_file_is_one_channel(settings):
    audio = load_audio(CALLS_DIR / "en-billing-deflect.mono.wav", settings)
    assert len(audio.channels) == 1


def test_identical_channels_are_treated_as_mono(tmp_path, settings):
    rng = np.random.default_rng(0)
    signal = rng.normal(0, 0.1, 16000).astype(np.float32)
    audio = load_audio(write_wav(tmp_path / "dup.wav", [signal, signal], 16000), settings)
    assert len(audio.channels) == 1


def test_decoded_audio_is_16k_per_channel(settings):
    audio = load_audio(SOURCE, settings)
    assert len(audio.channels) == 2
    assert audio.info.sample_rate == 8000
    assert abs(len(audio.channels[0]) / 16000 - 16.39) < 0.05


@pytest.mark.asr
def test_silence_and_noise_produce_no_text(tmp_path, engines):
    rng = np.random.default_rng(1)
    seconds = 20
    silence = np.zeros(8000 * seconds, dtype=np.float32)
    hiss = rng.normal(0, 0.01, 8000 * seconds).astype(np.float32)
    result = analyze_file(write_wav(tmp_path / "quiet.wav", [silence, hiss], 8000), None, engines)
    assert result.transcript.utterances == []


def test_a_decoded_channel_reads_windows_as_an_array_would(tmp_path):
    rng = np.random.default_rng(2)
    pcm = rng.integers(-32768, 32767, 3 * 1024 * 1024 + 17, dtype=np.int16)
    channel = PcmChannel(tmp_path)
    channel.append(pcm[:1000])
    channel.append(pcm[1000:])
    channel.finish()
    whole = pcm.astype(np.float32) / 32768
    assert len(channel) == len(pcm)
    windows = (slice(None), slice(5, 2_500_000), slice(-7, None), slice(10, 3), slice(0, 10**9))
    for window in windows:
        assert np.array_equal(channel[window], whole[window]), window
    with pytest.raises(ValueError):
        channel[::2]
    with pytest.raises(TypeError):
        np.asarray(channel)  # never the whole call in memory by accident
    assert list(tmp_path.iterdir()) == []  # the file has no name
    channel.close()


def test_an_unusable_data_folder_is_one_error_line(tmp_path, settings):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match="QA_DATA_DIR/tmp"):
        load_audio(SOURCE, settings.model_copy(update={"data_dir": blocker}))
