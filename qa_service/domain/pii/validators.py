"""Check digits and number plans: what makes a digit string a phone, an ID or a card number.

Every function takes the digits alone (an ID's last character may be ``X``) and answers
whether they are one; none of them looks at context.
"""

from __future__ import annotations

from datetime import date

# GB 11643-1999: weights of the first 17 digits, and the check character for sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First digit of a mainland region code (1 north ... 8 Hong Kong/Macau/Taiwan residents).
_ID_REGIONS = "12345678"


def resident_id(value: str) -> bool:
    """An 18-character mainland resident ID: region, a real birth date, the check character."""
    if len(value) != 18 or not value[:17].isdigit() or value[0] not in _ID_REGIONS:
        return False
    check = value[17].upper()
    if not (check.isdigit() or check == "X"):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2100:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == check


def has_birth_date(value: str) -> bool:
    """Whether a birth year (19xx or 20xx) stands where an ID holds it (its 7th to 10th
    characters) or within two places of there, as when ASR lost or added a digit before
    it; a digit ASR half heard (``?``) may be any. A card's digits hold one there about
    one time in fifteen. The month is not asked for: ASR garbles it as often ("196600")."""
    return any(
        _century_at(value, start)
        and all(ch.isdigit() or ch == "?" for ch in value[start + 2 : start + 4])
        for start in range(4, 9)
    )


def id_shaped(value: str) -> bool:
    """Whether 17 to 19 digits read as an ID with one digit lost or added: a region's first
    digit, then a whole birth date (a real day, 1900-2029) where an ID holds it or one place
    either side. A random number holds that about once in a thousand."""
    if not 17 <= len(value) <= 19 or value[0] not in _ID_REGIONS:
        return False
    return any(_real_date(value[start : start + 8]) for start in (5, 6, 7))


def id_with_digit_added(value: str) -> bool:
    """Whether 19 digits are an ID with one digit added anywhere, its date broken
    ("4403052020501117888": a 2 added in 20050111), the other 18 passing as an ID. Of
    random 19-digit numbers led by 62 (a card's BIN, Gansu's region) about one in 1,200
    pass (200,000 tried)."""
    return len(value) == 19 and any(resident_id(value[:k] + value[k + 1 :]) for k in range(19))


def _real_date(text: str) -> bool:
    if len(text) != 8 or not text.isdigit() or not 1900 <= int(text[:4]) <= 2029:
        return False
    try:
        date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return True


def _century_at(value: str, start: int) -> bool:
    pair = value[start : start + 2]
    return len(pair) == 2 and any(
        all(ch in (want, "?") for ch, want in zip(pair, century, strict=True))
        for century in ("19", "20")
    )


def luhn(value: str) -> bool:
    if not value.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(value)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def bank_card(value: str) -> bool:
    """A payment card: 16-19 digits passing Luhn (15 for American Express, 34/37)."""
    if len(value) == 15:
        return value[:2] in ("34", "37") and luhn(value)
    return 16 <= len(value) <= 19 and value[0] in "3456789" and luhn(value)


def cn_mobile(value: str) -> bool:
    """A mainland mobile number: 11 digits, 1 then 3-9."""
    return len(value) == 11 and value[0] == "1" and value[1] in "3456789" and value.isdigit()


def cn_landline(value: str) -> bool:
    """A mainland landline with its area code: 0 + 2-3 digit area + 7-8 digit number."""
    if not value.isdigit() or value[:1] != "0" or value[1:2] in ("0", ""):
        return False
    if value[1] == "1" and not value.startswith("010"):
        return False
    # 010 and 02x have a 2-digit area code and 8-digit numbers; the rest (0571, 0755)
    # a 3-digit area code and 7 or 8 digits.
    area = 3 if value[1] in "12" else 4
    local = len(value) - area
    return (local == 8 if area == 3 else 7 <= local <= 8) and value[area] not in "01"


def us_phone(value: str) -> bool:
    """A North American number: [1] + area [2-9]xx + exchange [2-9]xx + 4 digits."""
    if len(value) == 11 and value[0] == "1":
        value = value[1:]
    return len(value) == 10 and value.isdigit() and value[0] not in "01" and value[3] not in "01"


def uk_phone(value: str) -> bool:
    """A UK number: 0 + 10 digits starting 1, 2, 3 or 7 (or 44 instead of the 0)."""
    if len(value) == 12 and value.startswith("44"):
        value = "0" + value[2:]
    return len(value) == 11 and value[0] == "0" and value[1] in "1237" and value.isdigit()


def no_phone_plan(digits: str) -> bool:
    """Whether 11 to 13 digits are no phone number: led by neither a mobile's 1 nor a trunk
    0 nor the mainland's country code said first (86), and valid in no plan (a UK number
    after its 44 is). Read out, they are a card ASR lost digits of ("4-4-6-7-9-5-10-3-5-4"
    for 4367 9551 0354 8529, its label lost too), not a phone by their length."""
    if not 11 <= len(digits) <= 13 or digits[0] in "01" or digits.startswith("86"):
        return False
    return digits.isdigit() and not (us_phone(digits) or uk_phone(digits))


def ssn(value: str) -> bool:
    """A US social security number: area not 000, 666 or 9xx; group and serial not zero."""
    if len(value) != 9 or not value.isdigit():
        return False
    area, group, serial = value[:3], value[3:5], value[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def strip_country_code(value: str) -> str:
    """The national number: +86 / 0086 before a mainland mobile is dropped."""
    for prefix in ("0086", "86"):
        if value.startswith(prefix) and cn_mobile(value[len(prefix) :]):
            return value[len(prefix) :]
    return value


def service_number(value: str) -> bool:
    """A company's hotline (400/800 numbers, 10 digits): published, not personal."""
    return len(value) == 10 and value[:3] in ("400", "800")
