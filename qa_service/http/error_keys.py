"""The message key of a service error a person may read, with the values it names.

The features say what went wrong in one English line (the API's ``message``, the CLI's
too). An answer to a form also carries ``key`` and ``values`` when the line is one of
these, so a page says it in its own language (``error.*`` messages of the pages' catalogs)
with the same ids and names; a line not listed here stays as the service said it.
"""

from __future__ import annotations

import re

# (pattern of the service's message, message key); named groups fill the placeholders.
KNOWN_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"call (?P<id>\d+) not found", "error.call_not_found"),
        (r"dispute (?P<id>\d+) not found", "error.dispute_not_found"),
        (r"sampling plan (?P<id>\d+) not found", "error.plan_not_found"),
        (r"user (?P<id>\d+) not found", "error.user_not_found"),
        (r"import batch (?P<id>\d+) not found", "error.batch_not_found"),
        (r"call (?P<id>\d+) is a text conversation: it has no audio", "error.call_no_audio"),
        (r"no rule pack named '(?P<name>[^']*)', stored or built in", "error.no_pack"),
        (r"rule pack (?P<name>\S+)@(?P<number>\d+) does not exist", "error.no_version"),
        # Review
        (r"a score adjustment needs a comment saying why", "error.adjustment_comment"),
        (r"overturning a finding needs a reason", "error.overturn_reason"),
        (r"one verdict per finding", "error.one_verdict"),
        (r"(?P<dimension>\S+): a score is between 0 and 100", "error.score_range"),
        (r"finding (?P<id>\d+) is not a finding of (this call|call \d+)", "error.not_a_finding"),
        (r"(?P<dimension>\S+) is not a dimension of this call's scorecard.*", "error.no_dim"),
        # Disputes
        (r"finding (?P<id>\d+) is already disputed", "error.already_disputed"),
        (r"dispute (?P<id>\d+) is (?P<status>\S+), not open", "error.dispute_not_open"),
        (r"the (?P<stage>\S+) step of this dispute is not yours to decide", "error.not_your_step"),
        (r"the final ruling cannot be escalated", "error.final_no_escalation"),
        (r"dispute (?P<id>\d+) cannot be appealed \((?P<status>\S+)\)", "error.no_appeal"),
        (r"the appeal window of dispute (?P<id>\d+) closed", "error.appeal_closed"),
        # Coaching
        (r"line (?P<line>\d+) is not a line of call (?P<id>\d+)", "error.not_a_line"),
        (r"the due date (?P<date>[\d-]+) has passed", "error.due_passed"),
        (r"coaching is assigned by QA or the team's supervisor", "error.coaching_assigner"),
        (r"call (?P<id>\d+) has no agent account to coach", "error.no_agent_account"),
        (r"coaching task (?P<id>\d+) is (?P<status>\S+)", "error.coaching_status"),
        (r"coaching task (?P<id>\d+) not found", "error.coaching_not_found"),
        (r"nothing to change", "error.nothing_to_change"),
        (r"the agent acknowledges a coaching task or marks it done", "error.agent_moves"),
        (r"the note on a coaching task is the agent's", "error.agent_note"),
        (r"this coaching task is not yours to change", "error.not_your_task"),
        # Upload
        (r"the upload is larger than the limit of (?P<mib>\d+) MiB", "error.upload_too_large"),
        (r"no file in the upload: .*", "error.no_file"),
        (r"(?P<file>.+): the file is empty", "error.empty_file"),
        (r"(?P<file>.+): larger than the limit of (?P<mib>\d+) MiB .*", "error.file_too_large"),
        (r"more than (?P<n>\d+) files in one upload .*", "error.too_many_files"),
        (r"call id '(?P<id>[^']*)' is already used by another recording", "error.call_id_used"),
        (r"metadata: two files of the upload have the same call_id", "error.same_call_id"),
        # Sampling plans
        (r"sampling rate must be between 0 and 1, got (?P<rate>\S+)", "error.sampling_rate"),
        (r"no reviewers to assign the sample to", "error.no_reviewers"),
    )
)


# A request's field refused by its schema: the validator's error type (pydantic's) names
# the message, its context the values (``{"le": "1"}``), so "rate: Input should be less than
# or equal to 1" reads "不能大于 1" on a Chinese page.
VALIDATION_TYPES = frozenset(
    {
        "missing",
        "string_too_short",
        "string_too_long",
        "too_short",
        "too_long",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "int_parsing",
        "float_parsing",
        "bool_parsing",
        "date_from_datetime_parsing",
        "date_parsing",
        "enum",
        "literal_error",
        "string_pattern_mismatch",
    }
)


def validation_key(error_type: str, context: dict | None) -> tuple[str, dict[str, str]] | None:
    """(key, values) of a schema's refusal of one field; None for a type not listed."""
    if error_type not in VALIDATION_TYPES:
        return None
    values = {k: f"{v:g}" if isinstance(v, float) else str(v) for k, v in (context or {}).items()}
    return f"error.invalid.{error_type}", values


def message_key(message: str) -> tuple[str, dict[str, str]] | None:
    """(key, values) of a known message; None for any other."""
    for pattern, key in KNOWN_ERRORS:
        found = pattern.fullmatch(message.strip())
        if found:
            return key, {k: v for k, v in found.groupdict().items() if v is not None}
    return None
