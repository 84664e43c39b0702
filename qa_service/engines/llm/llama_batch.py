"""Several replies written together: one llama.cpp batch per step, a sequence per reply.

Writing a token reads every weight of the model for one token's arithmetic, so on a CPU a
decoded token costs about four prompt tokens; a step that decodes the next token of several
replies at once reads the weights once for all of them. Measured here (1.5B, 1 thread, a
500-token prompt): one reply's step 134 ms; four replies' 262 ms, six replies' 431 ms.

Each reply's prompt is read on sequence 0, where the runtime's prompt cache lives, so the
transcript shared by the questions on a window is still read once. Its cells are then shared
with a sequence of the reply's own (``llama_memory_seq_cp`` on a unified KV cache copies no
data), and the next prompt trims sequence 0 back to what it shares. Replies are greedy, as
one at a time: the same choice of token under the same grammar (``choose_token``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from qa_service.engines.llm import Message
from qa_service.engines.llm.llama_choices import (
    first_tokens,
    option_probabilities,
    shares_after,
    value_offset,
)
from qa_service.engines.llm.llama_decode import (
    ReplyState,
    choose_token,
    last_logits,
    start_reply,
)

# Room kept for what the next request reads on sequence 0 before it is added (its prompt's
# own lines, the probes of its answer), at least: the largest request so far may need more.
TAIL_ROOM = 256


@dataclass
class BatchReply:
    """One finished reply of a batch: text, token counts, answer shares, seconds."""

    text: str
    counts: dict[str, int]
    probabilities: dict[str, dict[str, float]]
    seconds: float


@dataclass
class _Pending:
    chat: list[Message]
    state: ReplyState
    seq: int
    logits: Any
    # Enum fields whose options' shares are read where the reply writes their value:
    # field -> option -> the option's first token.
    unread: dict[str, dict[str, int]]
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)
    # Cells of its own (not shared with the batch's first prompt), the reply's room included.
    own_cells: int = 0
    missed: list[tuple[str, list[str]]] = field(default_factory=list)
    seconds: float = 0.0


class LlamaReplyBatch:
    """Replies added one by one (their prompts read as they come), written together.

    ``sequences``: how many replies the context holds at once besides sequence 0; a batch
    that would hold more, or more tokens than the context has, writes what it holds first.
    """

    def __init__(self, llama: Any, cache_key: str, sequences: int) -> None:
        self._llama = llama
        self._cache_key = cache_key
        self._sequences = sequences
        self._pending: list[_Pending] = []
        self._done: list[BatchReply] = []
        self._largest_tail = TAIL_ROOM

    def add(
        self,
        chat: list[Message],
        grammar_text: str | None,
        head: str,
        max_tokens: int,
        fields: dict[str, list[str]],
    ) -> None:
        """Read ``chat``'s prompt and put its reply on a sequence of its own.

        ``fields``: the reply's string fields with a choice of values whose shares to read.
        """
        llama = self._llama
        started = time.perf_counter()
        state = start_reply(llama, chat, grammar_text, max_tokens, self._cache_key, head)
        logits = last_logits(llama)
        if logits is None:
            state.close(llama)
            raise RuntimeError("llama.cpp returned no logits")
        seq = 1 + len(self._pending)
        memory = llama._lib.llama_get_memory(llama._ctx)
        llama._lib.llama_memory_seq_cp(memory, 0, seq, 0, state.n_past)
        firsts = {name: first_tokens(llama, options) for name, options in fields.items()}
        pending = _Pending(chat, state, seq, logits.copy(), firsts)
        shared = _common_prefix(self._pending[0].state.tokens, state.tokens) if seq > 1 else 0
        pending.own_cells = state.n_past - shared + max_tokens - state.written
        self._largest_tail = max(self._largest_tail, len(state.tokens) - shared if shared else 0)
        pending.seconds = time.perf_counter() - started
        self._pending.append(pending)
        if len(self._pending) >= self._sequences or not self._room_for_another(max_tokens):
            self._write_pending()

    def replies(self) -> list[BatchReply]:
        """Every reply added, in the order added."""
        self._write_pending()
        return self._done

    def close(self) -> None:
        """Free what the pending replies hold (after an error: nothing is written)."""
        for pending in self._pending:
            pending.state.close(self._llama)
            self._drop_sequence(pending.seq)
        self._pending = []

    def _room_for_another(self, max_tokens: int) -> bool:
        """Whether the context has cells for one more request: a prompt whose own part is
        as long as the longest so far, and its reply."""
        used = sum(p.own_cells for p in self._pending)
        return used + self._largest_tail + max_tokens <= self._llama.n_ctx

    def _write_pending(self) -> None:
        if not self._pending:
            return
        active = [p for p in self._pending if not p.state.finished]
        while active:
            active = self._step(active)
        llama = self._llama
        for pending in self._pending:
            text, counts = pending.state.result()
            for name, options in pending.missed:
                self._read_after(pending, text, name, options)
            pending.state.close(llama)
            self._drop_sequence(pending.seq)
            self._done.append(BatchReply(text, counts, pending.probabilities, pending.seconds))
        self._pending = []

    def _step(self, active: list[_Pending]) -> list[_Pending]:
        """Each active reply's next token, evaluated in one batch; the replies still going."""
        llama = self._llama
        lib = llama._lib
        started = time.perf_counter()
        going: list[tuple[_Pending, int]] = []
        for pending in active:
            self._read_shares(pending)
            token = choose_token(llama, pending.state.grammar, pending.logits)
            if pending.state.take(llama, token):
                going.append((pending, token))
        if going:
            batch = lib.llama_batch_init(len(going), 0, 1)
            try:
                batch.n_tokens = len(going)
                for j, (pending, token) in enumerate(going):
                    batch.token[j], batch.pos[j] = token, pending.state.n_past
                    batch.n_seq_id[j], batch.seq_id[j][0], batch.logits[j] = 1, pending.seq, 1
                if lib.llama_decode(llama._ctx, batch) != 0:
                    raise RuntimeError("llama_decode failed on a batch of replies")
            finally:
                lib.llama_batch_free(batch)
            for j, (pending, _token) in enumerate(going):
                logits = last_logits(llama, j)
                if logits is None:
                    raise RuntimeError("llama.cpp returned no logits")
                pending.logits = logits.copy()  # the next batch overwrites llama.cpp's buffer
                pending.state.n_past += 1
        share = (time.perf_counter() - started) / len(active)
        for pending in active:
            pending.seconds += share
        return [pending for pending, _token in going]

    def _read_shares(self, pending: _Pending) -> None:
        """Where the reply is about to write a field's value: each option's share, from the
        logits it chooses by (as ``reply_probabilities`` reads them after one reply)."""
        if not pending.unread:
            return
        text = pending.state.text.decode("utf-8", errors="replace")
        for name in list(pending.unread):
            offset = value_offset(text, name)
            if offset is None:
                continue
            firsts = pending.unread.pop(name)
            if offset != len(text):  # a token ran past the quote: read the value afterwards
                pending.missed.append((name, list(firsts)))
                continue
            shares = option_probabilities(pending.logits, firsts)
            if shares is not None:
                pending.probabilities[name] = shares

    def _read_after(self, pending: _Pending, text: str, name: str, options: list[str]) -> None:
        """A field's shares read again from sequence 0 (its prompt, then the reply up to the
        value): where the value's first token also held the quote before it."""
        offset = value_offset(text, name)
        if offset is None:
            return
        shares = shares_after(self._llama, pending.chat, text[:offset], options, self._cache_key)
        if shares is not None:
            pending.probabilities[name] = shares

    def _drop_sequence(self, seq: int) -> None:
        llama = self._llama
        memory = llama._lib.llama_get_memory(llama._ctx)
        llama._lib.llama_memory_seq_rm(memory, seq, -1, -1)


def _common_prefix(first: list[int], other: list[int]) -> int:
    count = 0
    for a, b in zip(first, other, strict=False):
        if a != b:
            break
        count += 1
    return count
