"""Reviewers' agreement with the language model's answers, per question: the use case behind
``/api/questions/agreement``, its exports and the QA page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.domain.periods import Period
from qa_service.domain.question_agreement import QuestionAgreement, question_agreement
from qa_service.features.exports import MEDIA_TYPES, Percent, Table, csv_bytes, xlsx_bytes
from qa_service.features.kpi.schemas import KpiExport
from qa_service.store.question_verdicts import reviewed_answers


@dataclass(frozen=True, slots=True)
class AgreementReport:
    period: Period
    min_agreement: float
    min_reviews: int
    questions: list[QuestionAgreement]

    def to_dict(self) -> dict:
        return {
            "period": self.period.label,
            "min_agreement": self.min_agreement,
            "min_reviews": self.min_reviews,
            "questions": [q.to_dict() for q in self.questions],
        }

    def table(
        self, header: list[str] | None = None, yes_no: tuple[str, str] = ("yes", "no")
    ) -> Table:
        """One row per question; ``header`` and ``yes_no`` in the reader's words, if given."""
        header = header or [
            "rule_id",
            "question",
            "reviewed",
            "confirmed",
            "overturned",
            "agreement",
            "needs_rewording",
            "suggested_yes_threshold",
        ]
        lines = [
            [
                q.rule_id,
                q.question,
                q.reviewed,
                q.confirmed,
                q.overturned,
                None if q.agreement is None else Percent(q.agreement),
                yes_no[0] if q.needs_rewording else yes_no[1],
                (q.suggested_threshold or {}).get("threshold"),
            ]
            for q in self.questions
        ]
        return header, lines


def agreement_report(session: Session, settings: Settings, period: Period) -> AgreementReport:
    answers = reviewed_answers(session, period)
    questions = question_agreement(
        answers,
        min_agreement=settings.question_agreement_min,
        min_reviews=settings.question_agreement_min_reviews,
    )
    return AgreementReport(
        period,
        settings.question_agreement_min,
        settings.question_agreement_min_reviews,
        questions,
    )


def export_agreement(report: AgreementReport, fmt: str) -> KpiExport:
    """The report as CSV, or XLSX with one sheet."""
    if fmt == "csv":
        data = csv_bytes(report.table())
    elif fmt == "xlsx":
        data = xlsx_bytes({"question agreement": report.table()})
    else:
        raise ValueError(f"no export format {fmt!r}")
    name = f"question-agreement-{report.period.label}.{fmt}"
    return KpiExport(data, MEDIA_TYPES[fmt], name)
