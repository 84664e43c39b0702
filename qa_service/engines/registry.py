"""The models of one process: built once (by the app, the worker or a CLI command) and passed in.

Each model loads on first use and is then kept: a text call never loads Whisper, and a process
that analyses many calls loads each model once. Tests pass their own ``Engines`` (or any object
with the same attributes) to run the pipeline or the checks on fakes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qa_service.config import Settings

if TYPE_CHECKING:
    from qa_service.domain.checks.logic import Similarity
    from qa_service.engines.acts import ActModel
    from qa_service.engines.asr import SpeechRecognizer
    from qa_service.engines.embedding import TextEmbedder
    from qa_service.engines.llm import LanguageModel
    from qa_service.engines.sentiment import SentimentModel
    from qa_service.engines.speaker_encoder import SpeakerEncoder


class Engines:
    """Lazy models for ``settings``; safe to share between worker threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _once(self, name: str, load: Callable[[Settings], Any]) -> Any:
        # One lock for all: two threads asking for the same model must not both load it.
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = load(self.settings)
            return self._loaded[name]

    @property
    def recognizer(self) -> SpeechRecognizer:
        from qa_service.engines.asr import load_recognizer

        return self._once("recognizer", load_recognizer)

    @property
    def sentiment(self) -> SentimentModel:
        from qa_service.engines.sentiment import load_sentiment_model

        return self._once("sentiment", load_sentiment_model)

    @property
    def acts(self) -> ActModel | None:
        """None when ``acts_model`` is off (act rules are then not evaluated)."""
        from qa_service.engines.acts import load_act_model

        return self._once("acts", load_act_model)

    @property
    def embedder(self) -> TextEmbedder | None:
        """None when no ``embedding_model`` is set."""
        from qa_service.engines.embedding import load_text_embedder

        return self._once("embedder", load_text_embedder)

    @property
    def llm(self) -> LanguageModel | None:
        """The language model of evaluation questions; None when none is configured."""
        from qa_service.engines.llm import load_language_model

        return self._once("llm", load_language_model)

    @property
    def speaker_encoder(self) -> SpeakerEncoder:
        from qa_service.engines.speaker_encoder import load_speaker_encoder

        return self._once("speaker_encoder", load_speaker_encoder)

    @property
    def similarity(self) -> tuple[str, Similarity]:
        """``(backend name, similarity)`` of ``similar`` rules with ``method: semantic``."""
        from qa_service.engines.embedding import similarity_backend

        embedder = self.embedder  # outside _once: it takes the same lock
        return self._once("similarity", lambda settings: similarity_backend(embedder, settings))
