"""Decompression bombs: a tiny WAV that declares 1 Hz (hours once brought to 16 kHz) is
refused at upload and in the pipeline; decoding goes to disk, not memory; long channels are
transcribed window by window."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from qa_service.engines.asr import WINDOW_S, ASROptions, ChannelTranscript, transcribe_long
from qa_service.engines.audio import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, load_audio
from qa_service.errors import InputError
from tests.audio_fixtures import write_wav
from tests.conftest import REPO

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]


def bomb(path: Path, rate: int, n_bytes: int = 16_000) -> Path:
    """A mono 16-bit WAV of ``n_bytes`` of noise whose header declares ``rate``."""
    noise = np.random.default_rng(rate).integers(-3000, 3000, n_bytes // 2, dtype=np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(noise.tobytes())
    return path


@pytest.mark.parametrize("rate", [1, MIN_SAMPLE_RATE - 1, MAX_SAMPLE_RATE + 1])
def test_an_upload_with_an_absurd_sample_rate_is_refused(service, tmp_path, rate) -> None:
    before = service.get("/api/calls", "admin").json()["total"]
    path = bomb(tmp_path / f"bomb-{rate}.wav", rate)
    reply = service.upload("qa1", [(path.name, path.read_bytes())])
    assert reply.status_code == 422, reply.text
    message = reply.json()["error"]["message"]
    assert f"sample rate of {rate} Hz" in message and "4-192 kHz" in message
    assert service.get("/api/calls", "admin").json()["total"] == before
    assert service.spooled_files() == []


@pytest.mark.asr
def test_the_pipeline_refuses_it_with_one_error_line(tmp_path, settings) -> None:
    path = bomb(tmp_path / "bomb.wav", 1)
    with pytest.raises(InputError, match="sample rate of 1 Hz"):
        load_audio(path, settings)
    done = subprocess.run(
        [sys.executable, "-m", "qa_service", "analyze", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: {path}: the sample rate of 1 Hz is not one of a recording; accepted: 4-192 kHz"
    ]


PEAK_SCRIPT = """
import json, sys
from pathlib import Path
import av, numpy
from qa_service.config import Settings
from qa_service.engines.audio import load_audio

def high_water_kib():
    # This process's own peak (ru_maxrss would include the parent's, from before exec).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

before = high_water_kib()
with load_audio(Path(sys.argv[1]), Settings(data_dir=Path(sys.argv[2]))) as audio:
    decoded = sum(len(c) for c in audio.channels) * 4  # as 16 kHz float32
    print(json.dumps({"peak_kib": high_water_kib() - before, "decoded_kib": decoded // 1024}))
"""


def test_decoding_goes_to_disk_not_memory(tmp_path) -> None:
    """20 minutes of 8 kHz stereo: 147 MiB once decoded (16 kHz float32). Decoding into
    memory cost 1.23x that (and 6x before that); written to disk, a few blocks (measured
    peak growth: 34 MiB)."""
    rate, seconds = 8000, 20 * 60
    rng = np.random.default_rng(7)
    n = rate * seconds
    left, right = (0.01 * rng.standard_normal(n).astype(np.float32) for _ in range(2))
    path = write_wav(tmp_path / "long.wav", [left, right], rate)
    del left, right
    done = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(path), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["decoded_kib"] > 140 * 1024
    # Blocks of the decoder, the channel check's reads: not the call (was 180 MiB here).
    assert figures["peak_kib"] < 64 * 1024, figures
    # The temporary files have no name and are gone with the process.
    assert list((tmp_path / "data" / "tmp").iterdir()) == []


class CountingRecognizer:
    """Records each window it is given; answers one word one second into it."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str | None]] = []

    def transcribe(self, audio: np.ndarray, options: ASROptions) -> ChannelTranscript:
        from qa_service.domain.transcript import Word

        self.calls.append((len(audio), options.language))
        return ChannelTranscript([Word(1.0, 1.5, "hi")], options.language or "en", 0.9)


def test_long_channels_are_transcribed_in_windows_cut_at_quiet_moments() -> None:
    rate = 100  # samples per second: the arithmetic of a 16 kHz channel, in little memory
    seconds = int(2.5 * WINDOW_S)
    rng = np.random.default_rng(3)
    samples = (0.3 * rng.standard_normal(seconds * rate)).astype(np.float32)
    quiet = int(WINDOW_S - 10) * rate  # a silent second 10 s before the first window's end
    samples[quiet : quiet + rate] = 0.0
    recognizer = CountingRecognizer()
    channel = transcribe_long(recognizer, samples, rate, ASROptions())
    lengths = [n for n, _ in recognizer.calls]
    assert len(lengths) == 3 and sum(lengths) == len(samples)
    assert max(lengths) <= WINDOW_S * rate
    assert quiet <= lengths[0] < quiet + rate  # cut inside the silence
    # The first window's language is given to the next ones; times are the channel's.
    assert [lang for _, lang in recognizer.calls] == [None, "en", "en"]
    starts = np.cumsum([0, *lengths[:-1]]) / rate + 1.0
    assert [w.start for w in channel.words] == pytest.approx(list(starts))
    assert channel.language == "en"


def _mask(regions: list[tuple[float, float]], seconds: float) -> np.ndarray:
    mask = np.zeros(int(seconds * 100) + 1, dtype=bool)
    for start, end in regions:
        mask[int(start * 100) : int(end * 100)] = True
    return mask


def test_voice_detection_in_windows_finds_what_one_pass_finds(monkeypatch, settings) -> None:
    """A real mono call: speech found window by window (windows of 7 s, so several regions
    are cut by a window's end and joined again) is the speech of one pass, within 10%."""
    from qa_service.engines import diarization
    from tests.conftest import CALLS_DIR

    # Read window by window from the decoded file, as the pipeline does.
    audio = load_audio(CALLS_DIR / "en-billing-deflect.mono.wav", settings)
    samples = audio.channels[0]
    seconds = len(samples) / 16000
    options = diarization.DiarizationOptions()
    whole = diarization.speech_regions(samples, options)
    monkeypatch.setattr(diarization, "VAD_WINDOW_S", 7.0)
    windowed = diarization.speech_regions(samples, options)
    a, b = _mask(whole, seconds), _mask(windowed, seconds)
    assert a.sum() > 10 * 100  # seconds of speech, in 10 ms frames
    assert (a & b).sum() / (a | b).sum() > 0.9
    assert abs(len(windowed) - len(whole)) <= 2, (whole, windowed)
    # No region ends at a window's edge only because the window ended there.
    edges = np.arange(7.0, seconds, 7.0)
    assert not any(abs(end - edge) < 0.01 for _, end in windowed for edge in edges), windowed
    audio.close()
