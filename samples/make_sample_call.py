"""Re-create samples/en-billing-call.wav: a two-party English call spoken by espeak-ng.

Left channel agent, right channel customer, 8 kHz 16-bit like a phone line.
Needs Debian's espeak-ng and sox: `python samples/make_sample_call.py`.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

RATE = 8000
TURNS = [  # (role, start second, text)
    ("agent", 0.5, "Thank you for calling Star River billing, this is Mia. How can I help you?"),
    ("customer", 5.5, "Hi, I was charged twice for my subscription this month."),
    ("agent", 9.5, "I am sorry about that. Let me check your account, one moment please."),
    ("agent", 19.0, "Thank you for waiting. I can see the double charge and I have refunded it."),
    ("customer", 25.0, "Great, thank you so much."),
    ("agent", 28.0, "You are welcome. Is there anything else I can help you with?"),
    ("customer", 32.0, "No, that's all."),
    ("agent", 34.0, "Thank you for calling, have a nice day. Goodbye."),
]
VOICES = {"agent": "en-us", "customer": "en-us+m3"}


def speak(text: str, voice: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw.wav", Path(tmp) / "out.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(raw), text], check=True)
        subprocess.run(
            ["sox", str(raw), "-r", str(RATE), "-c", "1", str(out), "sinc", "300-3400"],
            check=True,
        )
        with wave.open(str(out)) as fh:
            return np.frombuffer(fh.readframes(fh.getnframes()), dtype="<i2")


def main(target: Path = Path(__file__).with_name("en-billing-call.wav")) -> None:
    clips = [(role, start, speak(text, VOICES[role])) for role, start, text in TURNS]
    length = max(int(start * RATE) + len(pcm) for _, start, pcm in clips) + RATE
    channels = {"agent": np.zeros(length, "<i2"), "customer": np.zeros(length, "<i2")}
    for role, start, pcm in clips:
        offset = int(start * RATE)
        channels[role][offset : offset + len(pcm)] = pcm
    with wave.open(str(target), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.stack([channels["agent"], channels["customer"]], axis=1).tobytes())
    print(f"wrote {target} ({length / RATE:.1f} s)")


if __name__ == "__main__":
    main()
