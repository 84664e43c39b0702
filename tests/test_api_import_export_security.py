"""Against the running service: an import's file-name pattern cannot stall the server
(linear matching, bounded patterns), and exports never hand a spreadsheet a formula that
came from user data."""

from __future__ import annotations

import csv
import io
import time

import pytest
from openpyxl import load_workbook

from tests.service_fixtures import make_wav, wait_for

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]

# The red team's pattern shape: many {*} split by the separator the names are full of.
# As a backtracking regex this held the server (and its GIL) for about 20 s on one name.
HOSTILE_PATTERN = "_".join(["{*}"] * 7) + "_X.wav"
HOSTILE_NAME = ("a_" * 60)[:99] + ".wav"  # 103 characters, no "_X" anywhere


def test_a_hostile_file_name_pattern_answers_at_once(service) -> None:
    folder = service.settings.data_dir / "import" / "redos"
    folder.mkdir(parents=True)
    make_wav(folder / HOSTILE_NAME, seconds=0.2)
    started = time.monotonic()
    reply = service.post(
        "/api/imports", "qa1", json={"folder": "redos", "pattern": HOSTILE_PATTERN}
    )
    elapsed = time.monotonic() - started
    assert reply.status_code == 202, reply.text
    # Generous for a loaded test machine; linear matching takes milliseconds.
    assert elapsed < 5.0, f"the import request took {elapsed:.1f} s"
    batch_id = reply.json()["batch_id"]

    def finished() -> dict | None:
        status = service.get(f"/api/imports/{batch_id}", "qa1").json()
        return status if status["pending"] == 0 else None

    status = wait_for(finished, 30, "the import batch to finish")
    assert (status["imported"], status["failed"]) == (0, 1)
    assert "does not match the pattern" in str(status["errors"])


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [("_".join(["{*}"] * 13) + ".wav", "at most 12"), ("{agent_id}" + "_" * 200, "200")],
)
def test_file_name_patterns_are_bounded(service, pattern: str, needle: str) -> None:
    (service.settings.data_dir / "import" / "bounded").mkdir(parents=True, exist_ok=True)
    reply = service.post("/api/imports", "qa1", json={"folder": "bounded", "pattern": pattern})
    assert reply.status_code == 422 and needle in reply.text, reply.text


# Exports --------------------------------------------------------------------------------

FORMULA_QUEUE = '=HYPERLINK("http://x.example/?q","open")'
TEAM = "+cmd|' /C calc'!A0"
AGENT = "@SUM(1+1)"


@pytest.fixture(scope="module")
def exported(service):
    """Calls whose queue, team and agent id are formulas, uploaded and analysed."""
    for k in range(2):
        meta = {
            "agent_id": AGENT,
            "team": TEAM,
            "queue": FORMULA_QUEUE,
            "started_at": f"2026-10-0{k + 5}T10:00:00",
        }
        reply = service.upload("qa1", [(f"formula-{k}.wav", service.wav())], meta)
        assert reply.status_code == 201, reply.text
    service.run_jobs()
    return service


def _formula_like(text: str) -> bool:
    """What a spreadsheet reads as a formula (or DDE call): the attacker's view."""
    return text.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))


@pytest.mark.parametrize("by", ["queue", "team", "agent"])
def test_csv_exports_carry_no_formula(exported, by: str) -> None:
    reply = exported.get(f"/api/kpi?period=2026-10&by={by}&format=csv", "qa1")
    assert reply.status_code == 200, reply.text
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    header, lines = rows[0], rows[1:]
    assert lines, "the export has the calls' row"
    given = {"queue": FORMULA_QUEUE, "team": TEAM, "agent": AGENT}[by]
    keys = [line[header.index(by)] for line in lines]
    assert keys == ["'" + given]
    for line in lines:
        for cell in line:
            assert not _formula_like(cell) or _is_number(cell), (cell, line)
    assert int(lines[0][header.index("calls")]) == 2


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_xlsx_exports_have_text_cells_and_real_numbers(exported) -> None:
    reply = exported.get("/api/kpi?period=2026-10&by=queue&format=xlsx", "qa1")
    assert reply.status_code == 200, reply.text
    book = load_workbook(io.BytesIO(reply.content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s" and not _formula_like(cell.value), cell.value
    sheet = book["KPIs"]
    header = [c.value for c in sheet[1]]
    line = {h: c for h, c in zip(header, next(sheet.iter_rows(min_row=2)), strict=True)}
    assert line["queue"].value == "'" + FORMULA_QUEUE
    assert line["calls"].value == 2 and line["calls"].data_type == "n"
