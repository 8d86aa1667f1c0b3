"""How a goal fares against runs: met or not, and how close, in words a runner reads."""

from __future__ import annotations

from heroicrun.values import frozen


@frozen
class GoalCheck:
    """One goal against a run (or the runs so far): "4.1 of 5.0 km", "pace 5:42 /km, needed 5:30".

    `closeness` runs from 0 to 1 (1 when met) so the best of several attempts can be chosen.
    """

    met: bool
    detail: str
    closeness: float
