"""Turning the raw points a reader found into a checked, time-ordered Track."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

import numpy as np

from heroicrun import sports
from heroicrun.reading import ordering, timestamps
from heroicrun.reading.errors import ReadError
from heroicrun.track import DroppedPoint, FloatArray, Leg, Track

NAN = float("nan")

# When only a few points lack a time they are dropped; past this share the file is a route.
MAX_UNTIMED_SHARE = 0.05

# Plausible ranges; values outside are sensor faults and read as absent.
ELEVATION_RANGE_M = (-500.0, 9000.0)
HEART_RATE_RANGE_BPM = (20.0, 255.0)
CADENCE_RANGE_RPM = (0.0, 300.0)
# Reasons told in the note on dropped points; the rest are counted.
MAX_REASONS = 5

RawTime = bytes | str | float | None
LineFinder = Callable[[Sequence[int]], dict[int, int]]


class TrackAssembler:
    """Collects points in file order, then checks and orders them into a Track."""

    def __init__(self, source: str, format: Literal["gpx", "tcx", "fit"], max_points: int) -> None:
        self.source = source
        self.format: Literal["gpx", "tcx", "fit"] = format
        self.max_points = max_points
        self.name: str | None = None
        # The watch or app that recorded the file, cleaned (heroicrun.reading.devices).
        self.device: str | None = None
        self.lat = array("d")
        self.lon = array("d")
        self.elevation = array("d")
        self.heart_rate = array("d")
        self.cadence = array("d")
        # The device's own distance from the start (footpods, treadmills), NaN where absent.
        self.distance = array("d")
        self.segment = array("q")
        # Times are parsed as they arrive, so no per-point text outlives its chunk: seconds
        # (NaN until known), whether each carried a UTC offset, and the few texts left over.
        self.seconds = array("d")
        self.offsets = array("b")
        self.unparsed: dict[int, bytes] = {}
        self.absent_times = 0
        self.problems: dict[int, str] = {}
        self.extra_notes: list[str] = []
        self._segment_number = -1
        # Where each declared sport begins: (index of its first point, heroicrun's name).
        self.leg_starts: list[tuple[int, str]] = []
        # When the device started recording, if before the first point (seconds since epoch).
        self.began_s: float | None = None
        # The reader read no times on purpose (a course, a GPX route) and has said why in a note.
        self.route_by_design = False

    def __len__(self) -> int:
        return len(self.lat)

    def add_note(self, text: str) -> None:
        """Keep a remark about the whole file ("is a GPX route…") for the Track's notes."""
        self.extra_notes.append(text)

    def start_segment(self) -> None:
        """Begin a new segment: the next point is not joined to the previous one."""
        self._segment_number += 1

    def start_leg(self, declared: str | None) -> None:
        """The points from the next one on are of this declared sport (as the file names it);
        a name that says nothing ("Other") leaves the sport as it was."""
        sport = sports.normalize(declared)
        if sport is None:
            return
        index = len(self.lat)
        if self.leg_starts and self.leg_starts[-1][0] == index:
            self.leg_starts[-1] = (index, sport)
        elif not self.leg_starts or self.leg_starts[-1][1] != sport:
            self.leg_starts.append((index, sport))

    def add(
        self,
        lat: float,
        lon: float,
        time: RawTime,
        elevation: float = NAN,
        heart_rate: float = NAN,
        cadence: float = NAN,
        distance: float = NAN,
    ) -> None:
        """Append one point; missing values are NaN (numbers) or None (time). `distance` is
        the device's own distance from the start, when it gives one."""
        if self._segment_number < 0:
            self._segment_number = 0
        self._append_time(time)
        self.lat.append(lat)
        self.lon.append(lon)
        self.elevation.append(elevation)
        self.heart_rate.append(heart_rate)
        self.cadence.append(cadence)
        self.distance.append(distance)
        self.segment.append(self._segment_number)
        self._check_count()

    def extend(
        self,
        lat: Iterable[float],
        lon: Iterable[float],
        times: Iterable[RawTime],
        elevation: Iterable[float],
        heart_rate: Iterable[float],
        cadence: Iterable[float],
        distance: Iterable[float] | None = None,
    ) -> None:
        """Append many points at once (columns of equal length)."""
        if self._segment_number < 0:
            self._segment_number = 0
        before = len(self.lat)
        _append(self.lat, lat)
        _append(self.lon, lon)
        self._extend_times(list(times), before)
        _append(self.elevation, elevation)
        _append(self.heart_rate, heart_rate)
        _append(self.cadence, cadence)
        added = len(self.lat) - before
        if distance is None:
            self.distance.extend(array("d", [NAN]) * added)
        else:
            _append(self.distance, distance)
        self.segment.extend(array("q", [self._segment_number]) * added)
        self._check_count()

    def _append_time(self, time: RawTime) -> None:
        if isinstance(time, float):
            self.seconds.append(time)
            self.offsets.append(1)
            return
        self.seconds.append(NAN)
        self.offsets.append(0)
        if time is None:
            self.absent_times += 1
        else:
            self.unparsed[len(self.seconds) - 1] = time.encode() if isinstance(time, str) else time

    def _extend_times(self, times: list[RawTime], first_index: int) -> None:
        if not times or set(map(type, times)) != {bytes}:
            for time in times:
                self._append_time(time)
            return
        seconds, offsets = timestamps.parse_many(times)  # type: ignore[arg-type]
        # Copied as bytes: a list of 130,000 Python floats on the way costs 5 ms.
        self.seconds.frombytes(np.ascontiguousarray(seconds, dtype=np.float64).tobytes())
        self.offsets.frombytes(offsets.astype(np.int8).tobytes())
        for position in np.flatnonzero(np.isnan(seconds)).tolist():
            self.unparsed[first_index + position] = times[position]  # type: ignore[assignment]

    def reject(self, index: int, reason: str) -> None:
        """Mark an already added point as unusable, with the reason a runner will read."""
        self.problems.setdefault(index, reason)

    def _check_count(self) -> None:
        if len(self.lat) > self.max_points:
            raise ReadError(
                self.source,
                f"has more than {self.max_points:,} points, more than heroicrun reads in one file",
            )

    def finish(self, find_lines: LineFinder | None = None) -> Track:
        """Check every point and return the Track; raise ReadError if no run or route is left."""
        count = len(self.lat)
        if count == 0:
            raise ReadError(self.source, "has no track points")
        lat = np.frombuffer(self.lat, dtype=np.float64).copy()
        lon = np.frombuffer(self.lon, dtype=np.float64).copy()
        keep = np.ones(count, dtype=bool)
        reasons: dict[int, str] = dict(self.problems)
        for index in reasons:
            keep[index] = False
        segment = np.frombuffer(self.segment, dtype=np.int64).copy()
        if self.format == "gpx":
            # Old OpenTracks marked a pause with a point at lat=100 and the resume with one at
            # lat=200 (lon 0): the watch was paused there, so what follows is a new segment.
            pause = (lon == 0) & ((lat == 100) | (lat == 200))
            if pause.any():
                _drop(keep, reasons, pause & (lat == 100), "is an OpenTracks pause marker")
                _drop(keep, reasons, pause & (lat == 200), "is an OpenTracks resume marker")
                segment += np.cumsum(pause)
        distance = np.frombuffer(self.distance, dtype=np.float64).copy()
        with np.errstate(invalid="ignore"):
            positioned = (
                np.isfinite(lat)
                & np.isfinite(lon)
                & (np.abs(lat) <= 90)
                & (np.abs(lon) <= 180)
                & ((lat != 0) | (lon != 0))
            )
        # No position anywhere, but the device's distance: a treadmill or footpod run.
        without_gps = (
            not (positioned & keep).any()
            and int((keep & np.isfinite(distance) & (distance >= 0)).sum()) >= 2
        )
        if without_gps:
            with np.errstate(invalid="ignore"):
                _drop(keep, reasons, ~(distance >= 0), "has neither a position nor a distance")
        else:
            _drop(keep, reasons, ~(np.isfinite(lat) & np.isfinite(lon)), "has no usable position")
            impossible = (np.abs(lat) > 90) | (np.abs(lon) > 180)
            _drop(keep, reasons, impossible, "has an impossible position")
            _drop(keep, reasons, (lat == 0) & (lon == 0), "is at 0,0 (a receiver without a fix)")

        seconds, time_reasons, time_notes = self._times(keep, find_lines)
        notes = [*self.extra_notes, *time_notes]
        time_s: FloatArray | None
        if seconds is None:
            time_s = None
        else:
            for index, reason in time_reasons.items():
                if keep[index]:
                    keep[index] = False
                    reasons[index] = reason
            order = ordering.segment_order(seconds, segment, keep)
            ordering.spread_repeats(order, seconds, keep, lat, lon)
            ordering.drop_out_of_order(order, seconds, keep, reasons)
            ordering.drop_far_apart(order[keep[order]], seconds, keep, reasons)
            keep_order = order[keep[order]]
            time_s = seconds[keep_order]
        if seconds is None:
            keep_order = np.flatnonzero(keep)
        if without_gps and time_s is None:
            raise ReadError(
                self.source, "has no GPS positions and no usable times: there is no run to measure"
            )

        kept = int(keep_order.shape[0])
        dropped = self._dropped(reasons, find_lines)
        if kept == 0:
            raise ReadError(self.source, f"has no usable points ({_summary(dropped)})")
        if kept == 1:
            detail = f" ({_summary(dropped)})" if dropped else ""
            raise ReadError(
                self.source, f"has only one usable point{detail}; a run needs at least two"
            )
        if dropped:
            notes.append(f"dropped {len(dropped)} of {count} points: {_summary(dropped)}")
        # Segments are renumbered 0, 1, 2… in the order they are run, gaps closed.
        kept_segments = segment[keep_order]
        new_segment = np.concatenate(([0], np.cumsum(kept_segments[1:] != kept_segments[:-1])))
        return Track(
            source=self.source,
            format=self.format,
            lat_deg=lat[keep_order],
            lon_deg=lon[keep_order],
            elevation_m=_in_range(self.elevation, keep_order, ELEVATION_RANGE_M),
            heart_rate_bpm=_in_range(self.heart_rate, keep_order, HEART_RATE_RANGE_BPM),
            cadence_rpm=_in_range(self.cadence, keep_order, CADENCE_RANGE_RPM),
            segment=new_segment.astype(np.int64),
            time_s=time_s,
            dropped=dropped,
            notes=tuple(notes),
            name=self.name,
            device=self.device,
            legs=self._legs(keep_order),
            device_distance_m=distance[keep_order] if without_gps else None,
            began_s=self._began(time_s),
        )

    def _legs(self, keep_order: np.ndarray) -> tuple[Leg, ...]:
        """The declared sports along the kept points, in the order they were run."""
        if not self.leg_starts:
            return ()
        starts = np.array([index for index, _ in self.leg_starts], dtype=np.int64)
        names = [sport for _, sport in self.leg_starts]
        # Points before the first declaration take the first sport declared.
        leg_of = np.maximum(np.searchsorted(starts, keep_order, side="right") - 1, 0)
        if leg_of.shape[0] == 0:
            return ()
        # Only where the declaration changes can a leg begin: a few places, not every point.
        changes = np.flatnonzero(leg_of[1:] != leg_of[:-1]) + 1
        legs: list[Leg] = []
        for position in [0, *changes.tolist()]:
            sport = names[int(leg_of[position])]
            if not legs or legs[-1].sport != sport:
                legs.append(Leg(position, sport))
        return tuple(legs)

    def _began(self, time_s: FloatArray | None) -> float | None:
        """When recording began, if the device says it began before the first kept point."""
        if time_s is None or self.began_s is None or not np.isfinite(self.began_s):
            return None
        first = float(time_s[0])
        # A start days before the first point is a clock fault, not a wait for GPS.
        return self.began_s if first - 86400.0 < self.began_s < first else None

    def _times(
        self, keep: np.ndarray, find_lines: LineFinder | None
    ) -> tuple[FloatArray | None, dict[int, str], list[str]]:
        """Seconds per point (NaN where unusable) or None when the file is a route."""
        count = len(self.seconds)
        seconds = np.frombuffer(self.seconds, dtype=np.float64).copy()
        offsets = np.frombuffer(self.offsets, dtype=np.int8).astype(bool)
        aware = np.isfinite(seconds)
        problems: dict[int, str] = {}
        absent = self.absent_times
        for index, raw in self.unparsed.items():
            stamp = timestamps.parse(raw)
            if stamp.seconds is None:
                if stamp.malformed and keep[index]:
                    # Not a missing or unlikely time but a broken one: the file is damaged.
                    line = (find_lines([index]) if find_lines else {}).get(index)
                    raise ReadError(self.source, str(stamp.problem), line)
                problems[index] = f"has {stamp.problem}"
                continue
            seconds[index] = stamp.seconds
            offsets[index] = stamp.has_offset
            aware[index] = True
        with_offset_at = np.flatnonzero(aware & offsets)
        without_offset_at = np.flatnonzero(aware & ~offsets)
        with_offset = int(with_offset_at[0]) if with_offset_at.shape[0] else None
        without_offset = int(without_offset_at[0]) if without_offset_at.shape[0] else None
        if with_offset is not None and without_offset is not None:
            first_odd = max(with_offset, without_offset)
            line = (find_lines([first_odd]) if find_lines else {}).get(first_odd)
            raise ReadError(
                self.source,
                "mixes times with a UTC offset and times without one, so the order of the"
                " points cannot be trusted",
                line,
            )
        usable = keep & np.isfinite(seconds)
        candidates = int(keep.sum())
        timed = int(usable.sum())
        notes: list[str] = []
        if timed == 0:
            if absent == count:
                if not self.route_by_design:
                    notes.append("has no timestamps: read as a route (distance and shape only)")
            else:
                why = next(iter(problems.values()), "has no usable time").removeprefix("has ")
                notes.append(
                    f"has no usable timestamps (first: {why}): read as a route"
                    " (distance and shape only)"
                )
            return None, {}, notes
        if float(np.nanmax(seconds[usable])) == float(np.nanmin(seconds[usable])):
            notes.append(
                "gives every point the same time: read as a route (distance and shape only)"
            )
            return None, {}, notes
        untimed = candidates - timed
        if untimed > MAX_UNTIMED_SHARE * candidates:
            notes.append(
                f"has times on only {timed} of {candidates} points: read as a route"
                " (distance and shape only)"
            )
            return None, {}, notes
        for untimed_index in np.flatnonzero(keep & np.isnan(seconds)).tolist():
            problems.setdefault(untimed_index, "has no time")
        return seconds, problems, notes

    def _dropped(
        self, reasons: dict[int, str], find_lines: LineFinder | None
    ) -> tuple[DroppedPoint, ...]:
        indexes = sorted(reasons)
        lines = find_lines(indexes) if (find_lines and indexes) else {}
        return tuple(DroppedPoint(i, lines.get(i), reasons[i]) for i in indexes)


def _append(column: array[float], values: Iterable[float]) -> None:
    """Add values to a column; a list goes in at twice the speed `extend` takes it."""
    if isinstance(values, list):
        column.fromlist(values)
    else:
        column.extend(values)


def _drop(keep: np.ndarray, reasons: dict[int, str], mask: np.ndarray, reason: str) -> None:
    for index in np.flatnonzero(mask & keep):
        reasons[int(index)] = reason
    keep &= ~mask


def _in_range(values: array[float], order: np.ndarray, bounds: tuple[float, float]) -> FloatArray:
    column: FloatArray = np.frombuffer(values, dtype=np.float64)[order].copy()
    low, high = bounds
    with np.errstate(invalid="ignore"):
        column[~((column >= low) & (column <= high))] = np.nan
    return column


def _summary(dropped: Sequence[DroppedPoint]) -> str:
    """'2 have an impossible position (first at line 40); 1 has no time (line 88)'.

    Reasons can quote the bad value, so a file can give every point its own: the most common
    MAX_REASONS are told, and the rest counted.
    """
    by_reason: Counter[str] = Counter()
    firsts: dict[str, DroppedPoint] = {}
    for point in dropped:
        by_reason[point.reason] += 1
        firsts.setdefault(point.reason, point)
    parts = []
    told = 0
    for reason, how_many in by_reason.most_common(MAX_REASONS):
        first = firsts[reason]
        told += how_many
        if how_many == 1:
            where = f" (line {first.line})" if first.line is not None else ""
            parts.append(f"1 point {reason}{where}")
        else:
            where = f" (first at line {first.line})" if first.line is not None else ""
            parts.append(f"{how_many} points {_plural(reason)}{where}")
    if told < len(dropped):
        parts.append(f"{len(dropped) - told:,} more for other reasons")
    return "; ".join(parts)


def _plural(reason: str) -> str:
    for singular, plural in (("has ", "have "), ("is ", "are "), ("repeats ", "repeat ")):
        if reason.startswith(singular):
            return plural + reason[len(singular) :]
    return reason
