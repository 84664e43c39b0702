"""Greedy decoding under a grammar, checking the model's own choice first.

The runtime's sampler chain applies the grammar to all 151,936 candidate tokens at every
step before choosing one, which cost about 50 ms a token here (0.5B: 7.5 generated tokens
per CPU second constrained, 11-15 unconstrained). Decoding is greedy, so the answer is the
most likely token the grammar allows: take the most likely token, ask the grammar about
that one token, and only when it refuses it apply the grammar to the whole vocabulary (as
llama.cpp's own common sampler does). Same tokens, a fraction of the grammar's work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qa_service.engines.llm import Message

_CANDIDATE = [("id", "<i4"), ("logit", "<f4"), ("p", "<f4")]


def last_logits(llama: Any, index: int = -1) -> Any | None:
    """The logits of the last token evaluated, or of the ``index``-th output of the last
    batch (a view of llama.cpp's buffer, overwritten by the next batch), or None."""
    import numpy as np

    pointer = llama._lib.llama_get_logits_ith(llama._ctx, index)
    if pointer == llama._ffi.NULL:
        return None
    return np.frombuffer(llama._ffi.buffer(pointer, 4 * llama.n_vocab), dtype=np.float32)


def _logits(llama: Any) -> Any:
    logits = last_logits(llama)
    if logits is None:
        raise RuntimeError("llama.cpp returned no logits")
    return logits


def _allowed(llama: Any, grammar: Any, candidates: Any) -> Any:
    """``candidates`` (a numpy array of llama_token_data) with the grammar applied."""
    ffi, lib = llama._ffi, llama._lib
    array = ffi.new("llama_token_data_array *")
    array.data = ffi.cast("llama_token_data *", ffi.from_buffer(candidates))
    array.size, array.selected, array.sorted = len(candidates), -1, False
    lib.llama_sampler_apply(grammar, array)
    return candidates


def next_token(llama: Any, grammar: Any) -> int:
    """The most likely token that ``grammar`` (None: any) allows after what was decoded."""
    return choose_token(llama, grammar, _logits(llama))


def choose_token(llama: Any, grammar: Any, logits: Any) -> int:
    """The most likely token of ``logits`` that ``grammar`` (None: any) allows."""
    import numpy as np

    best = int(np.argmax(logits))
    if grammar is None:
        return best
    one = np.zeros(1, dtype=_CANDIDATE)
    one[0] = (best, logits[best], 0.0)
    if np.isfinite(_allowed(llama, grammar, one)["logit"][0]):
        return best
    every = np.zeros(len(logits), dtype=_CANDIDATE)
    every["id"] = np.arange(len(logits), dtype=np.int32)
    every["logit"] = logits
    every = _allowed(llama, grammar, every)
    if not np.isfinite(every["logit"]).any():
        raise RuntimeError("the grammar allows no token here")
    return int(np.argmax(every["logit"]))


def _head_tokens(llama: Any, prompt: str, tokens: list[int], head: str, grammar: Any) -> list[int]:
    """``head``'s tokens as they follow ``prompt`` (tokenised together, as the probe reads
    them, so the cache is shared), each accepted by ``grammar``; [] where they cannot be."""
    if not head:
        return []
    joined = llama.tokenize(prompt + head, add_special=True)
    if joined[: len(tokens)] != tokens:
        return []
    forced = joined[len(tokens) :]
    if grammar is not None:
        probe = llama._lib.llama_sampler_clone(grammar)
        try:
            for token in forced:
                if not _grammar_allows(llama, probe, token):
                    return []
                llama._lib.llama_sampler_accept(probe, token)
        finally:
            llama._lib.llama_sampler_free(probe)
    return forced


def _grammar_allows(llama: Any, grammar: Any, token: int) -> bool:
    import numpy as np

    one = np.zeros(1, dtype=_CANDIDATE)
    one[0] = (token, 0.0, 0.0)
    return bool(np.isfinite(_allowed(llama, grammar, one)["logit"][0]))


@dataclass
class ReplyState:
    """A reply being written: the grammar's state, the text so far and where it stands.

    ``n_past``: the position of the reply's next token; ``reused``: prompt tokens taken
    from the runtime's cache. ``close`` frees the grammar (a llama.cpp sampler).
    """

    tokens: list[int]
    grammar: Any
    max_tokens: int
    text: bytearray = field(default_factory=bytearray)
    written: int = 0
    reused: int = 0
    n_past: int = 0
    finished: bool = False

    def take(self, llama: Any, token: int) -> bool:
        """Add ``token`` to the reply; whether it must be evaluated (the reply goes on)."""
        if llama._lib.llama_vocab_is_eog(llama._vocab, token):
            self.finished = True
            return False
        if self.grammar is not None:
            llama._lib.llama_sampler_accept(self.grammar, token)
        self.text += llama._token_to_bytes(token)
        self.written += 1
        self.finished = self.written >= self.max_tokens
        return not self.finished

    def close(self, llama: Any) -> None:
        if self.grammar is not None:
            llama._lib.llama_sampler_free(self.grammar)
            self.grammar = None

    def result(self) -> tuple[str, dict[str, int]]:
        counts = {"input_tokens": len(self.tokens), "reused_tokens": self.reused}
        return self.text.decode("utf-8", errors="replace"), {
            **counts,
            "reply_tokens": self.written,
        }


def prepare_reply(
    llama: Any, chat: list[Message], grammar_text: str | None, max_tokens: int, head: str = ""
) -> tuple[ReplyState, list[int]]:
    """A reply to ``chat`` with ``head`` already taken (its grammar past it), and the tokens
    to read before its first token is chosen: the prompt's, then the head's."""
    ffi, lib = llama._ffi, llama._lib
    prompt, _ = llama._format_chat_prompt(chat)
    tokens = llama.tokenize(prompt, add_special=True)
    if len(tokens) + max_tokens >= llama._n_ctx:
        raise ValueError("the request exceeds the model's context window")
    grammar = None
    if grammar_text is not None:
        grammar = lib.llama_sampler_init_grammar(
            llama._vocab, ffi.new("char[]", grammar_text.encode()), ffi.new("char[]", b"root")
        )
        if grammar == ffi.NULL:
            raise ValueError("llama.cpp could not parse the grammar")
    state = ReplyState(tokens, grammar, max_tokens)
    try:
        forced = _head_tokens(llama, prompt, tokens, head, grammar)
        for token in forced:
            if grammar is not None:
                lib.llama_sampler_accept(grammar, token)
            state.text += llama._token_to_bytes(token)
    except BaseException:
        state.close(llama)
        raise
    state.written = len(forced)
    state.finished = state.written >= max_tokens
    return state, tokens + forced


def start_reply(
    llama: Any,
    chat: list[Message],
    grammar_text: str | None,
    max_tokens: int,
    cache_key: str,
    head: str = "",
) -> ReplyState:
    """``chat``'s prompt (and ``head``) read on the runtime's sequence, from its prompt cache
    under ``cache_key`` where it can be: the reply's first token is chosen from the logits
    llama.cpp holds after this."""
    state, tokens = prepare_reply(llama, chat, grammar_text, max_tokens, head)
    read_prompt(llama, state, tokens, cache_key)
    return state


def read_prompt(llama: Any, state: ReplyState, tokens: list[int], cache_key: str) -> None:
    """``tokens`` (``prepare_reply``'s) read on the runtime's sequence, from its prompt cache
    under ``cache_key`` where it can be; on an error the reply is closed and the cache
    cleared."""
    try:
        reused, _status = llama._prepare_chat_prefix(tokens, cache_key)
        # The head's tokens count as reply, not prompt.
        state.reused = min(reused, len(state.tokens))
        state.n_past = llama._eval_tokens(tokens[reused:], reused)
    except BaseException:
        state.close(llama)
        llama._clear_context_state()
        raise


def generate(
    llama: Any,
    chat: list[Message],
    grammar_text: str | None,
    max_tokens: int,
    cache_key: str,
    head: str = "",
) -> tuple[str, dict[str, int]]:
    """The greedy reply to ``chat`` under ``grammar_text`` (GBNF; None: unconstrained), and
    its token counts: ``input_tokens``, ``reused_tokens`` (from the cache), ``reply_tokens``
    (``head`` included).

    The prompt's head is reused from the runtime's prompt cache under ``cache_key`` (the
    runtime's own bookkeeping, so its chat completions and this share one cache). ``head``,
    text the reply must begin with (the grammar's only way to begin, e.g. the answer already
    chosen), is read with the prompt in one batch instead of decoded token by token: a
    decoded token costs about three times a prompt token here (bench/README.md).
    """
    state = start_reply(llama, chat, grammar_text, max_tokens, cache_key, head)
    done = False
    try:
        while not state.finished:
            token = next_token(llama, state.grammar)
            if state.take(llama, token):
                state.n_past = llama._eval_tokens([token], state.n_past)
        done = True
    finally:
        state.close(llama)
        if not done:
            llama._clear_context_state()
    return state.result()
