"""Engines without models: a recognizer that hears fixed words and a constant sentiment.

For tests of the pipeline, the worker and inspection that must not load Whisper or torch.
"""

from __future__ import annotations

from qa_service.config import Settings
from qa_service.domain.transcript import Word
from qa_service.engines.asr import ASROptions, ChannelTranscript
from qa_service.engines.registry import Engines

# What the fake recognizer hears on the left (agent), then the right (customer) channel.
HEARD = (
    "hello this is not my department call the bank",
    "i want my money back",
)


class FakeRecognizer:
    def __init__(self) -> None:
        self.channels = 0
        self.options: list[ASROptions] = []  # what each channel was transcribed with

    def transcribe(self, audio, options: ASROptions) -> ChannelTranscript:
        text = HEARD[self.channels % len(HEARD)]
        self.channels += 1
        self.options.append(options)
        words = [Word(0.2 + 0.3 * k, 0.45 + 0.3 * k, w) for k, w in enumerate(text.split())]
        return ChannelTranscript(words, options.language or "en", 1.0)


class FakeSentiment:
    def predict(self, texts: list[str]) -> list[dict]:
        probs = {"negative": 0.2, "neutral": 0.6, "positive": 0.2}
        return [{"label": "neutral", "score": 0.0, "probs": probs} for _ in texts]


class FakeEngines(Engines):
    """The real similarity (n-gram: no model), fake speech and sentiment, no act model."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings or Settings(embedding_model=""))
        self.fake_recognizer = FakeRecognizer()

    @property
    def recognizer(self) -> FakeRecognizer:
        return self.fake_recognizer

    @property
    def sentiment(self) -> FakeSentiment:
        return FakeSentiment()

    @property
    def acts(self) -> None:
        return None

    @property
    def speaker_encoder(self):
        raise AssertionError("a stereo call needs no speaker encoder")
