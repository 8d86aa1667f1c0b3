"""A run as missions see it: its points, its measures, and which of its steps count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np

from heroicrun import measuring
from heroicrun.measuring import Measures
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.track import Track


@dataclass(frozen=True, eq=False)
class CountedRun:
    """One measured run. `name` says which in details ("run.gpx"); vehicle stretches never count."""

    name: str
    track: Track
    measures: Measures

    @property
    def start(self) -> datetime | None:
        """When the run started (UTC), or None for a route."""
        return self.measures.start_time

    @property
    def counted_km(self) -> float:
        """Distance that counts for missions: the run without its vehicle stretches, in km."""
        return self.measures.counted_distance_m / 1000.0

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
