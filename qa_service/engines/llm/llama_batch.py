"""Several replies written together: one llama.cpp batch per step, a sequence per reply.

Writing a token reads every weight of the model for one token's arithmetic, so on a CPU a
decoded token costs about four prompt tokens; a step that decodes the next token of several
replies at once reads the weights once for all of them. Measured here (1.5B, 1 thread, a
500-token prompt): one reply's step 134 ms; four replies' 262 ms, six replies' 431 ms.

A reply whose prompt was not probed (below) has it read on sequence 0, where the runtime's
prompt cache lives, so the transcript shared by the questions on a window is still read
once. Its cells are then shared with a sequence of the reply's own (``llama_memory_seq_cp``
on a unified KV cache copies no data), and the next prompt trims sequence 0 back to what it
shares. Replies are greedy, as one at a time: the same choice of token under the same
grammar (``choose_token``).

Before the replies, ``choices`` reads the window's prompts (each question's, each
rewording's) together: their shared head once on sequence 0, each one's own tail on a
sequence of its own, in one batch, and a reply then goes on from its prompt's sequence. Read
one after another, those tails of a few dozen tokens each are small batches, which cost more
a token (the 5-minute call, under load: the tails took about 21 CPU s read one at a time,
15.7 read together with one more question's; bench/README.md, "Sixteenth round").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from qa_service.engines.llm import Message
from qa_service.engines.llm.llama_choices import (
    first_tokens,
    option_probabilities,
    reply_head,
    shares_after,
    value_offset,
)
from qa_service.engines.llm.llama_decode import (
    ReplyState,
    choose_token,
    last_logits,
    prepare_reply,
    read_prompt,
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
    # Tokens still to read on its sequence before its first token (a probed prompt's rest).
    to_read: list[int] = field(default_factory=list)


@dataclass
class _Probe:
    """A prompt read on a sequence of its own by ``choices``, kept for a reply to continue."""

    tokens: list[int]
    # Cells only it holds (the first prompt's also count the head all of them share).
    own_cells: int


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
        self._probes: dict[int, _Probe] = {}
        self._probe_head = 0  # tokens the probed prompts share (read once, on sequence 0)

    def choices(
        self, requests: list[tuple[list[Message], str, list[str]]]
    ) -> list[dict[str, float] | None] | None:
        """Each request's option shares as the value of its reply's first field, before any
        reply is written: the prompts' common head read once on sequence 0, the rest of each
        on a sequence of its own, all in one batch (a few dozen tokens a prompt cost about
        twice as much read one prompt at a time). A reply added later continues on its
        prompt's sequence. None where they do not fit: the caller asks one at a time.
        """
        llama = self._llama
        if self._pending or self._probes or not 1 < len(requests) <= self._sequences:
            return None
        lists = []
        for chat, name, _options in requests:
            prompt, _ = llama._format_chat_prompt(chat)
            lists.append(llama.tokenize(prompt + reply_head(name), add_special=True))
        shared = min(min(_common_prefix(lists[0], t) for t in lists), *(len(t) - 1 for t in lists))
        tails = sum(len(t) - shared for t in lists)
        if shared < 1 or shared + tails + self._largest_tail >= llama.n_ctx:
            return None
        reused, _status = llama._prepare_chat_prefix(lists[0][:shared], self._cache_key)
        llama._eval_tokens(lists[0][reused:shared], reused)
        memory = llama._lib.llama_get_memory(llama._ctx)
        self._probe_head = shared
        for seq, tokens in enumerate(lists, start=1):
            llama._lib.llama_memory_seq_cp(memory, 0, seq, 0, shared)
            # The shared head's cells are counted once, with the first prompt's own.
            self._probes[seq] = _Probe(tokens, len(tokens) - (shared if seq > 1 else 0))
        reads = [(seq, tokens[shared:], shared) for seq, tokens in enumerate(lists, start=1)]
        logits = self._read_on_sequences(reads)
        firsts = [first_tokens(llama, options) for _chat, _name, options in requests]
        return [option_probabilities(logits[seq], f) for seq, f in enumerate(firsts, start=1)]

    def _read_on_sequences(self, reads: list[tuple[int, list[int], int]]) -> dict[int, Any]:
        """``reads``: (sequence, tokens, position of the first): read together, in batches
        of at most the context's batch size; each sequence's logits after its last token."""
        llama = self._llama
        lib = llama._lib
        entries = [
            (seq, token, start + k, k == len(tokens) - 1)
            for seq, tokens, start in reads
            for k, token in enumerate(tokens)
        ]
        logits: dict[int, Any] = {}
        for begin in range(0, len(entries), llama._n_batch):
            chunk = entries[begin : begin + llama._n_batch]
            batch = lib.llama_batch_init(len(chunk), 0, 1)
            try:
                batch.n_tokens = len(chunk)
                for j, (seq, token, position, last) in enumerate(chunk):
                    batch.token[j], batch.pos[j] = token, position
                    batch.n_seq_id[j], batch.seq_id[j][0], batch.logits[j] = 1, seq, int(last)
                if lib.llama_decode(llama._ctx, batch) != 0:
                    raise RuntimeError("llama_decode failed on a batch of prompts or replies")
            finally:
                lib.llama_batch_free(batch)
            for j, (seq, _token, _position, last) in enumerate(chunk):
                if last:
                    read = last_logits(llama, j)
                    if read is None:
                        raise RuntimeError("llama.cpp returned no logits")
                    logits[seq] = read.copy()  # the next batch overwrites llama.cpp's buffer
        return logits

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
        state, tokens = prepare_reply(llama, chat, grammar_text, max_tokens, head)
        probed, common = self._probe_for(tokens)
        try:
            if probed is None:
                pending = self._read_on_first_sequence(chat, state, tokens)
            else:
                pending = self._continue_probe(chat, state, tokens, probed, common)
        except BaseException:
            state.close(llama)  # its grammar: no pending reply holds it yet
            raise
        pending.unread = {name: first_tokens(llama, options) for name, options in fields.items()}
        pending.own_cells += max_tokens - state.written
        pending.seconds = time.perf_counter() - started
        self._pending.append(pending)
        if len(self._pending) >= self._sequences or not self._room_for_another(max_tokens):
            self._write_pending()

    def _read_on_first_sequence(
        self, chat: list[Message], state: ReplyState, tokens: list[int]
    ) -> _Pending:
        """The prompt read on sequence 0 (its prompt cache), then shared with a free one."""
        llama = self._llama
        if self._free_sequence() is None:
            self._write_pending()
        read_prompt(llama, state, tokens, self._cache_key)
        logits = last_logits(llama)
        if logits is None:
            raise RuntimeError("llama.cpp returned no logits")
        seq = self._free_sequence()
        memory = llama._lib.llama_get_memory(llama._ctx)
        llama._lib.llama_memory_seq_cp(memory, 0, seq, 0, state.n_past)
        pending = _Pending(chat, state, seq, logits.copy(), {})
        first = next((p for p in self._pending if p.logits is not None), None)
        shared = _common_prefix(first.state.tokens, state.tokens) if first else 0
        pending.own_cells = state.n_past - shared
        self._largest_tail = max(self._largest_tail, len(state.tokens) - shared if shared else 0)
        return pending

    def _continue_probe(
        self, chat: list[Message], state: ReplyState, tokens: list[int], seq: int, common: int
    ) -> _Pending:
        """A reply on the sequence ``choices`` read its prompt on: what the two do not share
        is dropped there, the rest read with the other replies' before the first step."""
        common = min(common, len(tokens) - 1)  # a token read gives the reply's first logits
        memory = self._llama._lib.llama_get_memory(self._llama._ctx)
        self._llama._lib.llama_memory_seq_rm(memory, seq, common, -1)
        state.reused, state.n_past = min(common, len(state.tokens)), common
        pending = _Pending(chat, state, seq, None, {}, to_read=tokens[common:])
        pending.own_cells = self._probes.pop(seq).own_cells + len(tokens) - common
        return pending

    def _probe_for(self, tokens: list[int]) -> tuple[int | None, int]:
        """The probed sequence sharing the most with ``tokens`` beyond the probes' common
        head (None where none does), and how many tokens the two share."""
        best, most = None, 0
        for seq, probe in self._probes.items():
            common = _common_prefix(probe.tokens, tokens)
            if common > self._probe_head and common > most:
                best, most = seq, common
        return best, most

    def _free_sequence(self) -> int | None:
        taken = {p.seq for p in self._pending} | set(self._probes)
        return next((s for s in range(1, self._sequences + 1) if s not in taken), None)

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
        self._drop_probes()

    def _drop_probes(self) -> None:
        """The probed prompts no reply continued (a rewording's, say): their cells freed."""
        for seq in self._probes:
            self._drop_sequence(seq)
        self._probes = {}

    def _room_for_another(self, max_tokens: int) -> bool:
        """Whether the context has cells for one more request: a prompt whose own part is
        as long as the longest so far, and its reply."""
        used = sum(p.own_cells for p in self._pending)
        used += sum(probe.own_cells for probe in self._probes.values())
        return used + self._largest_tail + max_tokens <= self._llama.n_ctx

    def _write_pending(self) -> None:
        self._drop_probes()
        if not self._pending:
            return
        self._read_rest()
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

    def _read_rest(self) -> None:
        """What the replies continuing a probed prompt still have to read, in one batch."""
        waiting = [p for p in self._pending if p.to_read]
        if not waiting:
            return
        started = time.perf_counter()
        reads = [(p.seq, p.to_read, p.state.n_past) for p in waiting]
        logits = self._read_on_sequences(reads)
        share = (time.perf_counter() - started) / len(waiting)
        for pending in waiting:
            pending.logits = logits[pending.seq]
            pending.state.n_past += len(pending.to_read)
            pending.to_read = []
            pending.seconds += share

    def _step(self, active: list[_Pending]) -> list[_Pending]:
        """Each active reply's next token, evaluated in one batch; the replies still going."""
        llama = self._llama
        started = time.perf_counter()
        going: list[tuple[_Pending, int]] = []
        for pending in active:
            self._read_shares(pending)
            token = choose_token(llama, pending.state.grammar, pending.logits)
            if pending.state.take(llama, token):
                going.append((pending, token))
        if going:
            reads = [(pending.seq, [token], pending.state.n_past) for pending, token in going]
            logits = self._read_on_sequences(reads)
            for pending, _token in going:
                pending.logits = logits[pending.seq]
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
