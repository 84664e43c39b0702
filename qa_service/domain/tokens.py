"""Text cut into tokens, clauses and words: what every phrase matcher works on.

One token per Chinese character (keyed by its toneless pinyin readings, so homophones align),
one per Latin word (contractions expanded: don't = do not) and one per digit. Clause
punctuation (，。！？；,.!?; and line breaks) splits the text into clauses: a phrase never
matches across them unless a rule asks, negation does not reach over them, and each clause
is known to be a question or a statement. Chinese characters also know the word they belong
to (``qa_service.domain.segment``), so a match can be held to word boundaries.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, pinyin

from qa_service.domain.questions import question_clauses, question_utterance
from qa_service.domain.segment import HAN, word_spans

_TOKEN_RE = re.compile(rf"([{HAN}])|([a-z0-9]+(?:'[a-z]+)*)|(\n|[^\s\w])")
_HAN_RE = re.compile(rf"[{HAN}]")
CLAUSE_PUNCT = frozenset(",.!?;。，！？；…\n")
_DIGITS_HAN = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
# Read aloud as a digit on the phone (幺 = 1).
_PINYIN_ALIASES = {"幺": ("yao", "yi")}
# Characters ASR and writers swap freely without changing what is said: the honorific 您 is 你.
_HAN_VARIANTS = {"您": "你"}
_CONTRACTIONS = {
    "n't": ("not",),
    "'re": ("are",),
    "'m": ("am",),
    "'ll": ("will",),
    "'ve": ("have",),
    "'d": ("would",),
}
# 's is "is" after these; after a noun it is a possessive and is dropped.
_IS_CONTRACTED = frozenset(
    {"it", "that", "he", "she", "there", "here", "what", "where", "who", "how", "this"}
)
_IRREGULAR = {
    "can't": ("can", "not"),
    "cannot": ("can", "not"),
    "won't": ("will", "not"),
    "shan't": ("shall", "not"),
    "let's": ("let", "us"),
}
# Chat text drops the apostrophe; these spellings are not words of their own.
_APOSTROPHE_LESS = {
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "cant": ("can", "not"),
    "couldnt": ("could", "not"),
    "wouldnt": ("would", "not"),
    "shouldnt": ("should", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "wasnt": ("was", "not"),
    "werent": ("were", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "im": ("i", "am"),
    "ive": ("i", "have"),
}


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
    # What a short phrase compares: the character with its variants folded, or the word stem.
    canon: str = ""
    # Offsets of the word the token belongs to (a Chinese word, a digit run, a Latin word).
    word_start: int = 0
    word_end: int = 0


@dataclass(frozen=True, slots=True)
class TokenizedText:
    text: str  # normalised text that token offsets refer to
    tokens: tuple[Token, ...]
    clause_spans: tuple[tuple[int, int], ...] = ()  # character offsets of each clause
    questions: frozenset[int] = frozenset()  # clauses that ask rather than state
    is_question: bool = False  # the utterance as a whole asks (see questions.py)

    @property
    def coarse_keys(self) -> frozenset[str]:
        return frozenset(k for t in self.tokens for k in t.coarse)

    def surface(self, start: int, end: int) -> str:
        """Normalised text of tokens ``start``..``end`` (exclusive)."""
        if start >= end:
            return ""
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]

    def clause_ranges(self) -> list[tuple[int, int]]:
        """Token index ranges (start, end exclusive) of the clauses that hold tokens."""
        ranges: list[tuple[int, int]] = []
        for i, token in enumerate(self.tokens):
            if ranges and self.tokens[ranges[-1][0]].clause == token.clause:
                ranges[-1] = (ranges[-1][0], i + 1)
            else:
                ranges.append((i, i + 1))
        return ranges


def normalize(text: str) -> str:
    """NFKC, lower case, straight apostrophes: the form every matcher works on."""
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()


def has_han(text: str) -> bool:
    return _HAN_RE.search(text) is not None


def tokenize(
    text: str, vocabulary: frozenset[str] = frozenset(), *, words: bool = True
) -> TokenizedText:
    """Tokens, clauses and questions of ``text``; ``vocabulary``: the pack's extra words.

    ``words=False`` skips the word segmentation (every character its own word) where only
    the tokens are wanted (counting speech units, n-gram profiles).
    """
    norm = normalize(text)
    spans_of = _word_of(norm, vocabulary) if words else {}
    tokens: list[Token] = []
    spans: list[tuple[int, int]] = []
    clause, clause_start = 0, 0
    for m in _TOKEN_RE.finditer(norm):
        han, word, punct = m.groups()
        if punct is not None:
            if punct in CLAUSE_PUNCT:
                spans.append((clause_start, m.start()))
                clause, clause_start = clause + 1, m.end()
        elif han is not None:
            ws, we = spans_of.get(m.start(), (m.start(), m.end()))
            tokens.append(_han_token(han, clause, m.start(), m.end(), ws, we))
        elif word.isdigit():
            # A digit is one spoken token whatever the script ("12315" = 幺二三幺五).
            for i, digit in enumerate(word):
                pos = m.start() + i
                tokens.append(
                    _han_token(_DIGITS_HAN[digit], clause, pos, pos + 1, m.start(), m.end())
                )
        else:
            for part in split_contraction(word):
                tokens.append(_word_token(part, clause, m.start(), m.end()))
    spans.append((clause_start, len(norm)))
    questions = question_clauses(tokens, norm, spans)
    return TokenizedText(
        norm, tuple(tokens), tuple(spans), questions, question_utterance(tokens, norm, spans)
    )


def _word_of(norm: str, vocabulary: frozenset[str]) -> dict[int, tuple[int, int]]:
    if not has_han(norm):
        return {}
    return {pos: span for span in word_spans(norm, vocabulary) for pos in range(*span)}


def split_contraction(word: str) -> tuple[str, ...]:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in _APOSTROPHE_LESS:
        return _APOSTROPHE_LESS[word]
    if word.endswith("'s") and len(word) > 2:
        stem = word[:-2]
        return (stem, "is") if stem in _IS_CONTRACTED else (stem,)
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


def _han_token(char: str, clause: int, start: int, end: int, ws: int, we: int) -> Token:
    keys, fuzzy, coarse = _han_keys(char)
    canon = _HAN_VARIANTS.get(char, char)
    return Token(char, "han", keys, fuzzy, coarse, clause, start, end, canon, ws, we)


def _word_token(word: str, clause: int, start: int, end: int) -> Token:
    stem = word_stem(word)
    keys, stems = frozenset((word,)), frozenset((stem,))
    return Token(word, "word", keys, stems, stems, clause, start, end, stem, start, end)


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
