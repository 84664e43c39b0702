"""Answer a scorecard's questions on one call with the language model.

Each question is asked per window of the call (one window for most calls); a reply that does
not parse or cites lines outside what the model was shown is asked again once with the
problem named, and a question still unanswered after that is listed as not evaluated, never
guessed. A model that cannot be reached raises ``LanguageModelUnavailable``: the job retries
later, and no call is scored as if the question had been answered "no".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from qa_service.domain.cited_check import (
    CHECK_OPTIONS,
    CHECK_SCHEMA,
    check_reply_share,
    checked_answer,
    checked_lines,
    line_messages,
)
from qa_service.domain.llm_questions import (
    ModelAnswer,
    Usage,
    answer_finding,
    answer_options,
    answer_schema,
    applies,
    blend_wordings,
    combine,
    decide_answer,
    messages,
    parse_reply,
    reworded,
    windows,
    yes_share_of,
)
from qa_service.engines.llm import WritesRepliesTogether

if TYPE_CHECKING:
    from qa_service.domain.question_spec import Rewording
    from qa_service.domain.results import Finding
    from qa_service.domain.rulepack import ScoreItem
    from qa_service.domain.transcript import Transcript
    from qa_service.engines.llm import Completion, LanguageModel, ReplyBatch

# Replies are a short JSON object; the bound keeps a runaway generation cheap.
MAX_REPLY_TOKENS = 256
# The answer's shares (blended with the rewordings'), each wording's share of "yes", and the
# answer decided before the reply (None: the reply chooses it).
Decision = tuple[dict[str, float], tuple[float, ...], str | None]


@dataclass
class QuestionOutcome:
    findings: list[Finding] = field(default_factory=list)
    not_evaluated: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)


def _count_reply(usage: Usage, reply: Completion) -> None:
    """A reply's tokens and model in ``usage`` (its requests and seconds are the caller's)."""
    usage.prompt_tokens += reply.prompt_tokens
    usage.cached_tokens += reply.cached_tokens
    usage.completion_tokens += reply.completion_tokens
    usage.models.add(reply.model)


def _ask(
    model: LanguageModel,
    item: ScoreItem,
    transcript: Transcript,
    window: range,
    usage: Usage,
    correction: str = "",
    attempts: int = 2,
) -> ModelAnswer | str:
    """The model's answer on one window, or why it gave none after one corrected retry."""
    for _attempt in range(attempts):
        chat = messages(item, transcript.language, transcript, window, correction)
        shares, wordings, decided = _timed_decision(model, item, chat, transcript, window, usage)
        schema = answer_schema(item, window, decided)
        reply = model.answer(chat, schema, max_tokens=MAX_REPLY_TOKENS)
        parsed = _parsed(reply, item, window, usage, shares, wordings)
        if isinstance(parsed, ModelAnswer):
            return parsed
        correction = parsed
    return correction


def _timed_decision(
    model: LanguageModel,
    item: ScoreItem,
    chat: list[dict[str, str]],
    transcript: Transcript,
    window: range,
    usage: Usage,
) -> Decision:
    started = time.perf_counter()
    decided = _decided_answer(model, item, chat, transcript, window)
    # The probe reads the prompt the reply then takes from the cache: its time counts.
    usage.seconds += time.perf_counter() - started
    return decided


def _parsed(
    reply: Completion,
    item: ScoreItem,
    window: range,
    usage: Usage,
    shares: dict[str, float],
    wordings: tuple[float, ...],
) -> ModelAnswer | str:
    """The reply counted in ``usage`` and read as an answer (with the shares the answer was
    decided by, else the reply's own), or what was wrong with it."""
    usage.requests += 1
    usage.seconds += reply.seconds
    _count_reply(usage, reply)
    parsed = parse_reply(reply.text, item, window)
    if not isinstance(parsed, ModelAnswer):
        return parsed
    shares = shares or reply.probabilities.get("answer", {})
    return replace(parsed, probabilities=shares, wordings=wordings) if shares else parsed


def _ask_together(
    model: WritesRepliesTogether,
    items: list[ScoreItem],
    transcript: Transcript,
    window: range,
    costs: dict[str, Usage],
) -> list[ModelAnswer | str]:
    """Each item's answer on one window, the replies written together; a reply that does not
    parse is asked again alone, with the problem named."""
    chats = [messages(item, transcript.language, transcript, window) for item in items]
    with model.replies_together() as batch:
        decisions = _decisions_together(batch, items, chats, transcript, window, costs)
        if decisions is None:
            decisions = [
                _timed_decision(model, item, chat, transcript, window, costs[item.id])
                for item, chat in zip(items, chats, strict=True)
            ]
        for item, chat, decision in zip(items, chats, decisions, strict=True):
            batch.add(chat, answer_schema(item, window, decision[2]), max_tokens=MAX_REPLY_TOKENS)
        replies = batch.replies()
    answers: list[ModelAnswer | str] = []
    for item, (shares, wordings, _decided), reply in zip(items, decisions, replies, strict=True):
        parsed = _parsed(reply, item, window, costs[item.id], shares, wordings)
        if isinstance(parsed, str):
            parsed = _ask(model, item, transcript, window, costs[item.id], parsed, attempts=1)
        answers.append(parsed)
    return answers


def _decisions_together(
    batch: ReplyBatch,
    items: list[ScoreItem],
    chats: list[list[dict[str, str]]],
    transcript: Transcript,
    window: range,
    costs: dict[str, Usage],
) -> list[Decision] | None:
    """``_decided_answer`` for every item, each prompt (and each rewording's) probed in one
    pass, before any reply; None where the batch cannot take them all."""
    requests, owners = [], []
    for k, (item, chat) in enumerate(zip(items, chats, strict=True)):
        # Every item is read, decided or not, so that its reply continues from its prompt.
        requests.append((chat, "answer", answer_options(item)))
        owners.append(k)
        wordings = item.rewordings if item.yes_threshold is not None else []
        for rewording in wordings:
            other = messages(reworded(item, rewording), transcript.language, transcript, window)
            requests.append((other, "answer", answer_options(item)))
            owners.append(k)
    started = time.perf_counter()
    read = batch.choices(requests)
    if read is None:
        return None
    share = (time.perf_counter() - started) / len(items)  # one pass served them all
    for item in items:
        costs[item.id].seconds += share
    shares: list[list[dict[str, float] | None]] = [[] for _ in items]
    for k, got in zip(owners, read, strict=True):
        shares[k].append(got)
    return [
        _decision(item, own or {}, list(zip(others, item.rewordings, strict=False)))
        for item, (own, *others) in zip(items, shares, strict=True)
    ]


def _ask_window(
    model: LanguageModel,
    items: list[ScoreItem],
    transcript: Transcript,
    window: range,
    costs: dict[str, Usage],
) -> list[ModelAnswer | str]:
    """Each item's answer on one window, in the items' order. A backend that takes several
    requests at once (a server, which batches them on its GPU) gets up to that many in
    flight; an in-process model writes their replies together where it can, else answers
    them one by one."""
    if isinstance(model, WritesRepliesTogether) and len(items) > 1:
        return _ask_together(model, items, transcript, window, costs)
    parallel = min(model.parallel_requests, len(items))
    if parallel <= 1:
        return [_ask(model, item, transcript, window, costs[item.id]) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(parallel, thread_name_prefix="llm-question") as pool:
        futures = [
            pool.submit(_ask, model, item, transcript, window, costs[item.id]) for item in items
        ]
        return [future.result() for future in futures]


def _decided_answer(
    model: LanguageModel,
    item: ScoreItem,
    chat: list[dict[str, str]],
    transcript: Transcript,
    window: range,
) -> Decision:
    """For an item with ``yes_threshold``: the model's probability of each answer before it
    writes one (blended with its rewordings'), each wording's share of "yes", and the answer
    the threshold picks (the reply then gives the reasons and lines for that answer). ({},
    (), None) where the backend reads no probabilities: the model's own choice stands."""
    if item.yes_threshold is None:
        return {}, (), None
    options = answer_options(item)
    shares = model.choice_probabilities(chat, "answer", options) or {}
    if decide_answer(item, shares) in (None, "not_applicable"):
        return _decision(item, shares, [])
    reworded_shares: list[tuple[dict[str, float] | None, Rewording]] = []
    for rewording in item.rewordings:
        # Same transcript before the question: the runtime's cache reads only the new tail.
        other = messages(reworded(item, rewording), transcript.language, transcript, window)
        got = model.choice_probabilities(other, "answer", options)
        reworded_shares.append((got, rewording))
        if yes_share_of(got or {}) is None:
            break  # one wording unread leaves the item's own share: the rest would not count
    return _decision(item, shares, reworded_shares)


def _decision(
    item: ScoreItem,
    shares: dict[str, float],
    reworded_shares: list[tuple[dict[str, float] | None, Rewording]],
) -> Decision:
    """The decision ``_decided_answer`` describes, from the probabilities read."""
    if item.yes_threshold is None:
        return {}, (), None
    own = decide_answer(item, shares)
    if own in (None, "not_applicable") or not reworded_shares:
        # Whether the question applies is read from the item's own wording alone.
        return shares, (), own
    each: list[tuple[float, str]] = []
    for got, rewording in reworded_shares:
        share = yes_share_of(got or {})
        if share is None:  # a wording the backend could not read: the mean would be skewed
            return shares, (), own
        each.append((share, rewording.yes_means))
    blended, wordings = blend_wordings(shares, each)
    return blended, wordings, decide_answer(item, blended, applies_from=shares)


def _line_share(model: LanguageModel, chat: list[dict[str, str]], usage: Usage) -> float | None:
    """The model's share of "yes" for one checked line: read from its probabilities where
    the backend reads them, else its answer (1 or 0); None where its reply gave neither."""
    started = time.perf_counter()
    share = yes_share_of(model.choice_probabilities(chat, "answer", CHECK_OPTIONS) or {})
    if share is None:
        reply = model.answer(chat, CHECK_SCHEMA, max_tokens=16)
        _count_reply(usage, reply)
        share = check_reply_share(reply.text)
    usage.requests += 1
    usage.seconds += time.perf_counter() - started
    return share


def _check_cited(
    model: LanguageModel, item: ScoreItem, answer: ModelAnswer, transcript: Transcript, usage: Usage
) -> ModelAnswer:
    """``answer`` decided by ``item.cited_check`` (unchanged for an item without one, and
    where a checked line got no readable answer: the model's own answer then stands)."""
    check = item.cited_check
    if check is None or answer.answer not in CHECK_OPTIONS:
        return answer
    language = transcript.language
    shares: dict[int, float] = {}
    for k in checked_lines(check, answer, transcript):
        share = _line_share(model, line_messages(check, language, transcript, k), usage)
        if share is None:
            return answer
        shares[k] = share
    return checked_answer(item, answer, shares, language)


def _not_evaluated(item: ScoreItem, reason: str) -> dict[str, Any]:
    return {"rule_id": item.id, "category": "question", "reason": reason}


def answer_questions(
    transcript: Transcript,
    items: list[ScoreItem],
    findings: list[Finding],
    model: LanguageModel | None,
    window_chars: int,
) -> QuestionOutcome:
    """Findings for the answered ``items``, and what could not be answered and why."""
    outcome = QuestionOutcome()
    asked: list[ScoreItem] = []
    for item in items:
        if model is None:
            outcome.not_evaluated.append(_not_evaluated(item, "no language model configured"))
        elif not transcript.utterances:
            outcome.not_evaluated.append(_not_evaluated(item, "no utterances to ask about"))
        elif applies(item, findings, transcript):
            asked.append(item)
        elif "not_applicable" in item.answers:
            answer = ModelAnswer("not_applicable", "", ())
            extra = {"applies_when": "not met"}
            outcome.findings.append(answer_finding(item, answer, transcript, extra))
    if model is None or not asked:
        return outcome
    spans = windows(transcript, window_chars)
    answers: dict[str, list[ModelAnswer]] = {item.id: [] for item in asked}
    costs = {item.id: Usage() for item in asked}
    failed: set[str] = set()
    # Windows outside, questions inside: every question on a window shares the window's
    # prompt head (instructions + quoted lines), which the runtime's prompt cache then
    # reads once per window instead of once per question.
    for span in spans:
        pending = [item for item in asked if item.id not in failed]
        replies = _ask_window(model, pending, transcript, span, costs)
        for item, got in zip(pending, replies, strict=True):
            if isinstance(got, str):
                failed.add(item.id)
                outcome.not_evaluated.append(_not_evaluated(item, f"no valid answer: {got}"))
            else:
                # After every question on the window: a checked line is a prompt of its
                # own, which would push the window's lines out of the runtime's cache.
                answers[item.id].append(_check_cited(model, item, got, transcript, costs[item.id]))
    for item in asked:
        cost = costs[item.id]
        outcome.usage.add(cost)
        if item.id in failed:
            continue
        extra = {
            "model": ", ".join(sorted(cost.models)),
            "windows": len(spans),
            "requests": cost.requests,
            "prompt_tokens": cost.prompt_tokens,
        }
        finding = answer_finding(item, combine(item, answers[item.id]), transcript, extra)
        outcome.findings.append(finding)
    return outcome
