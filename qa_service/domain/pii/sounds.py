"""Labels ASR wrote by their sound: 针见号马 for 证件号码, 眼真马 for 验证码, 银汗卡 for 银行卡.

Whisper writes a Mandarin word it did not catch as characters that sound like it, most often
across the distinctions speakers and recognisers blur: front and back nasals (en/eng, in/ing,
an/ang), flat and retroflex initials (z/zh, c/ch, s/sh) and n/l. A label of three or more
syllables heard that way is read as the label: the text before a number is rewritten one
character for one (offsets unchanged), so the label patterns of ``numbers`` find it.

Two-syllable labels are left out: their sound-alikes are everyday words (好吗 for 号码, 收集
for 手机, 点化 for 电话), and a false label turns the amount or date after it into a number;
but for 号码 heard as 后码, 卡号 as 塔号 and 手机号 as 设计号 right before a number
(``_HEARD_HAOMA``, ``_HEARD_KAHAO``, ``_HEARD_SHOUJIHAO``). A label of four syllables
may be heard with one of them wholly changed (``_ONE_CHANGE_LABELS``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, pinyin

# Labels of personal data, and of the reference numbers that must stay unmasked (a misheard
# 订单号 must still protect its order number).
SOUND_LABELS = (
    "证件号码",
    "身份证号",
    "银行卡号",
    "证件号",
    "身份证",
    "手机号",
    "验证码",
    "校验码",
    "动态码",
    "银行卡",
    "信用卡",
    "借记卡",
    "订单号",
    "工单编号",
    "工单号",
    "运单号",
    "快递单",
    "邮件号码",  # said exactly, so that no ID label is heard in it (证件号码, one change)
)
_MERGED_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_MERGED_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))
# Whole syllables whisper writes for each other in a label: 号 hào as 后 hòu ("顶单后是",
# "卡后是", "后码"), 码 mǎ as 买 mǎi ("正借号买" for 证件号码, with 借 one syllable changed).
_MERGED_SYLLABLES = {"hou": "hao", "mai": "ma"}
HAN = re.compile(r"[\u4e00-\u9fff]")  # one Chinese character
# One Chinese character, captured; and what follows a label right before its number.
_ONE_HAN = "([\u4e00-\u9fff])"
_BEFORE_NUMBER = "(?=是|[0-9零〇幺一二两三四五六七八九])"
# 号码 ("number") heard as 后码 or 后马: a syllable starting h before 码 or its homophone 马
# (never 吗, the question "好吗"), right before 是 or a digit. Two syllables are too few to
# guess from their sound alone (see the module's doc); this one spot is not. Also with 号's
# h heard as t, as 卡's k is (套码: tao), and with 码 heard with a nasal ending, as digits are
# (``_NASAL_DIGIT_SOUNDS``: 后满, man; 忙, mang): "套码是147-4254-659", "后满11-12-12-28-68-32".
_HEARD_HAOMA = re.compile(_ONE_HAN * 2 + _BEFORE_NUMBER)
_HAO_WITH_T, _MA_WITH_NASAL = "tao", {"man", "mang"}
# 卡号 ("card number") heard as 塔号, 塔后 or 卡后 (k heard as t, hào as hòu), right before 是 or a
# digit; not as 卡后 after a verb ("开卡后"). After the pronouns 他, 她 and 它 ("他后3天", "他号是"
# his number) only as 后 or 耗 before a number of a card's digits or most of them, said in a
# row ("他后1411113-48-08-76-88-78", "它耗是523-439-8878"), which no sentence about him has.
_HEARD_KAHAO = re.compile("(?<![开办刷换补销绑插])" + _ONE_HAN * 2 + _BEFORE_NUMBER)
_KAHAO_SOUNDS = ({"ka", "ta"}, {"hao", "hou"})
_PRONOUN_KAHAO = set("后耗")
_DIGIT_CHAR = "[0-9零〇幺一二两三四五六七八九]"
_LONG_NUMBER_AHEAD = re.compile("是?" + rf"(?:{_DIGIT_CHAR}[\s,，.、-]*){{10}}")
# 手机号 ("mobile number") heard with its first vowel changed (设计号: she for shou), right
# before 是 or a digit: ji and hao kept, an initial s or sh before them.
_HEARD_SHOUJIHAO = re.compile(_ONE_HAN * 3 + _BEFORE_NUMBER)
_PRONOUNS = set("他她它牠")
# 卡 (kǎ) heard with its k as h, the other velar: 哈 ha, 好 hao, 喊 han. Not hang (行号, a bank
# branch's number) nor hu (户号, a utility account's).
_H_KAHAO = {"ha", "hao", "han"}
# These are still heard with one syllable wholly changed (政界号码, 证据号码 and 全份正好 for
# 证件号码 and 身份证号): three of their four sounds in a row are no everyday word. Not the
# reference labels: "没有改号码" is one change from 邮件号码.
_ONE_CHANGE_LABELS = ("证件号码", "身份证号", "银行卡号")
# The toneless syllables a digit is said as on the phone (幺 for one, 洞 for zero, 拐 for
# seven, 勾 for nine included).
_DIGIT_SOUNDS = {
    "ling": "0", "dong": "0", "yao": "1", "yi": "1", "er": "2", "liang": "2", "san": "3",
    "si": "4", "wu": "5", "liu": "6", "qi": "7", "guai": "7", "ba": "8", "jiu": "9", "gou": "9",
}  # fmt: skip
# A digit's syllable with its nasal ending changed, as whisper hears it: ling without its
# back nasal or any (邻, 林, 力: "邻巴两三" for 零八二三, "腰动力1983" for 幺洞零1983), and one
# and seven with one added (因 yin, 请 qing: "因5因5", "无邀请请"). Not eight as ban: 班 is
# whisper's word for a pause in a number ("148班233班468"). Everyday words by a number (李,
# 请, 银), so ``digit_units`` keeps them as digits only between two digits or among other
# homophones. Three comes back as sheng too (生, 绳: "八生八腰四五" for 八三八幺四五), its s
# made retroflex and its an a back nasal; 先生, 学生 beside a number stay words the same way.
_NASAL_DIGIT_SOUNDS = {
    "lin": "0", "li": "0", "yin": "1", "ying": "1", "qin": "7", "qing": "7", "sheng": "3",
}  # fmt: skip
# 洞 (dòng, the telephone zero) heard with another initial, its -ong kept: d aspirated (通
# tong), made velar (共 gong, 空 kong) or an affricate (中 zhong, 总 zong): "邀通二二动零" for
# 幺洞二二洞零, "要共动班" for 幺洞洞八, "20040128 共死5" for ...洞四五. Everyday words by a
# number as well (一共, 中间, 通知): kept as digits only as the nasal homophones are, and
# never inside a word of the dictionary (中午, "13800138000中午": noon, not 洞五).
_DONG_WITH_INITIAL = {"tong": "0", "gong": "0", "kong": "0", "zhong": "0", "zong": "0"}


def _blurred(syllable: str) -> str:
    """A toneless syllable with the distinctions ASR loses taken out."""
    for retroflex, flat in _MERGED_INITIALS:
        if syllable.startswith(retroflex):
            syllable = flat + syllable[len(retroflex) :]
            break
    for back, front in _MERGED_FINALS:
        if syllable.endswith(back):
            return syllable[: -len(back)] + front
    return _MERGED_SYLLABLES.get(syllable, syllable)


@lru_cache(maxsize=8192)
def sounds(char: str) -> frozenset[str]:
    """Every reading of a Chinese character, blurred (empty for anything else)."""
    if not HAN.fullmatch(char):
        return frozenset()
    readings = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return frozenset(_blurred(r) for r in (readings[0] if readings else []))


@lru_cache(maxsize=8192)
def main_reading(char: str) -> str:
    """A character's main toneless reading (行: xing), the character itself where it has
    none."""
    return pinyin(char, style=Style.NORMAL)[0][0]


def digit_by_sound(char: str) -> str | None:
    """The digit a Chinese character sounds exactly like (舞 wǔ: 5, 寺 sì: 4, 酒 jiǔ: 9), by
    its main reading only: secondary readings would make 以 (yǐ, also sì) a four."""
    if not HAN.fullmatch(char):
        return None
    return _DIGIT_SOUNDS.get(main_reading(char))


def digit_by_nasal(char: str) -> str | None:
    """The digit a Chinese character sounds like but for its nasal ending (邻 lín: 0, 班
    bān: 8; see ``_NASAL_DIGIT_SOUNDS``)."""
    if not HAN.fullmatch(char):
        return None
    return _NASAL_DIGIT_SOUNDS.get(main_reading(char))


def digit_by_initial(char: str) -> str | None:
    """The digit a Chinese character sounds like but for its initial: 洞 (通 tōng, 共 gòng;
    see ``_DONG_WITH_INITIAL``)."""
    if not HAN.fullmatch(char):
        return None
    return _DONG_WITH_INITIAL.get(main_reading(char))


@lru_cache(maxsize=1)
def _labels_by_first_sound() -> dict[str, list[tuple[str, tuple[frozenset[str], ...]]]]:
    """Each label with its characters' sounds, under each sound of its first character,
    longest label first."""
    found: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = {}
    for label in sorted(SOUND_LABELS, key=len, reverse=True):
        label_sounds = tuple(sounds(ch) for ch in label)
        for sound in label_sounds[0]:
            found.setdefault(sound, []).append((label, label_sounds))
    return found


def heard_labels(text: str) -> str:
    """``text`` with every stretch that sounds like one of ``SOUND_LABELS`` written as it,
    the longest label first where two could start at one character; every other character
    unchanged."""
    if not HAN.search(text):
        return text
    chars = list(text)
    heard = [sounds(ch) for ch in chars]
    by_first = _labels_by_first_sound()
    long_labels = _one_change_labels()
    start = 0
    while start < len(chars):
        candidates = [c for sound in heard[start] for c in by_first.get(sound, ())]
        match = next(
            (
                label
                for label, label_sounds in sorted(candidates, key=lambda c: -len(c[0]))
                if _sounds_at(heard, start, label_sounds)
            ),
            None,
        ) or next(
            (label for label, sounds_ in long_labels if _sounds_at(heard, start, sounds_, 1)),
            None,
        )
        if match is None:
            start += 1
            continue
        chars[start : start + len(match)] = match
        start += len(match)
    text = _HEARD_HAOMA.sub(_haoma, "".join(chars))
    return _HEARD_SHOUJIHAO.sub(_shoujihao, _HEARD_KAHAO.sub(_kahao, text))


def _haoma(found: re.Match[str]) -> str:
    first, second = found.groups()
    hao = main_reading(first).startswith("h") or main_reading(first) == _HAO_WITH_T
    ma = second in "码马" or main_reading(second) in _MA_WITH_NASAL
    return "号码" if hao and ma else found.group()


def _kahao(found: re.Match[str]) -> str:
    first, second = (main_reading(ch) for ch in found.groups())
    heard = first in _KAHAO_SOUNDS[0] and second in _KAHAO_SOUNDS[1]
    if (heard and _not_about_him(found)) or _kahao_with_h(found):
        return "卡号"
    return found.group()


def _not_about_him(found: re.Match[str]) -> bool:
    """Whether a 卡号 heard after a pronoun is one (see ``_HEARD_KAHAO``)."""
    if found.group(1) not in _PRONOUNS:
        return True
    long_number = _LONG_NUMBER_AHEAD.match(found.string, found.end())
    return found.group(2) in _PRONOUN_KAHAO and long_number is not None


def _kahao_with_h(found: re.Match[str]) -> bool:
    """Whether two characters are 卡号 heard with its k as h (喊号, 好后: ``_H_KAHAO``) before
    a card's digits or most of them said in a row ("喊号是6225217084283"), as the pronoun's
    are: a queue's 喊号 has a short number, and 好后 no number at all."""
    first, second = found.groups()
    if main_reading(first) not in _H_KAHAO or second not in _PRONOUN_KAHAO | {"号"}:
        return False
    return _LONG_NUMBER_AHEAD.match(found.string, found.end()) is not None


def sounds_like_shouji(first: str, second: str) -> bool:
    """Whether two characters sound like 手机 with its first vowel changed (设计: an initial
    s or sh, then ji)."""
    return main_reading(first).startswith("s") and main_reading(second) == "ji"


def _shoujihao(found: re.Match[str]) -> str:
    first, second, third = found.groups()
    heard = sounds_like_shouji(first, second) and main_reading(third) in _KAHAO_SOUNDS[1]
    return "手机号" if heard else found.group()


@lru_cache(maxsize=1)
def _one_change_labels() -> list[tuple[str, tuple[frozenset[str], ...]]]:
    return [(label, tuple(sounds(ch) for ch in label)) for label in _ONE_CHANGE_LABELS]


def _sounds_at(
    heard: list[frozenset[str]],
    start: int,
    label: tuple[frozenset[str], ...],
    changes: int = 0,
) -> bool:
    """Whether the characters from ``start`` sound like ``label``, all Chinese, with at most
    ``changes`` of them sounding like something else."""
    window = heard[start : start + len(label)]
    if len(window) != len(label) or not all(window):
        return False
    return sum(not (a & b) for a, b in zip(window, label, strict=True)) <= changes
