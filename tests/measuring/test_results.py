"""How distances and durations read in a flag."""

from __future__ import annotations

import pytest

from heroicrun.measuring import results


@pytest.mark.parametrize(
    ("metres", "words"),
    [(0.4, "0 m"), (480.0, "480 m"), (999.4, "999 m"), (999.6, "1.0 km"), (5240.0, "5.2 km")],
)
def test_distance_words(metres: float, words: str) -> None:
    assert results.distance_words(metres) == words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(45.0, "45 s"), (59.6, "1 min 00 s"), (333.0, "5 min 33 s"), (3725.0, "1 h 02 min")],
)
def test_duration_words(seconds: float, words: str) -> None:
    assert results.duration_words(seconds) == words
