"""Batch import: manifest and file-name metadata, bad files, resuming, idempotence, --now."""

from __future__ import annotations

import random
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qa_service.errors import InputError
from qa_service.features.imports.importer import Importer, ImportRequest
from qa_service.features.imports.sources import FilenamePattern, read_manifest, sources
from qa_service.jobs.runner import JobRunner
from qa_service.store.accounts import User
from qa_service.store.calls import Call, CallStatus
from qa_service.store.imports import BatchStatus, FileStatus, ImportBatch, ImportFile
from qa_service.store.jobs import Job, JobStatus
from tests.service_fixtures import make_wav, service_settings

pytest_plugins = ["tests.service_fixtures"]


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        (
            "{agent_id}_{queue}_{started_at:%Y%m%d%H%M%S}.wav",
            "a7_billing_20261105093000.wav",
            {"agent_id": "a7", "queue": "billing", "started_at": datetime(2026, 11, 5, 9, 30)},
        ),
        ("{agent_id}-{*}", "a8-whatever-else.mp3", {"agent_id": "a8"}),  # no suffix: the stem
        (
            "{team}/{customer_ref}_{started_at:%Y-%m-%d}.wav",
            "T1/cust9_2026-11-30.wav",
            {"team": "T1", "customer_ref": "cust9", "started_at": datetime(2026, 11, 30)},
        ),
        ("{call_id}.wav", "x.y.wav", {"call_id": "x.y"}),
    ],
)
def test_filename_pattern(pattern, name, expected):
    parser = FilenamePattern(pattern)
    target = Path(name).name if "/" not in pattern else name
    if "/" in pattern:
        parser = FilenamePattern(pattern.split("/")[-1])
        target = name.split("/")[-1]
        expected = {k: v for k, v in expected.items() if k != "team"}
    assert parser.parse(Path(target)) == expected


@pytest.mark.parametrize(
    ("pattern", "name", "message"),
    [
        ("{agent_id}_{queue}.wav", "nounderscore.wav", "does not match"),
        ("{agent_id}_{started_at:%Y%m%d}.wav", "a1_2026xx01.wav", "is not a started_at"),
    ],
)
def test_filename_pattern_mismatch(pattern, name, message):
    with pytest.raises(InputError, match=message):
        FilenamePattern(pattern).parse(Path(name))


def _lazy_regex(pattern: FilenamePattern) -> re.Pattern:
    """What the pattern means, as the backtracking regex it used to be compiled to."""
    parts = [re.escape(pattern.literals[0])]
    for field, literal in zip(pattern.fields, pattern.literals[1:], strict=True):
        body = ".*?" if field.name is None else ".+?"
        parts.append(f"({body})" if field.name is None else f"(?P<{field.name}>{body})")
        parts.append(re.escape(literal))
    return re.compile("^" + "".join(parts) + "$", re.S)


def test_filename_pattern_matches_like_the_lazy_regex():
    """On many random patterns and names over a tiny alphabet (so that separators are
    everywhere and fields are ambiguous), the linear matcher finds exactly what the lazy,
    backtracking regex finds."""
    rng = random.Random(7)
    fields = ["{agent_id}", "{queue}", "{team}", "{*}", "{*}"]
    compared = matched = 0
    for _ in range(3000):
        tokens = rng.sample(fields, rng.randint(0, 4))
        pattern = "".join(rng.choice(["", "_", "a", "_a", "a_"]) + t for t in tokens) + rng.choice(
            ["", "_", "a"]
        )
        parser = FilenamePattern(pattern)
        regex = _lazy_regex(parser)
        for _ in range(5):
            name = "".join(rng.choice("a_") for _ in range(rng.randint(0, 9)))
            expected = regex.match(name)
            found = parser.match(name)
            assert (found is None) == (expected is None), (pattern, name)
            if expected is not None:
                assert found == expected.groupdict(), (pattern, name)
                matched += 1
            compared += 1
    assert matched > compared // 10  # the comparison covered matches, not only refusals


@pytest.mark.parametrize(
    ("pattern", "message"),
    [("{*}_" * 13 + "x.wav", "at most 12"), ("{agent_id}" + "_" * 200, "at most 200")],
)
def test_filename_pattern_bounds(pattern, message):
    with pytest.raises(InputError, match=message):
        FilenamePattern(pattern)


@pytest.mark.parametrize("pattern", ["{agent}_{queue}.wav", "{queue}_{queue}.wav"])
def test_filename_pattern_refuses_bad_fields(pattern):
    with pytest.raises(InputError):
        FilenamePattern(pattern)


def test_read_manifest(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "\ufefffile,agent_id,started_at,nps,branch\n"
        "a.wav,a1,2026-11-02T10:00:00,9,north\n"
        "sub/b.wav,a2,,,\n",
        encoding="utf-8",
    )
    assert read_manifest(manifest) == [
        (
            "a.wav",
            {
                "agent_id": "a1",
                "started_at": "2026-11-02T10:00:00",
                "nps": "9",
                "extra": {"branch": "north"},
            },
        ),
        ("sub/b.wav", {"agent_id": "a2"}),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("agent_id\na1\n", "no file column"),
        ("file,agent_id\na.wav,a1\na.wav,a2\n", "listed twice"),
        ("file,agent_id\n,a1\n", "column is empty"),
    ],
)
def test_read_manifest_refuses(tmp_path, text, message):
    manifest = tmp_path / "m.csv"
    manifest.write_text(text)
    with pytest.raises(InputError, match=message):
        read_manifest(manifest)


def test_sources_refuse_paths_outside_the_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (tmp_path / "secret.wav").write_bytes(b"x")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file\n../secret.wav\n")
    [found] = sources(folder, manifest, None, ("wav",))
    assert "outside the folder" in found.error


# --- against the store ---------------------------------------------------------------


@pytest.fixture
def setup(database, tmp_path):
    settings = service_settings(tmp_path, database.url)
    with database.session() as session:
        session.add(User(username=settings.admin_username, role="admin", password_hash="x"))
    return database, settings


def _folder(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "recordings"
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        make_wav(folder / name, seconds=0.5)
    return folder


def _manifest(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "manifest.csv"
    path.write_text(
        "file,agent_id,team,queue,started_at,customer_ref,csat,nps,site\n" + "\n".join(rows)
    )
    return path


def _count(db, model, *where) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _good_rows() -> list[str]:
    return [
        f"{n}.wav,a{i},T1,billing,2026-11-0{i + 1}T09:00:00,c{i},4.5,9,north"
        for i, n in enumerate("abcd")
    ]


def test_manifest_import_queues_analysis(setup, tmp_path):
    db, settings = setup
    folder = _folder(tmp_path, ["a.wav", "b.wav", "c.wav", "d.wav", "e.wav"])
    (folder / "bad.wav").write_text("this is not audio")
    rows = [*_good_rows(), "bad.wav,a9,T1,,,,,,", "missing.wav,a9,T1,,,,,,", "e.wav,a5,T1,,,,,11,"]
    summary = Importer(db, settings, JobRunner(db, settings)).run(
        ImportRequest(folder, _manifest(tmp_path, rows))
    )
    data = summary.to_dict()
    assert (data["total"], data["imported"], data["failed"], data["duplicate"]) == (7, 4, 3, 0)
    errors = {e["path"]: e["error"] for e in data["errors"]}
    assert set(errors) == {"bad.wav", "missing.wav", "e.wav"}
    assert "no such file" in errors["missing.wav"]
    assert "nps" in errors["e.wav"]
    assert _count(db, Call) == 4
    assert _count(db, Job, Job.status == JobStatus.queued) == 4
    with db.session() as session:
        call = session.scalar(select(Call).where(Call.agent_id == "a1"))
        assert (call.team, call.queue, call.customer_ref, call.csat, call.nps) == (
            "T1",
            "billing",
            "c1",
            4.5,
            9,
        )
        assert call.started_at == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        assert call.extra == {"site": "north"}
        assert call.status == CallStatus.queued
        assert (Path(settings.data_dir) / call.media_path).is_file()
    assert (folder / "a.wav").is_file()  # the source stays where it was


def test_rerun_retries_failures_and_skips_the_rest(setup, tmp_path):
    db, settings = setup
    folder = _folder(tmp_path, ["a.wav", "b.wav", "c.wav", "d.wav", "e.wav"])
    manifest = _manifest(tmp_path, [*_good_rows(), "e.wav,a5,T1,,,,,11,"])
    first = Importer(db, settings, JobRunner(db, settings)).run(ImportRequest(folder, manifest))
    again = Importer(db, settings, JobRunner(db, settings)).run(ImportRequest(folder, manifest))
    assert again.batch_id == first.batch_id  # a failed file keeps the batch open
    assert (again.skipped, again.counts[FileStatus.failed]) == (4, 1)
    manifest = _manifest(tmp_path, [*_good_rows(), "e.wav,a5,T1,,,,,10,"])
    fixed = Importer(db, settings, JobRunner(db, settings)).run(ImportRequest(folder, manifest))
    assert (fixed.skipped, fixed.counts[FileStatus.imported]) == (4, 5)
    assert _count(db, Call) == 5
    with db.session() as session:
        assert session.get(ImportBatch, fixed.batch_id).status == BatchStatus.done
    # A finished batch: the next run is a new batch that finds every call already stored.
    later = Importer(db, settings, JobRunner(db, settings)).run(ImportRequest(folder, manifest))
    assert later.batch_id != fixed.batch_id
    assert later.counts[FileStatus.duplicate] == 5
    assert _count(db, Call) == 5


def test_interrupted_import_resumes(setup, tmp_path):
    db, settings = setup
    folder = _folder(tmp_path, [f"{n}.wav" for n in "abcdef"])
    seen = []

    def stop_after_two(row, done, total):
        seen.append(row.path)
        if done == 2:
            raise KeyboardInterrupt

    first = Importer(db, settings, JobRunner(db, settings)).run(
        ImportRequest(folder), stop_after_two
    )
    assert first.interrupted
    assert _count(db, Call) == 2
    with db.session() as session:
        assert session.get(ImportBatch, first.batch_id).status == BatchStatus.running
    second = Importer(db, settings, JobRunner(db, settings)).run(ImportRequest(folder))
    assert second.batch_id == first.batch_id
    assert (second.skipped, second.counts[FileStatus.imported]) == (2, 6)
    assert _count(db, Call) == 6
    assert _count(db, ImportFile, ImportFile.status == FileStatus.imported) == 6


def test_crash_after_storing_counts_as_imported(setup, tmp_path, monkeypatch):
    """Killed after the call was stored but before its file row said so."""
    db, settings = setup
    folder = _folder(tmp_path, ["a.wav", "b.wav"])
    original = Importer._store

    def store_then_die(self, *args):
        original(self, *args)
        raise KeyboardInterrupt

    monkeypatch.setattr(Importer, "_store", store_then_die)
    assert Importer(db, settings, JobRunner(db, settings)).run(ImportRequest(folder)).interrupted
    monkeypatch.setattr(Importer, "_store", original)
    resumed = Importer(db, settings, JobRunner(db, settings)).run(ImportRequest(folder))
    assert resumed.counts[FileStatus.imported] == 2
    assert resumed.counts[FileStatus.duplicate] == 0
    assert _count(db, Call) == 2


def test_pattern_import_and_duplicates_across_folders(setup, tmp_path):
    db, settings = setup
    folder = _folder(tmp_path, ["a7_billing_20261105093000.wav", "a8_tech_20261106100000.wav"])
    (folder / "stray.wav").write_bytes((folder / "a7_billing_20261105093000.wav").read_bytes())
    pattern = "{agent_id}_{queue}_{started_at:%Y%m%d%H%M%S}.wav"
    summary = Importer(db, settings, JobRunner(db, settings)).run(
        ImportRequest(folder, pattern=pattern)
    )
    assert summary.counts[FileStatus.imported] == 2
    assert summary.errors == [
        ("stray.wav", "stray.wav: does not match the pattern " + repr(pattern))
    ]
    with db.session() as session:
        call = session.scalar(select(Call).where(Call.agent_id == "a7"))
        assert (call.queue, call.started_at) == (
            "billing",
            datetime(2026, 11, 5, 9, 30, tzinfo=UTC),
        )
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(folder / "a8_tech_20261106100000.wav", other / "copy.wav")
    again = Importer(db, settings, JobRunner(db, settings)).run(ImportRequest(other))
    assert again.counts[FileStatus.duplicate] == 1
    assert _count(db, Call) == 2


class StubAnalyzer:
    """A two-line English call, with no model behind it: --now only has to run the job."""

    def __init__(self, settings, engines=None) -> None:
        self.settings = settings

    def warm_up(self) -> None:
        pass

    def analyze(self, path, options):
        from qa_service.domain.results import CallResult
        from qa_service.domain.transcript import Transcript, Utterance

        utterances = [
            Utterance("agent", 0.0, 2.0, "Thank you for calling, how can I help you?"),
            Utterance("customer", 2.5, 4.0, "I have a question about my bill."),
        ]
        transcript = Transcript(utterances=utterances, language="en", duration_s=4.0)
        return CallResult(options.call_id or path.stem, transcript, metadata=options.metadata)


def test_now_analyses_each_call(setup, tmp_path):
    db, settings = setup
    settings = settings.model_copy(update={"analyzer": "tests.test_import:StubAnalyzer"})
    folder = _folder(tmp_path, ["a.wav", "b.wav"])
    summary = Importer(db, settings, JobRunner(db, settings)).run(ImportRequest(folder, now=True))
    assert summary.analysed == 2
    assert _count(db, Call, Call.status == CallStatus.analysed) == 2
    assert _count(db, Job, Job.status == JobStatus.queued) == 0


def test_import_needs_an_account(database, tmp_path):
    settings = service_settings(tmp_path, database.url)
    folder = _folder(tmp_path, ["a.wav"])
    with pytest.raises(InputError, match="no active account"):
        Importer(database, settings, JobRunner(database, settings)).run(ImportRequest(folder))
