"""The ``embedded`` backend: a verified GGUF instruction model run in-process by llama.cpp.

llama.cpp's quantised kernels run a small model on a CPU in seconds per question, and its
grammar sampler makes the reply follow the JSON schema token by token, so an answer always
parses. The runtime is ``llama-cpp-py-sync``: prebuilt llama.cpp libraries (MIT) with CFFI
bindings, so nothing is compiled at install; ``llama_compat`` loads them where the C library
is older than the one they were linked against. ``llm_gpu_layers`` offloads layers to CUDA
where the installed libraries were built with it (the PyPI wheel is the CPU build). The
replies to a window's questions are written together (``replies_together``, ``llama_batch``):
a decoded token reads every weight, and one step then serves every reply.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_service.engines.llm import Completion, Message
from qa_service.errors import ModelError

if TYPE_CHECKING:
    from qa_service.config import Settings

# Replies are JSON of a few dozen tokens, decoded greedily (llama_decode.generate).
# Questions about one call share the transcript at the head of their prompt: one cache
# session per model lets llama.cpp keep those tokens instead of reading them again.
_CACHE_KEY = "qa-service"
# Replies written together (``replies_together``): a sequence each besides the runtime's
# own, and context cells for them beyond ``llm_context_tokens`` (the bound a prompt is held
# to), so that a full window's questions fit in one batch: about 28 KB a cell for the 1.5B.
REPLY_SEQUENCES = 8
_REPLY_CELLS = 384


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


def load_embedded(settings: Settings) -> EmbeddedModel:
    """The settings' embedded model, loaded by llama.cpp."""
    return EmbeddedModel(
        embedded_model_path(settings),
        context_tokens=settings.llm_context_tokens,
        threads=settings.resolved_cpu_threads(),
        gpu_layers=settings.llm_gpu_layers,
    )


def _llama_library() -> Any:
    """The llama.cpp library of the installed runtime, loaded once per process, quietly."""
    try:
        import llama_cpp_py_sync._cffi_bindings as bindings
    except ImportError as exc:
        raise ModelError(
            f"the embedded language model needs llama-cpp-py-sync ({exc}): pip install -e ."
        ) from exc
    if bindings._lib is None:
        try:
            bindings._lib = bindings.get_lib()
        except RuntimeError as exc:
            if "GLIBC_2.38" not in str(exc):
                raise ModelError(f"llama.cpp could not be loaded: {exc}") from exc
            from qa_service.engines.llm.llama_compat import load_patched

            bindings._lib = load_patched(Path(bindings.__file__).parent, bindings.ffi)
        _silence(bindings)
    return bindings._lib


def _silence(bindings: Any) -> None:
    """llama.cpp logs every tensor it loads to stderr: keep the worker's log readable."""

    @bindings.ffi.callback("void(enum ggml_log_level, const char *, void *)")
    def drop(level: int, text: Any, user_data: Any) -> None:
        return None

    bindings._lib.llama_log_set(drop, bindings.ffi.NULL)
    _silence.callback = drop  # type: ignore[attr-defined]  # kept alive while C holds it


def _last_token_logits_only(llama: Any, threads: int) -> None:
    """Give ``llama`` a context that computes the logits of a batch's last token only.

    The runtime creates every context with embeddings on (its audio features read hidden
    states), and llama.cpp then outputs every token of a batch: the 151,936-wide vocabulary
    projection for each prompt token, of which the sampler needs the last. Measured (0.5B,
    1 thread, 300-token prompt): 26 prompt tokens per CPU second with it, 44 without
    (bench/README.md). ``llama_set_embeddings`` on the live context crashed llama_decode on
    this build, so the context is made anew with the runtime's other settings.
    """
    lib = llama._lib
    params = lib.llama_context_default_params()
    params.n_ctx = llama._n_ctx + REPLY_SEQUENCES * _REPLY_CELLS
    params.n_batch = params.n_ubatch = llama._n_batch
    # One cache shared by every sequence: a reply's sequence shares its prompt's cells.
    params.n_seq_max = 1 + REPLY_SEQUENCES
    params.kv_unified = True
    params.n_threads = params.n_threads_batch = threads
    params.flash_attn_type = 0  # the runtime's default (flash attention measured no faster)
    params.embeddings = False
    context = lib.llama_init_from_model(llama._model, params)
    if context == llama._ffi.NULL:
        raise ModelError("llama.cpp could not create a context for the language model")
    lib.llama_free(llama._ctx)
    llama._ctx = context


@contextmanager
def _model_errors() -> Iterator[None]:
    """The runtime's errors on a request, as the model errors a job reports."""
    try:
        yield
    except ValueError as exc:  # the prompt does not fit the context
        raise ModelError(f"the language model could not take the request: {exc}") from exc
    except RuntimeError as exc:
        raise ModelError(f"llama.cpp failed on the request: {exc}") from exc


class EmbeddedModel:
    """One llama.cpp model; calls are serialised (a llama context is not thread-safe).

    ``replies_together`` holds the model for one thread while a batch of replies is open;
    that thread's other calls (the probes of each answer) go on between its additions.
    """

    parallel_requests = 1

    def __init__(
        self, path: Path, *, context_tokens: int = 4096, threads: int = 1, gpu_layers: int = 0
    ) -> None:
        _llama_library()
        from llama_cpp_py_sync import Llama

        self.name = path.stem
        self._lock = threading.RLock()
        try:
            self._llama = Llama(
                str(path),
                n_ctx=context_tokens,
                n_threads=max(1, threads),
                n_gpu_layers=gpu_layers,
                seed=0,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"llama.cpp could not load {path}: {exc}") from exc
        _last_token_logits_only(self._llama, max(1, threads))

    def answer(
        self,
        messages: list[Message],
        json_schema: dict[str, Any] | None = None,
        *,
        max_tokens: int = 256,
    ) -> Completion:
        from qa_service.engines.llm.llama_choices import (
            compact_grammar,
            forced_head,
            reply_probabilities,
        )
        from qa_service.engines.llm.llama_decode import generate

        grammar = compact_grammar(json_schema) if json_schema is not None else None
        head = forced_head(json_schema) if json_schema is not None else ""
        with self._lock:
            started = time.perf_counter()
            with _model_errors():
                text, counts = generate(
                    self._llama, messages, grammar, max_tokens, _CACHE_KEY, head
                )
            probabilities = {}
            if json_schema is not None and text:
                probabilities = reply_probabilities(
                    self._llama, messages, text, json_schema, _CACHE_KEY
                )
            seconds = time.perf_counter() - started
        return Completion(
            text=text,
            prompt_tokens=counts["input_tokens"],
            completion_tokens=counts["reply_tokens"],
            seconds=seconds,
            model=self.name,
            cached_tokens=counts["reused_tokens"],
            probabilities=probabilities,
        )

    @contextmanager
    def replies_together(self) -> Iterator[EmbeddedReplyBatch]:
        """A batch whose replies are written together (``llama_batch``), for this thread."""
        from qa_service.engines.llm.llama_batch import LlamaReplyBatch

        with self._lock:
            batch = LlamaReplyBatch(self._llama, _CACHE_KEY, REPLY_SEQUENCES)
            failed = True
            try:
                yield EmbeddedReplyBatch(self, batch)
                failed = False
            finally:
                batch.close()  # replies not asked for are dropped with their sequences
                if failed:
                    self._llama._clear_context_state()

    def choice_probabilities(
        self, messages: list[Message], field: str, options: list[str]
    ) -> dict[str, float] | None:
        from qa_service.engines.llm.llama_choices import choice_probabilities

        with self._lock, _model_errors():
            return choice_probabilities(self._llama, messages, field, options, _CACHE_KEY)


class EmbeddedReplyBatch:
    """Requests added one by one (each prompt read as it is added), replies written together."""

    def __init__(self, model: EmbeddedModel, batch: Any) -> None:
        self._model = model
        self._batch = batch

    def add(
        self, messages: list[Message], json_schema: dict[str, Any], *, max_tokens: int = 256
    ) -> None:
        from qa_service.engines.llm.llama_choices import compact_grammar, enum_fields, forced_head

        fields = {k: v for k, v in enum_fields(json_schema).items() if len(v) > 1}
        grammar, head = compact_grammar(json_schema), forced_head(json_schema)
        with _model_errors():
            self._batch.add(messages, grammar, head, max_tokens, fields)

    def choices(
        self, requests: list[tuple[list[Message], str, list[str]]]
    ) -> list[dict[str, float] | None] | None:
        """Each request's answer shares, the prompts read together (``LlamaReplyBatch``)."""
        with _model_errors():
            return self._batch.choices(requests)

    def replies(self) -> list[Completion]:
        """The replies to the requests added, in their order."""
        with _model_errors():
            written = self._batch.replies()
        return [
            Completion(
                text=reply.text,
                prompt_tokens=reply.counts["input_tokens"],
                completion_tokens=reply.counts["reply_tokens"],
                seconds=reply.seconds,
                model=self._model.name,
                cached_tokens=reply.counts["reused_tokens"],
                probabilities=reply.probabilities,
            )
            for reply in written
        ]
