"""A file of several outings stored as one run per outing (one original), duplicates outing by
outing, the database migrated from before outings, and the pages of rides and runs without
GPS. On SQLite, and on PostgreSQL when HEROICRUN_TEST_DATABASE_URL is set."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from heroicrun import reading
from heroicrun.cli.commands import app
from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.db.schema import Original, Run, Runner
from heroicrun.missions import catalog as bundled
from heroicrun.missions.runs import RunFacts
from heroicrun.play import (
    accounts,
    courses,
    dashboard,
    missions,
    pool,
    recompute,
    runs,
    totals,
)
from heroicrun.track import Track
from tests.conftest import bearer, make_runner
from tests.helpers import old_schema, outing_files
from tests.helpers.outing_files import DAY, SEASON, START
from tests.helpers.real import needs_real, real_files
from tests.helpers.web import sign_in

THREE = outing_files.gpx_outings(3)  # three runs months apart
RIDE = outing_files.tcx_ride(begin=START + 3 * DAY)  # the week of THREE's first run
TREADMILL = outing_files.tcx_without_gps(begin=START + 5 * DAY)


def upload(client: TestClient, token: str, name: str, data: bytes) -> dict[str, Any]:
    answer = client.post("/api/runs", headers=bearer(token), files=[("files", (name, data))])
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def outing_alone(which: int) -> bytes:
    """Run `which` (0, 1, 2) of THREE, in a file of its own."""
    return outing_files.gpx_outings(1, first=START + which * SEASON)


def counts(client: TestClient) -> tuple[int, int]:
    """How many runs and originals the database holds."""
    with client.app.state.readers() as session:  # type: ignore[attr-defined]
        return (
            session.scalar(select(func.count()).select_from(Run)) or 0,
            session.scalar(select(func.count()).select_from(Original)) or 0,
        )


def test_three_outings_are_three_runs_and_the_same_file_again_three_duplicates(
    client: TestClient,
) -> None:
    token = make_runner(client, "ann")

    first = upload(client, token, "three-seasons.gpx", THREE)["runs"]

    assert [(run["outing"], run["outings"], run["duplicate"]) for run in first] == [
        (1, 3, False),
        (2, 3, False),
        (3, 3, False),
    ]
    assert all(run["sport"] == "running" and run["gps"] is True for run in first)
    starts = [datetime.fromisoformat(run["start_time"]) for run in first]
    assert [later - earlier for earlier, later in itertools.pairwise(starts)] == [
        SEASON,
        SEASON,
    ]
    assert counts(client) == (3, 1)  # one original for the three

    again = upload(client, token, "renamed.gpx", THREE)["runs"]

    assert [run["duplicate"] for run in again] == [True, True, True]
    assert [run["id"] for run in again] == [run["id"] for run in first]
    assert counts(client) == (3, 1)
    listed = client.get("/api/runs", headers=bearer(token)).json()
    assert listed["total"] == 3
    assert sorted((run["outing"], run["outings"]) for run in listed["runs"]) == [
        (1, 3),
        (2, 3),
        (3, 3),
    ]


def test_an_outing_sent_alone_and_its_file_share_their_runs(client: TestClient) -> None:
    token = make_runner(client, "ann")
    [alone] = upload(client, token, "run-2.gpx", outing_alone(1))["runs"]
    assert alone["outing"] == alone["outings"] == 1 and not alone["duplicate"]

    runs_of_file = upload(client, token, "three-seasons.gpx", THREE)["runs"]

    assert [run["duplicate"] for run in runs_of_file] == [False, True, False]
    assert runs_of_file[1]["id"] == alone["id"]
    # Outing 2 is stored from the other file: sent again, the file is read and found whole.
    again = upload(client, token, "three-seasons.gpx", THREE)["runs"]
    assert [run["duplicate"] for run in again] == [True, True, True]
    assert [run["id"] for run in again] == [run["id"] for run in runs_of_file]
    assert counts(client) == (3, 2)


def test_each_run_reads_its_own_outing_again_and_a_file_is_read_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = make_runner(client, "ann")
    stored = upload(client, token, "three-seasons.gpx", THREE)["runs"]
    readings: list[str] = []
    real_read = missions._read

    def counting(session: Session, sha256: str, name: str) -> list[Track]:
        readings.append(name)
        return real_read(session, sha256, name)

    monkeypatch.setattr(missions, "_read", counting)
    with client.app.state.readers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == "ann"))
        assert runner is not None
        files: missions.Files = {}
        for run in stored:
            expected = datetime.fromisoformat(run["start_time"]).timestamp()
            sha = session.scalar(select(Run.sha256).where(Run.id == run["id"]))
            assert sha is not None
            facts = RunFacts(None, 0.0, None)
            again = missions.StoredRun(
                session, run["id"], run["file"], sha, facts, run["outing"], files
            )
            assert again.track.time_s is not None and again.track.time_s[0] == expected
            course = courses.course_of(session, runner, run["id"], run["outing"])
            assert course.start_s == expected
        assert readings == ["three-seasons.gpx"]  # three runs, one reading of their file
        beyond = missions.StoredRun(session, 0, "three-seasons.gpx", sha, facts, 4, files)
        with pytest.raises(reading.ReadError, match="has no outing 4"):
            assert beyond.track


def test_the_upload_answer_and_the_pages_show_each_outing(client: TestClient) -> None:
    make_runner(client, "ann")
    token = sign_in(client, "ann")

    answer = client.post(
        "/upload", data={"csrf": token}, files=[("files", ("three-seasons.gpx", THREE))]
    )

    assert answer.status_code == 200, answer.text
    assert "3 runs stored" in answer.text
    for k in (1, 2, 3):
        assert f"outing {k} of 3" in answer.text
    listing = client.get("/runs")
    assert listing.status_code == 200
    assert all(f"outing {k} of 3" in listing.text for k in (1, 2, 3))
    ids = [int(found) for found in _run_links(listing.text)]
    pages = [client.get(f"/runs/{run_id}") for run_id in ids]
    assert all(page.status_code == 200 for page in pages)
    shown = sorted(k for k in (1, 2, 3) for page in pages if f"outing {k} of 3" in page.text)
    assert shown == [1, 2, 3]
    assert all("Map of the track" in page.text for page in pages)


def _run_links(page: str) -> list[str]:
    return sorted(set(re.findall(r'href="/runs/(\d+)"', page)))


def test_a_ride_is_stored_says_why_it_does_not_count_and_has_its_page(
    client: TestClient,
) -> None:
    token = make_runner(client, "ann")
    [ride] = upload(client, token, "ride.tcx", RIDE)["runs"]

    assert ride["sport"] == "cycling" and ride["on_foot"] is False
    assert ride["not_counted"] and "cycling" in ride["not_counted"]
    page = client.get(f"/runs/{ride['id']}", headers=bearer(token))
    assert page.status_code == 200
    assert "cycling — does not count for missions" in page.text
    # Nor does it add to the week's running, nor to the lifetime totals.
    [run] = upload(client, token, "run-1.gpx", outing_alone(0))["runs"]
    with client.app.state.readers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == "ann"))
        assert runner is not None
        starts = [datetime.fromisoformat(item["start_time"]) for item in (ride, run)]
        weeks, months = totals.period_totals(session, runner, starts)
        board = dashboard.dashboard(session, client.app.state.catalog, runner, starts[0])  # type: ignore[attr-defined]
    assert [(week.runs, week.distance_m) for week in weeks] == [(1, run["counted_distance_m"])]
    assert [(month.runs, month.distance_m) for month in months] == [(1, run["counted_distance_m"])]
    assert board.totals.runs == 1 and board.totals.counted_distance_m == run["counted_distance_m"]


def test_a_run_without_gps_has_a_page_without_a_map(client: TestClient) -> None:
    token = make_runner(client, "ann")
    [run] = upload(client, token, "treadmill.tcx", TREADMILL)["runs"]
    assert run["gps"] is False and run["distance_m"] == pytest.approx(5000.0, abs=0.5)

    page = client.get(f"/runs/{run['id']}", headers=bearer(token))

    assert page.status_code == 200
    assert "Recorded without GPS: distance from the device" in page.text
    assert "Map of the track" not in page.text
    detail = client.get(f"/api/runs/{run['id']}", headers=bearer(token)).json()
    assert detail["gps"] is False and detail["outing"] == 1
    listing = client.get("/runs", headers=bearer(token))
    assert listing.status_code == 200 and "without GPS" in listing.text


def test_the_migration_keeps_every_run_as_outing_1(database_url: str) -> None:
    engine = db_engine.connect(database_url)
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    # A run as heroicrun stored it before outings, from the first day's file.
    data = outing_alone(0)
    parser = pool.Parser(1, 60.0)
    try:
        [(described, known)] = parser.describe(data, "run-1.gpx")
        assert known is not None
        summary = described.model_dump(
            mode="json", exclude={"sport", "on_foot", "gps", "outing", "outings"}
        )
        digest = hashlib.sha256(data).hexdigest()
        now = datetime.now(UTC)
        with engine.begin() as connection:
            ann = old_schema.add_runner(connection, "ann", now)
            connection.execute(
                insert(Original).values(
                    sha256=digest, size=len(data), content_gz=gzip.compress(data)
                )
            )
            columns = {
                "runner_id": ann,
                "sha256": digest,
                "file_name": "run-1.gpx",
                "format": "gpx",
                "kind": "run",
                "start_time": described.start_time,
                "distance_m": described.distance_m,
                "counted_distance_m": described.counted_distance_m,
                "elapsed_s": described.elapsed_s,
                "moving_s": described.moving_s,
                "summary_json": json.dumps(summary),
                "measured_with": "0.0.9",
                "uploaded_at": now,
                "activity_key": known.key,
            }
            connection.execute(insert(Run).values(columns))

        migrate.upgrade(engine)

        writers = db_engine.writers(engine)
        with writers() as session:
            [(outing, sport, gps)] = session.execute(select(Run.outing, Run.sport, Run.gps)).all()
            assert (outing, sport, gps) == (1, None, True)
            runner = session.get(Runner, ann)
            assert runner is not None
            [stored] = runs.list_runs(session, runner).runs
            assert (stored.outing, stored.outings, stored.sport, stored.gps) == (1, 1, None, True)
            [again] = runs.record(session, runner, "run-1.gpx", data, parser)
            assert again.duplicate and again.run.id == stored.id
    finally:
        parser.close()
        engine.dispose()


def test_recompute_stores_the_outings_a_file_was_not_yet_read_for(engine: Any) -> None:
    writers = db_engine.writers(engine)
    parser = pool.Parser(1, 60.0)
    try:
        with writers() as session:
            runner = accounts.add_runner(session, "ann", None)
            session.commit()
            stored = runs.record(session, runner, "three-seasons.gpx", THREE, parser)
        first = stored[0].run
        # As a heroicrun that read one outing per file stored it: outing 1, alone.
        with writers() as session:
            session.execute(delete(Run).where(Run.id != first.id))
            only = first.summary.model_copy(update={"outings": 1}).model_dump_json()
            session.execute(update(Run).where(Run.id == first.id).values(summary_json=only))
            session.commit()

        with writers() as session:
            report = recompute.recompute(session, parser)

        assert report.problems == []
        assert report.remeasured == [(first.id, "three-seasons.gpx")]
        assert [(name, outing) for _, name, outing in report.added] == [
            ("three-seasons.gpx", 2),
            ("three-seasons.gpx", 3),
        ]
        with writers() as session:
            rows = session.execute(
                select(Run.outing, Run.start_time, Run.file_name).order_by(Run.outing)
            ).all()
            assert [row.outing for row in rows] == [1, 2, 3]
            same = session.get(Runner, first.runner_id)
            assert same is not None
            again = runs.record(session, same, "three-seasons.gpx", THREE, parser)
        assert [item.duplicate for item in again] == [True, True, True]
        assert [item.run.outing for item in again] == [1, 2, 3]
    finally:
        parser.close()


def test_the_api_documents_the_new_fields(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    for model in ("RunBrief", "RunDetail", "UploadedRun"):
        if model in schema:
            assert {"sport", "gps", "outing", "outings"} <= set(schema[model]["properties"])


@needs_real
@pytest.mark.parametrize("path", real_files(".gpx", ".tcx", ".fit"), ids=lambda path: path.name)
def test_every_real_file_stores_its_outings_each_with_a_page(
    client: TestClient, path: Path
) -> None:
    token = make_runner(client, "ann")
    answer = client.post(
        "/api/runs", headers=bearer(token), files=[("files", (path.name, path.read_bytes()))]
    )
    if answer.status_code == 422:  # a file that is no run (cut off, no points): said by name
        assert path.name in answer.json()["detail"]
        return
    assert answer.status_code == 201, answer.text
    stored = answer.json()["runs"]
    checked = as_check_json(path)
    assert [(run["outing"], run["outings"]) for run in stored] == [
        (run["outing"], run["outings"]) for run in checked
    ]
    for run, expected in zip(stored, checked, strict=True):
        assert (run["sport"], run["gps"], run["distance_m"]) == (
            expected["sport"],
            expected["gps"],
            expected["distance_m"],
        )
        if run["on_foot"] is False:
            assert run["not_counted"] and run["sport"] in run["not_counted"]
        page = client.get(f"/runs/{run['id']}", headers=bearer(token))
        assert page.status_code == 200, path.name
    listing = client.get("/runs", headers=bearer(token))
    assert listing.status_code == 200
    again = upload(client, token, path.name, path.read_bytes())["runs"]
    assert [run["duplicate"] for run in again] == [True] * len(stored)


def as_check_json(path: Path) -> list[dict[str, Any]]:
    """What `heroicrun check --json` says of the file, outing by outing."""
    result = CliRunner().invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    return found if isinstance(found, list) else [found]


def test_a_file_of_too_many_outings_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "MAX_OUTINGS", 2)

    outcome = pool.read_and_describe(THREE, "three-seasons.gpx")

    assert outcome == (
        "error",
        (
            "three-seasons.gpx",
            "holds 3 outings, and heroicrun takes at most 2 from one file: "
            "send them in smaller files",
            None,
        ),
    )
    assert pool.read_and_describe(outing_alone(0), "run-1.gpx")[0] == "ok"


def test_chapters_go_to_the_outing_that_earned_them_or_past_a_limit_to_the_last(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    writers = db_engine.writers(engine)
    catalog = bundled.bundled()
    five = outing_files.gpx_outings(5, km=5.0, duration_s=1800.0)
    parser = pool.Parser(1, 60.0)
    told: dict[str, list[list[str]]] = {}
    try:
        for name, limit in (("ann", runs.TOLD_APART_OUTINGS), ("bob", 2)):
            monkeypatch.setattr(runs, "TOLD_APART_OUTINGS", limit)
            with writers() as session:
                runner = accounts.add_runner(session, name, None)
                for mission in (found for found in catalog.missions if not found.team):
                    missions.enrol(session, catalog, runner, mission.id, START - DAY)
                session.commit()
                recorded = runs.record(session, runner, "five.gpx", five, parser, catalog)
            told[name] = [[item["message"] for item in run.unlocked] for run in recorded]
    finally:
        parser.close()

    each, last = told["ann"], told["bob"]
    assert sum(map(len, each)) > 0 and sum(1 for found in each if found) > 1
    # The same chapters either way: told apart outing by outing, or all with the fifth.
    assert last[:4] == [[], [], [], []]
    assert sorted(last[4]) == sorted(message for found in each for message in found)
