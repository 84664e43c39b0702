"""The data_handling rule type: read back, asking for secrets, customer giving data."""

from __future__ import annotations

import pytest

from qa_service.domain.rulepack import PackInvalid
from tests.rules_helpers import check, pack, rule, run, transcript


def findings(tr, **params):
    spec = rule("data_handling", "pii", severity="major", params=params)
    return run(pack(spec), tr).findings


def test_agent_reading_back_a_full_card_number_is_found_and_masked() -> None:
    tr = transcript(
        ("customer", "卡号是6222 0212 3456 7890 128"),
        ("agent", "好的，跟您确认一下卡号6222021234567890128对吗"),
    )
    found = findings(tr)
    assert len(found) == 1
    assert found[0].role == "agent" and found[0].evidence["issue"] == "read_back"
    assert found[0].evidence["pii_types"] == ["CARD"]
    assert "6222" not in found[0].text and "[CARD]" in found[0].text


@pytest.mark.parametrize(
    "said",
    [
        "跟您确认一下尾号0128的卡",  # the last digits only
        "您的卡已经登记好了",
        "订单号是4111111111111111",  # an order number, not a card
    ],
)
def test_no_read_back_without_a_full_number(said: str) -> None:
    assert findings(transcript(("agent", said))) == []


def test_read_back_types_are_configurable() -> None:
    tr = transcript(("agent", "您的身份证号11010519491231002X对吧"))
    assert findings(tr)[0].evidence["pii_types"] == ["ID"]
    assert findings(tr, read_back=["CARD"]) == []


@pytest.mark.parametrize(
    ("said", "asks"),
    [
        ("请告诉我您收到的验证码", True),
        ("您的银行卡密码是多少？", True),
        ("what is your password?", True),
        ("请不要把验证码告诉任何人", False),
        ("we will never ask for your password", False),
        ("您收到验证码了吗", True),
        ("您好，请问有什么可以帮您", False),
    ],
)
def test_asking_for_a_secret(said: str, asks: bool) -> None:
    found = findings(transcript(("agent", said)))
    assert [f.evidence["issue"] for f in found] == (["asked_secret"] if asks else [])


def test_asking_can_be_allowed() -> None:
    assert findings(transcript(("agent", "请告诉我验证码")), ask_secrets=False) == []


def test_customer_giving_a_forbidden_type_is_found_with_the_code_masked() -> None:
    tr = transcript(("agent", "好的请稍等"), ("customer", "验证码是八三九二七一"))
    assert findings(tr) == []
    found = findings(tr, customer_gives=["CODE"])
    assert [(f.role, f.evidence["issue"]) for f in found] == [("customer", "customer_gave")]
    assert found[0].text == "验证码是[CODE]"


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(PackInvalid) as refused:
        findings(transcript(("agent", "x")), read_back=["NAME"])
    assert refused.value.problems[0].loc[-2:] == ("read_back", 0)


@pytest.mark.parametrize(
    ("pack_name", "said", "fires"),
    [
        ("zh-default", "跟您确认一下卡号6222021234567890128对吗", True),
        ("zh-default", "您的订单号是160315164539304，金额128元", False),
        ("zh-default", "工单号201512202392571100已经提交", False),
        ("en-default", "Let me confirm, your card is 4111 1111 1111 1111", True),
        ("en-default", "Your order number is 1603151645393041", False),
    ],
)
def test_default_packs_flag_validated_numbers_not_order_numbers(pack_name, said, fires) -> None:
    language = pack_name[:2]
    tr = transcript(("customer", "你好" if language == "zh" else "Hi"), ("agent", said))
    tr.language = language
    found = {f.rule_id for f in check(tr, pack_name).findings}
    assert ("pii-read-out" in found) is fires
