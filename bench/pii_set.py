"""Build the labelled set of bench/pii.py: bench/data/pii_set.json (seeded, reproducible).

Calls of one to three utterances in Chinese and English holding phone, ID, card numbers,
codes, plates, emails and SSNs in the forms people say them (digits, words, 幺/两/洞,
"double"/"triple"/"oh", pieces, filler words, mixed digits and characters, a number split
over two utterances of the same speaker) and negatives that must stay (amounts, dates,
times, order and tracking numbers, counts, a card's last digits). Valid numbers are drawn
at random and made valid (check digit, Luhn); each label holds its digits (or text), so a
prediction is judged on what it covers, not on character offsets.

    python bench/pii_set.py        # rewrites bench/data/pii_set.json
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from pii_numbers import ZH, card, landline, mobile, render, resident_id, ssn, us_phone

OUT = Path(__file__).resolve().parent / "data" / "pii_set.json"


def utt(role: str, text: str) -> dict:
    return {"role": role, "text": text}


def case(lang: str, utterances: list[dict], labels: list[dict], kind: str) -> dict:
    return {"language": lang, "kind": kind, "utterances": utterances, "labels": labels}


ZH_TEMPLATES = {
    "PHONE": (
        "我的手机号是{}",
        "你打这个电话{}就行",
        "联系电话{}",
        "号码是{}，您记一下",
        "{}，这是我手机",
    ),
    "ID": ("身份证号是{}", "我身份证{}", "证件号码{}，您核对一下"),
    "CARD": ("卡号是{}", "我的银行卡号{}", "完整的卡号是{}"),
}
EN_TEMPLATES = {
    "PHONE": ("my phone number is {}", "you can reach me at {}", "call me back on {}", "it's {}"),
    "CARD": ("my card number is {}", "the card is {}", "card number {} please"),
    "SSN": ("my social security number is {}", "SSN {}"),
}


def numbered(r: random.Random, lang: str, kind: str, digits: str) -> dict:
    """One number in a sentence, or split over two utterances of the customer."""
    templates = (ZH_TEMPLATES if lang == "zh" else EN_TEMPLATES)[kind]
    label = {"type": kind, "digits": digits}
    if r.random() < 0.2:
        cut = r.randint(4, len(digits) - 3)
        first = templates[0].format(render(r, lang, digits[:cut]))
        ack = "嗯" if lang == "zh" else "mhm"
        return case(
            lang,
            [
                utt("customer", first),
                utt("agent", ack),
                utt("customer", render(r, lang, digits[cut:])),
            ],
            [label],
            f"{kind} split",
        )
    return case(
        lang, [utt("customer", r.choice(templates).format(render(r, lang, digits)))], [label], kind
    )


def positives(r: random.Random) -> list[dict]:
    out = []
    for _ in range(60):
        out.append(numbered(r, "zh", "PHONE", mobile(r)))
        out.append(numbered(r, "en", "PHONE", mobile(r) if r.random() < 0.3 else us_phone(r)))
    for _ in range(15):
        out.append(numbered(r, "zh", "PHONE", landline(r)))
    for _ in range(50):
        out.append(numbered(r, "zh", "ID", resident_id(r)))
        out.append(numbered(r, "zh", "CARD", card(r)))
        out.append(numbered(r, "en", "CARD", card(r)))
    for _ in range(20):
        out.append(numbered(r, "en", "SSN", ssn(r)))
        code = "".join(r.choice("0123456789") for _ in range(r.choice((4, 6))))
        out.append(
            case(
                "zh",
                [utt("agent", "请问您收到的验证码是多少"), utt("customer", render(r, "zh", code))],
                [{"type": "CODE", "digits": code}],
                "CODE",
            )
        )
        out.append(
            case(
                "en",
                [utt("customer", f"the verification code is {render(r, 'en', code)}")],
                [{"type": "CODE", "digits": code}],
                "CODE",
            )
        )
        plate = (
            r.choice("京沪粤浙苏川")
            + r.choice("ABCDEFG")
            + "".join(r.choice("0123456789ABCDEFGHJK") for _ in range(5))
        )
        said = (
            plate
            if r.random() < 0.6
            else plate[:2] + "".join(ZH[int(c)] if c.isdigit() else c for c in plate[2:])
        )
        out.append(
            case(
                "zh",
                [utt("customer", f"车牌号是{said}")],
                [{"type": "PLATE", "text": said}],
                "PLATE",
            )
        )
        name = r.choice(("zhangsan", "li.wei", "wang_fang88", "chen.jie"))
        host = r.choice(("qq.com", "163.com", "gmail.com", "example.cn"))
        mail = f"{name}@{host}"
        spoken = f"{name.replace('.', ' dot ')} at {host.replace('.', ' dot ')}"
        text = mail if r.random() < 0.6 else spoken
        lang = r.choice(("zh", "en"))
        out.append(
            case(
                lang,
                [utt("customer", (f"邮箱是{text}" if lang == "zh" else f"my email is {text}"))],
                [{"type": "EMAIL", "text": text}],
                "EMAIL",
            )
        )
    return out


def long_number(r: random.Random) -> str:
    """A reference number, sometimes one that validates as a mobile or a card by chance."""
    choice = r.random()
    if choice < 0.3:
        return mobile(r)
    if choice < 0.5:
        return card(r, 16)
    return "".join(r.choice("0123456789") for _ in range(r.choice((10, 12, 14, 20))))


def negatives(r: random.Random) -> list[dict]:
    out = []
    for _ in range(20):
        n = long_number(r)
        zh_ref = r.choice(
            ("订单号是{}", "快递单号{}", "工单编号{}", "您的订单号{}，请查收", "发票号码是{}")
        )
        out.append(
            case("zh", [utt("agent", zh_ref.format(render(r, "zh", n)))], [], "order number")
        )
        en_ref = r.choice(
            (
                "your order number is {}",
                "the tracking number is {}",
                "invoice {}",
                "ticket number {}",
            )
        )
        out.append(
            case("en", [utt("agent", en_ref.format(render(r, "en", n)))], [], "order number")
        )
        amount = r.choice(
            (
                str(r.randint(10, 99999)),
                f"{r.randint(1, 999)}.{r.randint(10, 99)}",
                "一百三十八",
                "三千五百",
            )
        )
        out.append(
            case(
                "zh",
                [
                    utt(
                        "customer",
                        r.choice(("这个月扣了我{}元", "一共{}块钱", "余额还有{}元")).format(amount),
                    )
                ],
                [],
                "amount",
            )
        )
        out.append(
            case(
                "en",
                [
                    utt(
                        "customer",
                        r.choice(("I was charged {} dollars", "the bill was ${}")).format(
                            r.randint(10, 99999)
                        ),
                    )
                ],
                [],
                "amount",
            )
        )
        y, m, d = r.randint(2015, 2026), r.randint(1, 12), r.randint(1, 28)
        out.append(
            case(
                "zh",
                [
                    utt(
                        "customer",
                        r.choice(
                            (
                                f"{y}年{m}月{d}号开的户",
                                f"我是{y}年{m}月{d}日办的卡",
                                "二零二三年三月五号",
                            )
                        ),
                    )
                ],
                [],
                "date",
            )
        )
        out.append(case("en", [utt("customer", f"it was on March {d}, {y}")], [], "date"))
        h, mi = r.randint(1, 12), r.randint(10, 59)
        out.append(
            case(
                "zh",
                [utt("agent", r.choice((f"下午{h}点{mi}分给您回电", f"{h}:{mi}以后再打")))],
                [],
                "time",
            )
        )
        out.append(case("en", [utt("agent", f"we close at {h} {mi} pm")], [], "time"))
        k = r.randint(2, 60)
        out.append(
            case(
                "zh",
                [
                    utt(
                        "customer",
                        r.choice((f"我打了{k}次电话了", f"等了{k}分钟", f"套餐是{k}G的")),
                    )
                ],
                [],
                "count",
            )
        )
        out.append(case("en", [utt("customer", f"I have called {k} times")], [], "count"))
        tail = "".join(r.choice("0123456789") for _ in range(4))
        out.append(
            case(
                "zh",
                [utt("agent", f"跟您确认一下尾号{render(r, 'zh', tail)}的卡")],
                [],
                "card last digits",
            )
        )
    return out


def main() -> None:
    r = random.Random(14)
    cases = positives(r) + negatives(r)
    for i, c in enumerate(cases):
        c["id"] = f"{c['language']}-{i:04d}"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases -> {OUT}")


if __name__ == "__main__":
    main()
