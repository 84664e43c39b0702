"""Dates, clock times and IP addresses hold digits that are never personal data, but only
as the whole of their chain of digit groups: ASR writes an ID read out in groups with
hyphens or dots, and a group of it may look like a date or an address (bench/README.md,
personal data, eighth round). A piece whisper wrote over and over is a loop, not a list."""

from __future__ import annotations

import pytest

from qa_service.domain.pii.numerals import written_shapes
from tests.test_pii_asr_forms import found


@pytest.mark.parametrize(
    ("text", "shapes"),
    [
        ("我是2021-02-19办的卡", ["2021-02-19"]),
        ("2016-07-24-08-56-23下的单", ["2016-07-24-08-56-23"]),
        ("1990.05.12出生。", ["1990.05.12"]),
        ("服务器192.168.1.20连不上", ["192.168.1.20"]),
        ("IP是14.215.137.138。", ["14.215.137.138"]),
        # the same shapes inside a longer chain are pieces of a number
        ("证件号码3301-06-2004-03-03-6953", []),
        ("身份证号142021-02-1964-0726-4889", []),
        ("身份正好131.1.04.1958.1.1.2.8.48.6", []),
        ("1320102.198.198.198.198", []),
    ],
)
def test_a_date_or_an_address_is_one_only_as_its_whole_chain(text: str, shapes: list) -> None:
    assert written_shapes(text) == shapes


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("证件号码3301-06-2004-03-03-6953", [("ID", "3301-06-2004-03-03-6953")]),
        ("身份证号是4201-02-1964-0726-4889", [("ID", "4201-02-1964-0726-4889")]),
        ("身份正好131.1.04.1958.1.1.2.8.48.6", [("ID", "131.1.04.1958.1.1.2.8.48.6")]),
    ],
)
def test_an_id_read_in_groups_that_look_like_a_date_is_masked_whole(
    text: str, masked: list
) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # whisper looping on a piece: masked whole, as the label's type
        (
            "身份镇号1320102.198.198.198.198.198.198.198.194",
            [("ID", "1320102.198.198.198.198.198.198.198.194")],
        ),
        (
            "卡号是6222.021.021.021.021.021.021.0215",
            [("CARD", "6222.021.021.021.021.021.021.0215")],
        ),
    ],
)
def test_a_number_asr_looped_in_is_masked_whole(text: str, masked: list) -> None:
    assert found(text, "zh") == masked


@pytest.mark.parametrize(
    "text",
    [
        # a hotline said three times is a repeat, not a loop inside one number
        "客服电话4001898017   4001898017   4001898017",
        # dotted versions and dated timestamps stay what they are
        "版本号1.2.3.4.5.6.7.8.9.10.11.12",
        "2016-07-24-08-56-23下的单，2016-07-25-09-00-00发的货",
        "订单号1320102.198.198.198.198.198.198.198.194",
    ],
)
def test_repeats_versions_and_timestamps_stay_unmasked(text: str) -> None:
    assert found(text, "zh") == []


def test_an_address_has_no_group_with_a_leading_zero() -> None:
    assert written_shapes("134.056.78.221,这是我手机。") == []
    assert found("134.056.78.221,这是我手机。", "zh") == [("PHONE", "134.056.78.221")]
