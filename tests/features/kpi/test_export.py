"""The dashboard's KPI download: headers and words in the reader's language, ratios as
percents (text in CSV, a percent format on the number in XLSX), agents' names beside their
ids, and still the BOM, the History and Definitions sheets and formula neutralising."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.domain.periods import parse_period
from qa_service.features.kpi.export import localised_export
from qa_service.features.kpi.service import period_report
from qa_service.features.users.service import agent_names
from qa_service.store.accounts import User
from qa_service.store.db import Database
from qa_service.store.migrate import upgrade
from qa_service.web.i18n import Translator
from tests.kpi_month import insert_month

NOVEMBER = parse_period("2026-11")
NAMES = {"a1": "王小明", "a2": '=HYPERLINK("x")'}
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The agent report and the names of the month's agents (one name a formula)."""
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('kpi-export') / 'qa.db'}")
    upgrade(db)
    with db.session() as session:
        insert_month(session)
        for user in session.scalars(select(User).where(User.agent_id.in_(list(NAMES)))):
            user.full_name = NAMES[user.agent_id]
        session.flush()
        report = period_report(session, Settings(_env_file=None), period=NOVEMBER)
        names = agent_names(session, [r.key for r in report.rows])
    yield report, names
    db.dispose()


def _csv(report, names, lang: str) -> list[list[str]]:
    export = localised_export(report, "csv", Translator(lang), names)
    assert export.data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))


def test_names_come_from_the_accounts(exported):
    _report, names = exported
    assert names["a1"] == "王小明"
    assert "a3" not in names, "an account without a full name has no name"


def test_chinese_csv_has_chinese_headers_percents_and_names(exported):
    report, names = exported
    rows = _csv(report, names, "zh")
    header = rows[0]
    assert header[:5] == ["排名", "坐席", "姓名", "团队", "等级"]
    # Every header is Chinese but the dimensions' own ids (no name for them in the catalog).
    assert not [h for h in header if LATIN.search(h) and not h.startswith("质检：")]
    by_agent = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_agent["a1"]["姓名"] == "王小明"
    assert by_agent["a2"]["姓名"] == "'" + NAMES["a2"], "a name is text, never a formula"
    for row in report.rows:
        ratio = row.values["compliance_rate"]
        shown = by_agent[row.key]["合规率"]
        assert shown == ("" if ratio is None else f"{ratio * 100:.1f}%")
    assert any(r["合规率"].endswith("%") for r in by_agent.values())


def test_english_csv_keeps_the_english_words(exported):
    report, names = exported
    header = _csv(report, names, "en")[0]
    assert header[:5] == ["Rank", "Agent", "Name", "Team", "Tier"]
    assert "Compliance rate" in header and "compliance_rate" not in header


@pytest.mark.parametrize(
    ("lang", "sheets", "percent_header"),
    [("zh", ["指标", "历史", "定义"], "合规率"), ("en", ["KPIs", "History", "Definitions"], None)],
)
def test_xlsx_sheets_in_the_language_with_percent_cells(exported, lang, sheets, percent_header):
    report, names = exported
    t = Translator(lang)
    book = load_workbook(io.BytesIO(localised_export(report, "xlsx", t, names).data))
    assert book.sheetnames == sheets
    kpis = book[sheets[0]]
    header = [c.value for c in kpis[1]]
    column = header.index(percent_header or t("kpi.compliance_rate")) + 1
    cells = [kpis.cell(row=i, column=column) for i in range(2, kpis.max_row + 1)]
    numbers = [c for c in cells if c.value is not None]
    assert numbers and all(isinstance(c.value, int | float) and 0 <= c.value <= 1 for c in numbers)
    assert {c.number_format for c in numbers} == {"0.0%"}
    definitions = {r[0]: r for r in book[sheets[2]].iter_rows(min_row=2, values_only=True)}
    assert definitions["compliance_rate"][1] == t("kpi.compliance_rate")
    assert definitions["compliance_rate"][2] == t("export.unit_ratio")
    history = list(book[sheets[1]].iter_rows(values_only=True))
    assert history[0][-2:] == (t("export.direction"), t("export.improving"))
    assert len(history) > len(report.rows)
    if lang == "zh":
        words = [definitions[k][4] for k in definitions if not k.startswith("dim:")]
        assert not [w for w in words if LATIN.search(w.replace("FCR", ""))]


def test_other_formats_are_refused(exported):
    report, names = exported
    with pytest.raises(ValueError, match="json"):
        localised_export(report, "json", Translator("en"), names)


def test_a_custom_dimension_is_named_from_its_scorecard(tmp_path):
    """Issue 15: a dimension the catalog does not know is named by its scorecard in the
    reader's language (the built-in scorecard's too), never by its id when it has a name."""
    from qa_service.features.kpi.export import column_label
    from qa_service.features.packs.names import scorecard_dimensions

    zh = Translator("zh")
    assert column_label("dim:tone", zh, {"tone": "语气"}) == zh("kpi.dimension", name="语气")
    assert column_label("dim:tone", zh) == zh("kpi.dimension", name="tone")
    db = Database(f"sqlite:///{tmp_path / 'qa.db'}")
    upgrade(db)
    try:
        with db.session() as session:
            settings = Settings(_env_file=None)
            named = scorecard_dimensions(session, settings, "zh")
            english = scorecard_dimensions(session, settings, "en")
    finally:
        db.dispose()
    assert named["service_attitude"] == "服务态度"
    assert english["service_attitude"] == "Service attitude"
