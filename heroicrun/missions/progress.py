"""How far a runner has come in a mission: beats unlocked, where on the route, and when they'll
arrive. Progress is derived from the runs each time, never stored, so an edited story needs no
migration.

The rules:

- **What counts.** Runs recorded no earlier than a day before enrolment (runs.GRACE: enrol, then
  upload this morning's run; a back catalogue never plays the story), on foot (runs.RunFacts:
  the runner's mark, else the file's sport, else its speeds), in start-time order (ties keep the
  order given). Routes (no times) never count. Each run object counts once; the caller drops
  other recordings of one activity. Distances are counted km: vehicle stretches are left out. A
  run without GPS counts its distance, but reaches no place.
- **Beats in order.** Beat i is considered only once beat i−1 has unlocked. A single-run goal may
  be met by the run that unlocked beat i−1 or any later run, so one long run can unlock several
  beats (two waypoints). A journey goal accumulates from enrolment (heroicrun.missions.journeys:
  `route_km` sums counted km; `runs` and `streak`, step-by-step plans, count one run a day) and
  unlocks with the first run, no earlier than the one that unlocked beat i−1, at which it
  holds. A beat at km 0 of the route unlocks on enrolment (or with beat i−1), no run needed.
- **The ledger.** Unlocks already granted (`ledger`, by beat) stand with their credit, whatever
  the runs given say now: a run handed in later never takes a chapter from the run that earned
  it. The next beat is judged from the run that unlocked the ledger's last. A store appends what
  `evaluate` unlocks anew, and removes a run's entries when the run is deleted or re-marked.
- **Deadlines.** `within_days` counts from enrolment; `within_running_hours` counts the elapsed
  time (pauses included) of counted runs since enrolment. A run is judged whole, at its end: the
  run at which a journey goal first holds must end by the deadline in days, and the running time
  up to and including it must fit the hours. A goal that first holds after its deadline is not
  met. Once the deadline has passed (by the clock, or by the running time of the runs themselves)
  and the goal is unmet, the beat is "failed", later beats stay locked and the mission is lost.
- **Best of N.** The attempts are fresh runs: the first N runs *after* the run that unlocked the
  previous beat (for a first beat, the first N runs since enrolment). A run that already counted
  for the last beat was not run as an attempt. Met when any attempt meets the goal; after N
  misses the beat is "failed" and the mission is lost.
- **Relays** (team missions): the runs are the team's, each with its member. A relay beat
  unlocks with the first run after the one that unlocked the previous beat (from enrolment for
  a first beat) at which every current member (`members`) has run its `km` since then; a
  former member's runs still count for the team's km, but no leg is asked of them.
- **The clock** is `now`, or when `now` is None, the end of the last run given (enrolment if
  there is none), so the same runs always give the same answer.
- **Weekly distance** is the runner's, not the mission's: counted km of every run given (those
  before enrolment too) that started in the 28 days before the clock, divided by 4. The ETA
  assumes the runner keeps it up for the rest of the route.
- **A carry** (heroicrun.missions.carried) stands for runs before those given, summed: judged
  from it, the answer is the one every run gives, or `Uncarried` is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from heroicrun.missions import carried as carries
from heroicrun.missions import goals, journeys, routes
from heroicrun.missions.carried import Carried, CarriedRuns, Uncarried
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.goals import relay
from heroicrun.missions.journeys import Outcome, ended, later, started
from heroicrun.missions.model import (
    BestOfGoal,
    Ending,
    Goal,
    Mission,
    RelayGoal,
    Route,
    RouteKmGoal,
    RunsGoal,
    SingleRunGoal,
    StreakGoal,
)
from heroicrun.missions.runs import CountedRun
from heroicrun.values import frozen

BeatStatus = Literal["unlocked", "next", "locked", "failed"]
MissionStatus = Literal["in_progress", "completed", "failed"]

Checker = Callable[[SingleRunGoal, CountedRun], GoalCheck]


@frozen
class BeatProgress:
    """One beat as it stands: its status, and how close in words ("km 131.0 of 160.0")."""

    beat: str  # the beat's id
    title: str
    status: BeatStatus
    met: bool
    detail: str  # empty for a locked beat
    unlocked_by: str | None  # the name of the run that unlocked it
    unlocked_at: datetime | None  # when that run ended (UTC); enrolment for a beat at km 0
    run: int | None = None  # the `ref` of the run that unlocked it


@frozen
class Unlocked:
    """An unlock already granted, as a ledger keeps it: the beat, and its credit."""

    beat: str
    run: int | None  # the `ref` of the run credited; None for a beat at km 0
    by: str | None  # that run's name
    at: datetime  # when the run ended (UTC), or enrolment
    detail: str


@frozen
class RoutePosition:
    """Where the runner is on a journey's route: km by its marks, degrees on the map."""

    km: float
    lat: float
    lon: float
    last_place: str  # the last waypoint reached
    next_place: str | None  # None at the end of the route
    to_next_km: float
    share: float  # 0 at the start, 1 at the end


@frozen
class MissionProgress:
    """A mission as it stands for one runner; km are counted km, times UTC."""

    mission: str  # the mission's id
    status: MissionStatus
    beats: tuple[BeatProgress, ...]
    unlocked: tuple[str, ...]  # ids of the unlocked beats, in order
    progress_km: float | None  # journeys: counted km since enrolment, at most the route's length
    position: RoutePosition | None
    weekly_km: float | None  # the runner's km per week over the last 28 days
    eta: datetime | None  # when the route's end is reached at that weekly distance
    failure: Ending | None  # the failure ending, when the mission is lost


def evaluate(
    mission: Mission,
    runs: Sequence[CountedRun],
    enrolled_at: datetime,
    now: datetime | None = None,
    base: Path | None = None,
    check: Checker = goals.check,
    ledger: Mapping[str, Unlocked] | None = None,
    members: Collection[int] | None = None,
    carried: Carried | None = None,
) -> MissionProgress:
    """The runner's progress in `mission` from their runs; `base` is the mission file's folder.

    `check` judges one run against a one-run goal; a store passes one that remembers verdicts.
    `ledger` holds the unlocks already granted, by beat id: they stand with their credit.
    `members`: for a team, its current members (the runs' `member`), each owing a relay's leg.
    `carried`: the runs before those given, summed; raises Uncarried when that cannot answer.
    """
    timed = sorted((run for run in runs if run.start is not None), key=started)
    # A ride, a back catalogue: no km, no attempt, no day of a streak.
    counted = [run for run in timed if run.counts_for(enrolled_at)]
    ends = [ended(run) for run in timed] if now is None else []
    if carried is not None:
        counted.insert(0, CarriedRuns(carried))
        ends += [] if carried.last_end is None else [carried.last_end]
    clock = now if now is not None else max([enrolled_at, *ends])
    granted = ledger or {}
    places = {run.ref: index for index, run in enumerate(counted) if run.ref is not None}

    beats: list[BeatProgress] = []
    status: MissionStatus = "completed"
    after: int | None = None  # the run that unlocked the previous beat
    for beat in mission.beats:
        entry = granted.get(beat.id)
        if entry is not None:
            beats.append(
                BeatProgress(
                    beat.id,
                    beat.title,
                    "unlocked",
                    True,
                    entry.detail,
                    entry.by,
                    entry.at,
                    entry.run,
                )
            )
            at = None if entry.run is None else places.get(entry.run)
            after = after if at is None else max(at, after or 0)
            continue
        if status != "completed":
            beats.append(BeatProgress(beat.id, beat.title, "locked", False, "", None, None))
            continue
        if carried is not None:
            _answerable(beat.goal, counted, after)
        outcome = _judge(
            beat.goal, counted, after, enrolled_at, clock, mission.route, check, members
        )
        run = None if outcome.by is None else counted[outcome.by]
        met = outcome.status == "unlocked"
        beats.append(
            BeatProgress(
                beat=beat.id,
                title=beat.title,
                status=outcome.status,
                met=met,
                detail=outcome.detail,
                unlocked_by=None if run is None else run.name,
                unlocked_at=ended(run) if run is not None else (enrolled_at if met else None),
                run=None if run is None else run.ref,
            )
        )
        if met:
            after = outcome.by
        else:
            status = "failed" if outcome.status == "failed" else "in_progress"

    weekly_km = None
    if now is not None or timed or carried is not None:
        starts = [(started(run), run.counted_km) for run in timed]
        weekly_km = carries.weekly_km(carried, starts, clock)

    progress_km = position = eta = None
    if mission.route is not None:
        progress_km = min(sum(run.counted_km for run in counted), mission.route.length_km)
        position = _position(routes.build(mission.route, base), progress_km)
        left_km = mission.route.length_km - progress_km
        if status == "in_progress" and left_km > 0 and weekly_km:
            eta = later(clock, days=7 * left_km / weekly_km)

    return MissionProgress(
        mission=mission.id,
        status=status,
        beats=tuple(beats),
        unlocked=tuple(beat.beat for beat in beats if beat.met),
        progress_km=progress_km,
        position=position,
        weekly_km=weekly_km,
        eta=eta,
        failure=mission.failure if status == "failed" else None,
    )


def newly_unlocked(found: MissionProgress, ledger: Mapping[str, Unlocked]) -> list[Unlocked]:
    """The unlocks in `found` that the ledger does not hold yet, in beat order, with their credit:
    what a store appends."""
    return [
        Unlocked(beat.beat, beat.run, beat.unlocked_by, beat.unlocked_at, beat.detail)
        for beat in found.beats
        if beat.met and beat.beat not in ledger and beat.unlocked_at is not None
    ]


def _answerable(goal: Goal, runs: list[CountedRun], after: int | None) -> None:
    """Raise Uncarried when judging `goal` would need the detail of the carried runs (runs[0])."""
    if isinstance(goal, RunsGoal | StreakGoal):
        raise Uncarried("a plan counts days with a run")
    if isinstance(goal, RouteKmGoal):
        if 0 < goal.km <= runs[0].counted_km:
            raise Uncarried("the mark was reached within the runs carried")
    elif after is None:
        raise Uncarried("the goal is judged from enrolment")


def _judge(
    goal: Goal,
    runs: list[CountedRun],
    after: int | None,
    enrolled_at: datetime,
    clock: datetime,
    route: Route | None,
    check: Checker,
    members: Collection[int] | None = None,
) -> Outcome:
    """The next beat's goal against the runs from `after` (the previous beat's run) on."""
    if isinstance(goal, RelayGoal):
        return relay.judge(goal, runs, after, members)
    if isinstance(goal, BestOfGoal):
        return _best_of(goal, runs, 0 if after is None else after + 1, check)
    if isinstance(goal, RouteKmGoal | RunsGoal | StreakGoal):
        return journeys.judge(goal, runs, after, enrolled_at, clock, route)
    first = after or 0
    checks = [check(goal, run) for run in runs[first:]]
    met = next((index for index, check in enumerate(checks) if check.met), None)
    if met is not None:
        return Outcome("unlocked", checks[met].detail, first + met)
    if not checks:
        return Outcome("next", "no run yet")
    return Outcome("next", max(checks, key=lambda verdict: verdict.closeness).detail)


def _best_of(goal: BestOfGoal, runs: list[CountedRun], first: int, check: Checker) -> Outcome:
    """Met by any of the first `attempts` runs from `first` on; failed when they all missed."""
    attempts = runs[first : first + goal.attempts]
    checks = [check(goal.goal, run) for run in attempts]
    for number, verdict in enumerate(checks, start=1):
        if verdict.met:
            words = f"{verdict.detail} (attempt {number} of {goal.attempts})"
            return Outcome("unlocked", words, first + number - 1)
    if not checks:
        return Outcome("next", f"{goal.attempts} attempts left")
    best = max(checks, key=lambda verdict: verdict.closeness)
    if len(checks) == goal.attempts:
        return Outcome("failed", f"{best.detail} at best; all {goal.attempts} attempts missed")
    return Outcome("next", f"{best.detail} at best; attempt {len(checks)} of {goal.attempts} used")


def _position(line: routes.RouteLine, km: float) -> RoutePosition:
    lat, lon = line.position_at(km)
    last, ahead, to_next_km = line.places_around(km)
    return RoutePosition(
        km=km,
        lat=lat,
        lon=lon,
        last_place=last.name,
        next_place=None if ahead is None else ahead.name,
        to_next_km=to_next_km,
        share=km / line.length_km,
    )
