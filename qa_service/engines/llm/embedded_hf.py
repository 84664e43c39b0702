"""The embedded model through transformers, where llama-cpp-python is not installed.

transformers reads the same verified GGUF file (``gguf_file=``, needs the ``gguf`` package)
and dequantises it: several times slower on a CPU than llama.cpp's quantised kernels and with
no grammar sampler, so the reply is not constrained while decoding; it is still checked
against the schema by the caller and asked again once when it does not parse.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from qa_service.engines.llm import Completion, Message
from qa_service.errors import ModelError


def _json_start(text: str) -> str:
    """The reply from its first "{" (small models sometimes wrap JSON in a code fence)."""
    start = text.find("{")
    end = text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


class TransformersModel:
    """A GGUF file loaded by transformers on the CPU (fp32); calls are serialised."""

    def __init__(self, path: Path, *, threads: int = 1) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - both are dependencies
            raise ModelError(f"the embedded language model needs transformers: {exc}") from exc
        torch.set_num_threads(max(1, threads))
        self.name = path.stem
        self._lock = threading.Lock()
        folder, file = str(path.parent), path.name
        # Building the tokenizer from the GGUF vocabulary takes minutes on a busy CPU: the
        # result is kept beside the verified file and reused while that file is unchanged.
        cache = path.parent / f".{path.name}.{path.stat().st_size}.tokenizer"
        try:
            if (cache / "tokenizer.json").is_file():
                self._tokenizer = AutoTokenizer.from_pretrained(str(cache))
            else:
                self._tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=file)
                self._tokenizer.save_pretrained(str(cache))
            self._model = AutoModelForCausalLM.from_pretrained(
                folder, gguf_file=file, dtype=torch.float32
            )
        except (OSError, ValueError, ImportError) as exc:
            raise ModelError(f"transformers could not load {path}: {exc}") from exc
        self._model.eval()

    def answer(
        self,
        messages: list[Message],
        json_schema: dict[str, Any] | None = None,
        *,
        max_tokens: int = 256,
    ) -> Completion:
        import torch

        ids = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt"
        )
        if not torch.is_tensor(ids):
            ids = ids["input_ids"]
        with self._lock, torch.inference_mode():
            started = time.perf_counter()
            out = self._model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=max_tokens,
                do_sample=False,
                pad_token_id=self._tokenizer.eos_token_id,
            )
            seconds = time.perf_counter() - started
        new = out[0, ids.shape[1] :]
        text = self._tokenizer.decode(new, skip_special_tokens=True)
        return Completion(
            text=_json_start(text) if json_schema is not None else text,
            prompt_tokens=int(ids.shape[1]),
            completion_tokens=int(new.shape[0]),
            seconds=seconds,
            model=self.name,
        )
