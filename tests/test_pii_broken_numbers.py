"""Numbers whisper broke, cut short or wrote around (bench/README.md, personal data, ninth
round): the rest read on after a break, characters and tens words inside a labelled number,
long numbers begun digit by digit, units and counts around a number."""

from __future__ import annotations

import re

import pytest

from qa_service.domain.pii import detect
from tests.test_pii_asr_forms import found, utterances


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # a labelled number cut short, read on after the other side's "停", "等", "嗯"
        (("我的手机号是1703351", "停", "秒六七二"), [(0, "PHONE"), (2, "PHONE")]),
        (("身份证号是51010751988031", "停", "第三,五,八,五,三,"), [(0, "ID"), (2, "ID")]),
        (("塔号是436-791-4306-73", "等", "Sensei566I"), [(0, "CARD"), (2, "CARD")]),
        (("My social security number is 2-2-3-4.", "mm", "Number 5147"), [(0, "SSN"), (2, "SSN")]),
    ],
)
def test_the_rest_of_a_number_cut_short_is_read_on_in_the_next_utterance(
    texts: tuple[str, ...], masked: list
) -> None:
    spans = detect(utterances(texts, ("停", "等", "mm")), "zh")
    assert [(s.utterance, s.kind.value) for s in spans] == masked
    assert len({s.group for s in spans}) == 1


@pytest.mark.parametrize(
    "texts",
    [
        # a whole number: what follows is something else
        ("我的手机号是13800138000", "嗯", "第二个是5号"),
        # words before the digits, or a quantity after them
        ("我的手机号是1703351", "嗯", "那个订单我是上个月买的35"),
        ("我的手机号是1703351", "嗯", "大概35块"),
        # not past words said after the number
        ("我的手机号是1703351还没换过", "嗯", "六七二"),
        # nor after a digit or two of a count
        ("vivo手机之家两个表情", "嗯", "1.15.3"),
    ],
)
def test_what_follows_a_whole_number_or_after_words_is_not_read_on(
    texts: tuple[str, ...],
) -> None:
    spans = detect(utterances(texts, ("嗯",)), "zh")
    assert all(s.utterance == 0 for s in spans)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # one character inside a labelled number whose digits ASR did not all keep
        ("完整的卡号是628个5297894597", [("CARD", "628个5297894597")]),
        ("我的银行卡号是367自57634576913", [("CARD", "367自57634576913")]),
        ("我的手机号是15.2082省001", [("PHONE", "15.2082省001")]),
        # two characters
        ("身份正好是3101共死196204动轻1726", [("ID", "3101共死196204动轻1726")]),
        # the first piece too short alone, a digit too many in all
        ("身份证号是1101,055个1969,0521,7280", [("ID", "1101,055个1969,0521,7280")]),
        # counts, a list, a unit, or digits too few for the type stay
        ("我的手机号是1380个，1500个", []),
        ("我的手机号是138和139都行", []),
        ("我的卡号是622个月前办的1234567", []),
        ("身份证号是320个，110个", []),
        ("我的手机号是138还是139", []),
        ("卡号是6228，以前是6229", []),
    ],
)
def test_characters_inside_a_labelled_number_near_its_length_are_bridged(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # whisper's tens word for two digits said one after the other inside a read-out
        (("我的手机号是19724", "等", "四十三零七二"), [(0, "PHONE"), (2, "PHONE")]),
        (("请问您收到的验证码是多少?", "四十二七"), [(1, "CODE")]),
        # a quantity word after six digit characters in a row: a digit ASR misheard
        (("你打这个电话一七八二零三七八五万五就行",), [(0, "PHONE")]),
        # quantities: nothing after the units, a range with its unit, other quantity words
        (("我今年四十三，住在二十一号楼",), []),
        (("三十五六个人，都是二十一二岁的",), []),
        (("一千二百三十四五",), []),
        (("三百五十万五千",), []),
        (("一二三万五",), []),
        (("大概四十三零七二年吧",), []),
    ],
)
def test_quantity_words_inside_digits_read_out_are_no_quantity(
    texts: tuple[str, ...], masked: list
) -> None:
    spans = detect(utterances(texts, ("等", "请问您收到的验证码是多少?")), "zh")
    assert [(s.utterance, s.kind.value) for s in spans] == masked


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # begun digit by digit, no label: one number, not the piece of it that validates
        (("4-6-7-8-4-1", "等", "439-26-09-918-09"), [(0, "CARD"), (2, "CARD")]),
        (("4-4-6-7-0", "嗯", "零三六五八二九一二五八"), [(0, "CARD"), (2, "CARD")]),
        # a label says what it is
        (
            (
                "card number four three six seven, zero one seven two, oh five one eight, "
                "double four double three, six four two please",
            ),
            [(0, "CARD")],
        ),
        # longer than any number (ASR added digits): still one, as no list starts so
        (("4-4-6-7-2-7-9-9-5", "等", "989,540,020,270"), [(0, "CARD"), (2, "CARD")]),
        # too short to be one number
        (("1-2-3-4", "嗯", "好的"), []),
    ],
)
def test_a_long_number_begun_digit_by_digit_is_one_number(
    texts: tuple[str, ...], masked: list
) -> None:
    spans = detect(utterances(texts, ("等", "嗯")), "zh")
    assert [(s.utterance, s.kind.value) for s in spans] == masked
    # from its first digit
    assert all(
        not re.search("[0-9零一二三四五六七八九]", texts[s.utterance][: s.start]) for s in spans
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # sound-alikes of digits that make up a number's length with four real digits
        ("政见号码5101动棋的19850201598您和对一下", [("ID", "5101动棋的19850201598")]),
        # not where they make a word with a character beside them
        ("移动10086", []),
        ("打10086移动客服", []),
        ("一共1234以上", []),
    ],
)
def test_sound_alikes_beside_four_digits_are_digits_unless_in_a_word(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # no amount has 14 digits: under a label, a unit after one is a misheard digit
        ("完整的塔号是6217,8326,5308,8091,3次请", [("CARD", "6217,8326,5308,8091,3")]),
        # shorter, or without a label, the unit still makes a quantity
        ("卡号是6217,8326,5次", []),
        ("QQ版本2013 v4.2.1 1575.13号", []),
    ],
)
def test_a_unit_after_a_long_labelled_number_is_a_misheard_digit(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a piece that validates by chance in the middle of a long number ASR broke
        ("号号是62-18-08-765-6493-484", [("CARD", "62-18-08-765-6493-484")]),
        ("正借号买1101,0519,780,0416,780,你和对一下", [("ID", "1101,0519,780,0416,780")]),
        # a number at an end of the run is one: the rest is another number or nothing
        ("13800138000-123", [("PHONE", "13800138000")]),
    ],
)
def test_a_number_inside_a_long_run_is_taken_with_the_whole_run(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("texts", "masked"),
    [
        # the last piece, said apart, is the count its unit is about; the rest is the number
        (("我的手机号是1995903-6", "等", "两次移步"), [(0, "PHONE")]),
        # the handset's model or version is no phone-number label
        (("手机型号索尼xperia,QQ版本2013 v4.2.1 1575.", "嗯", "13号打过"), []),
        # said together, the unit is the whole run's
        (("我的手机号是19959036次",), []),
    ],
)
def test_a_count_said_after_a_labelled_number_is_not_part_of_it(
    texts: tuple[str, ...], masked: list
) -> None:
    spans = detect(utterances(texts, ("等", "嗯")), "zh")
    assert [(s.utterance, s.kind.value) for s in spans] == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # eleven digits of a card ASR lost five of
        ("我的银行卡号是11198803617自动搬搬", [("CARD", "11198803617")]),
        # a mainland mobile under a card label is still a phone
        ("银行卡绑的是13800138000", [("PHONE", "13800138000")]),
        ("卡号13912345678", [("PHONE", "13912345678")]),
    ],
)
def test_eleven_digits_under_a_card_label(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # one unknown digit passes Luhn whatever the rest: under an ID label, 19 digits with a
        # guess are an ID ASR added a digit to, not a card
        (
            "我身份正三三动腰零六热腰九七九两腰零四五九七四",
            [("ID", "三三动腰零六热腰九七九两腰零四五九七四")],
        ),
        # without a guess, 19 digits that pass Luhn are a card's length and no ID's
        ("我身份证6217000010012345677", [("CARD", "6217000010012345677")]),
    ],
)
def test_a_guessed_digit_is_no_evidence_against_the_label(text: str, masked: list) -> None:
    assert found(text, "zh") == masked
