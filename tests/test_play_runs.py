"""Storing runs: originals by content, one run per file per runner (even when raced), owners only,
re-measuring; the worker pool's time limit; upload names and archives."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from geopy.distance import geodesic
from sqlalchemy import Engine, Insert, delete, event, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from heroicrun import __version__, reading
from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.db.schema import Original, Run, Runner, Verdict
from heroicrun.missions import catalog as bundled
from heroicrun.missions.loading import Catalog
from heroicrun.play import NotFound, accounts, missions, pool, recompute, runs
from heroicrun.reading import archives
from tests.factory import START, TrackBuilder
from tests.helpers import old_schema, runfiles
from tests.helpers.files import gpx_text, zipped

ATHENS = Path(__file__).parents[1] / "heroicrun" / "samples" / "athens-dawn-run.gpx"
SMALL = runfiles.short_run()
FIT = runfiles.fit_run()
CATALOG = bundled.bundled()


@pytest.fixture
def writers(engine: Engine) -> sessionmaker[Session]:
    return db_engine.writers(engine)


@pytest.fixture(scope="module")
def parser() -> Iterator[pool.Parser]:
    parser = pool.Parser(1, 30.0)
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
    parser: pool.Parser,
    name: str | None = None,
) -> runs.Recorded:
    with writers() as session:
        runner = session.get(Runner, runner_id)
        assert runner is not None
        [recorded] = runs.record(session, runner, name or path.name, path.read_bytes(), parser)
        return recorded


def count(writers: sessionmaker[Session], table: type[Run] | type[Original]) -> int:
    with writers() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def as_runner(writers: sessionmaker[Session], runner_id: int) -> Any:
    session = writers()
    runner = session.get(Runner, runner_id)
    return session, runner


def test_a_run_is_measured_and_stored_with_its_original(
    writers: sessionmaker[Session], parser: pool.Parser
) -> None:
    ann = add_runner(writers, "ann")
    recorded = record(writers, ann, ATHENS, parser)
    assert not recorded.duplicate
    summary = recorded.run.summary
    assert summary.file == "athens-dawn-run.gpx" and summary.kind == "run"
    assert summary.distance_m == pytest.approx(5945.5, abs=1)
    assert recorded.run.measured_with == __version__
    with writers() as session:
        row = session.get(Run, recorded.run.id)
        assert row is not None and row.format == "gpx" and row.distance_m == summary.distance_m
        assert row.start_time is not None and row.moving_s == summary.moving_s
        kept = session.get(Original, row.sha256)
        assert kept is not None and gzip.decompress(kept.content_gz) == ATHENS.read_bytes()
        assert kept.size == ATHENS.stat().st_size


def test_the_same_file_twice_changes_nothing(
    writers: sessionmaker[Session], parser: pool.Parser
) -> None:
    ann = add_runner(writers, "ann")
    first = record(writers, ann, SMALL, parser)
    again = record(writers, ann, SMALL, parser, name="renamed.gpx")
    assert again.duplicate and again.run == first.run
    assert count(writers, Run) == 1 and count(writers, Original) == 1


class Rendezvous(pool.Parser):
    """A parser that holds each caller until `parties` have read their file: every caller has
    then passed the duplicate check, so the unique constraint must settle the race."""

    def __init__(self, parties: int) -> None:
        super().__init__(1, 30.0)
        self.barrier = threading.Barrier(parties, timeout=20)

    def describe(self, data: bytes, source: str) -> list[pool.Described]:
        described = super().describe(data, source)
        self.barrier.wait()
        return described


def race(*calls: Callable[[], runs.Recorded]) -> list[runs.Recorded]:
    """Run the calls at once, each in a thread of its own; what they returned, any order."""
    results: list[runs.Recorded] = []
    failures: list[BaseException] = []

    def go(call: Callable[[], runs.Recorded]) -> None:
        try:
            results.append(call())
        except BaseException as error:  # surfaced below
            failures.append(error)

    threads = [threading.Thread(target=go, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    return results


def test_the_same_file_raced_by_two_requests_is_stored_once(
    writers: sessionmaker[Session],
) -> None:
    ann = add_runner(writers, "ann")
    racer = Rendezvous(2)
    try:
        results = race(*[lambda: record(writers, ann, ATHENS, racer)] * 2)
    finally:
        racer.close()
    assert sorted(result.duplicate for result in results) == [False, True]
    assert results[0].run.id == results[1].run.id
    assert count(writers, Run) == 1 and count(writers, Original) == 1


def test_two_runners_share_one_original_until_both_delete(
    writers: sessionmaker[Session], parser: pool.Parser
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
    writers: sessionmaker[Session], parser: pool.Parser
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
    writers: sessionmaker[Session], parser: pool.Parser
) -> None:
    ann = add_runner(writers, "ann")
    for path in (SMALL, ATHENS, FIT):
        record(writers, ann, path, parser)
    session, runner = as_runner(writers, ann)
    with session:
        page = runs.list_runs(session, runner, limit=2, offset=0)
        rest = runs.list_runs(session, runner, limit=2, offset=2)
    starts = [run.summary.start_time for run in page.runs + rest.runs]
    assert page.total == rest.total == 3 and len(page.runs) == 2 and len(rest.runs) == 1
    assert starts == sorted(starts, reverse=True)


def test_the_original_comes_back_byte_for_byte(
    writers: sessionmaker[Session], parser: pool.Parser
) -> None:
    ann = add_runner(writers, "ann")
    run_id = record(writers, ann, FIT, parser, name="../watch/Morning Run.fit").run.id
    session, runner = as_runner(writers, ann)
    with session:
        assert runs.original(session, runner, run_id) == ("Morning Run.fit", FIT.read_bytes())


def test_an_unreadable_file_stores_nothing(
    writers: sessionmaker[Session], parser: pool.Parser
) -> None:
    ann = add_runner(writers, "ann")
    with pytest.raises(runs.Unreadable, match=r"^bad\.gpx: line 11: "):
        record(writers, ann, runfiles.cut_off(), parser, "bad.gpx")
    assert count(writers, Run) == 0 and count(writers, Original) == 0


def test_recompute_reports_a_damaged_original_and_measures_the_rest(
    writers: sessionmaker[Session], parser: pool.Parser
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
        report = recompute.recompute(session, parser)
    assert report.remeasured == [(fine.id, "athens-dawn-run.gpx")]
    assert report.changed == [(fine.id, "athens-dawn-run.gpx")]
    assert [(run_id, name) for run_id, name, _ in report.problems] == [(damaged.id, SMALL.name)]
    assert "damaged" in report.problems[0][2]
    session, runner = as_runner(writers, ann)
    with session:
        assert runs.get_run(session, runner, fine.id).summary == fine.summary


# The worker pool: these run in its processes, so they live at module level.


def slow_on_request(data: bytes, source: str) -> pool.Outcome:
    if data == b"slow":
        time.sleep(60)
    if data == b"crash":
        os._exit(3)
    return pool.read_and_describe(data, source)


def test_a_file_that_takes_too_long_is_refused_and_the_pool_recovers() -> None:
    # 10 s, not less: starting a worker is part of a read, and on a busy machine it has taken
    # more than 3 s.
    parser = pool.Parser(1, 10.0, work=slow_on_request)
    try:
        assert parser.describe(SMALL.read_bytes(), "warm.gpx")[0][0].kind == "run"
        # The message is the timeout's own: the reader gave up at 10 s, not after the 60 s sleep.
        with pytest.raises(reading.ReadError, match=r"^slow\.gpx: took longer than 10 s"):
            parser.describe(b"slow", "slow.gpx")
        assert parser.describe(SMALL.read_bytes(), "after.gpx")[0][0].file == "after.gpx"
        with pytest.raises(reading.ReadError, match=r"^crash\.gpx: made the reader crash"):
            parser.describe(b"crash", "crash.gpx")
        assert parser.describe(SMALL.read_bytes(), "again.gpx")[0][0].kind == "run"
    finally:
        parser.close()


def test_read_errors_cross_from_the_worker_intact(parser: pool.Parser) -> None:
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
    assert archives.display_name(given) == shown


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
    found = list(archives.unpack(archive, "export.zip"))
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
    found = list(archives.unpack(archive, "many.zip", archives.Limits(max_members=3)))
    assert sum(entry.data is not None for entry in found) == 3
    assert found[-1].error == "many.zip: holds more than 3 run files; heroicrun read the first 3"
    archive.seek(0)
    size = len(SMALL.read_bytes())
    found = list(archives.unpack(archive, "big.zip", archives.Limits(max_total_bytes=2 * size)))
    assert sum(entry.data is not None for entry in found) == 2
    assert found[-1].error is not None and found[-1].error.startswith(
        "big.zip/2.gpx: was not read, nor any file after it: big.zip unpacks to more than"
    )


def test_a_damaged_or_encrypted_archive_is_refused_by_name() -> None:
    found = list(archives.unpack(io.BytesIO(b"PK\x03\x04 not really"), "broken.zip"))
    assert len(found) == 1 and found[0].error is not None
    assert found[0].error.startswith("broken.zip: is a damaged zip archive")
    archive = zipped({"run.gpx": SMALL.read_bytes()})
    raw = bytearray(archive.getvalue())
    for offset in (6, raw.rindex(b"PK\x01\x02") + 8):  # the flags, local and central
        raw[offset] |= 1
    found = list(archives.unpack(io.BytesIO(bytes(raw)), "locked.zip"))
    assert [entry.error for entry in found] == [
        "locked.zip/run.gpx: is encrypted; heroicrun cannot open it"
    ]


# One activity, one run: whatever carries it, and however many devices recorded it.


def wrappings(data: bytes) -> dict[str, bytes]:
    """One GPX file as it may arrive again: compressed, re-compressed, with other line endings."""
    return {
        "run.gpx": data,
        "run.gpx.gz": gzip.compress(data),
        "again.gpx.gz": gzip.compress(data, compresslevel=1, mtime=1_700_000_000),
        "windows.gpx": data.replace(b"\n", b"\r\n"),
        "edited.gpx": data + b"\n",
    }


def record_bytes(
    writers: sessionmaker[Session],
    runner_id: int,
    name: str,
    data: bytes,
    parser: pool.Parser,
    catalog: Catalog | None = None,
) -> runs.Recorded:
    with writers() as session:
        runner = session.get(Runner, runner_id)
        assert runner is not None
        [recorded] = runs.record(session, runner, name, data, parser, catalog)
        return recorded


def journey_km(writers: sessionmaker[Session], runner_id: int) -> float:
    """How far along Reach Sparta the runner is, in km."""
    session, runner = as_runner(writers, runner_id)
    with session:
        progress = missions.progress(session, CATALOG, runner, "reach-sparta", datetime.now(UTC))
        return progress[1].progress_km


# The bundled sample run's morning: runs recorded more than a day before enrolling never count.
ATHENS_DAWN = datetime(2026, 9, 26, 5, 0, tzinfo=UTC)


def enrolled(writers: sessionmaker[Session], name: str, at: datetime = ATHENS_DAWN) -> int:
    with writers() as session:
        runner = accounts.add_runner(session, name, None)
        missions.enrol(session, CATALOG, runner, "reach-sparta", at)
        session.commit()
        return runner.id


def enrolled_in_all(writers: sessionmaker[Session], name: str) -> int:
    with writers() as session:
        runner = accounts.add_runner(session, name, None)
        for mission in (found for found in CATALOG.missions if not found.team):
            missions.enrol(session, CATALOG, runner, mission.id, MORNING - timedelta(days=1))
        session.commit()
        return runner.id


def test_one_activity_in_five_wrappings_is_one_run(
    writers: sessionmaker[Session], parser: pool.Parser
) -> None:
    ann = enrolled(writers, "ann")
    sent = wrappings(ATHENS.read_bytes())
    sent["export.zip member"] = next(
        entry.data
        for entry in archives.unpack(zipped({"a/run.gpx": sent["windows.gpx"]}), "export.zip")
        if entry.data is not None
    )
    found = [record_bytes(writers, ann, name, data, parser, CATALOG) for name, data in sent.items()]
    first = found[0]
    assert not first.duplicate
    assert [item.duplicate for item in found[1:]] == [True] * 5
    assert {item.run.id for item in found} == {first.run.id}
    assert {item.run.file_name for item in found} == {"run.gpx"}
    assert all(item.unlocked == [] for item in found[1:])
    assert count(writers, Run) == 1 and count(writers, Original) == 1
    assert journey_km(writers, ann) == pytest.approx(5.9455, abs=0.001)


def test_another_runners_copy_of_an_activity_is_theirs(
    writers: sessionmaker[Session], parser: pool.Parser
) -> None:
    ann, bob = add_runner(writers, "ann"), add_runner(writers, "bob")
    sent = wrappings(SMALL.read_bytes())
    mine = record_bytes(writers, ann, "run.gpx", sent["run.gpx"], parser)
    theirs = record_bytes(writers, bob, "run.gpx.gz", sent["run.gpx.gz"], parser)
    assert not theirs.duplicate and theirs.run.id != mine.run.id


# The measured columns a run had in the first schema, before outings, sports and fingerprints.
COLUMNS_0001 = (
    "format",
    "kind",
    "start_time",
    "distance_m",
    "counted_distance_m",
    "elapsed_s",
    "moving_s",
    "summary_json",
)


def test_runs_stored_before_fingerprints_migrate_and_recompute_finds_the_copies(
    database_url: str, parser: pool.Parser
) -> None:
    engine = db_engine.connect(database_url)
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    # As heroicrun stored them before fingerprints: one run sent as .gpx, then as .gpx.gz.
    now = datetime.now(UTC)
    sent = wrappings(ATHENS.read_bytes())
    with engine.begin() as connection:
        ann = old_schema.add_runner(connection, "ann", now)
        for name in ("run.gpx", "run.gpx.gz"):
            data = sent[name]
            [(summary, _)] = parser.describe(data, name)
            measured = runs.measured_columns(summary)
            digest = hashlib.sha256(data).hexdigest()
            connection.execute(
                insert(Original.__table__).values(
                    sha256=digest, size=len(data), content_gz=gzip.compress(data)
                )
            )
            connection.execute(
                insert(Run.__table__).values(
                    runner_id=ann,
                    sha256=digest,
                    file_name=name,
                    **{column: measured[column] for column in COLUMNS_0001},
                    measured_with="0.0.9",
                    uploaded_at=now,
                )
            )
    try:
        migrate.upgrade(engine)
        writers = db_engine.writers(engine)
        with writers() as session:
            listed = session.execute(
                select(Run.id, Run.activity_key, Run.overlaps_run_id).order_by(Run.id)
            ).all()
        assert [(key, mark) for _, key, mark in listed] == [(None, None), (None, None)]
        first, copy = (run_id for run_id, _, _ in listed)

        with writers() as session:
            report = recompute.recompute(session, parser)
        assert report.problems == [] and report.changed == []
        assert report.duplicates == [(copy, "run.gpx.gz", first)]
        with writers() as session:
            runner = session.get(Runner, ann)
            assert runner is not None
            assert runs.get_run(session, runner, first).not_counted is None
            assert runs.get_run(session, runner, copy).not_counted == (
                f"the same outing as run {first} (overlaps 100 % of it)"
            )
            [again] = runs.record(session, runner, "windows.gpx", sent["windows.gpx"], parser)
        assert again.duplicate and again.run.id == first
    finally:
        engine.dispose()


def outing(start: datetime, km: float, duration_s: float, step_s: float, east_m: float) -> bytes:
    """A GPX file of an outing due north, `east_m` off to the side (another device's fix)."""
    begin = geodesic(meters=east_m).destination(START, 90)
    builder = TrackBuilder((begin.latitude, begin.longitude), start_time_s=start.timestamp())
    return gpx_text(builder.run(km * 1000, duration_s, step_s=step_s).build())


MORNING = datetime(2024, 5, 2, 6, 0, tzinfo=UTC)
WATCH = outing(MORNING, 5.0, 1800, 2.0, 0.0)
# Started a minute after the watch, stopped 40 s before it: 1700 s of the watch's 1800.
PHONE = outing(MORNING + timedelta(seconds=60), 4.7, 1700, 3.0, 4.0)


def test_a_watch_and_a_phone_on_one_outing_count_once(
    writers: sessionmaker[Session], parser: pool.Parser
) -> None:
    ann = enrolled(writers, "ann", MORNING - timedelta(hours=1))
    watch = record_bytes(writers, ann, "watch.gpx", WATCH, parser, CATALOG).run
    phone = record_bytes(writers, ann, "phone.gpx", PHONE, parser, CATALOG)
    assert not phone.duplicate and phone.unlocked == []
    assert phone.run.overlaps_run_id == watch.id and watch.overlaps_run_id is None
    assert phone.run.not_counted == f"the same outing as run {watch.id} (overlaps 94 % of it)"
    assert watch.not_counted is None
    assert count(writers, Run) == 2
    assert journey_km(writers, ann) == pytest.approx(5.0, abs=0.01)

    # The next day's run is another outing; the phone's stays marked while the watch's stays.
    next_day = record_bytes(
        writers, ann, "next.gpx", outing(MORNING + timedelta(days=1), 3.0, 900, 3.0, 0.0), parser
    )
    assert next_day.run.not_counted is None
    assert journey_km(writers, ann) == pytest.approx(8.0, abs=0.01)

    session, runner = as_runner(writers, ann)
    with session:
        runs.delete_run(session, runner, watch.id)
        session.commit()
        kept = runs.get_run(session, runner, phone.run.id)
    assert kept.overlaps_run_id is None and kept.not_counted is None
    assert journey_km(writers, ann) == pytest.approx(4.7 + 3.0, abs=0.01)


def test_a_short_recording_within_a_longer_one_says_so(
    writers: sessionmaker[Session], parser: pool.Parser
) -> None:
    ann = add_runner(writers, "ann")
    watch = record_bytes(writers, ann, "watch.gpx", WATCH, parser).run
    stretch = outing(MORNING + timedelta(minutes=10), 1.0, 300, 2.0, 3.0)
    found = record_bytes(writers, ann, "stretch.gpx", stretch, parser).run
    assert found.not_counted == (
        f"the same outing as run {watch.id} (100 % of this run lies within it)"
    )
    session, runner = as_runner(writers, ann)
    with session:
        page = runs.list_runs(session, runner)
    assert [(run.id, run.not_counted) for run in page.runs] == [
        (found.id, found.not_counted),
        (watch.id, None),
    ]


def test_an_outing_sent_from_two_devices_at_once_counts_once(
    writers: sessionmaker[Session],
) -> None:
    ann = add_runner(writers, "ann")
    racer = Rendezvous(2)
    results: list[runs.Recorded] = []
    failures: list[BaseException] = []

    def go(name: str, data: bytes) -> None:
        try:
            results.append(record_bytes(writers, ann, name, data, racer))
        except BaseException as error:  # surfaced below
            failures.append(error)

    threads = [
        threading.Thread(target=go, args=("watch.gpx", WATCH)),
        threading.Thread(target=go, args=("phone.gpx", PHONE)),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        racer.close()
    assert failures == []
    first, second = sorted(results, key=lambda item: item.run.id)
    assert first.run.overlaps_run_id is None
    assert second.run.overlaps_run_id == first.run.id


def test_one_activity_raced_in_two_wrappings_is_stored_once(
    writers: sessionmaker[Session],
) -> None:
    ann = add_runner(writers, "ann")
    racer = Rendezvous(2)
    sent = wrappings(ATHENS.read_bytes())
    try:
        results = race(
            *[
                partial(record_bytes, writers, ann, name, sent[name], racer)
                for name in ("run.gpx", "windows.gpx")
            ]
        )
    finally:
        racer.close()
    assert sorted(result.duplicate for result in results) == [False, True]
    assert results[0].run.id == results[1].run.id
    assert count(writers, Run) == 1


def deadlock() -> OperationalError:
    """What psycopg raises through SQLAlchemy when PostgreSQL picks this transaction to end."""
    return OperationalError(
        "INSERT INTO verdicts ...", {}, psycopg.errors.DeadlockDetected("deadlock detected")
    )


def test_a_deadlock_runs_the_whole_transaction_again(
    writers: sessionmaker[Session], parser: pool.Parser, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = enrolled_in_all(writers, "ann")
    real = missions.remember
    calls: list[int] = []

    def deadlocked_once(session: Session, learned: missions.Learned) -> int:
        calls.append(len(learned))
        if len(calls) == 1:
            # The run's row is flushed by now: the retry must not find it.
            assert session.scalar(select(func.count()).select_from(Run)) == 1
            raise deadlock()
        return real(session, learned)

    monkeypatch.setattr(missions, "remember", deadlocked_once)
    recorded = record_bytes(writers, ann, "run.gpx", ATHENS.read_bytes(), parser, CATALOG)
    assert len(calls) == 2 and calls[1] == calls[0] > 0
    assert not recorded.duplicate
    assert count(writers, Run) == 1 and count(writers, Original) == 1
    with writers() as session:
        assert session.scalar(select(func.count()).select_from(Verdict)) == calls[1]


def test_a_second_deadlock_or_another_error_is_raised(
    writers: sessionmaker[Session], parser: pool.Parser, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = enrolled(writers, "ann")
    calls: list[int] = []

    def always(error: Exception) -> Any:
        def fail(session: Session, learned: missions.Learned) -> int:
            calls.append(1)
            raise error

        return fail

    monkeypatch.setattr(missions, "remember", always(deadlock()))
    with pytest.raises(OperationalError, match="deadlock detected"):
        record_bytes(writers, ann, "run.gpx", ATHENS.read_bytes(), parser, CATALOG)
    assert len(calls) == 2

    calls.clear()
    cancelled = OperationalError("...", {}, psycopg.errors.QueryCanceled("canceled"))
    monkeypatch.setattr(missions, "remember", always(cancelled))
    with pytest.raises(OperationalError, match="canceled"):
        record_bytes(writers, ann, "run.gpx", ATHENS.read_bytes(), parser, CATALOG)
    assert len(calls) == 1
    assert count(writers, Run) == 0 and count(writers, Original) == 0


def test_an_upload_writes_its_verdicts_at_once_in_key_order(
    writers: sessionmaker[Session], parser: pool.Parser
) -> None:
    # Rows in one order, in one statement: two uploads can then never hold what the other
    # waits for.
    ann = enrolled_in_all(writers, "ann")
    record_bytes(writers, ann, "first.gpx", WATCH, parser, CATALOG)
    with writers() as session:
        session.execute(delete(Verdict))  # as after an edited mission: judged again at upload
        session.commit()
    written: list[list[tuple[int, str]]] = []

    def capture(connection: Any, statement: Any, multiparams: Any, *_: Any) -> None:
        if isinstance(statement, Insert) and statement.table.name == Verdict.__tablename__:
            written.append([(row["run_id"], row["goal_key"]) for row in multiparams])

    bind = writers.kw["bind"]
    event.listen(bind, "before_execute", capture)
    try:
        record_bytes(writers, ann, "second.gpx", ATHENS.read_bytes(), parser, CATALOG)
    finally:
        event.remove(bind, "before_execute", capture)
    assert len(written) == 1
    [rows] = written
    assert rows == sorted(rows) and len({run_id for run_id, _ in rows}) == 2


def test_runners_uploading_at_once_never_deadlock(writers: sessionmaker[Session]) -> None:
    # Sixteen devices per runner sending runs at once, each run judged for every mission: the
    # verdicts of one runner's runs, written by concurrent uploads, deadlocked on PostgreSQL.
    runner_ids = [enrolled_in_all(writers, f"runner{n}") for n in range(2)]
    parser = pool.Parser(2, 60.0)
    failures: list[BaseException] = []
    stored: list[runs.Recorded] = []

    def device(runner_id: int, number: int) -> None:
        for k in range(4):
            start = MORNING + timedelta(hours=10 * k + number)
            data = outing(start, 1.0 + 0.3 * k + 0.007 * number, 300 + 60 * k, 10.0, 0.0)
            try:
                stored.append(
                    record_bytes(writers, runner_id, f"d{number}-{k}.gpx", data, parser, CATALOG)
                )
            except BaseException as error:  # surfaced below
                failures.append(error)

    threads = [
        threading.Thread(target=device, args=(runner_id, number))
        for runner_id in runner_ids
        for number in range(16)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
    finally:
        parser.close()
    assert failures == []
    assert len(stored) == 128 and count(writers, Run) == 128
