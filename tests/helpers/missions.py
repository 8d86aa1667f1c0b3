"""Missions written for a test: beats with the goals under test, on a route due north of START."""

from __future__ import annotations

from typing import Any

from geopy.distance import geodesic

from heroicrun.missions.model import Mission
from tests.factory import START


def a_mission(*goals: dict[str, Any], route_km: list[float] | None = None, **extra: Any) -> Mission:
    """A mission whose beats have these goals, on a route due north of START marked route_km."""
    document: dict[str, Any] = {
        "id": "test",
        "title": "Test",
        "inspired_by": "A test",
        "summary": "A mission for tests.",
        "level": "steady",
        "beats": [
            {"id": f"beat-{n}", "title": f"Beat {n}", "text": "Onwards.", "goal": goal}
            for n, goal in enumerate(goals, start=1)
        ],
        "sources": [{"fact": "None", "source": "This test"}],
        **extra,
    }
    if route_km is not None:
        document["route"] = {
            "waypoints": [
                {"name": name, "lat": lat, "lon": lon, "km": km}
                for name, (lat, lon), km in zip(
                    "ABCDEFG", map(north_of_start, route_km), route_km, strict=False
                )
            ]
        }
    return Mission.model_validate(document)


def north_of_start(km: float) -> tuple[float, float]:
    """The point km kilometres due north of START."""
    point = geodesic(kilometers=km).destination(START, 0.0)
    return point.latitude, point.longitude
