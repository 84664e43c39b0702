"""The ``endpoint`` backend: an OpenAI-compatible chat-completions server by URL.

vLLM, llama.cpp's server, llama-cpp-python's server and Ollama all speak this protocol. The
answer is constrained to the JSON schema through ``response_format``; servers differ in how
they take it (``json_schema`` in OpenAI's and vLLM's form, ``json_object`` plus ``schema`` in
llama.cpp's), so the first form a server refuses with 400/422 is dropped for the next one and
the one that worked is kept. Connection errors, timeouts and 5xx are retried a bounded number
of times with backoff, then raised as ``LanguageModelUnavailable`` so a job retries later.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

from qa_service.engines.llm import Completion, LanguageModelUnavailable, Message
from qa_service.errors import InputError

if TYPE_CHECKING:
    from qa_service.config import Settings

_MAX_REPLY_BYTES = 1 << 20
_BACKOFF_S = 1.0
# How the schema is passed, in order of preference; None: unconstrained (the reply is still
# validated, and retried once when it does not parse).
_FORMATS: tuple[str | None, ...] = ("json_schema", "json_object", None)


def _response_format(kind: str | None, schema: dict[str, Any]) -> dict[str, Any] | None:
    if kind == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": True},
        }
    if kind == "json_object":
        return {"type": "json_object", "schema": schema}
    return None


class EndpointModel:
    """Chat completions from ``url`` (the server's base, e.g. http://host:8000/v1)."""

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key: str = "",
        timeout_s: float = 120.0,
        retries: int = 2,
        parallel_requests: int = 1,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise InputError(f"llm_endpoint_url must be an http(s) URL, not {url!r}")
        self.url = url.rstrip("/") + "/chat/completions"
        self.name = model or "default"
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.retries = retries
        self.parallel_requests = max(1, parallel_requests)
        # Which response_format the server takes, found on the first refusal: shared by the
        # threads of one call's concurrent questions.
        self._format_index = 0
        self._format_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> EndpointModel:
        return cls(
            settings.llm_endpoint_url,
            settings.llm_endpoint_model,
            api_key=settings.llm_endpoint_api_key,
            timeout_s=settings.llm_timeout_s,
            retries=settings.llm_retries,
            parallel_requests=settings.llm_parallel_requests,
        )

    def answer(
        self,
        messages: list[Message],
        json_schema: dict[str, Any] | None = None,
        *,
        max_tokens: int = 256,
    ) -> Completion:
        body: dict[str, Any] = {
            "model": self.name,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0,
        }
        while True:
            tried = self._format_index
            kind = _FORMATS[tried] if json_schema is not None else None
            fmt = _response_format(kind, json_schema) if json_schema is not None else None
            request = {**body, **({"response_format": fmt} if fmt else {})}
            started = time.perf_counter()
            status, reply = self._post(request)
            if status in (400, 422) and fmt is not None:
                with self._format_lock:  # once, however many threads were refused
                    if self._format_index == tried:
                        self._format_index += 1  # the server takes the schema another way
                continue
            if status != 200:
                raise LanguageModelUnavailable(f"{self.url} answered HTTP {status}: {reply!r}")
            return _completion(reply, time.perf_counter() - started, self.name)

    def choice_probabilities(
        self, messages: list[Message], field: str, options: list[str]
    ) -> dict[str, float] | None:
        """None: chat completions cannot be asked to continue a reply the client began, so
        the probability of an answer before it is written is not readable portably."""
        return None

    def _post(self, request: dict[str, Any]) -> tuple[int, Any]:
        """(status, decoded JSON or error text); transient failures retried, then raised."""
        data = json.dumps(request).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(_BACKOFF_S * 2 ** (attempt - 1))
            req = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=self.timeout_s) as response:
                    return response.status, json.loads(response.read(_MAX_REPLY_BYTES))
            except urllib.error.HTTPError as exc:
                text = exc.read(4096).decode(errors="replace")
                if exc.code < 500 and exc.code != 429:
                    return exc.code, text
                last = f"HTTP {exc.code}: {text[:200]}"
            except (OSError, ValueError) as exc:  # refused, reset, timed out, not JSON
                last = f"{type(exc).__name__}: {exc}"
        raise LanguageModelUnavailable(
            f"language model endpoint {self.url} unreachable after {self.retries + 1} "
            f"attempt(s): {last}"
        )


def _completion(reply: Any, seconds: float, default_model: str) -> Completion:
    try:
        choice = reply["choices"][0]["message"]
        text = choice.get("content") or ""
        usage = reply.get("usage") or {}
        details = usage.get("prompt_tokens_details") or {}
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise LanguageModelUnavailable(f"not a chat-completions reply: {exc!r}") from exc
    return Completion(
        text=str(text),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        seconds=seconds,
        model=str(reply.get("model") or default_model),
        cached_tokens=int(details.get("cached_tokens") or 0) if isinstance(details, dict) else 0,
    )
