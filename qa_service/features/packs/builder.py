"""The rule builder: a draft's rules (a scorecard's items) as forms, and a form written in.

The rule is written into the text (``rule_text``), then the whole draft is validated exactly
as saving would validate it (``service.check_document``, rolled back); the problems that lie
on the written rule's lines come back at the form's fields and the draft is left unchanged,
so the form never writes a rule the pack would refuse. Problems elsewhere in the draft are
the editor's to show; only their number comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

from qa_service import safe_yaml
from qa_service.config import Settings
from qa_service.domain.pack_text import text_in
from qa_service.domain.rulepack import Loc, Problem
from qa_service.features.packs import item_form, rule_form, rule_text
from qa_service.features.packs.service import check_document
from qa_service.store.accounts import User
from qa_service.store.packs import DocumentKind

# Each kind's form: read_form, to_rule, form_of and its fields.
FORMS: dict[str, ModuleType] = {"pack": rule_form, "scorecard": item_form}
FORM_FIELDS = {
    "pack": frozenset(rule_form.RuleForm.model_fields),
    "scorecard": frozenset(item_form.ItemForm.model_fields),
}
# A scorecard item's keys that the form shows as several fields: the first one's place.
ALIASES = {"question": "question_zh", "instructions": "instructions_zh", "answers": "answer_yes"}
# Problems of the rule as a whole (or of the draft) have no field of their own.
GENERAL = "rule"


@dataclass(slots=True)
class Written:
    content: str | None = None
    rule_id: str | None = None
    line: int | None = None
    errors: list[Problem] = field(default_factory=list)
    draft_problems: int = 0


def draft_name(value: Any, language: str | None) -> str:
    """A draft rule's name in ``language``; "" for none, or for anything that is not one."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
    return text_in(value, language) if isinstance(value, (str, dict)) else ""


def list_rules(content: str, kind: str = "pack", language: str | None = None) -> dict[str, Any]:
    """The draft's rules (items): id, name in ``language``, type, lines, and the form's values
    (None: not a type the form has); for a scorecard also its dimensions, which items name."""
    draft = rule_text.read_draft(content, kind)
    rules = [
        {
            "id": span.id,
            "name": draft_name(span.data.get("name"), language),
            "type": span.data.get("type"),
            "line": span.line,
            "end_line": span.end_line,
            "form": FORMS[kind].form_of(span.data),
        }
        for span in draft.spans
        if span.id is not None
    ]
    dimensions = draft.data.get("dimensions") if kind == "scorecard" else None
    ids = [
        d["id"] for d in dimensions or [] if isinstance(d, dict) and isinstance(d.get("id"), str)
    ]
    return {"rules": rules, "dimensions": ids}


def form_field(loc: Loc, kind: str = "pack") -> str:
    """The form field a location inside a rule (or inside the form) names."""
    aliases = ALIASES if kind == "scorecard" else {}
    for part in loc:
        if isinstance(part, str) and (part in FORM_FIELDS[kind] or part in aliases):
            return aliases.get(part, part)
    return GENERAL


def _at_field(problem: Problem, loc: Loc, kind: str) -> Problem:
    where = (form_field(loc, kind),)
    return Problem(where, problem.message, kind=problem.kind, values=problem.values)


def write_rule(
    session: Session,
    settings: Settings,
    user: User,
    content: str,
    values: dict[str, Any],
    replace: str | None = None,
    kind: str = "pack",
) -> Written:
    """The draft with the form's rule written in (in place of the rule ``replace`` names,
    else of the rule with its id, else after the last rule), or why it cannot be."""
    forms = FORMS[kind]
    try:
        form = forms.read_form(values)
        draft = rule_text.read_draft(content, kind)
        wanted = replace or form.id
        existing = next((s.data for s in draft.spans if s.id == wanted), None)
        rule = forms.to_rule(form, existing)
        text, first, last = rule_text.put_rule(draft, rule, wanted)
    except rule_form.FormInvalid as exc:
        return Written(errors=[_at_field(p, p.loc, kind) for p in exc.problems])
    except rule_text.DraftUnreadable as exc:
        return Written(errors=[unreadable(exc)])
    _name, problems = check_document(session, settings, user, DocumentKind(kind), text)
    file = f"{draft.name}.yaml"
    own = [p for p in problems if p.file == file and p.line and first <= p.line <= last]
    if own:
        return Written(errors=[_at_field(p, p.loc[2:], kind) for p in own])
    return Written(text, form.id, first, draft_problems=len(problems))


def unreadable(exc: rule_text.DraftUnreadable) -> Problem:
    messages = {
        "yaml": "the YAML above has a syntax error; fix it, then write the rule",
        "too_large": f"the draft is larger than {safe_yaml.MAX_BYTES // 1024} KiB",
        "not_mapping": "the draft is not a pack (a mapping with pack:, rules: ...)",
    }
    return Problem((GENERAL,), messages[exc.kind], kind=f"draft_{exc.kind}")
