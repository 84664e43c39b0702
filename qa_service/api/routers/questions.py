"""Evaluation questions across calls: how often reviewers agree with the model's answers, and
calibration sessions where several reviewers answer the same calls blind."""

from __future__ import annotations

from fastapi import APIRouter, Response

from qa_service.api.schemas.common import IdPath, PeriodQuery
from qa_service.domain.periods import parse_period
from qa_service.features.kpi.schemas import ExportFormat
from qa_service.features.question_calibrations import service as calibrations
from qa_service.features.question_calibrations.schemas import (
    CalibrationAnswers,
    CalibrationCreate,
)
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


@router.post(
    "/question-calibrations",
    status_code=201,
    summary="Start a calibration session: reviewers answer these calls' questions blind",
)
def create_calibration(body: CalibrationCreate, user: StaffUser, session: SessionDep) -> dict:
    created = calibrations.create_calibration(session, user, body)
    return calibrations.calibration_public(session, user, created)


@router.get("/question-calibrations", summary="Calibration sessions, newest first")
def list_calibrations(_user: StaffUser, session: SessionDep) -> list[dict]:
    return [calibrations.calibration_summary(c) for c in calibrations.list_calibrations(session)]


@router.get(
    "/question-calibrations/{calibration_id}",
    summary="A session: your own answers while open; everyone's and the agreement once closed",
)
def get_calibration(calibration_id: IdPath, user: StaffUser, session: SessionDep) -> dict:
    found = calibrations.get_calibration(session, calibration_id)
    return calibrations.calibration_public(session, user, found)


@router.put(
    "/question-calibrations/{calibration_id}/answers",
    summary="Give or change your blind answers (while the session is open)",
)
def answer(
    calibration_id: IdPath, body: CalibrationAnswers, user: StaffUser, session: SessionDep
) -> dict:
    found = calibrations.answer_blind(session, user, calibration_id, body)
    return calibrations.calibration_public(session, user, found)


@router.post(
    "/question-calibrations/{calibration_id}/close",
    summary="Close the session (its creator or an admin): answers are shown and fixed",
)
def close(calibration_id: IdPath, user: StaffUser, session: SessionDep) -> dict:
    found = calibrations.close_calibration(session, user, calibration_id)
    return calibrations.calibration_public(session, user, found)
