"""Data handling: personal data said where the policy says it must not be.

Three things, each on or off: the agent reads back a full card or ID number (any number the
detector validates: a masked "尾号 1234" is not one), the agent asks for a password or a
verification code, the customer says a number of a forbidden type (a code they should only
type into the IVR). Findings quote the utterance with the personal data masked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import Field

from qa_service.domain.checks.context import CheckContext
from qa_service.domain.checks.params import Params, Phrases
from qa_service.domain.checks.registry import register_check
from qa_service.domain.pii import PiiSpan, PiiType, detect, redact_utterance
from qa_service.domain.results import Finding

if TYPE_CHECKING:
    from qa_service.domain.rulepack import Rule

DEFAULT_ASK = [
    "密码", "验证码", "校验码", "动态码", "短信码", "安全码", "口令",
    "password", "passcode", "verification code", "security code", "one-time code", "PIN",
    "CVV",
]  # fmt: skip
# Asking is a question or a request; "never tell anyone your code" is neither.
_REQUEST = re.compile(
    r"告诉|提供|报一下|说一下|读一下|念一下|发给|给我|是多少|多少|请输入|"
    r"tell me|give me|read (?:me|out)|what(?:'s| is)|can you|could you|provide",
    re.I,
)
_WARNING = re.compile(r"不要|别|切勿|不会|请勿|never|don'?t|do not|won'?t|will not", re.I)


class DataHandlingParams(Params):
    read_back: list[PiiType] = Field(
        default_factory=lambda: [PiiType.card, PiiType.resident_id],
        description="types the agent must not say in full",
    )
    ask_secrets: bool = Field(True, description="the agent must not ask for a password or code")
    ask_phrases: Phrases = Field(
        default_factory=lambda: list(DEFAULT_ASK),
        validate_default=True,
        description="what asking for a secret names",
    )
    customer_gives: list[PiiType] = Field(
        default_factory=list, description="types the customer must not say"
    )


def _spans_by_utterance(ctx: CheckContext) -> dict[int, list[PiiSpan]]:
    utterances = [u.to_dict() for u in ctx.utterances]
    found: dict[int, list[PiiSpan]] = {}
    for span in detect(utterances, ctx.transcript.language):
        found.setdefault(span.utterance, []).append(span)
    return found


def _asks_secret(ctx: CheckContext, i: int, params: DataHandlingParams) -> str | None:
    hit = params.ask_phrases.first(ctx.text(i), "exclude", "count")
    if hit is None:
        return None
    text = ctx.utterances[i].text
    asking = ctx.text(i).is_question or _REQUEST.search(text)
    return hit[0].source if asking and not _WARNING.search(text) else None


def _finding(
    ctx: CheckContext, rule: Rule, i: int, spans: list[PiiSpan], **evidence: object
) -> Finding:
    finding = ctx.utterance_finding(rule, i, **evidence)
    finding.text = redact_utterance(ctx.utterances[i].to_dict(), spans)["text"]
    return finding


@register_check("data_handling", DataHandlingParams)
def data_handling(ctx: CheckContext, rule: Rule, params: DataHandlingParams) -> list[Finding]:
    """A finding for each utterance that reads back, asks for or gives forbidden data."""
    spans = _spans_by_utterance(ctx)
    findings: list[Finding] = []
    for i in ctx.select("any", rule.window):
        role, here = ctx.utterances[i].role, spans.get(i, [])
        if role == "agent" or not ctx.roles_known:
            read = sorted({s.kind.value for s in here if s.kind in params.read_back})
            if read:
                findings.append(_finding(ctx, rule, i, here, issue="read_back", pii_types=read))
            asked = _asks_secret(ctx, i, params) if params.ask_secrets else None
            if asked:
                findings.append(_finding(ctx, rule, i, here, issue="asked_secret", phrase=asked))
        if role == "customer" or not ctx.roles_known:
            given = sorted({s.kind.value for s in here if s.kind in params.customer_gives})
            if given:
                findings.append(
                    _finding(ctx, rule, i, here, issue="customer_gave", pii_types=given)
                )
    return findings
