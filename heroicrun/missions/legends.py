"""Racing a legend: where a journey's historical or fictional runner was at a given time since
setting out, and how a runner compares ("Yiannis Kouros reached Nemea on the first evening;
you are 3 weeks behind").

The legend runs each stretch of its schedule at an even pace, from km 0 at time 0, and stops
at its last mark (Pheidippides' timed run ends at Sparta, half way along Reach Sparta). A
runner's time is the time since enrolling: the legend sets out when the runner enrols.
"""

from __future__ import annotations

import bisect
import math

from heroicrun.missions.model import Legend, Route, Waypoint
from heroicrun.values import frozen

HOUR_S = 3600.0
DAY_S = 86_400.0
LEVEL_S = 60.0  # closer than a minute is level: a legend's times are not that exact
# The parts of a day a legend's time of arrival is told in, from the hour each begins.
_PARTS = ((5, "morning"), (12, "afternoon"), (17, "evening"), (21, "night"))
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


@frozen
class Comparison:
    """A runner against a legend at the runner's km: what the legend did there and when,
    and how far apart in time they are."""

    place: str | None  # the last place the runner has passed (not the start), if any
    legend_s: float | None  # the legend's time to the runner's km; None past its last mark
    gap_s: float | None  # the runner's time there minus the legend's: > 0 behind, < 0 ahead
    words: str


def position_km(legend: Legend, route: Route, elapsed_s: float) -> float:
    """Where the legend was `elapsed_s` seconds after setting out, in km along the route."""
    marks = legend.marks(route.length_km)
    times = [time for _, time in marks]
    if elapsed_s <= 0:
        return 0.0
    if elapsed_s >= times[-1]:
        return marks[-1][0]
    after = bisect.bisect_right(times, elapsed_s)
    (km_a, time_a), (km_b, time_b) = marks[after - 1], marks[after]
    return km_a + (km_b - km_a) * (elapsed_s - time_a) / (time_b - time_a)


def time_to(legend: Legend, route: Route, km: float) -> float | None:
    """Seconds the legend took to reach `km` of the route; None past its last mark."""
    marks = legend.marks(route.length_km)
    if km > marks[-1][0]:
        return None
    if km <= 0:
        return 0.0
    kms = [each for each, _ in marks]
    after = bisect.bisect_left(kms, km)
    (km_a, time_a), (km_b, time_b) = marks[after - 1], marks[after]
    return time_a + (time_b - time_a) * (km - km_a) / (km_b - km_a)


def compare(legend: Legend, route: Route, km: float, taken_s: float) -> Comparison:
    """The runner at `km`, reached `taken_s` seconds after enrolling, against the legend."""
    name = legend.name
    passed = _last_place(route, km)
    end_km = legend.marks(route.length_km)[-1][0]
    if km <= 0:
        words = f"{name} set out when you enrolled; your first run starts the race"
        return Comparison(None, 0.0, None, words)
    legend_s = time_to(legend, route, km)
    if legend_s is None:
        end = _place_at(route, end_km)
        where = end.short_name if end is not None else f"km {end_km:g}"
        told = when(legend, time_to(legend, route, end_km) or 0.0)
        words = f"{name} reached {where} {told}; no one timed the rest of the road"
        return Comparison(None if passed is None else passed.name, None, None, words)
    if passed is None:
        first = f"{name} passed km {km:.1f} {when(legend, legend_s)}"
    else:
        reached_s = time_to(legend, route, passed.km)
        first = f"{name} reached {passed.short_name} {when(legend, reached_s)}"
    gap_s = taken_s - legend_s
    words = f"{first}; you are {_gap_words(gap_s)}"
    return Comparison(None if passed is None else passed.name, legend_s, gap_s, words)


def when(legend: Legend, elapsed_s: float | None) -> str:
    """When, after setting out, the legend got somewhere: "on the first evening" for a legend
    whose time of setting out is known, "after 18 hours", "on day 3", "after 38 months"."""
    elapsed_s = elapsed_s or 0.0
    if legend.sets_out is not None and elapsed_s < len(_ORDINALS) * DAY_S:
        clock_s = legend.sets_out * 60 + elapsed_s
        day, into_day_s = divmod(clock_s, DAY_S)
        hour = into_day_s / HOUR_S
        if hour < _PARTS[0][0]:  # small hours: still the night of the day before
            day -= 1
            part = "night"
        else:
            part = [name for start, name in _PARTS if hour >= start][-1]
        if day >= 0:
            return f"on the {_ORDINALS[int(day)]} {part}"
    if elapsed_s < HOUR_S:
        return f"after {_count(elapsed_s / 60, 'minute')}"
    if elapsed_s < 2 * DAY_S:
        return f"after {_count(elapsed_s / HOUR_S, 'hour')}"
    if elapsed_s < 21 * DAY_S:
        return f"on day {math.floor(elapsed_s / DAY_S) + 1}"
    return f"after {span(elapsed_s)}"


def span(seconds: float) -> str:
    """A length of time as a runner says it, in one unit: "40 minutes", "5 hours", "3 weeks"."""
    seconds = abs(seconds)
    if seconds < 1.5 * HOUR_S:
        return _count(seconds / 60, "minute")
    if seconds < 1.5 * DAY_S:
        return _count(seconds / HOUR_S, "hour")
    if seconds < 14 * DAY_S:
        return _count(seconds / DAY_S, "day")
    if seconds < 10 * 7 * DAY_S:
        return _count(seconds / (7 * DAY_S), "week")
    if seconds < 2 * 365.25 * DAY_S:
        return _count(seconds / (30.44 * DAY_S), "month")
    return _count(seconds / (365.25 * DAY_S), "year")


def _gap_words(gap_s: float) -> str:
    """ "3 weeks behind", "2 hours ahead", "level"."""
    if abs(gap_s) < LEVEL_S:
        return "level"
    return f"{span(gap_s)} {'behind' if gap_s > 0 else 'ahead'}"


def _count(amount: float, unit: str) -> str:
    whole = max(1, round(amount))
    return f"{whole:,} {unit}{'' if whole == 1 else 's'}"


def _last_place(route: Route, km: float) -> Waypoint | None:
    """The last named place at or before `km`, the start excepted."""
    passed = [point for point in route.waypoints[1:] if point.km <= km]
    return passed[-1] if passed else None


def _place_at(route: Route, km: float) -> Waypoint | None:
    """The place at `km` of the route, if one is there (within 50 m)."""
    return next((point for point in route.waypoints if abs(point.km - km) < 0.05), None)
