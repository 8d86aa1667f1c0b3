"""Storing runs: originals by content, one run per file per runner (even when raced), owners only,
re-measuring; the worker pool's time limit; upload names and archives."""

from __future__ import annotations

import gzip
import io
import os
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from heroicrun import __version__, reading
from heroicrun.db import engine as db_engine
from heroicrun.db.schema import Original, Run, Runner
from heroicrun.play import NotFound, accounts, parsing, runs, uploads

DATA = Path(__file__).parent / "data"
ATHENS = Path(__file__).parents[1] / "heroicrun" / "samples" / "athens-dawn-run.gpx"
SMALL = DATA / "fittrackee" / "gpx_file.gpx"
FIT = DATA / "python-fitparse" / "garmin-fenix-5-run.fit"


@pytest.fixture
def writers(engine: Engine) -> sessionmaker[Session]:
    return db_engine.writers(engine)


@pytest.fixture(scope="module")
def parser() -> Iterator[parsing.Parser]:
    parser = parsing.Parser(1, 30.0)
    yield parser
    parser.close()


def add_runner(writers: sessionmaker[Session], name: str) -> int:
    with writers() as session:
        runner = accounts.add_runner(session, name, None)
        session.commit()
        return runner.id


def record(
    writers: sessionmaker[Session],
    runner_id: int,
    path: Path,
    parser: parsing.Parser,
    name: str | None = None,
) -> runs.Recorded:
    with writers() as session:
        runner = session.get(Runner, runner_id)
        assert runner is not None
        return runs.record(session, runner, name or path.name, path.read_bytes(), parser)


def count(writers: sessionmaker[Session], table: type[Run] | type[Original]) -> int:
    with writers() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def as_runner(writers: sessionmaker[Session], runner_id: int) -> Any:
    session = writers()
    runner = session.get(Runner, runner_id)
    return session, runner


def test_a_run_is_measured_and_stored_with_its_original(
    writers: sessionmaker[Session], parser: parsing.Parser
) -> None:
    ann = add_runner(writers, "ann")
    recorded = record(writers, ann, ATHENS, parser)
    assert not recorded.duplicate
    summary = recorded.run.summary
    assert summary["file"] == "athens-dawn-run.gpx" and summary["kind"] == "run"
    assert summary["distance_m"] == pytest.approx(5945.5, abs=1)
    assert recorded.run.measured_with == __version__
    with writers() as session:
        row = session.get(Run, recorded.run.id)
        assert row is not None and row.format == "gpx" and row.distance_m == summary["distance_m"]
        assert row.start_time is not None and row.moving_s == summary["moving_s"]
        kept = session.get(Original, row.sha256)
        assert kept is not None and gzip.decompress(kept.content_gz) == ATHENS.read_bytes()
        assert kept.size == ATHENS.stat().st_size


def test_the_same_file_twice_changes_nothing(
    writers: sessionmaker[Session], parser: parsing.Parser
) -> None:
    ann = add_runner(writers, "ann")
    first = record(writers, ann, SMALL, parser)
    again = record(writers, ann, SMALL, parser, name="renamed.gpx")
    assert again.duplicate and again.run == first.run
    assert count(writers, Run) == 1 and count(writers, Original) == 1


class Rendezvous(parsing.Parser):
    """A parser that holds each caller until `parties` have read their file: every caller has
    then passed the duplicate check, so the unique constraint must settle the race."""

    def __init__(self, parties: int) -> None:
        super().__init__(1, 30.0)
        self.barrier = threading.Barrier(parties, timeout=20)

    def describe(self, data: bytes, source: str) -> dict[str, Any]:
        described = super().describe(data, source)
        self.barrier.wait()
        return described


def test_the_same_file_raced_by_two_requests_is_stored_once(
    writers: sessionmaker[Session],
) -> None:
    ann = add_runner(writers, "ann")
    racer = Rendezvous(2)
    results: list[runs.Recorded] = []
    failures: list[BaseException] = []

    def go() -> None:
        try:
            results.append(record(writers, ann, ATHENS, racer))
        except BaseException as error:  # surfaced below
            failures.append(error)

    threads = [threading.Thread(target=go) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        racer.close()
    assert failures == []
    assert sorted(result.duplicate for result in results) == [False, True]
    assert results[0].run.id == results[1].run.id
    assert count(writers, Run) == 1 and count(writers, Original) == 1


def test_two_runners_share_one_original_until_both_delete(
    writers: sessionmaker[Session], parser: parsing.Parser
) -> None:
    ann, bob = add_runner(writers, "ann"), add_runner(writers, "bob")
    mine = record(writers, ann, SMALL, parser)
    theirs = record(writers, bob, SMALL, parser)
    assert not theirs.duplicate and theirs.run.id != mine.run.id
    assert count(writers, Run) == 2 and count(writers, Original) == 1
    for runner_id, run_id in ((ann, mine.run.id), (bob, theirs.run.id)):
        session, runner = as_runner(writers, runner_id)
        with session:
            runs.delete_run(session, runner, run_id)
            session.commit()
        expected = 1 if runner_id == ann else 0
        assert count(writers, Original) == expected


def test_another_runners_run_is_not_found_like_a_missing_one(
    writers: sessionmaker[Session], parser: parsing.Parser
) -> None:
    ann, bob = add_runner(writers, "ann"), add_runner(writers, "bob")
    run_id = record(writers, ann, SMALL, parser).run.id
    session, intruder = as_runner(writers, bob)
    with session:
        for act in (runs.get_run, runs.original, runs.delete_run):
            with pytest.raises(NotFound) as theirs:
                act(session, intruder, run_id)
            with pytest.raises(NotFound) as missing:
                act(session, intruder, run_id + 1000)
            assert str(theirs.value) == str(missing.value).replace(str(run_id + 1000), str(run_id))
        assert runs.list_runs(session, intruder).total == 0
    assert count(writers, Run) == 1


def test_runs_are_listed_newest_first_a_page_at_a_time(
    writers: sessionmaker[Session], parser: parsing.Parser
) -> None:
    ann = add_runner(writers, "ann")
    for path in (SMALL, ATHENS, FIT):
        record(writers, ann, path, parser)
    session, runner = as_runner(writers, ann)
    with session:
        page = runs.list_runs(session, runner, limit=2, offset=0)
        rest = runs.list_runs(session, runner, limit=2, offset=2)
    starts = [run.summary["start_time"] for run in page.runs + rest.runs]
    assert page.total == rest.total == 3 and len(page.runs) == 2 and len(rest.runs) == 1
    assert starts == sorted(starts, reverse=True)


def test_the_original_comes_back_byte_for_byte(
    writers: sessionmaker[Session], parser: parsing.Parser
) -> None:
    ann = add_runner(writers, "ann")
    run_id = record(writers, ann, FIT, parser, name="../watch/Morning Run.fit").run.id
    session, runner = as_runner(writers, ann)
    with session:
        assert runs.original(session, runner, run_id) == ("Morning Run.fit", FIT.read_bytes())


def test_an_unreadable_file_stores_nothing(
    writers: sessionmaker[Session], parser: parsing.Parser
) -> None:
    ann = add_runner(writers, "ann")
    with pytest.raises(runs.Unreadable, match=r"^bad\.gpx: line 11: "):
        record(writers, ann, DATA / "fittrackee" / "gpx_file_invalid_xml.gpx", parser, "bad.gpx")
    assert count(writers, Run) == 0 and count(writers, Original) == 0


def test_recompute_reports_a_damaged_original_and_measures_the_rest(
    writers: sessionmaker[Session], parser: parsing.Parser
) -> None:
    ann = add_runner(writers, "ann")
    damaged = record(writers, ann, SMALL, parser).run
    fine = record(writers, ann, ATHENS, parser).run
    with writers() as session:
        session.execute(
            update(Original).where(Original.sha256 == damaged.sha256).values(content_gz=b"not gzip")
        )
        session.execute(update(Run).where(Run.id == fine.id).values(summary_json="{}"))
        session.commit()
    with writers() as session:
        report = runs.recompute(session, parser)
    assert report.remeasured == [(fine.id, "athens-dawn-run.gpx")]
    assert report.changed == [(fine.id, "athens-dawn-run.gpx")]
    assert [(run_id, name) for run_id, name, _ in report.problems] == [(damaged.id, "gpx_file.gpx")]
    assert "damaged" in report.problems[0][2]
    session, runner = as_runner(writers, ann)
    with session:
        assert runs.get_run(session, runner, fine.id).summary == fine.summary


# The worker pool: these run in its processes, so they live at module level.


def slow_on_request(data: bytes, source: str) -> parsing.Outcome:
    if data == b"slow":
        time.sleep(60)
    if data == b"crash":
        os._exit(3)
    return parsing.read_and_describe(data, source)


def test_a_file_that_takes_too_long_is_refused_and_the_pool_recovers() -> None:
    parser = parsing.Parser(1, 3.0, work=slow_on_request)
    try:
        assert parser.describe(SMALL.read_bytes(), "warm.gpx")["kind"] == "run"
        started = time.monotonic()
        with pytest.raises(reading.ReadError, match=r"^slow\.gpx: took longer than 3 s"):
            parser.describe(b"slow", "slow.gpx")
        assert time.monotonic() - started < 15
        assert parser.describe(SMALL.read_bytes(), "after.gpx")["file"] == "after.gpx"
        with pytest.raises(reading.ReadError, match=r"^crash\.gpx: made the reader crash"):
            parser.describe(b"crash", "crash.gpx")
        assert parser.describe(SMALL.read_bytes(), "again.gpx")["kind"] == "run"
    finally:
        parser.close()


def test_read_errors_cross_from_the_worker_intact(parser: parsing.Parser) -> None:
    with pytest.raises(reading.ReadError) as raised:
        parser.describe(b"<gpx><trk>", "cut.gpx")
    assert raised.value.source == "cut.gpx" and raised.value.line == 1


# Upload names and archives.


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\Morning Run.gpx", "Morning Run.gpx"),
        ("run\x00\n\x1b[31m.gpx", "run[31m.gpx"),
        ("evil\u202egpx.exe", "evilgpx.exe"),
        ("", "upload"),
        (None, "upload"),
        ("..", "upload"),
        ("dir/", "upload"),
        ("x" * 300 + ".gpx", "x" * 251 + ".gpx"),
    ],
)
def test_a_client_file_name_is_only_a_name(given: str | None, shown: str) -> None:
    assert uploads.display_name(given) == shown


def zipped(members: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def test_an_archive_yields_its_run_files_and_notes_the_rest() -> None:
    archive = zipped(
        {
            "export/activities/1.gpx": SMALL.read_bytes(),
            "export/activities/2.fit.gz": gzip.compress(FIT.read_bytes()),
            "export/media/photo.jpg": b"\xff\xd8",
            "__MACOSX/export/._1.gpx": b"junk",
            "export/nested.zip": zipped({"a.gpx": b"<gpx/>"}).getvalue(),
        }
    )
    found = list(uploads.unpack(archive, "export.zip"))
    read = [(entry.label, entry.name) for entry in found if entry.data is not None]
    assert read == [
        ("export.zip/export/activities/1.gpx", "1.gpx"),
        ("export.zip/export/activities/2.fit.gz", "2.fit.gz"),
    ]
    assert [entry.error for entry in found if entry.error] == [
        "export.zip/export/nested.zip: is an archive inside an archive; "
        "heroicrun unpacks one level only"
    ]
    assert [entry.skipped for entry in found if entry.skipped] == [
        "1 file(s) that are not GPX, TCX or FIT were left alone: export/media/photo.jpg"
    ]


def test_an_archive_is_read_only_up_to_its_caps() -> None:
    archive = zipped({f"{number}.gpx": SMALL.read_bytes() for number in range(5)})
    found = list(uploads.unpack(archive, "many.zip", uploads.Limits(max_members=3)))
    assert sum(entry.data is not None for entry in found) == 3
    assert found[-1].error == "many.zip: holds more than 3 run files; heroicrun read the first 3"
    archive.seek(0)
    size = len(SMALL.read_bytes())
    found = list(uploads.unpack(archive, "big.zip", uploads.Limits(max_total_bytes=2 * size)))
    assert sum(entry.data is not None for entry in found) == 2
    assert found[-1].error is not None and found[-1].error.startswith(
        "big.zip/2.gpx: was not read, nor any file after it: big.zip unpacks to more than"
    )


def test_a_damaged_or_encrypted_archive_is_refused_by_name() -> None:
    found = list(uploads.unpack(io.BytesIO(b"PK\x03\x04 not really"), "broken.zip"))
    assert len(found) == 1 and found[0].error is not None
    assert found[0].error.startswith("broken.zip: is a damaged zip archive")
    archive = zipped({"run.gpx": SMALL.read_bytes()})
    raw = bytearray(archive.getvalue())
    for offset in (6, raw.rindex(b"PK\x01\x02") + 8):  # the flags, local and central
        raw[offset] |= 1
    found = list(uploads.unpack(io.BytesIO(bytes(raw)), "locked.zip"))
    assert [entry.error for entry in found] == [
        "locked.zip/run.gpx: is encrypted; heroicrun cannot open it"
    ]
