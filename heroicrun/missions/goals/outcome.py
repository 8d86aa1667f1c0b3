"""Turning a goal's numbers into a GoalCheck: met or not, and a closeness from 0 to 1."""

from __future__ import annotations

import math

from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.goals import words

# A goal missed by a whisker is close, but never as close as one that was met.
NEARLY = 0.999


def verdict(met: bool, detail: str, *shares: float) -> GoalCheck:
    """Return the check; closeness is the smallest share of the way to each target (1 when met)."""
    if met:
        return GoalCheck(True, detail, 1.0)
    share = min((s for s in shares if not math.isnan(s)), default=0.0)
    return GoalCheck(False, detail, min(max(share, 0.0), NEARLY))


def share(done: float, needed: float) -> float:
    """Return how much of needed is done, 0..1 (for targets where more is better)."""
    if needed <= 0:
        return 1.0
    return min(max(done / needed, 0.0), 1.0)


def untimed() -> GoalCheck:
    """Return the check of a time goal against a route: never met."""
    return GoalCheck(False, words.NO_TIMES, 0.0)


def without_gps(missed: str) -> GoalCheck:
    """Return the check of a place goal against a run without positions: never met."""
    return GoalCheck(False, f"recorded without GPS: {missed}", 0.0)
