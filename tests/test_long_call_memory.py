"""A long call does not cost a worker memory in proportion to its length.

A 45-minute stereo recording (mostly silence, a burst of voice-like noise now and then) goes
through the worker's path, ``analyze_file``, in a fresh process; the recognizer is a stand-in
that answers a word per window (the real model would take minutes here, and its own memory
is bounded by the 20-minute window, as ``test_audio_bomb`` checks). Held whole, the decoded
call alone is 330 MiB (16 kHz float32, two channels); read window by window from disk, the
peak grows by about one ASR window.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO

# A 45-minute recording decoded and analysed in a subprocess: ~20 s, not for the fast loop.
pytestmark = pytest.mark.slow

RATE = 8000
MINUTES = 45

CHILD = """
import json, sys
from pathlib import Path
import numpy as np
from qa_service.config import get_settings
from qa_service.domain.transcript import Word
from qa_service.analysis.pipeline import analyze_file
from qa_service.engines import asr
from qa_service.engines.registry import Engines

WINDOWS = []

class OneWordPerWindow:
    def transcribe(self, audio, options):
        WINDOWS.append(len(audio))
        words = [Word(1.0, 1.4, "hello", 0.9), Word(1.5, 1.9, "there", 0.9)]
        return asr.ChannelTranscript(words, "en", 0.9)

class OneWordEngines(Engines):
    @property
    def recognizer(self):
        return OneWordPerWindow()

def high_water_mib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

settings = get_settings()
engines = OneWordEngines(settings)
analyze_file(Path(sys.argv[1]), None, engines)  # loads every model and library once
before = high_water_mib()
result = analyze_file(Path(sys.argv[2]), None, engines)
print(json.dumps({
    "growth_mib": high_water_mib() - before,
    "duration_s": result.transcript.duration_s,
    "utterances": len(result.transcript.utterances),
    "windows": WINDOWS[2:],
    "left_in_tmp": [p.name for p in (Path(settings.data_dir) / "tmp").iterdir()],
}))
"""


def _recording(path: Path, seconds: int) -> Path:
    """Stereo 8 kHz silence with 2 s of noise every 5 minutes on alternating channels."""
    rng = np.random.default_rng(5)
    burst = (3000 * rng.standard_normal(2 * RATE)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        for minute in range(0, seconds, 60):
            frames = np.zeros((60 * RATE, 2), dtype="<i2")
            if minute % 300 == 0:
                frames[RATE : 3 * RATE, (minute // 300) % 2] = burst
            out.writeframes(frames.tobytes())
    return path


def test_a_long_call_is_analysed_in_bounded_memory(tmp_path) -> None:
    short = _recording(tmp_path / "short.wav", 60)
    long = _recording(tmp_path / "long.wav", MINUTES * 60)
    data = tmp_path / "data"
    env = {"QA_DATA_DIR": str(data), "QA_MODELS_DIR": str(REPO / "models")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(short), str(long)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["duration_s"] == MINUTES * 60
    # Three windows per channel (20 + 20 + 5 minutes), each given to the recognizer.
    assert len(figures["windows"]) == 6 and sum(figures["windows"]) == 2 * MINUTES * 60 * 16000
    assert figures["utterances"] >= 2
    decoded_mib = 2 * MINUTES * 60 * 16000 * 4 / 2**20
    # One 20-minute window (73 MiB) and the per-frame levels; not the call (330 MiB).
    assert figures["growth_mib"] < 0.5 * decoded_mib, figures
    assert figures["left_in_tmp"] == []
