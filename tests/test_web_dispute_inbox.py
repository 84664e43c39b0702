"""The dispute inbox gives a decider the context to rule from it: the disputed finding's
line with a button that plays that moment, the points at stake, people by name beside their
usernames; the decision form sits in the dispute's card, in view; after deciding a toast
confirms it and the dispute leaves; the call link opens the finding without scrolling the
player away."""

from __future__ import annotations

import json
import re

import pytest
from selenium.webdriver.common.by import By

from tests.web_fixtures import upload_scripted_call
from tests.web_fixtures_browser import page_mark, page_screenshots, sign_in, wait_until

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser"]

CALL_DATA = re.compile(r'<script type="application/json" id="call-data">(.*?)</script>', re.S)

AGENT_NAME = "Li Lei"
LEAD_NAME = "Han Meimei"


@pytest.fixture(scope="module")
def disputes(live_service, tmp_path_factory) -> dict:
    """Agent A1 (named) disputes two findings of a call that has lines and audio."""
    meta = {"agent_id": "A1", "team": "A", "call_id": "inbox-call-1"}
    folder = tmp_path_factory.mktemp("inbox")
    call, data = upload_scripted_call(live_service, folder, "inbox-call", meta)
    with live_service.client("admin") as admin:
        for user, name in (("agent_a1", AGENT_NAME), ("lead_a", LEAD_NAME)):
            reply = admin.patch(f"/api/users/{live_service.ids[user]}", json={"full_name": name})
            assert reply.status_code == 200, reply.text
    with live_service.client("agent_a1") as agent:
        findings = agent.get(f"/api/calls/{call['id']}/findings").json()
        # Findings about a moment of the call (not the call as a whole) that cost points.
        timed = [
            f
            for f in findings
            if f["start_s"] is not None
            and (f["end_s"] or f["start_s"]) - f["start_s"] < data["duration_s"] / 2
            and f["points"] < 0
        ][:2]
        assert len(timed) == 2
        opened = []
        for finding in timed:
            body = {"finding_id": finding["id"], "reason": "I was only direct."}
            reply = agent.post(f"/api/calls/{call['id']}/disputes", json=body)
            assert reply.status_code == 201, reply.text
            opened.append(reply.json())
    return {"call": call, "findings": timed, "disputes": opened, "turns": data["turns"]}


def _card(html: str, dispute_id: int) -> str:
    found = re.search(
        rf'<article class="dispute-card[^"]*" data-dispute="{dispute_id}">(.*?)</article>',
        html,
        re.S,
    )
    assert found, f"dispute {dispute_id} has a card"
    return found.group(1)


def test_each_dispute_carries_its_line_points_and_names(live_service, disputes):
    with live_service.page_session("lead_a") as lead:
        html = lead.get("/disputes").text
    texts = {t["text"] for t in disputes["turns"]}
    for dispute, finding in zip(disputes["disputes"], disputes["findings"], strict=True):
        card = _card(html, dispute["id"])
        assert f"{AGENT_NAME} (agent_a1)" in card
        quoted = re.findall(r'<span class="text">(.*?)</span>', card)
        assert quoted and all(q in texts for q in quoted), card
        assert f"{finding['points']:.1f} points at stake" in card
        play = re.search(r'class="play-span" data-src="([^"]+)" data-start="([^"]+)"', card)
        assert play and play.group(1) == f"/api/calls/{disputes['call']['id']}/audio"
        assert float(play.group(2)) == pytest.approx(finding["start_s"])
        assert f"/calls/{disputes['call']['id']}?finding={finding['id']}" in card
        assert "#finding-" not in card
        assert 'class="decide"' in card


HAN = re.compile(r"[\u4e00-\u9fff]")


def test_rules_and_dimensions_are_named_in_the_readers_language(live_service, disputes):
    """Issue 15: an English call's rules are named in Chinese on Chinese pages and in English
    on English ones (the inbox, the call page's findings, descriptions and dimensions); the
    rule id is never shown in a name's place."""
    from qa_service.analysis.packs import load_pack

    pack = load_pack("en-default")
    call_id = disputes["call"]["id"]
    for lang in ("zh", "en"):
        named = {r.id: r.name_in(lang) for r in pack.rules}
        with live_service.page_session("lead_a") as lead:
            lead.cookies.set("qa_lang", lang)
            html = lead.get("/disputes").text
            page = lead.get(f"/calls/{call_id}").text
        for dispute in disputes["disputes"]:
            card = _card(html, dispute["id"])
            shown = re.search(r'<strong class="rule-name"[^>]*>(.*?)</strong>', card)
            assert shown and shown.group(1) == named[dispute["rule_id"]], card
            assert f">{dispute['rule_id']}<" not in card, "no rule id in a name's place"
        data = json.loads(CALL_DATA.search(page).group(1))
        assert data["findings"]
        for finding in data["findings"]:
            assert finding["rule_name"] == named[finding["rule_id"]]
            assert bool(HAN.search(finding["rule_name"])) == (lang == "zh"), finding
            assert bool(HAN.search(finding["description"])) == (lang == "zh"), finding
        assert all(bool(HAN.search(d["name"])) == (lang == "zh") for d in data["dimensions"])
        # The API's findings name their rules in the language the client asks for.
        with live_service.client("qa1") as api:
            header = {"Accept-Language": "zh-CN,zh;q=0.9" if lang == "zh" else "en-US"}
            rows = api.get(f"/api/calls/{call_id}/findings", headers=header).json()
        assert rows and all(r["rule_name"] == named[r["rule_id"]] for r in rows)


def test_a_decider_plays_rules_and_the_dispute_leaves_with_a_toast(browser, live_service, disputes):
    first, second = disputes["disputes"]
    sign_in(browser, live_service, "lead_a", "/disputes")
    browser.set_window_size(1440, 900)
    page_mark(browser, "ready", 30)
    card = browser.find_element(By.CSS_SELECTOR, f"article[data-dispute='{first['id']}']")
    form = card.find_element(By.CSS_SELECTOR, "form.decide")
    box = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return [r.right, r.bottom, window.innerWidth, window.innerHeight];",
        form,
    )
    assert box[0] <= box[2] and box[1] <= box[3], "the decision form is in view"

    play = card.find_element(By.CSS_SELECTOR, "button.play-span")
    play.click()
    wait_until(browser, lambda d: "playing" in play.get_attribute("class"), 10, "playing")
    # It stops by itself at the end of the finding's moment.
    wait_until(browser, lambda d: "playing" not in play.get_attribute("class"), 20, "stopped")

    count = int(browser.find_element(By.ID, "disputes-count").text)
    form.find_element(By.CSS_SELECTOR, "option[value=overturn]").click()
    form.find_element(By.NAME, "comment").send_keys("Direct, not rude.")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    toast = wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".notice-msg"), 10)
    assert f"#{first['id']}" in toast[0].text and "overturned" in toast[0].text
    assert card.find_element(By.CSS_SELECTOR, ".decided-note").text
    selector = f"article[data-dispute='{first['id']}']"
    wait_until(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, selector), 10, "gone")
    assert int(browser.find_element(By.ID, "disputes-count").text) == count - 1
    with live_service.client("qa1") as api:
        assert api.get(f"/api/disputes/{first['id']}").json()["status"] == "overturned"

    # The call link: the finding selected, the page not scrolled (the player in view).
    link = browser.find_element(
        By.CSS_SELECTOR, f"article[data-dispute='{second['id']}'] a.call-link"
    )
    link.click()
    wait_until(browser, lambda d: "/calls/" in d.current_url, 10, "the call page")
    page_mark(browser, "ready", 30)
    finding_id = disputes["findings"][1]["id"]
    wait_until(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, f"#finding-{finding_id}.selected"), 10
    )
    assert browser.execute_script("return window.scrollY") == 0
    errors = [
        e
        for e in browser.get_log("browser")
        if e["level"] == "SEVERE" and "favicon" not in e["message"]
    ]
    assert not errors

    ready = lambda d: page_mark(d, "ready", 30)  # noqa: E731
    page_screenshots(browser, live_service, "/disputes", "dispute-inbox", ready)
