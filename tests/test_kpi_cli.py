"""The kpi, sample, plans, coverage and import commands on a SQLite file with the month."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from qa_service.cli import main
from qa_service.config import get_settings
from qa_service.domain.kpi import KPIS
from qa_service.store.accounts import User
from qa_service.store.db import Database
from qa_service.store.migrate import upgrade
from tests.kpi_month import insert_month
from tests.service_fixtures import make_wav

# Each command runs the whole CLI start-up in this process: 5-100 s apiece on a busy machine.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{tmp / 'qa.db'}"
    db = Database(url)
    upgrade(db)
    with db.session() as session:
        insert_month(session)
        session.add(User(username="admin", role="admin", password_hash="x"))
        session.add(User(username="rev1", role="qa", password_hash="x"))
    db.dispose()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QA_DATABASE_URL", url)
        mp.setenv("QA_DATA_DIR", str(tmp / "var"))
        get_settings.cache_clear()
        yield tmp
    get_settings.cache_clear()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_kpi_table(cli_env, capsys):
    code, out, _ = run(capsys, "kpi", "--period", "2026-11")
    assert code == 0
    assert "KPIs 2026-11 by agent" in out
    assert all(agent in out for agent in ("a1", "a2", "a3", "a4", "a5", "a6"))
    assert "rushed" in out  # a3's handling-time anomaly


def test_kpi_csv_and_xlsx(cli_env, capsys):
    code, out, _ = run(capsys, "kpi", "--period", "2026-11", "--by", "team", "--format", "csv")
    assert code == 0
    rows = {r["team"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (rows["T1"]["calls"], rows["T1"]["aht_s"], rows["T2"]["critical_failures"]) == (
        "60",
        "280.0",
        "2",
    )
    target = cli_env / "kpi.xlsx"
    code, _, err = run(capsys, "kpi", "--period", "2026-11", "--format", "xlsx", "-o", str(target))
    assert code == 0 and "wrote" in err
    sheet = load_workbook(target)["KPIs"]
    header = [c.value for c in sheet[1]]
    a1 = next(r for r in sheet.iter_rows(2, values_only=True) if r[1] == "a1")
    assert dict(zip(header, a1, strict=True))["qa_score"] == 81.5


def test_kpi_json_with_options(cli_env, capsys):
    code, out, _ = run(
        capsys,
        "kpi",
        "--period",
        "2026-11",
        "--format",
        "json",
        "--fcr-days",
        "3",
        "--weights",
        "qa_score=1,compliance_rate=0,fcr_rate=0,csat=0,complaint_rate=0,"
        "negative_rate=0,recovery_rate=0,overturn_rate=0",
    )
    assert code == 0
    rows = {r["key"]: r for r in json.loads(out)["rows"]}
    assert json.loads(out)["fcr_window_days"] == 3
    # Only the QA score counts: a4's 95 is the best (100), a1's 81.5 -> (81.5 - 60) / 35.
    assert rows["a4"]["rank"] == 1 and rows["a4"]["composite"] == 100.0
    assert rows["a1"]["composite"] == 61.4


def test_kpi_list_documents_every_kpi(cli_env, capsys):
    code, out, _ = run(capsys, "kpi", "--list")
    assert code == 0
    for k in KPIS:
        assert k.id in out and k.label in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("kpi",), "--period is required"),
        (("kpi", "--period", "2026-13"), "not a real period"),
        (("kpi", "--period", "2026-11", "--format", "xlsx"), "needs a file"),
        (("kpi", "--period", "2026-11", "--weights", "speed=1"), "cannot read weight"),
        (("sample", "--period", "2026-11", "--rate", "2"), "between 0 and 1"),
        (("sample", "--period", "2026-11", "--oversample", "angry"), "unknown risk"),
        (("plans", "check", "999"), "not found"),
    ],
)
def test_user_mistakes_are_one_line(cli_env, capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code != 0
    assert message in err
    assert "Traceback" not in err


def test_sample_plan_check_show_and_coverage(cli_env, capsys):
    code, out, _ = run(capsys, "sample", "--period", "2026-11", "--rate", "0.3", "--dry-run")
    assert code == 0 and "of 105 calls" in out
    target = cli_env / "plan.csv"
    code, out, _ = run(
        capsys,
        "sample",
        "--period",
        "2026-11",
        "--rate",
        "0.3",
        "--max-per-agent",
        "5",
        "--by",
        "queue",
        "--oversample",
        "critical,complaint",
        "--seed",
        "7",
        "--reviewers",
        "rev1",
        "-o",
        str(target),
    )
    assert code == 0
    assert "27 of 105 calls of 2026-11" in out and "seed 7" in out
    plan_id = out.split("plan ")[1].split(":")[0]
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))
    assert len(rows) == 27
    code, out, _ = run(capsys, "plans", "check", plan_id)
    assert code == 0 and "re-derived exactly" in out
    code, out, _ = run(capsys, "plans", "show", plan_id, "--pending")
    assert code == 0 and len(out.strip().splitlines()) == 28
    code, out, _ = run(capsys, "plans", "list")
    assert code == 0 and plan_id in out
    code, out, _ = run(capsys, "coverage", "--period", "2026-11")
    assert code == 0
    assert "rev1" in out and "Reviewer workload" in out


def test_import_command(cli_env, capsys):
    folder = cli_env / "incoming"
    folder.mkdir()
    make_wav(folder / "a9_sales_20261120100000.wav", seconds=0.5)
    pattern = "{agent_id}_{queue}_{started_at:%Y%m%d%H%M%S}.wav"
    code, out, _ = run(capsys, "import", str(folder), "--pattern", pattern, "--json")
    assert code == 0
    assert json.loads(out)["imported"] == 1
    code, out, _ = run(capsys, "import", str(folder), "--pattern", pattern)
    assert code == 0 and "1 already stored" in out
