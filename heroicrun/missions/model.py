"""What a mission file holds, as typed values: the format mission authors write.

Units follow the file, not the code: kilometres, minutes, "m:ss" paces and "h:mm:ss" durations,
because a person writes them. Every number is converted once, here, into SI fields the goal
engine reads (`*_m`, `*_s`, `*_s_per_km`).

The values are frozen dataclasses. Pydantic validates a file into them (`Mission.model_validate`)
and writes their JSON Schema, but only when asked: judging a run against missions read from the
cache imports no pydantic (see heroicrun.missions.formats).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, get_args, get_type_hints

from heroicrun import units
from heroicrun.missions.formats import Checks, Tagged, Written
from heroicrun.validated import Validated, adapter
from heroicrun.values import frozen

if TYPE_CHECKING:
    pass

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

_TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _seconds(value: Any, what: str) -> float:
    total = units.clock_seconds(value) if isinstance(value, str) else None
    if total:
        return float(total)
    raise ValueError(f"expected {what}, got {_shown(value)}")


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _pace(value: Any) -> float:
    return _seconds(value, '"m:ss" per km')


def _duration(value: Any) -> float:
    return _seconds(value, 'a duration "h:mm:ss" or "mm:ss"')


def _clock_minutes(value: Any) -> int:
    if isinstance(value, str):
        match = _TIME_OF_DAY.match(value.strip())
        if match:
            return int(match.group(1)) * 60 + int(match.group(2))
    raise ValueError(f'expected a time of day "HH:MM", got {_shown(value)}')


def _as_time_of_day(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# A pace written "5:30" (per km), held as seconds per km.
Pace = Annotated[
    float,
    Written(
        _pace,
        units.clock,
        {"type": "string", "pattern": r"^\d{1,2}:[0-5]\d$", "examples": ["5:30"]},
    ),
]
# A duration written "1:02:03" or "20:00", held as seconds.
Duration = Annotated[
    float,
    Written(
        _duration,
        units.clock,
        {"type": "string", "pattern": r"^(\d+:)?[0-5]?\d:[0-5]\d$", "examples": ["20:00"]},
    ),
]
# A time of day written "21:30", held as minutes after midnight.
ClockTime = Annotated[
    int,
    Written(
        _clock_minutes,
        _as_time_of_day,
        {"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$"},
    ),
]
PositiveKm = Annotated[float, Checks(gt=0, le=100_000)]
Latitude = Annotated[float, Checks(ge=-90, le=90)]
Longitude = Annotated[float, Checks(ge=-180, le=180)]
Slug = Annotated[str, Checks(pattern=_SLUG, max_length=60)]
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


class _Value(Validated):
    """What every value of a mission file shares: no unknown fields, and the calls of a
    pydantic model, so that callers need not know these are dataclasses."""

    # Read by pydantic when it validates the dataclass: a misspelt field is an error.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    def model_dump(self, mode: Literal["json"] = "json") -> dict[str, Any]:
        """The value as a file writes it: JSON-ready, paces and durations as text."""
        shown: dict[str, Any] = dump(self)
        return shown


# --- goals one run can meet ---------------------------------------------------------------


@frozen(kw_only=True)
class DistanceGoal(_Value):
    """Run at least `km` in one run."""

    kind: Literal["distance"]
    km: PositiveKm


@frozen(kw_only=True)
class MovingTimeGoal(_Value):
    """Keep moving for at least `minutes` in one run."""

    kind: Literal["moving_time"]
    minutes: Annotated[float, Checks(gt=0, le=6000)]


@frozen(kw_only=True)
class FinishWithinGoal(_Value):
    """Cover at least `km`, the whole run (start to finish, stops included) within `within`."""

    kind: Literal["finish_within"]
    km: PositiveKm
    within: Duration


@frozen(kw_only=True)
class PaceGoal(_Value):
    """An average pace of `pace` per km or faster, over a run of at least `km`."""

    kind: Literal["pace"]
    pace: Pace
    km: PositiveKm = 1.0


@frozen(kw_only=True)
class BestEffortGoal(_Value):
    """Somewhere in one run, cover one of the standard distances within `within`."""

    kind: Literal["best_effort"]
    distance: EffortName
    within: Duration


@frozen(kw_only=True)
class ClimbGoal(_Value):
    """Climb at least `metres` in one run."""

    kind: Literal["climb"]
    metres: Annotated[float, Checks(gt=0, le=20_000)]


@frozen(kw_only=True)
class NegativeSplitGoal(_Value):
    """Run the second half of a run of at least `km` faster than the first."""

    kind: Literal["negative_split"]
    km: PositiveKm = 3.0


@frozen(kw_only=True)
class SurgesGoal(_Value):
    """Surge `count` times: speed up by `boost` over the previous `baseline` and hold it for `hold`.

    Zombies, Run! style: the default is +20 % over the speed of the previous 30 s, for 100 s.
    """

    kind: Literal["surges"]
    count: Annotated[int, Checks(ge=1, le=100)]
    boost: Annotated[float, Checks(gt=0, le=2)] = 0.2
    baseline: Duration = 30.0
    hold: Duration = 100.0


@frozen(kw_only=True)
class ChaseGoal(_Value):
    """At minute `at_minute` of the run, cover `metres` within `within` (a scripted chase)."""

    kind: Literal["chase"]
    at_minute: Annotated[float, Checks(ge=0, le=6000)]
    metres: Annotated[float, Checks(gt=0, le=50_000)]
    within: Duration


@frozen(kw_only=True)
class ReachPlaceGoal(_Value):
    """Pass within `radius_m` of a real place; with `return_to_start`, finish where you began."""

    kind: Literal["reach_place"]
    place: Annotated[str, Checks(min_length=1, max_length=120)]
    lat: Latitude
    lon: Longitude
    radius_m: Annotated[float, Checks(gt=0, le=50_000)] = 150.0
    return_to_start: bool = False


@frozen(kw_only=True)
class OutAndBackGoal(_Value):
    """Go at least `km` from where the run started, turn, and finish within `radius_m` of the start.

    The place needs no coordinates, so runners anywhere can fetch the doctor.
    """

    kind: Literal["out_and_back"]
    km: PositiveKm
    radius_m: Annotated[float, Checks(gt=0, le=5_000)] = 200.0


@frozen(kw_only=True)
class TimeOfDayGoal(_Value):
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
class _Deadline(_Value):
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
class BestOfGoal(_Value):
    """Meet `goal` in one of your next `attempts` runs; miss them all and the mission is lost."""

    kind: Literal["best_of"]
    attempts: Annotated[int, Checks(ge=1, le=100)]
    goal: SingleRunGoal


Goal = Annotated[
    _SingleRunGoals | RouteKmGoal | RunsGoal | StreakGoal | BestOfGoal,
    Tagged("kind"),
]

# --- the mission ---------------------------------------------------------------------------


@frozen(kw_only=True)
class Beat(_Value):
    """One chapter of the story, locked behind a goal; beats unlock in order."""

    id: Slug
    title: Annotated[str, Checks(min_length=1, max_length=120)]
    text: Annotated[str, Checks(min_length=1, max_length=4000)]
    goal: Goal


@frozen(kw_only=True)
class Waypoint(_Value):
    """A named real place on the route, with how far along the route it lies."""

    name: Annotated[str, Checks(min_length=1, max_length=120)]
    lat: Latitude
    lon: Longitude
    km: Annotated[float, Checks(ge=0, le=100_000)]


@frozen(kw_only=True)
class Route(_Value):
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
class Ending(_Value):
    """What happens when the mission is lost (a deadline passed, the attempts ran out)."""

    title: Annotated[str, Checks(min_length=1, max_length=120)]
    text: Annotated[str, Checks(min_length=1, max_length=4000)]


@frozen(kw_only=True)
class Source(_Value):
    """Where a fact in the mission comes from."""

    fact: Annotated[str, Checks(min_length=1, max_length=300)]
    source: Annotated[str, Checks(min_length=1, max_length=300)]


Level = Literal["first steps", "steady", "hard", "epic"]


@frozen(kw_only=True)
class Mission(_Value):
    """A story drawn from one example of the Big Heroic Run, as runs can unlock it."""

    id: Slug
    title: Annotated[str, Checks(min_length=1, max_length=120)]
    inspired_by: Annotated[str, Checks(min_length=1, max_length=300)]
    summary: Annotated[str, Checks(min_length=1, max_length=1000)]
    level: Level
    route: Route | None = None
    beats: Annotated[list[Beat], Checks(min_length=1)]
    failure: Ending | None = None
    sources: Annotated[list[Source], Checks(min_length=1)]

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


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a mission file, for editors (TOML files validate against it too)."""
    schema = adapter(Mission).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://heroicrun.example/mission.schema.json"
    schema["title"] = "heroicrun mission"
    return schema


def dump(value: Any) -> Any:
    """A mission value as its file writes it: dicts, lists and text ("5:30", not 330.0)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: write(getattr(value, name)) for name, write in _writers(type(value))}
    if isinstance(value, list | tuple):
        return [dump(item) for item in value]
    return value


@cache
def _writers(kind: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Each field of a value class, in order, with the function that writes it.

    A field is written as text when its type is `Annotated[..., Written(...)]`, through an
    alias (`Pace`) or spelt out. Annotations are text here (PEP 563); a name is looked up where
    its class was written, and only text spelling out `Written` is evaluated: evaluating every
    annotation (typing.get_type_hints) costs a check 3 ms, most of judging 17 missions.
    """
    hints: dict[str, Any] | None = None
    found: list[tuple[str, Callable[[Any], Any]]] = []
    for each in fields(kind):
        hint = each.type
        if isinstance(hint, str) and hint.isidentifier():
            owner = next(c for c in kind.__mro__ if each.name in vars(c).get("__annotations__", {}))
            hint = vars(sys.modules[owner.__module__]).get(hint)
        elif isinstance(hint, str) and "Written" in hint:
            hints = hints or get_type_hints(kind, include_extras=True)
            hint = hints[each.name]
        markers = [m for m in get_args(hint)[1:] if isinstance(m, Written)]
        found.append((each.name, markers[0].show if markers else dump))
    return tuple(found)
