"""The rule builder: a draft pack's rules as forms, and a form written into the draft.

The rule is written into the text (``rule_text``), then the whole draft is validated exactly
as saving would validate it (``service.check_document``, rolled back); the problems that lie
on the written rule's lines come back at the form's fields and the draft is left unchanged,
so the form never writes a rule the pack would refuse. Problems elsewhere in the draft are
the editor's to show; only their number comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from qa_service import safe_yaml
from qa_service.config import Settings
from qa_service.domain.rulepack import Loc, Problem
from qa_service.features.packs import rule_form, rule_text
from qa_service.features.packs.service import check_document
from qa_service.store.accounts import User
from qa_service.store.packs import DocumentKind

FORM_FIELDS = frozenset(rule_form.RuleForm.model_fields)
# Problems of a rule's params or window at the form field that holds them.
GENERAL = "rule"


@dataclass(slots=True)
class Written:
    content: str | None = None
    rule_id: str | None = None
    line: int | None = None
    errors: list[Problem] = field(default_factory=list)
    draft_problems: int = 0


def list_rules(content: str) -> list[dict[str, Any]]:
    """The draft's rules: id, type, lines, and the form's values (None: not a form type)."""
    return [
        {
            "id": span.id,
            "type": span.data.get("type"),
            "line": span.line,
            "end_line": span.end_line,
            "form": rule_form.form_of(span.data),
        }
        for span in rule_text.rule_spans(content)
        if span.id is not None
    ]


def form_field(loc: Loc) -> str:
    """The form field a location inside a rule (or inside the form) names."""
    for part in loc:
        if isinstance(part, str) and part in FORM_FIELDS:
            return part
    return GENERAL


def _at_field(problem: Problem, loc: Loc) -> Problem:
    return Problem((form_field(loc),), problem.message, kind=problem.kind, values=problem.values)


def write_rule(
    session: Session,
    settings: Settings,
    user: User,
    content: str,
    values: dict[str, Any],
    replace: str | None = None,
) -> Written:
    """The draft with the form's rule written in (in place of the rule ``replace`` names,
    else of the rule with its id, else after the last rule), or why it cannot be."""
    try:
        form = rule_form.read_form(values)
        draft = rule_text.read_draft(content)
        wanted = replace or form.id
        existing = next((s.data for s in draft.spans if s.id == wanted), None)
        rule = rule_form.to_rule(form, existing)
        text, first, last = rule_text.put_rule(draft, rule, wanted)
    except rule_form.FormInvalid as exc:
        return Written(errors=[_at_field(p, p.loc) for p in exc.problems])
    except rule_text.DraftUnreadable as exc:
        return Written(errors=[unreadable(exc)])
    _name, problems = check_document(session, settings, user, DocumentKind.pack, text)
    file = f"{draft.name}.yaml"
    own = [p for p in problems if p.file == file and p.line and first <= p.line <= last]
    if own:
        return Written(errors=[_at_field(p, p.loc[2:]) for p in own])
    return Written(text, form.id, first, draft_problems=len(problems))


def unreadable(exc: rule_text.DraftUnreadable) -> Problem:
    messages = {
        "yaml": "the YAML above has a syntax error; fix it, then write the rule",
        "too_large": f"the draft is larger than {safe_yaml.MAX_BYTES // 1024} KiB",
        "not_mapping": "the draft is not a pack (a mapping with pack:, rules: ...)",
    }
    return Problem((GENERAL,), messages[exc.kind], kind=f"draft_{exc.kind}")
