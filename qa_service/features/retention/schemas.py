"""What goes in and out of retention and deletion: a deletion request, the reports."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qa_service.features.calls.schemas import ID
from qa_service.features.schemas import MAX_DB_INT

# Call ids listed in a report; the counts are always whole.
MAX_LISTED = 1000


class DeletionRequest(BaseModel):
    """One call, or every call of one customer. The reason is kept in the audit log: say
    why (e.g. "PIPL request 2026-12-01, ticket 4411"), never who the customer is."""

    model_config = ConfigDict(extra="forbid")

    call_id: int | None = Field(None, ge=1, le=MAX_DB_INT, description="The call's id.")
    customer_ref: str | None = Field(
        None, pattern=ID, description="Every call uploaded with this customer reference."
    )
    reason: str = Field(min_length=3, max_length=500)

    @model_validator(mode="after")
    def _one_target(self) -> DeletionRequest:
        if (self.call_id is None) == (self.customer_ref is None):
            raise ValueError("give exactly one of call_id and customer_ref")
        return self


class DeletionReport(BaseModel):
    audit_id: int = Field(description="The audit entry that records the request.")
    calls: list[int] = Field(description="Calls deleted by this request.")
    already_deleted: list[int] = Field(description="Calls an earlier request deleted.")
    files_removed: int


class PurgeReport(BaseModel):
    dry_run: bool
    audio_calls: int = Field(description="Calls whose recording is (or would be) deleted.")
    transcript_calls: int = Field(description="Calls whose transcript is (or would be) deleted.")
    resumed: int = Field(description="Deletions a crash had left half done, completed now.")
    files_removed: int
    call_ids: list[int] = Field(description=f"The calls concerned (the first {MAX_LISTED}).")
