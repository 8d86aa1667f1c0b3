"""Runs summed into one carry, so that a mission is judged from a point on without reading every
run before it again: a team of two hundred with twenty thousand runs is judged from its last
chapter, not from its first run (heroicrun.play.team_judging keeps one carry a team).

`progress.evaluate(..., carried=...)` counts a carry as one run before all the runs given. Its
counted km and running time join the sums (the route's km, a deadline's hours of running), its
recent runs the weekly distance, and the result is the one judging every run gives, to the last
bit: the sums are added up in the same order.

A carry keeps no run's own detail. A goal that would need it raises `Uncarried`, and the caller
judges with every run instead:
- a step-by-step plan (`runs`, `streak`), which counts days;
- a route mark first reached within the carried runs, whose deadline is checked at the end of
  the run that reached it;
- a one-run goal, best-of or relay judged from enrolment (no chapter run among the runs given).
A caller keeps the rest true: the runs carried come before the run that unlocked the latest
chapter, unless every chapter is unlocked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from heroicrun.missions.runs import CountedRun, RunFacts

# The weekly distance is the counted km of the 28 days before the clock, divided by 4.
WEEKLY_WINDOW = timedelta(days=28)


@dataclass(frozen=True)
class Carried:
    """Counted runs summed: how many, their km and running time (pauses included), in the order
    run; and the timed runs recent enough for any weekly window from `window_from` on."""

    runs: int
    km: float
    elapsed_s: float
    last_end: datetime | None  # when the last timed run carried ended
    window_from: datetime  # every timed run carried that started since is in `recent`
    recent: tuple[tuple[datetime, float], ...]  # (start, counted km) in start order


class Uncarried(Exception):
    """A goal needs the detail of runs a carry only sums: judge with every run."""


def carry(
    carried: Carried | None,
    runs: Iterable[CountedRun],
    enrolled_at: datetime,
    window_from: datetime,
) -> Carried:
    """`carried`, then `runs` (the next runs, timed, in start order): counted ones summed, and the
    recent ones kept for weekly windows from `window_from` on (never earlier than the carry's
    own: what it let go is gone)."""
    count = 0 if carried is None else carried.runs
    km = 0.0 if carried is None else carried.km
    elapsed_s = 0.0 if carried is None else carried.elapsed_s
    last_end = None if carried is None else carried.last_end
    since = window_from if carried is None else max(window_from, carried.window_from)
    recent = [] if carried is None else [kept for kept in carried.recent if kept[0] >= since]
    for run in runs:
        start = run.start
        if start is None:
            continue
        end = start + timedelta(seconds=run.elapsed_s or 0.0)
        last_end = end if last_end is None else max(last_end, end)
        if start >= since:
            recent.append((start, run.counted_km))
        if run.counts_for(enrolled_at):
            count += 1
            km += run.counted_km
            elapsed_s += run.elapsed_s or 0.0
    return Carried(count, km, elapsed_s, last_end, since, tuple(recent))


class CarriedRuns(CountedRun):
    """A carry as the one run before the others: its km and running time, and no start, track
    or measures (judging that would read them raises Uncarried first)."""

    def __init__(self, carried: Carried) -> None:
        super().__init__("the runs carried", _uncarried, _uncarried, RunFacts(None, carried.km, 0))
        self.__dict__["counted_km"] = carried.km
        self.__dict__["elapsed_s"] = carried.elapsed_s


def _uncarried() -> NoReturn:
    raise Uncarried("the runs carried have no points")


def weekly_km(
    carried: Carried | None, recent: list[tuple[datetime, float]], clock: datetime
) -> float:
    """Counted km a week over the window ending at `clock`: the carry's recent runs, then
    `recent` (the others', start and km, in start order)."""
    since = clock - WEEKLY_WINDOW
    kept: list[float] = []
    if carried is not None:
        if since < carried.window_from:
            raise Uncarried("the weekly window reaches before the carry's recent runs")
        kept = [km for start, km in carried.recent if since <= start <= clock]
    return sum(kept + [km for start, km in recent if since <= start <= clock]) / 4
