"""Runs stored as the play layer stores them, and the two missions the play, page and API tests
share: a road of three places (Athens, Megara, Corinth) and a trial of two runs in a week."""

from __future__ import annotations

import gzip
import hashlib
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from heroicrun import __version__, measuring, reading, summary
from heroicrun.db.schema import Original, Run, Runner
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import DistanceGoal, Mission
from heroicrun.track import Track
from tests.factory import START, TrackBuilder

ENROLLED = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
NOW = ENROLLED + timedelta(days=10)


def story_mission(mission_id: str, *goals: dict[str, Any], **extra: Any) -> Mission:
    """A mission whose beats have these goals; a route due north of START when given one."""
    return Mission.model_validate(
        {
            "id": mission_id,
            "title": mission_id.replace("-", " ").title(),
            "inspired_by": "A test",
            "summary": "A mission for tests. It has a second sentence.",
            "level": "steady",
            "beats": [
                {
                    "id": goal.pop("id", f"beat-{n}"),
                    "title": goal.pop("title", f"Beat {n}"),
                    "text": f"The story of beat {n}.",
                    "goal": goal,
                }
                for n, goal in enumerate(goals, start=1)
            ],
            "sources": [{"fact": "None", "source": "This test"}],
            **extra,
        }
    )


ROAD = story_mission(
    "test-road",
    {"kind": "route_km", "km": 0, "id": "set-out", "title": "Setting Out"},
    {"kind": "distance", "km": 3, "id": "first-steps", "title": "First Steps"},
    {"kind": "route_km", "km": 5, "id": "megara", "title": "The Dust of the Sacred Way"},
    {"kind": "route_km", "km": 10, "id": "corinth", "title": "The Neck of Land"},
    route={
        "waypoints": [
            {"name": "Athens", "lat": START[0], "lon": START[1], "km": 0},
            {"name": "Megara", "lat": START[0] + 0.045, "lon": START[1], "km": 5},
            {"name": "Corinth", "lat": START[0] + 0.09, "lon": START[1], "km": 10},
        ]
    },
)
TRIAL = story_mission(
    "test-trial",
    {"kind": "runs", "count": 2, "km": 1, "within_days": 7, "title": "Two Runs"},
    {"kind": "distance", "km": 5, "title": "Five"},
    failure={"title": "Too late", "text": "The train has gone."},
)


def distance_goal(mission: Mission) -> DistanceGoal:
    """The one-run goal of the road's second beat."""
    goal = mission.beats[1].goal
    assert isinstance(goal, DistanceGoal)
    return goal


def catalog_of(*found: Mission) -> Catalog:
    return Catalog(tuple(sorted(found, key=lambda m: m.id)), (), Path("."))


CATALOG = catalog_of(ROAD, TRIAL)


def gpx_of(track: Track) -> bytes:
    """A GPX file of a timed track's points (with elevations where the track has them)."""
    assert track.time_s is not None
    points = "".join(
        f'<trkpt lat="{lat:.8f}" lon="{lon:.8f}">'
        + ("" if math.isnan(ele) else f"<ele>{ele:.2f}</ele>")
        + f"<time>{datetime.fromtimestamp(t, UTC).isoformat(timespec='milliseconds')}</time>"
        + "</trkpt>"
        for lat, lon, ele, t in zip(
            track.lat_deg, track.lon_deg, track.elevation_m, track.time_s, strict=True
        )
    )
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="tests"'
        ' xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def a_track(km: float, start: datetime, pace_s_per_km: float = 360.0) -> Track:
    """km due north at an even pace, a point every ~10 s."""
    duration_s = km * pace_s_per_km
    builder = TrackBuilder(start_time_s=start.timestamp())
    return builder.run(km * 1000, duration_s, step_s=max(duration_s / 300, 1.0)).build()


def store_run(
    session: Session, runner: Runner, data: bytes, name: str, uploaded_at: datetime | None = None
) -> Run:
    """Store a run as the runs helper does: the original gzipped by content, a measured row."""
    sha256 = hashlib.sha256(data).hexdigest()
    if session.get(Original, sha256) is None:
        session.add(Original(sha256=sha256, size=len(data), content_gz=gzip.compress(data)))
    track = reading.read_bytes(data, name)
    measures = measuring.measure(track)
    run = Run(
        runner_id=runner.id,
        sha256=sha256,
        file_name=name,
        format=track.format,
        kind=measures.kind,
        start_time=measures.start_time,
        distance_m=measures.distance_m,
        counted_distance_m=measures.counted_distance_m,
        elapsed_s=measures.elapsed_s,
        moving_s=measures.moving_s,
        summary_json=summary.describe(track, measures).model_dump_json(),
        measured_with=__version__,
        # Handed in as soon as it was run, unless a test says otherwise.
        uploaded_at=uploaded_at or measures.start_time or datetime.now(UTC),
    )
    session.add(run)
    session.flush()
    return run


def add_run(session: Session, runner: Runner, km: float, days: float, **options: Any) -> Run:
    """A run of `km` starting `days` after ENROLLED."""
    start = ENROLLED + timedelta(days=days)
    name = options.pop("name", f"{km:g}km-day{days:g}.gpx")
    uploaded_at = options.pop("uploaded_at", None)
    return store_run(session, runner, gpx_of(a_track(km, start, **options)), name, uploaded_at)
