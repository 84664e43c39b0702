"""Which clauses ask rather than state: "办理不了吗？" is not the agent refusing.

A clause is a question when
- it ends with a question mark (？ or ?);
- its last character is the particle 吗 (or 么 that is not part of 什么/怎么/这么/那么/多么/要么);
- its last character is 呢 and it holds a question word (什么, 怎么, 哪, 谁, 几, 多少, 是否 ...)
  or an A-not-A pair (能不能, 有没有);
- an A-not-A pair or 是否 opens it (within its first three characters: "能不能帮我查一下");
- in English, it opens with an inverted auxiliary ("can't you help", "do you have") or a
  question word followed by one ("why can't you");
- the next clause is a confirmation tag that closes the sentence (对吗, 是不是, 对吧; "right?").

Sentence-final 吧 alone does not make a question: it ends suggestions and orders
("你去找客服吧", "说吧"), which are exactly what deflection and rudeness rules look for.
An utterance is a question when one of its sentences is, and every other sentence of more
than four tokens is too (a greeting or a thank-you around the question does not count).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa_service.domain.tokens import Token

QUESTION_MARKS = frozenset("?？")
SENTENCE_END = frozenset(".!?;。！？；\n")
_NOT_QUESTION_MA = frozenset("什怎这那多要")
_QUESTION_WORDS_HAN = (
    *("什么", "怎么", "怎样", "为什么", "为何", "哪", "谁", "几", "多少", "如何", "是否"),
)
_A_NOT_A = re.compile(r"(.)[不没]\1")
_OPENING_CHARS = 3
_TAGS_HAN = frozenset({"对吗", "是吗", "是不是", "对不对", "对吧", "是吧", "对么", "是么"})
_TAGS_EN = frozenset({"right", "correct", "is that right", "is that correct", "am i right"})
AUXILIARIES = frozenset(
    {
        "do", "does", "did", "is", "am", "are", "was", "were", "have", "has", "had",
        "can", "could", "will", "would", "shall", "should", "may", "might", "must",
    }
)  # fmt: skip
_SUBJECTS = frozenset(
    {"i", "you", "we", "they", "he", "she", "it", "this", "that", "there", "anyone", "someone"}
)
_WH = frozenset({"what", "why", "how", "where", "when", "who", "which"})
SHORT_SENTENCE_TOKENS = 4


def question_clauses(
    tokens: list[Token], text: str, spans: list[tuple[int, int]]
) -> frozenset[int]:
    """Indices of the clauses of ``text`` (as cut by the tokenizer) that are questions."""
    by_clause = _clause_tokens(tokens, len(spans))
    found = {k for k in range(len(spans)) if _is_question(by_clause[k], _end_mark(text, spans[k]))}
    for k in range(len(spans) - 1):
        if _is_tag(by_clause[k + 1], _end_mark(text, spans[k + 1])) and by_clause[k]:
            found.add(k)
    return frozenset(found)


def question_utterance(tokens: list[Token], text: str, spans: list[tuple[int, int]]) -> bool:
    """The utterance asks: a question sentence and no statement sentence of substance."""
    questions = question_clauses(tokens, text, spans)
    by_clause = _clause_tokens(tokens, len(spans))
    asked = False
    sentence: list[int] = []
    for k, span in enumerate(spans):
        sentence.append(k)
        if _end_mark(text, span) not in SENTENCE_END and k < len(spans) - 1:
            continue
        size = sum(len(by_clause[c]) for c in sentence)
        last = next((c for c in reversed(sentence) if by_clause[c]), None)
        if last is not None and last in questions:
            asked = True
        elif size > SHORT_SENTENCE_TOKENS:
            return False
        sentence = []
    return asked


def _clause_tokens(tokens: list[Token], count: int) -> list[list[Token]]:
    by_clause: list[list[Token]] = [[] for _ in range(count)]
    for token in tokens:
        by_clause[token.clause].append(token)
    return by_clause


def _end_mark(text: str, span: tuple[int, int]) -> str:
    return text[span[1]] if span[1] < len(text) else ""


def _is_question(clause: list[Token], mark: str) -> bool:
    if not clause:
        return False
    if mark in QUESTION_MARKS:
        return True
    if clause[0].kind == "word":
        return _inverted(clause)
    chars = "".join(t.text for t in clause if t.kind == "han")
    if not chars:
        return False
    last = chars[-1]
    if last == "吗" or (last == "么" and len(chars) > 1 and chars[-2] not in _NOT_QUESTION_MA):
        return True
    if last == "呢" and asks(chars):
        return True
    opening = chars[: _OPENING_CHARS + 2]
    match = _A_NOT_A.search(opening)
    return (match is not None and match.start() < _OPENING_CHARS) or "是否" in opening


def asks(chars: str) -> bool:
    """Chinese holding a question word or an A-not-A pair (maybe an embedded question)."""
    return _A_NOT_A.search(chars) is not None or any(w in chars for w in _QUESTION_WORDS_HAN)


def _inverted(clause: list[Token]) -> bool:
    words = [t.text for t in clause[:4]]
    if words[0] in _WH:
        words = words[1:]
        if not words:
            return False
    if words[0] not in AUXILIARIES or len(words) < 2:
        return False
    rest = words[2:] if words[1] == "not" else words[1:]
    return bool(rest) and rest[0] in _SUBJECTS


def _is_tag(clause: list[Token], mark: str) -> bool:
    if not clause:
        return False
    if clause[0].kind == "han":
        return "".join(t.text for t in clause) in _TAGS_HAN
    return mark in QUESTION_MARKS and " ".join(t.text for t in clause) in _TAGS_EN
