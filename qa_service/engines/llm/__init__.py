"""One language-model engine behind a small protocol, with two backends.

- ``endpoint``: any OpenAI-compatible chat-completions server (vLLM, llama.cpp server, Ollama)
  by URL and model name: how a GPU fleet serves a large model to many workers.
- ``embedded``: a verified GGUF instruction model run in-process by llama.cpp (CPU or CUDA).

Callers see ``LanguageModel.answer``: chat messages and a JSON schema in, the reply text
with its token counts and seconds out (and, from a backend that writes several replies in one
pass, ``WritesRepliesTogether.replies_together``: the same, for a window's questions).
``load_language_model`` picks the backend from the settings; ``None`` means no model is
configured (questions are then not answered).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from qa_service.errors import ModelError

if TYPE_CHECKING:
    from qa_service.config import Settings

Message = dict[str, str]


@dataclass(frozen=True, slots=True)
class Completion:
    """One reply: its text, what it cost, and which model wrote it.

    ``cached_tokens``: prompt tokens the runtime took from its prompt cache instead of
    reading them again (0 where a server does not say). ``probabilities``: for a string
    field of the schema with a list of values (an answer), the model's probability of each
    value where the backend can read it (the embedded one), else empty.
    """

    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    model: str
    cached_tokens: int = 0
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)


class LanguageModelUnavailable(ModelError):
    """The model could not answer now (server down, timeouts): the job should retry later.

    Never turned into an answer: a question the model could not reach is not a "no".
    """

    code = "language_model_unavailable"


class LanguageModel(Protocol):
    name: str
    # How many requests the backend takes at once: a server batches concurrent requests on
    # its GPU; an in-process model takes one at a time (1), and may write their replies
    # together (``WritesRepliesTogether``).
    parallel_requests: int

    def answer(
        self,
        messages: list[Message],
        json_schema: dict[str, Any] | None = None,
        *,
        max_tokens: int = 256,
    ) -> Completion:
        """The model's reply to ``messages``; constrained to ``json_schema`` when given."""
        ...

    def choice_probabilities(
        self, messages: list[Message], field: str, options: list[str]
    ) -> dict[str, float] | None:
        """Before any reply is written: the probability of each of ``options`` as the value
        of the reply's first field ``field`` (a JSON string), or None where the backend cannot
        read the model's next-token probabilities."""
        ...


class ReplyBatch(Protocol):
    def choices(
        self, requests: list[tuple[list[Message], str, list[str]]]
    ) -> list[dict[str, float] | None] | None:
        """Before any request is added: for each (messages, field, options), what
        ``choice_probabilities`` gives, the prompts read together; None where the batch
        cannot take them all (then ask ``choice_probabilities`` one by one). A request added
        afterwards continues from its probed prompt where it can."""
        ...

    def add(
        self, messages: list[Message], json_schema: dict[str, Any], *, max_tokens: int = 256
    ) -> None:
        """Take a request now (its prompt may be read at once); its reply comes later."""
        ...

    def replies(self) -> list[Completion]:
        """The replies to every request added, in their order."""
        ...


@runtime_checkable
class WritesRepliesTogether(Protocol):
    """A backend that writes several replies in one pass over the model (the embedded one,
    which reads its weights once per token for all of them), asked inside ``with``."""

    def replies_together(self) -> AbstractContextManager[ReplyBatch]: ...


def load_language_model(settings: Settings) -> LanguageModel | None:
    """The backend the settings name; None when ``llm_backend`` is ``off``.

    ``auto``: the endpoint when ``llm_endpoint_url`` is set, else the embedded model when it
    is installed and verified, else none.
    """
    backend = settings.llm_backend
    if backend == "auto":
        if settings.llm_endpoint_url:
            backend = "endpoint"
        else:
            from qa_service.engines.llm.embedded import embedded_model_path

            try:
                embedded_model_path(settings)
            except ModelError:
                return None
            backend = "embedded"
    if backend == "endpoint":
        from qa_service.engines.llm.endpoint import EndpointModel

        return EndpointModel.from_settings(settings)
    if backend == "embedded":
        from qa_service.engines.llm.embedded import load_embedded

        return load_embedded(settings)
    return None
