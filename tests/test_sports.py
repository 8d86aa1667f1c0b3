"""Declared sports: one name for each, and which count as on foot."""

from __future__ import annotations

import pytest

from heroicrun import sports


@pytest.mark.parametrize(
    ("declared", "name", "on_foot"),
    [
        ("Running", "running", True),  # TCX
        ("trail_running", "running", True),  # Garmin Connect GPX
        ("9", "running", True),  # Strava GPX
        ("Laufen", "running", True),  # a German app's category
        ("Hike", "hiking", True),
        ("walking", "walking", True),
        ("Biking", "cycling", False),  # TCX
        ("road_biking", "cycling", False),
        ("1", "cycling", False),  # Strava GPX
        ("mountain biking", "cycling", False),  # OpenTracks
        ("open_water", "swimming", False),
        ("transition", "transition", False),
        ("Morning   Session", "morning session", None),  # free text: judged by speed
    ],
)
def test_declared_names(declared: str, name: str, on_foot: bool | None) -> None:
    assert sports.normalize(declared) == name
    assert sports.on_foot(sports.normalize(declared)) is on_foot


@pytest.mark.parametrize("declared", [None, "", "Other", "generic", "...", " training "])
def test_names_that_say_nothing(declared: str | None) -> None:
    assert sports.normalize(declared) is None
    assert sports.on_foot(None) is None


def test_unknown_names_are_kept_short() -> None:
    assert sports.normalize("x" * 100) == "x" * 32
