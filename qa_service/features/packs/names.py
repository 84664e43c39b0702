"""The names of rules, questions and dimensions in one reader's language, from the pack
that scored each call (issue 15: ids never replace names).

A call records its pack (``Call.rule_pack``: a name, or ``name@version``); each pack is
resolved once per reader. A pack that is gone leaves no name: the page falls back to the
finding's category label, never to the id.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.analysis.packs import load_scorecard_text
from qa_service.config import Settings
from qa_service.domain.pack_text import text_in
from qa_service.domain.rulepack import RulePack
from qa_service.errors import QAError
from qa_service.features.packs.service import builtin_names, resolve_pack, scorecard_text
from qa_service.store.packs import DocumentKind, PackVersion


def scoring_pack(session: Session, settings: Settings, pack_ref: str | None) -> RulePack | None:
    """The pack that scored the call; None when it is gone."""
    if not pack_ref:
        return None
    try:
        return resolve_pack(session, settings, pack_ref).pack
    except QAError:
        return None


def rule_name(pack: RulePack, rule_id: str, language: str | None) -> str:
    """The name of ``pack``'s rule ``rule_id`` (or of its scorecard question: answers carry
    the item's id) in ``language``; "" when it has none, and the page shows the category."""
    for rule in pack.rules:
        if rule.id == rule_id:
            return text_in(rule.name, language)
    for item in pack.scorecard.items:
        if item.id == rule_id:
            return text_in(item.name, language)
    return ""


class PackNames:
    """``names.rule(call.rule_pack, finding.rule_id)`` in ``language``; "" when unknown."""

    def __init__(self, session: Session, settings: Settings, language: str | None) -> None:
        self.session = session
        self.settings = settings
        self.language = language
        self._packs: dict[str, RulePack | None] = {}

    def pack(self, pack_ref: str | None) -> RulePack | None:
        key = pack_ref or ""
        if key not in self._packs:
            self._packs[key] = scoring_pack(self.session, self.settings, pack_ref)
        return self._packs[key]

    def rule(self, pack_ref: str | None, rule_id: str) -> str:
        """A rule's name, or a scorecard question's (its findings carry the item's id)."""
        pack = self.pack(pack_ref)
        return rule_name(pack, rule_id, self.language) if pack is not None else ""

    def item(self, pack_ref: str | None, item_id: str) -> str:
        """A scorecard item's name ("" when it has none or its pack is gone)."""
        pack = self.pack(pack_ref)
        found = [i for i in pack.scorecard.items if i.id == item_id] if pack else []
        return text_in(found[0].name, self.language) if found else ""

    def rule_description(self, pack_ref: str | None, rule_id: str) -> str:
        pack = self.pack(pack_ref)
        rule = next((r for r in pack.rules if r.id == rule_id), None) if pack else None
        return rule.description_in(self.language) if rule else ""

    def dimensions(self, pack_ref: str | None) -> dict[str, str]:
        """Dimension id -> its name; empty when the pack is gone."""
        pack = self.pack(pack_ref)
        if pack is None:
            return {}
        return {d.id: d.name_in(self.language) for d in pack.scorecard.dimensions}


def scorecard_dimensions(
    session: Session, settings: Settings, language: str | None
) -> dict[str, str]:
    """Dimension id -> its name in ``language``, from every scorecard the service knows
    (built-in or stored, the newest version of each): the KPI columns of dimensions are named
    across packs. A scorecard that no longer loads names nothing."""
    stored = session.scalars(
        select(PackVersion.name).where(PackVersion.kind == DocumentKind.scorecard).distinct()
    )
    out: dict[str, str] = {}
    for name in sorted(builtin_names(settings, DocumentKind.scorecard) | set(stored)):
        text = scorecard_text(session, settings, name)
        try:
            card = load_scorecard_text(text, name) if text else None
        except QAError:
            continue
        for dim in card.dimensions if card else ():
            out.setdefault(dim.id, dim.name_in(language))
    return out
