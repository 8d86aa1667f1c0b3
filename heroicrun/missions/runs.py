"""A run as missions see it: its points, its measures, which of its steps count, and whether it
counts at all for an enrolment (and, when not, why, in a line a runner reads)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

import numpy as np

from heroicrun import measuring, sports
from heroicrun.measuring import Measures
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.track import Track

# A run counts for an enrolment if it was recorded no earlier than this before it: enrol, then
# upload this morning's run. A back catalogue never plays the story.
GRACE = timedelta(hours=24)
# An outing whose file names no sport is judged by its speeds. A runner who hops on a car jogs
# the rest; a rider between the stretches at vehicle speed still climbs and coasts faster than
# most runners race. So: a third or more of its distance at vehicle speed, and the rest, over
# ten minutes or more, faster than 4:10 /km, and it was ridden.
RIDE_VEHICLE_SHARE = 1 / 3
RIDE_REST_SPEED_M_S = 4.0
RIDE_REST_S = 600.0


# A plain frozen dataclass, not `frozen` (heroicrun.values): a team's judging makes one for each
# of its runs, tens of thousands, and `frozen`'s __init__ costs a function call a field.
@dataclass(frozen=True)
class RunFacts:
    """What missions read from a run, small enough to keep in a table beside it."""

    start: datetime | None  # UTC; None for a route
    counted_km: float  # the run without its vehicle stretches
    elapsed_s: float | None
    # The sport that counts: the runner's mark when `marked`, else the file's (heroicrun.sports);
    # None: undeclared, its speeds judge it.
    sport: str | None = None
    gps: bool = True  # False: recorded without positions (a treadmill), so it reaches no place
    marked: bool = False  # `sport` is the runner's mark, not the file's
    distance_km: float | None = None  # the whole recording, vehicle stretches included
    counted_moving_s: float | None = None  # moving time, vehicle stretches left out
    # Which member of a team ran it (a runner's id), for goals a team meets together (a
    # relay); None in a runner's own missions.
    member: int | None = None

    @classmethod
    def of(cls, measures: Measures) -> RunFacts:
        """The facts of a measured run."""
        return cls(
            measures.start_time,
            measures.counted_distance_m / 1000.0,
            measures.elapsed_s,
            sport=measures.sport,
            gps=measures.gps,
            distance_km=measures.distance_m / 1000.0,
            counted_moving_s=measures.counted_moving_s,
        )

    @property
    def off_foot(self) -> str | None:
        """Why the run counts for no mission when it was not on foot: "a ride (the file says
        cycling)", "a ride (you marked it so)", or a ride by its speeds when it names no sport;
        None when it is on foot."""
        found = sports.on_foot(self.sport)
        if found is True:
            return None
        if found is False:
            noun = _NOT_ON_FOOT.get(self.sport or "", "not a run")
            said = "you marked it so" if self.marked else f"the file says {self.sport}"
            return f"{noun} ({said}): only runs, walks and hikes count"
        if self.ridden:
            assert self.distance_km is not None and self.counted_moving_s is not None
            rest_kmh = self.counted_km / self.counted_moving_s * 3600
            return (
                f"a ride, by its speeds ({self.distance_km - self.counted_km:.1f} of"
                f" {self.distance_km:.1f} km at a vehicle's speed, the rest at {rest_kmh:.1f}"
                " km/h): if it was a run, mark it so"
            )
        return None

    @property
    def ridden(self) -> bool:
        """Whether its speeds say it was ridden: a third at vehicle speed, the rest fast."""
        distance_km, rest_s = self.distance_km, self.counted_moving_s
        if distance_km is None or rest_s is None or rest_s < RIDE_REST_S or distance_km <= 0:
            return False
        ridden_share = 1 - self.counted_km / distance_km
        rest_m_s = self.counted_km * 1000 / rest_s
        return ridden_share >= RIDE_VEHICLE_SHARE and rest_m_s >= RIDE_REST_SPEED_M_S

    def not_counted(self, enrolled_at: datetime | None) -> str | None:
        """Why the run counts for no mission of an enrolment at `enrolled_at`, in a line:
        "a route: it has no times", "a ride (the file says cycling)…", "recorded 3 years before
        you enrolled"; None when it counts. Without an enrolment, only what the run is decides."""
        if self.start is None:
            return "a route: it has no times"
        off_foot = self.off_foot
        if off_foot is not None:
            return off_foot
        if enrolled_at is not None and self.start < enrolled_at - GRACE:
            return f"recorded {before_words(enrolled_at - self.start)} before you enrolled"
        return None


def before_words(gap: timedelta) -> str:
    """How long before, as a runner says it, rounded down: "3 years", "5 weeks", "30 hours"."""
    days = math.floor(gap.total_seconds() / 86400)
    if days >= 730:
        return f"{days // 365} years"
    if days >= 365:
        return "a year"
    if days >= 60:
        return f"{days // 30} months"
    if days >= 14:
        return f"{days // 7} weeks"
    if days >= 2:
        return f"{days} days"
    return f"{math.floor(gap.total_seconds() / 3600)} hours"


# What a runner calls an outing of each sport that does not count.
_NOT_ON_FOOT = {
    "cycling": "a ride",
    "swimming": "a swim",
    "transition": "a transition between sports",
    "multisport": "several sports in one",
    "rowing": "a row",
    "paddling": "a paddle",
    "skiing": "a ski",
    "skating": "a skate",
    "driving": "a drive",
    "sailing": "a sail",
    "flying": "a flight",
}


class CountedRun:
    """One measured run. `name` says which in details ("run.gpx"); vehicle stretches never count,
    nor does a run that was not on foot. `ref` is a store's own name for the run (its id), by
    which unlocks already granted name it.

    The track and measures may be given, or loaded on first use (a stored run whose goals were
    already judged never needs its file read again); `facts` then answer the journey questions.
    """

    def __init__(
        self,
        name: str,
        track: Track | Callable[[], Track],
        measures: Measures | Callable[[], Measures],
        facts: RunFacts | None = None,
        ref: int | None = None,
    ) -> None:
        self.name = name
        self.ref = ref
        self._track = track
        self._measures = measures
        if facts is not None:
            # Missions read a stored run's facts thousands of times a request: straight from
            # the instance, not through the descriptor.
            self.__dict__["facts"] = facts

    @cached_property
    def track(self) -> Track:
        """The run's points."""
        return self._track if isinstance(self._track, Track) else self._track()

    @cached_property
    def measures(self) -> Measures:
        """Everything measured in the run."""
        return self._measures if isinstance(self._measures, Measures) else self._measures()

    @cached_property
    def facts(self) -> RunFacts:
        """Start, counted km and elapsed time."""
        return RunFacts.of(self.measures)

    @cached_property
    def start(self) -> datetime | None:
        """When the run started (UTC), or None for a route."""
        return self.facts.start

    @cached_property
    def counted_km(self) -> float:
        """Distance that counts for missions: the run without its vehicle stretches, in km;
        0 for a run not on foot (a ride, a swim)."""
        return self.facts.counted_km if self.on_foot else 0.0

    @cached_property
    def on_foot(self) -> bool:
        """Whether the run may count: on foot by its sport, or by its speeds when it names none."""
        return self.facts.off_foot is None

    @property
    def member(self) -> int | None:
        """Which member of a team ran it; None in a runner's own missions."""
        return self.facts.member

    @property
    def gps(self) -> bool:
        """Whether the run has positions: without them it counts distance, but reaches no place."""
        return self.facts.gps

    def counts_for(self, enrolled_at: datetime) -> bool:
        """Whether the run counts for an enrolment at `enrolled_at`: RunFacts.not_counted says
        why not; this asks it of a thousand runs without the words."""
        start = self.facts.start
        return start is not None and self.on_foot and start >= enrolled_at - GRACE

    @cached_property
    def elapsed_s(self) -> float | None:
        """First to last timestamp, in seconds; None for a route."""
        return self.facts.elapsed_s

    def ridden_points(self) -> BoolArray:
        """Which points lie inside a flagged vehicle stretch (their steps must not count)."""
        ridden = np.zeros(len(self.track), dtype=bool)
        if self.track.time_s is None:
            return ridden
        offsets = self.track.time_s - self.track.time_s[0]
        for flag in self.measures.flags:
            if flag.kind == "vehicle" and flag.start_offset_s is not None:
                end = flag.end_offset_s if flag.end_offset_s is not None else np.inf
                ridden |= (offsets >= flag.start_offset_s) & (offsets <= end)
        return ridden

    @cached_property
    def course(self) -> Course:
        """The points the measures were taken from: GPS glitches dropped (computed once)."""
        return measuring.course_of(self.track)

    def ridden_steps(self) -> BoolArray:
        """Which steps of `course` (n - 1) lie inside a flagged vehicle stretch."""
        course = self.course
        ridden = np.zeros(max(len(course) - 1, 0), dtype=bool)
        if course.time_s is None:
            return ridden
        # A flag spans the course points where the ride starts and ends, by their times.
        starts, ends = course.time_s[:-1], course.time_s[1:]
        for flag in self.measures.flags:
            if flag.kind == "vehicle" and flag.start_offset_s is not None:
                end = flag.end_offset_s if flag.end_offset_s is not None else np.inf
                ridden |= (starts >= flag.start_offset_s) & (ends <= end)
        return ridden
