"""Migration 0005 on a database at 0004 with runs, an enrolment and verdicts: the runs gain their
counted moving time from their summaries and no mark, the ledger starts empty, the chapters
earned before are derived as before and written down, with their old credit, at the next upload."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, select

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.db.schema import Enrolment, Original, Run, Runner, Unlock, Verdict
from heroicrun.missions.loading import Catalog
from heroicrun.play import missions, pool, runs
from tests.factory import TrackBuilder
from tests.helpers import old_schema
from tests.helpers.files import gpx_text
from tests.helpers.missions import a_mission

ENROLLED = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
ROAD = a_mission({"kind": "distance", "km": 3}, {"kind": "route_km", "km": 10}, route_km=[0, 5, 10])
CATALOG = Catalog((ROAD,), (), Path("."))


def run_file(km: float, days: float) -> bytes:
    start = ENROLLED + timedelta(days=days)
    builder = TrackBuilder(start_time_s=start.timestamp())
    return gpx_text(builder.run(km * 1000, km * 360, step_s=10.0).build())


def alembic(engine: object, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    with engine.begin() as connection:  # type: ignore[attr-defined]
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_a_database_at_0004_upgrades_and_its_chapters_are_written_down_later(
    database_url: str,
) -> None:
    engine = db_engine.connect(database_url)
    alembic(engine, "upgrade", "0004")
    parser = pool.Parser(1, 60.0)
    try:
        data = run_file(4.0, days=1)
        [(described, known)] = parser.describe(data, "first.gpx")
        assert known is not None and described.counted_moving_s is not None
        digest = hashlib.sha256(data).hexdigest()
        now = datetime.now(UTC)
        with engine.begin() as connection:
            ann = old_schema.add_runner(connection, "ann", now)
            connection.execute(
                insert(Original).values(
                    sha256=digest, size=len(data), content_gz=gzip.compress(data)
                )
            )
            first = connection.execute(
                insert(Run)
                .values(
                    runner_id=ann,
                    sha256=digest,
                    file_name="first.gpx",
                    format="gpx",
                    kind="run",
                    start_time=described.start_time,
                    distance_m=described.distance_m,
                    counted_distance_m=described.counted_distance_m,
                    elapsed_s=described.elapsed_s,
                    moving_s=described.moving_s,
                    summary_json=described.model_dump_json(),
                    measured_with="0.0.9",
                    uploaded_at=now,
                    activity_key=known.key,
                    outing=1,
                    sport=None,
                    gps=True,
                )
                .returning(Run.id)
            ).scalar_one()
            connection.execute(
                insert(Enrolment).values(
                    runner_id=ann, mission_id="test", enrolled_at=ENROLLED, active=True
                )
            )
            connection.execute(
                insert(Verdict).values(
                    run_id=first, goal_key="k" * 64, met=True, detail="4.0 of 3.0 km", closeness=1
                )
            )

        migrate.upgrade(engine)

        writers = db_engine.writers(engine)
        with writers() as session:
            [(moving_s, marked)] = session.execute(
                select(Run.counted_moving_s, Run.marked_sport)
            ).all()
            assert moving_s == described.counted_moving_s and marked is None
            assert session.scalars(select(Unlock)).all() == []
            runner = session.get(Runner, ann)
            assert runner is not None
            _, earned = missions.progress(session, CATALOG, runner, "test", ENROLLED)
            assert earned.unlocked == ("beat-1",)  # derived from the runs, as before
            assert earned.beats[0].unlocked_by == "first.gpx"

            [second] = runs.record(
                session, runner, "second.gpx", run_file(7.0, days=2), parser, CATALOG
            )
            # The chapter earned before is written down with its old credit; the new run is
            # credited with what it earned itself.
            assert [item["beat"] for item in second.unlocked] == ["beat-2"]
            rows = session.execute(select(Unlock.beat, Unlock.run_id)).all()
            written = {beat: run_id for beat, run_id in rows}
            assert written == {"beat-1": first, "beat-2": second.run.id}

        alembic(engine, "downgrade", "0004")
        alembic(engine, "upgrade", "head")
        with writers() as session:
            assert len(session.scalars(select(Run)).all()) == 2
            assert session.scalars(select(Unlock)).all() == []
    finally:
        parser.close()
        engine.dispose()
