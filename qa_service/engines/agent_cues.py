"""Which of the voices on one channel is the agent: cues over the whole call, with a confidence.

A single short word ("Hello") can land in the wrong voice, so no one cue decides. Each voice
collects the cues it says anywhere in the call (each cue counted once per voice): the service
naming itself (客服, 工号, "this is Anna from Acme"), asking for account details or identity
checks, "anything else?", "thank you for calling"; greetings weigh little and count only in the
opening; what customers typically say (你们…, 我要投诉, "I'd like to") counts against. The voice
that speaks first gets a small prior (the one who picks up usually talks first), smaller than
one service cue, so a first word put in the wrong voice cannot decide alone. The margin
between the voices gives the confidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qa_service.domain.textmatch import Phrase, tokenize
from qa_service.domain.transcript import Word, join_words
from qa_service.domain.vocabulary import Speaker


@dataclass(frozen=True, slots=True)
class Cue:
    source: str
    weight: float  # > 0: the agent says this; < 0: the customer does
    kind: str
    mode: str = "fuzzy"  # "fuzzy" | "regex" (on normalised, lower-case text)
    opening_only: bool = False


_ASK = r"(提供|报一下|告诉我|核对|核实|确认|说一下|验证)"
_DETAILS = r"(手机号|电话号码|身份证|证件号|账号|账户|卡号|订单号|姓名|验证码|地址)"
_EN_DETAILS = r"(name|account|phone|number|date of birth|postcode|zip|email|order|card)"
AGENT_CUES: tuple[Cue, ...] = (
    # The service names itself or offers help.
    Cue("客服", 2.0, "self_id"),
    Cue("为您服务", 2.0, "self_id"),
    Cue("有什么可以帮您", 2.0, "self_id"),
    Cue("工号", 2.0, "self_id"),
    Cue("欢迎致电", 2.0, "self_id"),
    Cue("欢迎来电", 2.0, "self_id"),
    Cue(r"我是.{0,10}(客服|专员|顾问|坐席|工作人员)", 2.0, "self_id", "regex"),
    Cue(r"\b(this is|my name is|i am|i'm) \w+( \w+)? (from|at|with) \w+", 2.0, "self_id", "regex"),
    Cue("how can i help", 2.0, "self_id"),
    Cue("how may i help", 2.0, "self_id"),
    Cue("how can i assist", 2.0, "self_id"),
    # Identity and account checks are asked by the agent.
    Cue(_ASK + r".{0,8}" + _DETAILS, 1.5, "verification", "regex"),
    Cue(
        r"(can|could|may) i (have|get|take|confirm) your (full )?" + _EN_DETAILS,
        1.5,
        "verification",
        "regex",
    ),
    Cue("verify your", 1.5, "verification"),
    Cue("for security", 1.5, "verification"),
    Cue("last four digits", 1.5, "verification"),
    # Closing offers and thanks for the call.
    Cue("还有其他", 2.0, "anything_else"),
    Cue("还有什么可以帮您", 2.0, "anything_else"),
    Cue("还有别的问题", 2.0, "anything_else"),
    Cue("anything else", 2.0, "anything_else"),
    Cue("感谢您的来电", 2.0, "thanks_for_calling"),
    Cue("感谢来电", 2.0, "thanks_for_calling"),
    Cue("thank you for calling", 2.0, "thanks_for_calling"),
    Cue("thanks for calling", 2.0, "thanks_for_calling"),
    # Customers greet too: greetings weigh little and only in the opening.
    Cue("您好", 0.5, "greeting", opening_only=True),
    Cue("你好", 0.25, "greeting", opening_only=True),
    Cue("hello", 0.25, "greeting", opening_only=True),
    Cue("good morning", 0.25, "greeting", opening_only=True),
    Cue("good afternoon", 0.25, "greeting", opening_only=True),
    # What the customer says about the company and their own request.
    Cue("你们", -0.5, Speaker.customer),
    Cue("我要投诉", -1.0, Speaker.customer),
    Cue("我想问一下", -0.5, Speaker.customer),
    Cue("i'd like to", -0.5, Speaker.customer),
    Cue("i want to", -0.5, Speaker.customer),
    Cue("you guys", -0.5, Speaker.customer),
)
# The one who picks up usually speaks first: outweighs a greeting, not a service phrase (on an
# outbound call the customer answers "喂?" and the agent then names the company).
FIRST_SPEAKER_PRIOR = 1.0
# Margin (in cue weight) at which the confidence is 1 - 0.5/e: about 0.82.
CONFIDENCE_SCALE = 1.5
# Below this the result flags the choice for a reviewer (``low_confidence``).
LOW_CONFIDENCE = 0.8


@dataclass(slots=True)
class AgentChoice:
    speaker: int
    chosen_by: str  # "cues" | "first_speaker" | "setting:first" | "single_speaker" | ...
    confidence: float
    scores: dict[int, float] = field(default_factory=dict)
    cues: list[dict[str, Any]] = field(default_factory=list)

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "chosen_by": self.chosen_by,
            "confidence": round(self.confidence, 3),
            "low_confidence": self.low_confidence,
            "scores": {str(k): round(v, 2) for k, v in self.scores.items()},
            "cues": self.cues,
        }


def speaker_turns(words: Sequence[Word], speakers: Sequence[int]) -> list[tuple[int, list[Word]]]:
    """Runs of consecutive words of one speaker, in call order."""
    turns: list[tuple[int, list[Word]]] = []
    for word, speaker in zip(words, speakers, strict=True):
        if not turns or turns[-1][0] != speaker:
            turns.append((speaker, []))
        turns[-1][1].append(word)
    return turns


_COMPILED: list[tuple[Cue, Phrase]] = []


def _compiled() -> list[tuple[Cue, Phrase]]:
    if not _COMPILED:
        _COMPILED.extend(
            (cue, Phrase.compile(cue.source, cue.mode, min_similarity=0.8)) for cue in AGENT_CUES
        )
    return _COMPILED


def find_cues(
    turns: Sequence[tuple[int, list[Word]]],
    language: str | None,
    opening_turns: int = 2,
    opening_s: float = 30.0,
) -> list[dict[str, Any]]:
    """Every cue each speaker says (once per speaker), with where it was first said."""
    found: dict[tuple[int, str], dict[str, Any]] = {}
    seen_turns: dict[int, int] = {}
    for speaker, words in turns:
        k = seen_turns[speaker] = seen_turns.get(speaker, 0) + 1
        opening = k <= opening_turns and words[0].start <= opening_s
        text = tokenize(join_words(words, language))
        for cue, phrase in _compiled():
            if (speaker, cue.source) in found or (cue.opening_only and not opening):
                continue
            if phrase.find(text, "ignore"):
                found[(speaker, cue.source)] = {
                    "speaker": speaker,
                    "cue": cue.source,
                    "kind": cue.kind,
                    "weight": cue.weight,
                    "start": round(words[0].start, 2),
                }
    return sorted(found.values(), key=lambda c: (c["start"], c["speaker"]))


def confidence_of(margin: float) -> float:
    return 1.0 - 0.5 * math.exp(-max(margin, 0.0) / CONFIDENCE_SCALE)


def choose_agent(
    words: Sequence[Word], speakers: Sequence[int], language: str | None, setting: str
) -> AgentChoice:
    """The agent among the speakers, how it was chosen and how sure the choice is."""
    order = list(dict.fromkeys(speakers))  # speakers in order of first word
    if not order:
        return AgentChoice(0, "no_speech", 0.0)
    turns = speaker_turns(words, speakers)
    cues = find_cues(turns, language)
    scores = {s: sum(c["weight"] for c in cues if c["speaker"] == s) for s in order}
    if len(order) == 1:
        # One voice: it is the agent unless it sounds like a customer.
        return AgentChoice(
            order[0], "single_speaker", confidence_of(abs(scores[order[0]])), scores, cues
        )
    if setting in ("first", "second"):
        speaker = order[0 if setting == "first" else 1]
        return AgentChoice(speaker, f"setting:{setting}", 1.0, scores, cues)
    first = turns[0][0]
    ranked = {s: v + (FIRST_SPEAKER_PRIOR if s == first else 0.0) for s, v in scores.items()}
    agent = max(order, key=lambda s: ranked[s])
    runner_up = max(v for s, v in ranked.items() if s != agent)
    by_cues = scores[agent] > max(v for s, v in scores.items() if s != agent)
    return AgentChoice(
        agent,
        "cues" if by_cues else "first_speaker",
        confidence_of(ranked[agent] - runner_up),
        scores,
        cues,
    )
