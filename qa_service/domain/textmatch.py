"""ASR-tolerant phrase matching: normalisation, pinyin keys, fuzzy alignment and negation.

Every text is cut into tokens: one token per Chinese character (keyed by its toneless pinyin
readings, so 您好/你好 and homophones align) and one per Latin word (compared by edit distance,
so "bank" heard as "man" still aligns). A phrase matches where its tokens align with a stretch
of the text at a similarity at or above the threshold. Punctuation only marks clause breaks,
which bound the negation look-back ("不满意" negates 满意, "不，满意" does not).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, pinyin
from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"([{HAN}])|([a-z0-9]+(?:'[a-z]+)*)|([^\s\w])")
_HAN_RE = re.compile(rf"[{HAN}]")
_DIGITS_HAN = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
# Read aloud as a digit on the phone (幺 = 1).
_PINYIN_ALIASES = {"幺": ("yao", "yi")}
_CONTRACTIONS = {
    "n't": ("not",),
    "'re": ("are",),
    "'m": ("am",),
    "'ll": ("will",),
    "'ve": ("have",),
    "'d": ("would",),
    "'s": ("is",),
}
_IRREGULAR_NEGATIVES = {"can't": ("can", "not"), "won't": ("will", "not"), "cannot": ("can", "not")}

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
SINGLE_TOKEN_MIN_SIMILARITY = 0.9
STEM_COST = 0.05  # complained / complain


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    kind: str  # "han" or "word"
    keys: frozenset[str]
    fuzzy: frozenset[str]
    coarse: frozenset[str]
    clause: int
    start: int
    end: int

    @property
    def is_negator(self) -> bool:
        if self.kind == "han":
            return self.text in NEGATORS_HAN
        return self.text in NEGATORS_WORD


@dataclass(frozen=True, slots=True)
class TokenizedText:
    text: str  # normalised text that token offsets refer to
    tokens: tuple[Token, ...]

    @property
    def coarse_keys(self) -> frozenset[str]:
        return frozenset(k for t in self.tokens for k in t.coarse)

    def surface(self, start: int, end: int) -> str:
        """Normalised text of tokens ``start``..``end`` (exclusive)."""
        if start >= end:
            return ""
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]


@dataclass(frozen=True, slots=True)
class Match:
    start: int  # token indices, end exclusive
    end: int
    similarity: float
    text: str
    negated: bool


def normalize(text: str) -> str:
    """NFKC, lower case, straight apostrophes: the form every matcher works on."""
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()


def has_han(text: str) -> bool:
    return _HAN_RE.search(text) is not None


def tokenize(text: str) -> TokenizedText:
    norm = normalize(text)
    tokens: list[Token] = []
    clause = 0
    for m in _TOKEN_RE.finditer(norm):
        han, word, punct = m.groups()
        if punct is not None:
            clause += 1
        elif han is not None:
            tokens.append(_han_token(han, clause, m.start(), m.end()))
        elif word.isdigit():
            # A digit is one spoken token whatever the script ("12315" = 幺二三幺五).
            for i, digit in enumerate(word):
                pos = m.start() + i
                tokens.append(_han_token(_DIGITS_HAN[digit], clause, pos, pos + 1))
        else:
            for part in _split_contraction(word):
                tokens.append(_word_token(part, clause, m.start(), m.end()))
    return TokenizedText(norm, tuple(tokens))


def _split_contraction(word: str) -> tuple[str, ...]:
    if word in _IRREGULAR_NEGATIVES:
        return _IRREGULAR_NEGATIVES[word]
    for suffix, expansion in _CONTRACTIONS.items():
        if word.endswith(suffix) and len(word) > len(suffix):
            return (word[: -len(suffix)], *expansion)
    return (word.replace("'", ""),)


@lru_cache(maxsize=8192)
def _han_keys(char: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    # Only the main reading: secondary ones make unrelated characters homophones (家/借).
    readings = _PINYIN_ALIASES.get(char) or (pinyin(char, style=Style.NORMAL)[0][0],)
    fuzzy = frozenset(fuzzy_pinyin(r) for r in readings)
    coarse = frozenset(_drop_nasal(f) for f in fuzzy)
    return frozenset(readings), fuzzy, coarse


def _han_token(char: str, clause: int, start: int, end: int) -> Token:
    keys, fuzzy, coarse = _han_keys(char)
    return Token(char, "han", keys, fuzzy, coarse, clause, start, end)


def _word_token(word: str, clause: int, start: int, end: int) -> Token:
    stem = frozenset((word_stem(word),))
    return Token(word, "word", frozenset((word,)), stem, stem, clause, start, end)


def word_stem(word: str) -> str:
    """A light stem, enough for complain/complained/complains to meet."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def fuzzy_pinyin(syllable: str) -> str:
    """Merge the initials and finals that phone-band ASR and accents confuse."""
    for retroflex, flat in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if syllable.startswith(retroflex):
            syllable = flat + syllable[2:]
            break
    if syllable.startswith("n"):
        syllable = "l" + syllable[1:]
    if syllable.endswith("ng") and len(syllable) > 2:
        syllable = syllable[:-1]
    return syllable


def _drop_nasal(syllable: str) -> str:
    return syllable[:-1] if syllable.endswith("n") and len(syllable) > 2 else syllable


def token_cost(a: Token, b: Token) -> float:
    """0 for the same (or homophone) token, up to 1 for unrelated tokens."""
    if a.text == b.text:
        return 0.0
    if a.kind != b.kind:
        return 1.0
    if a.kind == "word":
        if a.fuzzy == b.fuzzy:
            return STEM_COST
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
        if token.is_negator and not _negator_exception(text, i):
            return True
    return False


def _negator_exception(text: TokenizedText, index: int) -> bool:
    token = text.tokens[index]
    if token.kind != "han":
        return False
    following = text.text[token.start : token.start + 4]
    return any(following.startswith(word) for word in NEGATOR_EXCEPTIONS_HAN)


def contains_negator(tokens: tuple[Token, ...]) -> bool:
    return any(t.is_negator for t in tokens)


MATCH_MODES = ("fuzzy", "exact", "regex")
NEGATION_MODES = ("exclude", "ignore", "require")


@dataclass(frozen=True, slots=True)
class Phrase:
    """One compiled phrase: how it is matched and how strictly."""

    source: str
    mode: str = "fuzzy"
    min_similarity: float = 0.8
    tokens: tuple[Token, ...] = ()
    pattern: re.Pattern[str] | None = None

    @classmethod
    def compile(cls, source: str, mode: str = "fuzzy", min_similarity: float = 0.8) -> Phrase:
        if mode == "regex":
            return cls(source, mode, 1.0, (), re.compile(normalize(source)))
        tokens = tokenize(source).tokens
        if not tokens:
            raise ValueError(f"phrase {source!r} has no words to match")
        if mode == "exact":
            min_similarity = 1.0
        elif len(tokens) == 1:
            # One short token has too many near neighbours ("sue"/"sure"): only near-identical.
            min_similarity = max(min_similarity, SINGLE_TOKEN_MIN_SIMILARITY)
        return cls(source, mode, min_similarity, tokens)

    @property
    def self_negating(self) -> bool:
        """A phrase that already says "not ..." is not cancelled by another negator."""
        return contains_negator(self.tokens)

    def find(self, text: TokenizedText, negation: str = "exclude") -> list[Match]:
        matches = [
            self._label(text, m)
            for m in self._raw_matches(text)
            if self.mode != "fuzzy" or self._plausible(text, m)
        ]
        if negation == "exclude":
            return [m for m in matches if not m.negated]
        if negation == "require":
            return [m for m in matches if m.negated]
        return matches

    def _raw_matches(self, text: TokenizedText) -> list[Match]:
        if self.pattern is not None:
            return [
                m
                for m in (_regex_match(text, found) for found in self.pattern.finditer(text.text))
                if m is not None
            ]
        if self.mode == "exact":
            return _exact_matches(self.tokens, text.tokens)
        if not _may_align(self.tokens, text, self.min_similarity):
            return []
        return align(self.tokens, text.tokens, self.min_similarity)

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
        return Match(
            match.start, match.end, match.similarity, text.surface(match.start, match.end), negated
        )


def _anchors(phrase_token: Token, said: Token) -> bool:
    """The same character, or a word spelled almost the same (complain/complaint)."""
    if phrase_token.text == said.text:
        return True
    return phrase_token.kind == said.kind == "word" and token_cost(phrase_token, said) <= 0.15


def _may_align(pattern: tuple[Token, ...], text: TokenizedText, min_similarity: float) -> bool:
    """Cheap pre-check: a phrase aligns only if enough of its tokens are there roughly."""
    if len(pattern) < 2 or min_similarity < 0.5:
        return True
    present = text.coarse_keys
    hits = sum(1 for t in pattern if t.coarse & present)
    return hits * 2 >= len(pattern)


def _exact_matches(pattern: tuple[Token, ...], tokens: tuple[Token, ...]) -> list[Match]:
    want = [t.text for t in pattern]
    have = [t.text for t in tokens]
    found: list[Match] = []
    i = 0
    while i + len(want) <= len(have):
        if have[i : i + len(want)] == want:
            found.append(Match(i, i + len(want), 1.0, "", False))
            i += len(want)
        else:
            i += 1
    return found


def _regex_match(text: TokenizedText, found: re.Match[str]) -> Match | None:
    inside = [
        i for i, t in enumerate(text.tokens) if t.start < found.end() and t.end > found.start()
    ]
    if not inside:
        return None
    return Match(inside[0], inside[-1] + 1, 1.0, "", False)
