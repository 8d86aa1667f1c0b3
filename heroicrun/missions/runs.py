"""A run as missions see it: its points, its measures, and which of its steps count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property

import numpy as np

from heroicrun import measuring, sports
from heroicrun.measuring import Measures
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.track import Track
from heroicrun.values import frozen


@frozen
class RunFacts:
    """What journeys read from a run, small enough to keep in a table beside it."""

    start: datetime | None  # UTC; None for a route
    counted_km: float  # the run without its vehicle stretches
    elapsed_s: float | None
    # When the runner handed it in: a run recorded before enrolling but uploaded after counts
    # (enrol in Reach Sparta, then upload this morning's run). None: only the start decides.
    uploaded_at: datetime | None = None
    sport: str | None = None  # declared (heroicrun.sports); None: its speeds judge it
    gps: bool = True  # False: recorded without positions (a treadmill), so it reaches no place

    @classmethod
    def of(cls, measures: Measures) -> RunFacts:
        """The facts of a measured run."""
        return cls(
            measures.start_time,
            measures.counted_distance_m / 1000.0,
            measures.elapsed_s,
            sport=measures.sport,
            gps=measures.gps,
        )

    @property
    def off_foot(self) -> str | None:
        """Why the run counts for no mission, when its declared sport is not on foot:
        "a ride (the file says cycling)"; None when it is on foot or undeclared."""
        if sports.on_foot(self.sport) is not False:
            return None
        noun = _NOT_ON_FOOT.get(self.sport or "", "not a run")
        return f"{noun} (the file says {self.sport}): only runs, walks and hikes count"


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
    nor does a run whose declared sport is not on foot.

    The track and measures may be given, or loaded on first use (a stored run whose goals were
    already judged never needs its file read again); `facts` then answer the journey questions.
    """

    def __init__(
        self,
        name: str,
        track: Track | Callable[[], Track],
        measures: Measures | Callable[[], Measures],
        facts: RunFacts | None = None,
    ) -> None:
        self.name = name
        self._track = track
        self._measures = measures
        self._facts = facts

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
        return self._facts if self._facts is not None else RunFacts.of(self.measures)

    @property
    def start(self) -> datetime | None:
        """When the run started (UTC), or None for a route."""
        return self.facts.start

    @property
    def counted_km(self) -> float:
        """Distance that counts for missions: the run without its vehicle stretches, in km;
        0 for a declared sport not on foot (a ride, a swim)."""
        return 0.0 if self.facts.off_foot else self.facts.counted_km

    @property
    def on_foot(self) -> bool:
        """Whether the run may count: declared on foot, or undeclared (its speeds judge it)."""
        return self.facts.off_foot is None

    @property
    def gps(self) -> bool:
        """Whether the run has positions: without them it counts distance, but reaches no place."""
        return self.facts.gps

    def counts_since(self, moment: datetime) -> bool:
        """Whether the run counts for an enrolment at `moment`: run or handed in since then."""
        start, uploaded = self.facts.start, self.facts.uploaded_at
        if start is None:
            return False
        return start >= moment or (uploaded is not None and uploaded >= moment)

    @property
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
