"""The ``embedded`` backend: a verified GGUF instruction model run in-process by llama.cpp.

llama.cpp's quantised kernels are several times faster on a CPU than dequantised weights in
transformers, and its grammar sampler makes the reply follow the JSON schema token by token,
so an answer always parses. ``llm_gpu_layers`` offloads layers to CUDA where the package was
built with it. The package (``llama-cpp-python``) is the optional extra ``llm``; without it
the same file runs through transformers (``embedded_hf``), slower and unconstrained.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_service.engines.llm import Completion, Message
from qa_service.errors import ModelError

if TYPE_CHECKING:
    from qa_service.config import Settings
    from qa_service.engines.llm.embedded_hf import TransformersModel


def embedded_model_path(settings: Settings) -> Path:
    """The GGUF file of ``llm_model``: a verified catalog model, or a file named directly."""
    from qa_service.modelhub.catalog import get_spec
    from qa_service.modelhub.store import inspect_model

    direct = Path(settings.llm_model)
    if direct.suffix == ".gguf":
        # A file the operator verified and pointed at directly (models outside the catalog).
        if not direct.is_file():
            raise ModelError(f"llm_model {direct} is not a file")
        return direct
    spec = get_spec(settings.llm_model)
    if spec.kind != "gguf":
        raise ModelError(f"model '{spec.name}' is a {spec.kind} model, not a language model")
    state = inspect_model(spec, settings)
    if state.status != "verified":
        detail = "; ".join(state.problems) or state.status
        raise ModelError(
            f"language model '{spec.name}' is not installed and verified in {state.path} "
            f"({detail}); run: qa-service models fetch {spec.name}"
        )
    return state.path / next(name for name in spec.files if name.endswith(".gguf"))


def load_embedded(settings: Settings) -> EmbeddedModel | TransformersModel:
    """llama.cpp when ``llama-cpp-python`` is installed (or asked for), else transformers."""
    from importlib.util import find_spec

    path = embedded_model_path(settings)
    runtime = settings.llm_runtime
    if runtime == "auto":
        runtime = "llama.cpp" if find_spec("llama_cpp") is not None else "transformers"
    if runtime == "transformers":
        from qa_service.engines.llm.embedded_hf import TransformersModel

        return TransformersModel(path, threads=settings.resolved_cpu_threads())
    return EmbeddedModel(
        path,
        context_tokens=settings.llm_context_tokens,
        threads=settings.resolved_cpu_threads(),
        gpu_layers=settings.llm_gpu_layers,
    )


class EmbeddedModel:
    """One llama.cpp model; calls are serialised (a llama context is not thread-safe)."""

    def __init__(
        self, path: Path, *, context_tokens: int = 4096, threads: int = 1, gpu_layers: int = 0
    ) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelError(
                "the embedded language model needs llama-cpp-python: pip install 'qa-service[llm]'"
            ) from exc
        self.name = path.stem
        self._lock = threading.Lock()
        self._llama = Llama(
            model_path=str(path),
            n_ctx=context_tokens,
            n_threads=threads,
            n_gpu_layers=gpu_layers,
            seed=0,
            verbose=False,
        )

    def answer(
        self,
        messages: list[Message],
        json_schema: dict[str, Any] | None = None,
        *,
        max_tokens: int = 256,
    ) -> Completion:
        fmt = None if json_schema is None else {"type": "json_object", "schema": json_schema}
        with self._lock:
            started = time.perf_counter()
            reply: Any = self._llama.create_chat_completion(
                messages=messages,  # type: ignore[arg-type]
                response_format=fmt,  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=0.0,
            )
            seconds = time.perf_counter() - started
        usage = reply.get("usage") or {}
        return Completion(
            text=reply["choices"][0]["message"].get("content") or "",
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            seconds=seconds,
            model=self.name,
        )
