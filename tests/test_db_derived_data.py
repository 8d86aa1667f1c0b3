"""Migration 0007 on a database at 0006 with a stored run: its best efforts are copied from its
summary, so records are whole at once; the new tables go with a downgrade, the runs stay."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, inspect, select

from heroicrun import measuring, summary
from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.db.schema import Original, Run, RunEffort
from tests.factory import TrackBuilder
from tests.helpers import old_schema
from tests.helpers.files import gpx_text

START = datetime(2025, 3, 2, 7, 0, tzinfo=UTC)
DERIVED = {"run_profiles", "run_efforts", "progress_snapshots"}


def alembic(engine: object, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    with engine.begin() as connection:  # type: ignore[attr-defined]
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_0007_copies_the_stored_runs_best_efforts(database_url: str) -> None:
    # 5.2 km in 26 minutes, evenly: its best 1 km and 5 km take 300 and 1,500 s.
    track = TrackBuilder(start_time_s=START.timestamp()).run(5200, 1560, step_s=5.0).build()
    described = summary.describe(track, measuring.measure(track))
    expected = {e.distance_m: e.elapsed_s for e in described.best_efforts if e.elapsed_s}
    assert {1000.0, 5000.0} <= set(expected)
    data = gpx_text(track)
    digest = hashlib.sha256(data).hexdigest()
    engine = db_engine.connect(database_url)
    try:
        alembic(engine, "upgrade", "0006")
        assert DERIVED.isdisjoint(inspect(engine).get_table_names())
        with engine.begin() as connection:
            ann = old_schema.add_runner(connection, "ann", START)
            connection.execute(
                insert(Original).values(
                    sha256=digest, size=len(data), content_gz=gzip.compress(data)
                )
            )
            run_id = connection.execute(
                insert(Run)
                .values(
                    runner_id=ann,
                    sha256=digest,
                    file_name="tempo.gpx",
                    format="gpx",
                    kind="run",
                    start_time=described.start_time,
                    distance_m=described.distance_m,
                    counted_distance_m=described.counted_distance_m,
                    elapsed_s=described.elapsed_s,
                    moving_s=described.moving_s,
                    summary_json=described.model_dump_json(),
                    measured_with="0.0.9",
                    uploaded_at=START,
                    outing=1,
                    gps=True,
                )
                .returning(Run.id)
            ).scalar_one()
        alembic(engine, "upgrade", "0007")
        with engine.connect() as connection:
            copied = connection.execute(
                select(RunEffort.distance_m, RunEffort.elapsed_s).where(RunEffort.run_id == run_id)
            ).all()
        assert dict(copied) == expected
        assert round(dict(copied)[1000.0]) == 300 and round(dict(copied)[5000.0]) == 1500
        alembic(engine, "downgrade", "0006")
        assert DERIVED.isdisjoint(inspect(engine).get_table_names())
        alembic(engine, "upgrade", "head")
        assert set(inspect(engine).get_table_names()) >= DERIVED
    finally:
        engine.dispose()
