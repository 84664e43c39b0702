"""Evaluation questions across calls: how often reviewers agree with the model's answers."""

from __future__ import annotations

from fastapi import APIRouter, Response

from qa_service.api.schemas.common import PeriodQuery
from qa_service.domain.periods import parse_period
from qa_service.features.kpi.schemas import ExportFormat
from qa_service.features.reviews.agreement import agreement_report, export_agreement
from qa_service.http.deps import SessionDep, SettingsDep, StaffUser

router = APIRouter(tags=["questions"])


@router.get(
    "/questions/agreement",
    summary="Per question: reviewers' confirmations vs overturns of the model's answers",
)
def get_agreement(
    _user: StaffUser,
    session: SessionDep,
    settings: SettingsDep,
    period: PeriodQuery,
    format: ExportFormat = ExportFormat.json,
):
    report = agreement_report(session, settings, parse_period(period))
    if format is ExportFormat.json:
        return report.to_dict()
    export = export_agreement(report, format.value)
    return Response(export.data, media_type=export.media_type, headers=export.headers)
