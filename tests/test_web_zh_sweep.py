"""Every page of every role in Chinese: no English words outside names, ids and user data.

The allow-list is built from what the fixtures stored (accounts, agents, teams, queues,
call ids, the transcript, what agents wrote), never from a list of words; text inside <code>,
<kbd> and the pack editor's YAML is data by markup. Rule ids are not allowed (ids never
replace names), nor the built-in packs' English texts: they name and describe every rule,
dimension and item in Chinese too (issue 15)."""

from __future__ import annotations

import json
import re

import pytest

from qa_service.analysis.packs import available_packs
from qa_service.features.calls.schemas import METADATA_FIELDS
from qa_service.features.imports.sources import FILE_COLUMNS
from qa_service.web.i18n import LANGUAGE_NAMES
from tests.conftest import REPO
from tests.test_web_phone import ready, sign_in_as
from tests.web_site import ROLE_USERS, RUDE, site_pages

pytest_plugins = ["tests.web_fixtures", "tests.web_fixtures_browser", "tests.web_site"]

WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
# Text the user sees: text nodes and the tooltips and placeholders, outside data markup.
VISIBLE_TEXT_JS = """
const skip = 'script, style, code, kbd, textarea, [data-user], #i18n';
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const parent = node.parentElement;
  if (!parent || parent.closest(skip) || !node.textContent.trim()) continue;
  if (!parent.checkVisibility()) continue;
  out.push(node.textContent.trim());
}
for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
  if (el.closest(skip)) continue;
  for (const name of ['title', 'placeholder', 'aria-label']) {
    if (el.getAttribute(name)) out.push(el.getAttribute(name));
  }
}
return out;
"""
# Names the pages print as such, not words to translate: file formats, keys on the
# keyboard, a unit and the time standard a tooltip gives the server's time in.
NAMES = {"CSV", "XLSX", "YAML", "JSON", "Enter", "Ctrl", "Esc", "Shift", "Space", "MiB", "UTC"}


def stored_data(site) -> list[str]:
    """Everything the fixtures stored: accounts and their names, the calls' ids, agents,
    teams and queues, what agents wrote in disputes."""
    from sqlalchemy import select

    from qa_service.store.accounts import User
    from qa_service.store.calls import Call
    from qa_service.store.disputes import Dispute

    data = []
    with site.service.app.state.db.session() as session:
        for user in session.scalars(select(User)):
            data += [user.username, user.full_name or "", user.agent_id or "", user.team or ""]
        for call in session.scalars(select(Call)):
            data += [call.call_id, call.agent_id or "", call.team or "", call.queue or ""]
        for dispute in session.scalars(select(Dispute)):
            data.append(dispute.reason or "")
    return data


def allowed_words(site) -> set[str]:
    """Words of names, ids and user data the fixtures stored."""
    scorecards = [p.stem for p in (REPO / "rules" / "scorecards").glob("*.yaml")]
    data = [*stored_data(site), *LANGUAGE_NAMES.values(), *available_packs(), *scorecards]
    data += [text for _role, text in RUDE]
    data += site.service.settings.upload_formats
    # The manifest's column names are a file format's ids, written as the file must have them.
    data += [*FILE_COLUMNS, *METADATA_FIELDS]
    words = {w for text in data for w in WORD.findall(text)}
    words |= {w.lower() for w in words} | NAMES
    return words


def english_words(texts: list[str], allowed: set[str]) -> list[str]:
    found = []
    for text in texts:
        for word in WORD.findall(text):
            if (
                word not in allowed
                and word.lower() not in allowed
                and not re.fullmatch(r"[a-z]\d*", word)
            ):
                found.append(f"{word!r} in {text[:80]!r}")
    return found


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_no_english_on_chinese_pages(browser, site, role):
    service = site.service
    browser.set_window_size(1440, 900)
    sign_in_as(browser, service, ROLE_USERS[role], "zh")
    allowed = allowed_words(site)
    found = {}
    for path in site_pages(site, role):
        browser.get(f"{service.url}{path}")
        ready(browser)
        words = english_words(browser.execute_script(VISIBLE_TEXT_JS), allowed)
        if words:
            found[path] = sorted(set(words))
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
