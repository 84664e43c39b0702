"""Numbers for bench/pii_set.py: valid phone, ID, card and SSN numbers drawn at random (check
digit, Luhn), and the forms people say and write them in, in Chinese and English (digits,
words, 幺/两/洞, "double"/"triple"/"oh", pieces, filler words)."""

from __future__ import annotations

import random

ZH = "零一二三四五六七八九"
EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
REGIONS = ("110105", "310104", "440305", "330106", "510107", "420102", "320102", "610113")


def mobile(r: random.Random) -> str:
    return "1" + r.choice("3456789") + "".join(r.choice("0123456789") for _ in range(9))


def resident_id(r: random.Random) -> str:
    body = (
        r.choice(REGIONS)
        + f"{r.randint(1950, 2005)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
        + f"{r.randint(0, 999):03d}"
    )
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_W, strict=True)) % 11]


def card(r: random.Random, length: int | None = None) -> str:
    length = length or r.choice((16, 16, 19))
    body = r.choice(("6222", "6228", "4367", "6217", "4111", "5234")) + "".join(
        r.choice("0123456789") for _ in range(length - 5)
    )
    for check in "0123456789":
        digits = body + check
        total = sum(
            (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 else d
            for i, d in enumerate(int(c) for c in reversed(digits))
        )
        if total % 10 == 0:
            return digits
    raise AssertionError("a Luhn check digit always exists")


def landline(r: random.Random) -> str:
    area = r.choice(("010", "021", "0571", "0755", "020", "028"))
    local = 8 if len(area) == 3 else r.choice((7, 8))
    return area + r.choice("2345678") + "".join(r.choice("0123456789") for _ in range(local - 1))


def us_phone(r: random.Random) -> str:
    return (
        r.choice("23456789")
        + f"{r.randint(0, 99):02d}"
        + r.choice("23456789")
        + "".join(r.choice("0123456789") for _ in range(6))
    )


def ssn(r: random.Random) -> str:
    return f"{r.randint(1, 665):03d}{r.randint(1, 99):02d}{r.randint(1, 9999):04d}"


def groups(digits: str, sizes: tuple[int, ...]) -> list[str]:
    out, i = [], 0
    for size in sizes:
        out.append(digits[i : i + size])
        i += size
    if i < len(digits):
        out.append(digits[i:])
    return [g for g in out if g]


def sizes_for(digits: str) -> tuple[int, ...]:
    return {11: (3, 4, 4), 18: (6, 8, 4), 16: (4, 4, 4, 4), 19: (4, 4, 4, 4, 3)}.get(
        len(digits), (3, 3, 4)
    )


def zh_spoken(r: random.Random, digits: str) -> str:
    """Chinese digit words: 幺 or 一 for 1, sometimes 两 for 2 and 洞 for 0, in pieces."""
    one = r.choice("幺一")

    def word(c: str) -> str:
        if c == "X":
            return r.choice(("叉", "X"))
        if c == "1":
            return one
        if c == "2" and r.random() < 0.15:
            return "两"
        if c == "0" and r.random() < 0.1:
            return "洞"
        return ZH[int(c)]

    sep = r.choice((" ", "，", "、", " ", ""))
    parts = ["".join(word(c) for c in g) for g in groups(digits, sizes_for(digits))]
    if r.random() < 0.25 and len(parts) > 2:
        parts[1] = "呃" + parts[1]
    return sep.join(parts)


def zh_written(r: random.Random, digits: str) -> str:
    style = r.random()
    if style < 0.4:
        return digits
    if style < 0.7:
        return r.choice((" ", "-")).join(groups(digits, sizes_for(digits)))
    # mixed digits and characters, as ASR and hurried typing give them
    return "".join(ZH[int(c)] if c.isdigit() and r.random() < 0.4 else c for c in digits)


def en_spoken(r: random.Random, digits: str) -> str:
    """English digit words: "oh" for zero, "double"/"triple" for repeats, pieces."""
    parts = []
    for g in groups(digits, sizes_for(digits)):
        words, i = [], 0
        while i < len(g):
            run = 1
            while i + run < len(g) and g[i + run] == g[i] and run < 3:
                run += 1
            word = (
                "oh" if g[i] == "0" and r.random() < 0.5 else EN[int(g[i])] if g[i] != "X" else "x"
            )
            if run > 1 and r.random() < 0.7:
                words.append(("double " if run == 2 else "triple ") + word)
                i += run
            else:
                words.append(word)
                i += 1
        parts.append(" ".join(words))
    return r.choice((", ", " ", ", uh, ")).join(parts)


def en_written(r: random.Random, digits: str) -> str:
    return r.choice(("", " ", "-")).join(groups(digits, sizes_for(digits)))


def render(r: random.Random, lang: str, digits: str) -> str:
    if lang == "zh":
        return zh_spoken(r, digits) if r.random() < 0.6 else zh_written(r, digits)
    return en_spoken(r, digits) if r.random() < 0.6 else en_written(r, digits)
