"""Peak memory of one worker analysing a 4-hour recording.

Builds a 4-hour 8 kHz WAV that is mostly silence, with a real shared call pasted at its start,
middle and end (so ASR, word timing, acoustic cues, sentiment and the rules all have work in
every part of it), then runs the worker's path (``qa_service.analysis.pipeline.analyze_file``) in a
fresh process and prints that process's peak resident memory (VmHWM): after loading the models,
and after the analysis, with the size the decoded audio would have in memory (16 kHz float32
per channel; the worker keeps it on disk, as 16-bit PCM, and reads windows of it).

    .venv/bin/python bench/long_call_memory.py [--hours 4] [--mono] [--call en-billing-deflect]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CALLS = REPO.parent / "shared" / "data" / "calls"
RATE = 8000

CHILD = """
import json, sys, time
from pathlib import Path
from qa_service.config import get_settings
from qa_service.engines.registry import Engines
from qa_service.engines.sentiment import model_path
from qa_service.analysis.pipeline import analyze_file

def hwm():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

settings = get_settings()
engines = Engines(settings)
engines.recognizer
if model_path(settings).exists():
    engines.sentiment
loaded = hwm()
started = time.perf_counter()
result = analyze_file(Path(sys.argv[1]), None, engines)
print(json.dumps({
    "models_mib": round(loaded), "peak_mib": round(hwm()),
    "seconds": round(time.perf_counter() - started, 1),
    "utterances": len(result.transcript.utterances), "findings": len(result.findings),
    "duration_s": result.transcript.duration_s,
}))
"""


def speech(call: str, channels: int) -> np.ndarray:
    """The shared call at 8 kHz as int16 frames (n x channels)."""
    import av

    name = f"{call}.mono.wav" if channels == 1 else f"{call}.wav"
    with av.open(str(CALLS / name)) as container:
        layout = "mono" if channels == 1 else "stereo"
        resampler = av.AudioResampler(format="s16", layout=layout, rate=RATE)
        pieces = [
            out.to_ndarray().reshape(-1, channels)
            for frame in container.decode(audio=0)
            for out in resampler.resample(frame)
        ]
    return np.concatenate(pieces)


def build(path: Path, hours: float, channels: int, call: str) -> Path:
    """Silence with the call pasted at the start, the middle and the end, written in blocks."""
    clip = speech(call, channels)
    total = int(hours * 3600 * RATE)
    places = [RATE, total // 2, total - len(clip) - RATE]
    block = 60 * RATE
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(RATE)
        for a in range(0, total, block):
            b = min(total, a + block)
            frames = np.zeros((b - a, channels), dtype="<i2")
            for p in places:
                lo, hi = max(a, p), min(b, p + len(clip))
                if lo < hi:
                    frames[lo - a : hi - a] = clip[lo - p : hi - p]
            out.writeframes(frames.tobytes())
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=4.0)
    parser.add_argument("--mono", action="store_true")
    parser.add_argument("--call", default="en-billing-deflect")
    args = parser.parse_args()
    channels = 1 if args.mono else 2
    with tempfile.TemporaryDirectory(prefix="qa-long-call-") as tmp:
        path = build(Path(tmp) / "long.wav", args.hours, channels, args.call)
        size_mib = path.stat().st_size / 2**20
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, cwd=REPO
        )
        if done.returncode:
            raise SystemExit(done.stderr[-3000:])
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    decoded = args.hours * 3600 * 16000 * 4 * channels / 2**20
    print(
        f"{args.hours:g} h, {channels} channel(s), 8 kHz WAV of {size_mib:.0f} MiB "
        f"(decoded: {decoded:.0f} MiB as 16 kHz float32, {decoded / 2:.0f} MiB on disk)"
    )
    print(
        f"peak RSS: {figures['models_mib']} MiB with the models loaded, "
        f"{figures['peak_mib']} MiB after the analysis "
        f"(+{figures['peak_mib'] - figures['models_mib']} MiB); {figures['seconds']} s, "
        f"{figures['utterances']} utterances, {figures['findings']} findings"
    )


if __name__ == "__main__":
    main()
