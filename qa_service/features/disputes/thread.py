"""A dispute as a thread: each party's statement, each decision with its comment, in order.

The agent speaks when opening the dispute and when appealing; a decider answers at each
step (uphold, overturn, escalate) with a comment. QA rules an appeal with the agent's own
argument in front of them, not only the first reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from qa_service.features.disputes.schemas import DisputeEntryPublic
from qa_service.store.disputes import Decision, Dispute


def people(disputes: Iterable[Dispute]) -> set[int]:
    """Everyone who speaks in these disputes' threads."""
    found: set[int] = set()
    for dispute in disputes:
        found.add(dispute.agent_user_id)
        found.update(s.decided_by for s in dispute.steps if s.decided_by is not None)
    return found


def thread(dispute: Dispute, names: Mapping[int, str]) -> list[DisputeEntryPublic]:
    """The statements and decisions of ``dispute``, oldest first."""
    agent = dispute.agent_user_id
    entries: list[DisputeEntryPublic] = []
    previous: str | None = None
    for k, step in enumerate(dispute.steps):
        # The first step opens with the dispute; a step after an upheld one is an appeal.
        kind = "dispute" if k == 0 else ("appeal" if previous == Decision.uphold else None)
        if kind is not None:
            text = step.statement or (dispute.reason if k == 0 else "")
            entries.append(
                DisputeEntryPublic(
                    kind=kind,
                    stage=step.stage,
                    by=agent,
                    by_name=names.get(agent, ""),
                    at=step.opened_at,
                    text=text,
                )
            )
        if step.decision is not None:
            entries.append(
                DisputeEntryPublic(
                    kind="decision",
                    stage=step.stage,
                    by=step.decided_by,
                    by_name=names.get(step.decided_by, "") if step.decided_by else "",
                    at=step.decided_at,
                    text=step.comment,
                    decision=step.decision,
                )
            )
        previous = step.decision
    return entries
