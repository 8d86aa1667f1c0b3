"""`heroicrun import` and `heroicrun runs recompute`, run as a runner would from a shell."""

from __future__ import annotations

import gzip
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.db.schema import Original, Run
from heroicrun.play import accounts
from tests.factory import T0, TrackBuilder
from tests.helpers import runfiles, shell

SMALL = runfiles.short_run()
FIT = runfiles.fit_run()
TCX = runfiles.tcx_run()  # another outing than SMALL's, or it would be a duplicate
BAD = runfiles.cut_off()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = db_engine.connect(database_url)
    migrate.upgrade(engine)
    with db_engine.writers(engine)() as session:
        accounts.add_runner(session, "ann", None)
        session.commit()
    yield engine
    engine.dispose()


def heroicrun(database_url: str, *args: str) -> shell.Done:
    env = {"HEROICRUN_DATABASE_URL": database_url, "HEROICRUN_PARSE_WORKERS": "1"}
    return shell.heroicrun(*args, env=env)


def run_count(engine: Engine) -> int:
    with db_engine.readers(engine)() as session:
        return session.scalar(select(func.count()).select_from(Run)) or 0


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of runs as a watch sync leaves it: nested, compressed, with a stray file."""
    runs = tmp_path / "runs"
    (runs / "2024" / "june").mkdir(parents=True)
    shutil.copy(SMALL, runs / "morning.gpx")
    shutil.copy(FIT, runs / "2024" / "watch.fit")
    (runs / "2024" / "june" / "lap.tcx.gz").write_bytes(gzip.compress(TCX.read_bytes()))
    shutil.copy(BAD, runs / "2024" / "june" / "broken.gpx")
    (runs / "notes.txt").write_text("not a run")
    return runs


def test_import_of_a_folder_stores_its_runs_and_says_what_it_did(
    database_url: str, engine: Engine, folder: Path
) -> None:
    done = heroicrun(database_url, "import", str(folder), "--runner", "ann")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "stored 3, duplicates 0, rejected 1"
    broken = folder / "2024" / "june" / "broken.gpx"
    assert lines[1] == f"  rejected: {broken}: line 11: ends too early: the XML is cut off"
    assert "Traceback" not in done.stderr
    assert run_count(engine) == 3

    again = heroicrun(database_url, "import", str(folder / "morning.gpx"), "--runner", "ann")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == ["stored 0, duplicates 1, rejected 0"]
    assert run_count(engine) == 3


def test_import_reads_zip_archives(database_url: str, engine: Engine, tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(SMALL, "activities/1.gpx")
        archive.write(FIT, "activities/2.fit")
        archive.writestr("profile.csv", "name\nann\n")
    done = heroicrun(database_url, "import", str(export), "--runner", "ann")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "stored 2, duplicates 0, rejected 0",
        f"  skipped in {export}: 1 file(s) that are not GPX, TCX or FIT were left alone: "
        "profile.csv",
    ]
    with db_engine.readers(engine)() as session:
        assert sorted(session.scalars(select(Run.file_name))) == ["1.gpx", "2.fit"]


def test_import_for_an_unknown_runner_or_a_missing_file_fails_cleanly(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    nobody = heroicrun(database_url, "import", str(SMALL), "--runner", "nobody")
    assert nobody.returncode == 1
    assert nobody.stderr.strip() == "error: there is no runner called 'nobody'"
    missing = heroicrun(database_url, "import", str(tmp_path / "gone.gpx"), "--runner", "ann")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert f"  rejected: {tmp_path / 'gone.gpx'}: does not exist" in missing.stdout.splitlines()
    assert run_count(engine) == 0


def test_recompute_measures_every_run_and_reports_a_damaged_one(
    database_url: str, engine: Engine, folder: Path
) -> None:
    heroicrun(database_url, "import", str(folder), "--runner", "ann")
    with db_engine.writers(engine)() as session:
        damaged = session.scalars(select(Run).where(Run.file_name == "watch.fit")).one()
        session.execute(
            update(Original).where(Original.sha256 == damaged.sha256).values(content_gz=b"junk")
        )
        session.execute(update(Run).where(Run.file_name == "morning.gpx").values(summary_json="{}"))
        session.commit()
        morning = session.scalars(select(Run.id).where(Run.file_name == "morning.gpx")).one()
    done = heroicrun(database_url, "runs", "recompute")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "re-measured 2 runs, 1 changed",
        f"  changed: run {morning} (morning.gpx)",
    ]
    assert done.stderr.splitlines() == [
        f"  not measured: run {damaged.id} (watch.fit): its original file is damaged "
        "(it does not unpack to what was uploaded)"
    ]
    with db_engine.readers(engine)() as session:
        summary = session.scalars(select(Run.summary_json).where(Run.id == morning)).one()
    assert '"file":"morning.gpx"' in summary


def test_a_file_in_an_unknown_encoding_is_one_line_not_a_traceback(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    odd = tmp_path / "odd.gpx"
    odd.write_bytes(SMALL.read_bytes().replace(b"encoding='UTF-8'", b"encoding='x-nonsense'", 1))
    assert b"x-nonsense" in odd.read_bytes()
    done = heroicrun(database_url, "import", str(odd), "--runner", "ann")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    refused = [line for line in done.stdout.splitlines() if "rejected:" in line]
    assert len(refused) == 1 and "x-nonsense" in refused[0], done.stdout
    assert run_count(engine) == 0


def test_a_reader_fault_is_one_line_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from heroicrun.play import pool

    def broken(_data: bytes, _source: str) -> object:
        raise ValueError("an index the reader did not expect")

    monkeypatch.setattr(pool.reading, "read_bytes", broken)
    outcome = pool.read_and_describe(b"<gpx/>", "odd.gpx")
    assert outcome == ("error", ("odd.gpx", "could not be measured (ValueError)", None))
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 1 and said[0].startswith("heroicrun: odd.gpx: could not be measured")
    assert "an index the reader did not expect" in said[0]


def test_import_names_the_runs_that_count_for_no_mission(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    cycled = tmp_path / "ride.tcx"
    builder = TrackBuilder(start_time_s=T0 + 9 * 86_400)  # a day of its own: another outing
    cycled.write_bytes(runfiles.tcx(builder.run(10_000, 1800, 5.0).build(), sport="Biking"))
    done = heroicrun(database_url, "import", str(TCX), str(cycled), "--runner", "ann")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "stored 2, duplicates 0, rejected 0, not counted 1",
        f"  not counted: {cycled}: a ride (the file says cycling): only runs, walks and hikes"
        " count",
    ]
