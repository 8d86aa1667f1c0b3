"""Place goals measure exactly only the points that can matter, and answer as if all were."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter

from heroicrun import geodesy, measuring
from heroicrun.missions import goals
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.model import SingleRunGoal
from heroicrun.missions.runs import CountedRun
from tests.factory import TrackBuilder

GOALS: TypeAdapter[SingleRunGoal] = TypeAdapter(SingleRunGoal)


def wandering_runs() -> list[CountedRun]:
    """Runs that turn and come back, one with a car ride in the middle."""
    rng = np.random.default_rng(11)
    runs = []
    for ride in (False, True):
        builder = TrackBuilder()
        for leg in range(6):
            bearing = float(rng.uniform(0, 360))
            if ride and leg == 3:
                builder.run(8000, 600, bearing_deg=bearing)  # 48 km/h
            builder.run(float(rng.uniform(500, 3000)), 900, bearing_deg=bearing)
        track = builder.build()
        runs.append(CountedRun("run.gpx", track, measuring.measure(track)))
    return runs


def place_goals(run: CountedRun) -> list[dict[str, Any]]:
    """Places on the run, beside it, and far away; out and backs of every reach."""
    course = run.course
    found: list[dict[str, Any]] = []
    for index in (0, len(course) // 3, len(course) // 2, len(course) - 1):
        for off_deg in (0.0, 0.001, 0.01, 0.5):
            lat, lon = course.lat_deg[index] + off_deg, course.lon_deg[index] - off_deg / 2
            for back in (False, True):
                found.append(
                    {"kind": "reach_place", "place": "X", "lat": lat, "lon": lon}
                    | {"radius_m": 150.0, "return_to_start": back}
                )
    found += [{"kind": "out_and_back", "km": km, "radius_m": 5000} for km in (0.5, 2, 5, 50)]
    return found


def checked(run: CountedRun, goal: dict[str, Any]) -> GoalCheck:
    return goals.check(GOALS.validate_python(goal), run)


def test_bounds_change_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = wandering_runs()
    quick = [[checked(run, goal) for goal in place_goals(run)] for run in runs]

    def no_bounds(lat: float, lon: float, lats: Any, lons: Any) -> tuple[Any, Any]:
        # Bounds that tell nothing: every point is measured exactly.
        return np.zeros(len(lats)), np.full(len(lats), np.inf)

    monkeypatch.setattr(geodesy, "distance_bounds_m", no_bounds)
    exact = [[checked(run, goal) for goal in place_goals(run)] for run in runs]
    assert quick == exact
    assert any(result.met for results in exact for result in results)
    assert any(not result.met for results in exact for result in results)
