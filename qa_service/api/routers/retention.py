"""Deletion requests for personal data (one call, or one customer's calls)."""

from __future__ import annotations

from fastapi import APIRouter

from qa_service.features.retention.schemas import DeletionReport, DeletionRequest
from qa_service.features.retention.service import request_deletion
from qa_service.http.deps import DbDep, SettingsDep, StaffUser

router = APIRouter(prefix="/deletions", tags=["retention"])


@router.post(
    "",
    response_model=DeletionReport,
    summary="Erase one call or every call of one customer",
    description="Removes the recording, transcript, waveform peaks and derived files, and "
    "the fields that may name or quote the customer; scores and finding categories stay as "
    "anonymous aggregates, so KPIs do not change. Audited (who, when, why, which calls). "
    "Idempotent; a request cut short is finished by the next purge. Admin and QA only.",
)
def delete_personal_data(
    body: DeletionRequest, user: StaffUser, db: DbDep, settings: SettingsDep
) -> DeletionReport:
    return request_deletion(db, settings, body, user.id, {"via": "api"})
