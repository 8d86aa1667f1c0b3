"""What a mission file holds, as typed values: the format mission authors write.

Units follow the file, not the code: kilometres, minutes, "m:ss" paces and "h:mm:ss" durations,
because a person writes them. Every number is converted once, here, into SI fields the goal
engine reads (`*_m`, `*_s`, `*_s_per_km`).

The values are frozen dataclasses. Pydantic validates a file into them (`Mission.model_validate`)
and writes their JSON Schema, but only when asked: judging a run against missions read from the
cache imports no pydantic (see heroicrun.missions.formats).
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

from heroicrun import units
from heroicrun.missions import formats
from heroicrun.missions.formats import (
    Checks,
    ClockTime,
    Duration,
    Elapsed,
    Pace,
    Tagged,
    Value,
)
from heroicrun.validated import adapter
from heroicrun.values import frozen

EFFORT_DISTANCES_M = {
    "400 m": 400.0,
    "1/2 mile": units.MILE_M / 2,
    "1 km": units.KM_M,
    "1 mile": units.MILE_M,
    "2 miles": 2 * units.MILE_M,
    "5 km": 5000.0,
    "10 km": 10000.0,
    "15 km": 15000.0,
    "10 miles": 10 * units.MILE_M,
    "20 km": 20000.0,
    "Half marathon": 21097.5,
    "30 km": 30000.0,
    "Marathon": 42195.0,
    "50 km": 50000.0,
}

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

PositiveKm = Annotated[float, Checks(gt=0, le=100_000)]
Latitude = Annotated[float, Checks(ge=-90, le=90)]
Longitude = Annotated[float, Checks(ge=-180, le=180)]
Slug = Annotated[str, Checks(pattern=_SLUG, max_length=60)]
OneLine = Annotated[str, Checks(min_length=1, max_length=160, pattern=r"^[^\n]+$")]
EffortName = Literal[
    "400 m",
    "1/2 mile",
    "1 km",
    "1 mile",
    "2 miles",
    "5 km",
    "10 km",
    "15 km",
    "10 miles",
    "20 km",
    "Half marathon",
    "30 km",
    "Marathon",
    "50 km",
]


# --- goals one run can meet ---------------------------------------------------------------


@frozen(kw_only=True)
class DistanceGoal(Value):
    """Run at least `km` in one run."""

    kind: Literal["distance"]
    km: PositiveKm


@frozen(kw_only=True)
class MovingTimeGoal(Value):
    """Keep moving for at least `minutes` in one run."""

    kind: Literal["moving_time"]
    minutes: Annotated[float, Checks(gt=0, le=6000)]


@frozen(kw_only=True)
class FinishWithinGoal(Value):
    """Cover at least `km`, the whole run (start to finish, stops included) within `within`."""

    kind: Literal["finish_within"]
    km: PositiveKm
    within: Duration


@frozen(kw_only=True)
class PaceGoal(Value):
    """An average pace of `pace` per km or faster, over a run of at least `km`."""

    kind: Literal["pace"]
    pace: Pace
    km: PositiveKm = 1.0


@frozen(kw_only=True)
class BestEffortGoal(Value):
    """Somewhere in one run, cover one of the standard distances within `within`."""

    kind: Literal["best_effort"]
    distance: EffortName
    within: Duration


@frozen(kw_only=True)
class ClimbGoal(Value):
    """Climb at least `metres` in one run."""

    kind: Literal["climb"]
    metres: Annotated[float, Checks(gt=0, le=20_000)]


@frozen(kw_only=True)
class NegativeSplitGoal(Value):
    """Run the second half of a run of at least `km` faster than the first."""

    kind: Literal["negative_split"]
    km: PositiveKm = 3.0


@frozen(kw_only=True)
class SurgesGoal(Value):
    """Surge `count` times: speed up by `boost` over the previous `baseline` and hold it for `hold`.

    Zombies, Run! style: the default is +20 % over the speed of the previous 30 s, for 100 s.
    """

    kind: Literal["surges"]
    count: Annotated[int, Checks(ge=1, le=100)]
    boost: Annotated[float, Checks(gt=0, le=2)] = 0.2
    baseline: Duration = 30.0
    hold: Duration = 100.0


@frozen(kw_only=True)
class ChaseGoal(Value):
    """At minute `at_minute` of the run, cover `metres` within `within` (a scripted chase)."""

    kind: Literal["chase"]
    at_minute: Annotated[float, Checks(ge=0, le=6000)]
    metres: Annotated[float, Checks(gt=0, le=50_000)]
    within: Duration


@frozen(kw_only=True)
class ReachPlaceGoal(Value):
    """Pass within `radius_m` of a real place; with `return_to_start`, finish where you began."""

    kind: Literal["reach_place"]
    place: Annotated[str, Checks(min_length=1, max_length=120)]
    lat: Latitude
    lon: Longitude
    radius_m: Annotated[float, Checks(gt=0, le=50_000)] = 150.0
    return_to_start: bool = False


@frozen(kw_only=True)
class OutAndBackGoal(Value):
    """Go at least `km` from where the run started, turn, and finish within `radius_m` of the start.

    The place needs no coordinates, so runners anywhere can fetch the doctor.
    """

    kind: Literal["out_and_back"]
    km: PositiveKm
    radius_m: Annotated[float, Checks(gt=0, le=5_000)] = 200.0


@frozen(kw_only=True)
class TimeOfDayGoal(Value):
    """Run at least `km` with the whole run between `start_after` and `finish_before`.

    Times are local solar time at the start of the run (longitude / 15 hours from UTC), so "a run
    through the night" means darkness wherever the runner is, with no time zone to configure.
    The window may pass midnight ("21:00" to "05:00").
    """

    kind: Literal["time_of_day"]
    start_after: ClockTime
    finish_before: ClockTime
    km: PositiveKm = 1.0


_SingleRunGoals = (
    DistanceGoal
    | MovingTimeGoal
    | FinishWithinGoal
    | PaceGoal
    | BestEffortGoal
    | ClimbGoal
    | NegativeSplitGoal
    | SurgesGoal
    | ChaseGoal
    | ReachPlaceGoal
    | OutAndBackGoal
    | TimeOfDayGoal
)
SingleRunGoal = Annotated[_SingleRunGoals, Tagged("kind")]

# --- goals across runs (a journey) ---------------------------------------------------------


@frozen(kw_only=True)
class _Deadline(Value):
    within_days: Annotated[float, Checks(gt=0, le=36_500)] | None = None
    within_running_hours: Annotated[float, Checks(gt=0, le=100_000)] | None = None


@frozen(kw_only=True)
class RouteKmGoal(_Deadline):
    """Reach kilometre `km` of the mission's route, all counted runs since enrolment summed."""

    kind: Literal["route_km"]
    km: Annotated[float, Checks(ge=0, le=100_000)]


@frozen(kw_only=True)
class RunsGoal(_Deadline):
    """Complete `count` runs of at least `km` each since enrolment."""

    kind: Literal["runs"]
    count: Annotated[int, Checks(ge=1, le=10_000)]
    km: Annotated[float, Checks(ge=0, le=1000)] = 1.0


@frozen(kw_only=True)
class StreakGoal(_Deadline):
    """Run at least `km` on each of `days` consecutive days (UTC calendar days)."""

    kind: Literal["streak"]
    days: Annotated[int, Checks(ge=2, le=3650)]
    km: Annotated[float, Checks(ge=0, le=1000)] = 1.0


@frozen(kw_only=True)
class BestOfGoal(Value):
    """Meet `goal` in one of your next `attempts` runs; miss them all and the mission is lost."""

    kind: Literal["best_of"]
    attempts: Annotated[int, Checks(ge=1, le=100)]
    goal: SingleRunGoal


@frozen(kw_only=True)
class RelayGoal(Value):
    """Every current member of the team runs at least `km` (counted) since the previous chapter
    unlocked: a leg each, in any order. Team missions only."""

    kind: Literal["relay"]
    km: Annotated[float, Checks(gt=0, le=1000)]


Goal = Annotated[
    _SingleRunGoals | RouteKmGoal | RunsGoal | StreakGoal | BestOfGoal | RelayGoal,
    Tagged("kind"),
]

# --- the mission ---------------------------------------------------------------------------


@frozen(kw_only=True)
class Beat(Value):
    """One chapter of the story, locked behind a goal; beats unlock in order."""

    id: Slug
    title: Annotated[str, Checks(min_length=1, max_length=120)]
    # One line shown while the beat is locked: what is at stake, never what happens. A file
    # must give one (loading checks); a mission made in code for a test may leave it out.
    teaser: OneLine | None = None
    text: Annotated[str, Checks(min_length=1, max_length=4000)]
    goal: Goal


@frozen(kw_only=True)
class Waypoint(Value):
    """A named real place on the route, with how far along the route it lies."""

    name: Annotated[str, Checks(min_length=1, max_length=120)]
    lat: Latitude
    lon: Longitude
    km: Annotated[float, Checks(ge=0, le=100_000)]

    @property
    def short_name(self) -> str:
        """The name as a sentence says it, up to its first comma: "Sparta", not "Sparta,
        statue of Leonidas"."""
        return self.name.split(",")[0].strip() or self.name


@frozen(kw_only=True)
class Route(Value):
    """Real geography: waypoints in order with their kilometre marks (the first at 0).

    With `gpx`, the route's line comes from that GPX file (relative to the mission file) and the
    waypoints name places along it; without, the line runs straight between waypoints.
    """

    waypoints: Annotated[list[Waypoint], Checks(min_length=2)]
    gpx: str | None = None

    def __post_init__(self) -> None:
        if self.waypoints[0].km != 0:
            raise ValueError(f"the first waypoint must be at km 0, not {self.waypoints[0].km:g}")
        for before, after in zip(self.waypoints, self.waypoints[1:], strict=False):
            if after.km <= before.km:
                raise ValueError(
                    f"waypoint km marks must rise: {after.name!r} at km {after.km:g}"
                    f" comes after {before.name!r} at km {before.km:g}"
                )

    @property
    def length_km(self) -> float:
        """The route's length: the last waypoint's mark, in km."""
        return self.waypoints[-1].km


@frozen(kw_only=True)
class Ending(Value):
    """What happens when the mission is lost (a deadline passed, the attempts ran out)."""

    title: Annotated[str, Checks(min_length=1, max_length=120)]
    text: Annotated[str, Checks(min_length=1, max_length=4000)]


@frozen(kw_only=True)
class Source(Value):
    """Where a fact in the mission comes from."""

    fact: Annotated[str, Checks(min_length=1, max_length=300)]
    source: Annotated[str, Checks(min_length=1, max_length=300)]


@frozen(kw_only=True)
class LegendMark(Value):
    """Where the legend was on the route (`km`), and how long after setting out (`time`)."""

    km: PositiveKm
    time: Elapsed


@frozen(kw_only=True)
class Legend(Value):
    """A historical or fictional runner of this road to race: the whole route in `time`, or a
    `schedule` of km marks and times since setting out (the legend may stop short of the
    route's end, as Pheidippides' timed run ends at Sparta). Between marks the legend runs at
    an even pace. `sets_out` is the time of day they left, when it is known ("on the first
    night").
    """

    name: Annotated[str, Checks(min_length=1, max_length=80)]
    time: Elapsed | None = None
    schedule: Annotated[list[LegendMark], Checks(min_length=1)] | None = None
    sets_out: ClockTime | None = None

    def __post_init__(self) -> None:
        if (self.time is None) == (self.schedule is None):
            raise ValueError(
                "a legend needs either a `time` for the whole route or a `schedule` of km"
                " marks and times, not both"
                if self.time is not None
                else "a legend needs either a `time` for the whole route or a `schedule` of"
                " km marks and times"
            )
        marks = self.schedule or []
        for before, after in itertools.pairwise(marks):
            if after.km <= before.km or after.time <= before.time:
                raise ValueError(
                    f"the schedule's km marks and times must rise: km {after.km:g} at"
                    f" {formats.dump(after)['time']} comes after km {before.km:g} at"
                    f" {formats.dump(before)['time']}"
                )

    def marks(self, route_km: float) -> tuple[tuple[float, float], ...]:
        """The legend's (km, seconds since setting out) from (0, 0), on a route this long."""
        if self.schedule is None:
            assert self.time is not None
            return ((0.0, 0.0), (route_km, self.time))
        return ((0.0, 0.0), *((mark.km, mark.time) for mark in self.schedule))


Level = Literal["first steps", "steady", "hard", "epic"]


@frozen(kw_only=True)
class Mission(Value):
    """A story drawn from one example of the Big Heroic Run, as runs can unlock it."""

    id: Slug
    title: Annotated[str, Checks(min_length=1, max_length=120)]
    inspired_by: Annotated[str, Checks(min_length=1, max_length=300)]
    summary: Annotated[str, Checks(min_length=1, max_length=1000)]
    # The story's opening, read on enrolling: the mission's voice, no goal. Required of a file
    # (loading checks), like each beat's teaser.
    briefing: Annotated[str, Checks(min_length=1, max_length=2000)] | None = None
    level: Level
    route: Route | None = None
    legend: Legend | None = None
    beats: Annotated[list[Beat], Checks(min_length=1)]
    failure: Ending | None = None
    sources: Annotated[list[Source], Checks(min_length=1)]
    # Run by a club as one team, never by a runner alone (heroicrun.play.teams); a team needs
    # at least `min_members` current members to start it.
    team: bool = False
    min_members: Annotated[int, Checks(ge=1, le=1000)] | None = None

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for beat in self.beats:
            if beat.id in seen:
                raise ValueError(f"two beats share the id {beat.id!r}")
            seen.add(beat.id)
            goal = beat.goal
            if isinstance(goal, RouteKmGoal):
                if self.route is None:
                    raise ValueError(f"beat {beat.id!r} has a route_km goal but there is no route")
                if goal.km > self.route.length_km:
                    raise ValueError(
                        f"beat {beat.id!r} asks for km {goal.km:g} of a"
                        f" {self.route.length_km:g} km route"
                    )
            if isinstance(goal, RelayGoal) and not self.team:
                raise ValueError(
                    f"beat {beat.id!r} has a relay goal, which only a team can run:"
                    " say `team = true`"
                )
        if self.min_members is not None and not self.team:
            raise ValueError("min_members: only a team mission (`team = true`) has members")
        deadlines = any(
            getattr(beat.goal, "within_days", None)
            or getattr(beat.goal, "within_running_hours", None)
            or isinstance(beat.goal, BestOfGoal)
            for beat in self.beats
        )
        if deadlines and self.failure is None:
            raise ValueError(
                "a mission that can be lost (a deadline or attempts) needs a failure ending"
            )
        if self.legend is not None:
            if self.route is None:
                raise ValueError("legend: a legend races along a route, and there is none")
            last_km = self.legend.marks(self.route.length_km)[-1][0]
            if last_km > self.route.length_km:
                raise ValueError(
                    f"legend: the schedule reaches km {last_km:g} of a"
                    f" {self.route.length_km:g} km route"
                )

    @property
    def kind(self) -> Literal["journey", "challenge"]:
        """ "journey" when the mission follows a route, "challenge" otherwise."""
        return "journey" if self.route is not None else "challenge"

    def goal_kinds(self) -> list[str]:
        """The goal kinds this mission uses, in order of first use (nested ones included)."""
        kinds: list[str] = []
        for beat in self.beats:
            goal: Any = beat.goal
            while goal is not None:
                if goal.kind not in kinds:
                    kinds.append(goal.kind)
                goal = getattr(goal, "goal", None)
        return kinds


# What a mission file must say that a mission made in code may leave out (see loading).
REQUIRED_OF_FILES = {"Mission": "briefing", "Beat": "teaser"}


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a mission file, for editors (TOML files validate against it too)."""
    schema = adapter(Mission).json_schema()
    for name, field in REQUIRED_OF_FILES.items():
        kind = schema if name == "Mission" else schema["$defs"][name]
        kind["required"] = [*kind["required"], field]
        # A file writes the text; null is only the model's way of saying it was left out.
        kind["properties"][field] = kind["properties"][field]["anyOf"][0] | {
            "title": kind["properties"][field].get("title", field.title())
        }
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://heroicrun.example/mission.schema.json"
    schema["title"] = "heroicrun mission"
    return schema
