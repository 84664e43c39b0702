"""ASR-tolerant phrase matching: fuzzy alignment, word boundaries, negation and questions.

Texts are tokenised by ``qa_service.domain.tokens``. A phrase matches where its tokens align
with a stretch of one clause at a similarity at or above the threshold; Chinese matches must
start and end on word boundaries. Short phrases (fewer than three Chinese characters, one
English word) are too unspecific for fuzziness: they match their own characters (a homophone
only where the heard stretch is no word of its own, i.e. an ASR misspelling) or word stems.
Punctuation marks clause breaks, which bound matches and the negation look-back ("不满意"
negates 满意, "不，满意" does not) and tell questions from statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

from qa_service.domain.questions import AUXILIARIES, QUESTION_MARKS, asks
from qa_service.domain.regex_safety import check_regex
from qa_service.domain.segment import is_word
from qa_service.domain.tokens import (
    HAN,
    Token,
    TokenizedText,
    fuzzy_pinyin,
    has_han,
    normalize,
    tokenize,
    word_stem,
)

__all__ = [
    "HAN",
    "Match",
    "Phrase",
    "Token",
    "TokenizedText",
    "fuzzy_pinyin",
    "has_han",
    "is_negated",
    "normalize",
    "tokenize",
    "word_stem",
]

NEGATORS_HAN = frozenset("不没别未无勿甭")
# A negator character that starts one of these words does not negate what follows.
NEGATOR_EXCEPTIONS_HAN = ("不过", "不仅", "不但", "无论", "不好意思", "没错", "别的", "别人")
NEGATORS_WORD = frozenset(
    {"not", "no", "never", "none", "nothing", "without", "hardly", "nobody", "neither", "nor"}
)
NEGATION_WINDOW = 3

# Costs of the alignment: a dropped phrase token costs a little less than a wrong one
# because ASR at 8 kHz mostly drops short function characters.
DELETE_COST = 0.8
INSERT_COST = 0.5
STEM_COST = 0.05  # complained / complain
# Shorter phrases are matched without fuzziness: two Chinese characters have too many
# homophones that are other words (分期/分歧, 投诉/投宿), one English word too many neighbours.
MIN_FUZZY_HAN = 3
MIN_FUZZY_WORDS = 2
# A Chinese match may end inside a word only by one of these (感谢|您, 还没|有, 我|要投诉).
LOOSE_WORD_EDGE = frozenset("我你您他她它的了着过吗呢吧啊呀嘛哦也都就还有是要")


@dataclass(frozen=True, slots=True)
class Match:
    start: int  # token indices, end exclusive
    end: int
    similarity: float
    text: str
    negated: bool
    question: bool = False  # inside a clause that asks (see questions.py)


def is_negator(token: Token) -> bool:
    if token.kind == "han":
        return token.text in NEGATORS_HAN
    return token.text in NEGATORS_WORD


def token_cost(a: Token, b: Token) -> float:
    """0 for the same (or homophone) token, up to 1 for unrelated tokens."""
    if a.text == b.text:
        return 0.0
    if a.kind != b.kind:
        return 1.0
    if a.kind == "word":
        if a.fuzzy == b.fuzzy:
            return STEM_COST
        if a.text in AUXILIARIES and b.text in AUXILIARIES:
            return 1.0  # did/do, can/could: tense and modality are meaning, not ASR noise
        return 1.0 - max(ratio(a.text, b.text), ratio(min(a.fuzzy), min(b.fuzzy))) / 100.0
    if a.keys & b.keys:
        return 0.0
    if a.fuzzy & b.fuzzy:
        return 0.2
    if a.coarse & b.coarse:
        return 0.3
    if any(Levenshtein.distance(x, y) <= 1 for x in a.keys for y in b.keys):
        return 0.6
    return 1.0


def align(
    pattern: tuple[Token, ...], text: tuple[Token, ...], min_similarity: float
) -> list[Match]:
    """Every non-overlapping stretch of ``text`` that ``pattern`` aligns with well enough.

    Semi-global edit distance: the pattern must align whole, the text stretch is free.
    """
    m, n = len(pattern), len(text)
    if m == 0 or n == 0:
        return []
    max_cost = (1.0 - min_similarity) * m
    prev = [0.0] * (n + 1)
    prev_start = list(range(n + 1))
    for i in range(1, m + 1):
        p = pattern[i - 1]
        cur = [prev[0] + DELETE_COST] + [0.0] * n
        cur_start = [0] * (n + 1)
        for j in range(1, n + 1):
            best, start = prev[j - 1] + token_cost(p, text[j - 1]), prev_start[j - 1]
            if prev[j] + DELETE_COST < best:
                best, start = prev[j] + DELETE_COST, prev_start[j]
            if cur[j - 1] + INSERT_COST < best:
                best, start = cur[j - 1] + INSERT_COST, cur_start[j - 1]
            cur[j], cur_start[j] = best, start
        if min(cur) > max_cost:
            return []
        prev, prev_start = cur, cur_start
    candidates = sorted(
        (prev[j], prev_start[j], j) for j in range(1, n + 1) if prev[j] <= max_cost + 1e-9
    )
    chosen: list[tuple[float, int, int]] = []
    for cost, start, end in candidates:
        if start < end and all(end <= s or start >= e for _, s, e in chosen):
            chosen.append((cost, start, end))
    return [
        Match(start, end, round(1.0 - cost / m, 3), "", False)
        for cost, start, end in sorted(chosen, key=lambda c: c[1])
    ]


def is_negated(text: TokenizedText, start: int, window: int = NEGATION_WINDOW) -> bool:
    """A negator within ``window`` tokens before ``start``, in the same clause."""
    if start >= len(text.tokens):
        return False
    clause = text.tokens[start].clause
    for i in range(start - 1, max(-1, start - 1 - window), -1):
        token = text.tokens[i]
        if token.clause != clause:
            return False
        if is_negator(token) and not _negator_exception(text, i):
            return True
    return False


def _negator_exception(text: TokenizedText, index: int) -> bool:
    token = text.tokens[index]
    if token.kind != "han":
        return False
    following = text.text[token.start : token.start + 4]
    return any(following.startswith(word) for word in NEGATOR_EXCEPTIONS_HAN)


def contains_negator(tokens: tuple[Token, ...]) -> bool:
    return any(is_negator(t) for t in tokens)


def on_word_boundaries(text: TokenizedText, start: int, end: int) -> bool:
    """The stretch does not cut a word of the text, with two allowances.

    The whole stretch may be the beginning of one longer word (请|问, 分期|付款), and one
    function character may hang over either edge (我|要投诉, 还没|有). So 基金 is not in
    手机基本上 (手机/基本上), 分期 is not in 积分期待, 办不了 is not in 举办不了, 烦不烦 is
    not in 方不方便 (方/不/方便). A phrase of three characters or more may also lie inside one
    dictionary word (消费者协会 in 中国消费者协会).
    """
    first, last = text.tokens[start], text.tokens[end - 1]
    if end - start >= MIN_FUZZY_HAN and first.word_start == last.word_start < first.start:
        return True  # a specific phrase inside one compound: 消费者协会 in 中国消费者协会
    overhang = text.text[first.word_start : first.start]
    if first.kind == "han" and overhang and not _loose(overhang):
        return False
    if last.kind != "han" or last.word_end <= last.end:
        return True
    return last.word_start == first.start or _loose(text.text[last.end : last.word_end])


def _loose(overhang: str) -> bool:
    return len(overhang) == 1 and overhang in LOOSE_WORD_EDGE


def is_question_phrase(source: str, tokens: tuple[Token, ...]) -> bool:
    """A phrase written as a question ("你听不懂吗", "烦不烦", "关我什么事") matches questions."""
    if tokenize(source).questions or source.rstrip()[-1:] in QUESTION_MARKS:
        return True
    chars = "".join(t.text for t in tokens if t.kind == "han")
    return asks(chars) or (bool(chars) and chars[-1] in "吧呢")


MATCH_MODES = ("fuzzy", "exact", "regex")
NEGATION_MODES = ("exclude", "ignore", "require")
QUESTION_MODES = ("skip", "count")


@dataclass(frozen=True, slots=True)
class Phrase:
    """One compiled phrase: how it is matched and how strictly."""

    source: str
    mode: str = "fuzzy"
    min_similarity: float = 0.8
    tokens: tuple[Token, ...] = ()
    pattern: re.Pattern[str] | None = None
    across_clauses: bool = False
    in_questions: bool = False  # matches inside questions even where a rule skips them
    short: bool = False  # too short for fuzziness: same characters / word stems only

    @classmethod
    def compile(
        cls,
        source: str,
        mode: str = "fuzzy",
        min_similarity: float = 0.8,
        *,
        across_clauses: bool = False,
        in_questions: bool | None = None,
    ) -> Phrase:
        if mode == "regex":
            check_regex(normalize(source))
            pattern = re.compile(normalize(source))
            asks = bool(in_questions)
            return cls(source, mode, 1.0, (), pattern, across_clauses, asks)
        tokens = tokenize(source).tokens
        if not tokens:
            raise ValueError(f"phrase {source!r} has no words to match")
        if in_questions is None:
            in_questions = is_question_phrase(source, tokens)
        if mode == "exact":
            min_similarity = 1.0
        han = sum(1 for t in tokens if t.kind == "han")
        short = mode == "fuzzy" and (han < MIN_FUZZY_HAN if han else len(tokens) < MIN_FUZZY_WORDS)
        return cls(source, mode, min_similarity, tokens, None, across_clauses, in_questions, short)

    @property
    def self_negating(self) -> bool:
        """A phrase that already says "not ..." is not cancelled by another negator."""
        return contains_negator(self.tokens)

    def find(
        self, text: TokenizedText, negation: str = "exclude", questions: str = "count"
    ) -> list[Match]:
        matches = [
            self._label(text, m)
            for m in self._raw_matches(text)
            if (self.mode != "fuzzy" or self.short or self._plausible(text, m))
            and (self.mode == "regex" or on_word_boundaries(text, m.start, m.end))
        ]
        if questions == "skip" and not self.in_questions:
            matches = [m for m in matches if not m.question]
        if negation == "exclude":
            return [m for m in matches if not m.negated]
        if negation == "require":
            return [m for m in matches if m.negated]
        return matches

    def _raw_matches(self, text: TokenizedText) -> list[Match]:
        if self.pattern is not None:
            return _regex_matches(self.pattern, text, self.across_clauses)
        ranges = [(0, len(text.tokens))] if self.across_clauses else text.clause_ranges()
        found: list[Match] = []
        for lo, hi in ranges:
            part = text.tokens[lo:hi]
            if self.mode == "exact":
                hits = _sequence_matches(self.tokens, part, lambda p, t: p.text == t.text)
            elif self.short:
                hits = _sequence_matches(self.tokens, part, _same_or_misheard)
                hits = [h for h in hits if _heard_not_another_word(self.tokens, part, h)]
            elif _may_align(self.tokens, part, self.min_similarity):
                hits = align(self.tokens, part, self.min_similarity)
            else:
                hits = []
            found += [replace(h, start=h.start + lo, end=h.end + lo) for h in hits]
        return found

    def _plausible(self, text: TokenizedText, match: Match) -> bool:
        """A fuzzy match keeps its polarity and some of its exact words.

        Adding or dropping a negator changes the meaning ("can help" is not "can not help"),
        and a stretch that only sounds alike, with none of the phrase's own characters, is
        more often another word (基金/计今) than an ASR error.
        """
        span = text.tokens[match.start : match.end]
        if self.self_negating != contains_negator(span):
            return False
        anchors = sum(1 for p in self.tokens if any(_anchors(p, t) for t in span))
        return anchors >= max(1, round(len(self.tokens) / 3))

    def _label(self, text: TokenizedText, match: Match) -> Match:
        negated = not self.self_negating and is_negated(text, match.start)
        question = text.tokens[match.start].clause in text.questions
        surface = text.surface(match.start, match.end)
        return Match(match.start, match.end, match.similarity, surface, negated, question)


def _same_or_misheard(phrase_token: Token, said: Token) -> bool:
    if phrase_token.canon == said.canon:
        return True
    return phrase_token.kind == said.kind == "han" and bool(phrase_token.keys & said.keys)


def _heard_not_another_word(
    pattern: tuple[Token, ...], part: tuple[Token, ...], hit: Match
) -> bool:
    """A homophone of a short phrase counts only where it is no word of its own (在见, not 分歧)."""
    said = part[hit.start : hit.end]
    if all(p.canon == t.canon for p, t in zip(pattern, said, strict=True)):
        return True
    return not is_word("".join(t.text for t in said))


def _anchors(phrase_token: Token, said: Token) -> bool:
    """The same character, or a word spelled almost the same (complain/complaint)."""
    if phrase_token.text == said.text:
        return True
    return phrase_token.kind == said.kind == "word" and token_cost(phrase_token, said) <= 0.15


def _may_align(pattern: tuple[Token, ...], part: tuple[Token, ...], min_similarity: float) -> bool:
    """Cheap pre-check: a phrase aligns only if enough of its tokens are there roughly."""
    if len(pattern) < 2 or min_similarity < 0.5:
        return True
    present = frozenset(k for t in part for k in t.coarse)
    hits = sum(1 for t in pattern if t.coarse & present)
    return hits * 2 >= len(pattern)


def _sequence_matches(pattern: tuple[Token, ...], tokens: tuple[Token, ...], same) -> list[Match]:
    found: list[Match] = []
    i, n = 0, len(pattern)
    while i + n <= len(tokens):
        if all(same(p, t) for p, t in zip(pattern, tokens[i : i + n], strict=True)):
            found.append(Match(i, i + n, 1.0, "", False))
            i += n
        else:
            i += 1
    return found


def _regex_matches(pattern: re.Pattern[str], text: TokenizedText, across: bool) -> list[Match]:
    """The pattern on each clause by itself (分.{1,3}期 is not in "积分。期待"), or the whole."""
    spans = [(0, len(text.text))] if across else list(text.clause_spans)
    found: list[Match] = []
    for lo, hi in spans:
        for hit in pattern.finditer(text.text[lo:hi]):
            inside = [
                i
                for i, t in enumerate(text.tokens)
                if t.start < hit.end() + lo and t.end > hit.start() + lo
            ]
            if inside:
                found.append(Match(inside[0], inside[-1] + 1, 1.0, "", False))
    return found
