"""FIT activity files (Garmin, Wahoo, Coros, Apple Watch via Strava…): records into a Track."""

from __future__ import annotations

from array import array

import numpy as np

from heroicrun import sports
from heroicrun.reading import fitdecoding, fitdevices, fitpauses, timestamps
from heroicrun.reading.assembly import TrackAssembler
from heroicrun.reading.errors import NO_POSITIONS_NOR_DISTANCE, ReadError
from heroicrun.reading.fitdecoding import FloatArray, IntArray, Table, profile
from heroicrun.reading.limits import Limits
from heroicrun.track import Track

DEG_PER_SEMICIRCLE = 180 / 2**31
HEADER_MIN_BYTES = 12  # FIT header: size, versions, data size, ".FIT" (14 with its CRC)

# FIT times are seconds since 1989-12-31T00:00Z; values below 0x10000000 count from power-on.
FIT_EPOCH_S = 631065600
FIT_RELATIVE_BELOW = 0x10000000

MAX_PAUSES = fitpauses.MAX_PAUSES
IN_PAUSE = "is from a pause (the device's timer was stopped)"
IMPLAUSIBLE = "has a time that is not a plausible date (after 2100)"
# Records, events, laps, and the timed messages between them that the decoder keeps an eye on
# (their times set compressed ones): a watch writes a few per point.
MESSAGES_PER_POINT = 4
# A session that started longer than this before its first record has a wrong clock.
MAX_WAIT_S = 86_400.0


def read(data: bytes, source: str, limits: Limits) -> Track:
    """Read a FIT file's records: degrees, metres, seconds since the epoch, bpm and rpm."""
    _check_header(data, source)
    if len(data) > limits.max_fit_bytes:
        raise ReadError(
            source,
            f"is a {len(data) / 2**20:.0f} MiB FIT file, more than the"
            f" {limits.max_fit_bytes / 2**20:.0f} MiB heroicrun reads (a day-long run is about 4)",
        )
    try:
        stream = fitdecoding.decode(data, MESSAGES_PER_POINT * limits.max_points)
    except fitdecoding.TooManyMessages as error:
        raise ReadError(
            source, f"has more than {error.limit:,} messages, more than heroicrun reads in one file"
        ) from None
    return _Reading(source, limits.max_points, stream).track()


def _check_header(data: bytes, source: str) -> None:
    if not data:
        raise ReadError(source, "is empty")
    if data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        raise ReadError(source, "is not a FIT file (it is XML text: a GPX or TCX file?)")
    if len(data) < HEADER_MIN_BYTES:
        raise ReadError(source, f"is not a FIT file (only {len(data)} bytes, too short)")
    if data[8:12] != b".FIT":
        raise ReadError(source, "is not a FIT file (it does not start with a FIT header)")


class _Clock:
    """FIT times into Unix seconds. A device that counts from power-on (a Garmin VIRB) says,
    in a timestamp_correlation message, which UTC time one of its own times was."""

    def __init__(self, correlations: Table) -> None:
        utc = correlations.column("timestamp") + _fraction(
            correlations.column("fractional_timestamp"), correlations.column("timestamp_ms")
        )
        system = correlations.column("system_timestamp") + _fraction(
            correlations.column("fractional_system_timestamp"),
            correlations.column("system_timestamp_ms"),
        )
        usable = np.isfinite(system) & (utc >= FIT_RELATIVE_BELOW)
        self.at = correlations.offset[usable]
        self.shift_s = (utc - system)[usable]

    def utc(self, raw: FloatArray, at: IntArray) -> tuple[FloatArray, int]:
        """Unix seconds for FIT times read at byte offsets `at` (NaN where unknown), and how
        many were counted from power-on with nothing to set them by."""
        seconds = raw + FIT_EPOCH_S
        relative = raw < FIT_RELATIVE_BELOW
        if not relative.any():
            return seconds, 0
        if not self.shift_s.shape[0]:
            seconds[relative] = np.nan
            return seconds, int(relative.sum())
        # Each time is set by the last correlation before it (the first, for times before it).
        which = np.maximum(np.searchsorted(self.at, at[relative], side="right") - 1, 0)
        seconds[relative] = raw[relative] + self.shift_s[which] + FIT_EPOCH_S
        return seconds, 0


def _fraction(fraction_s: FloatArray, milliseconds: FloatArray) -> FloatArray:
    return np.where(np.isfinite(fraction_s), fraction_s, np.nan_to_num(milliseconds) / 1000)


class _Reading:
    """Turns a decoded FIT stream into a checked Track."""

    def __init__(self, source: str, max_points: int, stream: fitdecoding.Stream) -> None:
        self.source = source
        self.max_points = max_points
        self.stream = stream
        self.assembler = TrackAssembler(source, "fit", max_points)
        self.assembler.device = _device(stream)
        self.records = stream.table("record")
        types = stream.table("file_id").column("type")
        known = types[np.isfinite(types)]
        self.file_type = int(known[0]) if known.shape[0] else None
        self.clock = _Clock(stream.table("timestamp_correlation"))
        self.gps = True
        self.relative_times = 0
        self.pauses = fitpauses.Pauses()

    @property
    def is_course(self) -> bool:
        """True when the file's file_id says it is a course (a planned route)."""
        return self.file_type == profile.COURSE_FILE

    def track(self) -> Track:
        """Build the Track, or raise ReadError with what went wrong."""
        stream = self.stream
        if stream.stop is not None and stream.files == 0:
            raise ReadError(self.source, "is not a readable FIT file (its header is damaged)")
        points = self._points()
        kept = points.shape[0]
        early: str | None = None
        if stream.stop is not None and not stream.complete:
            how, offset = stream.stop
            at = f" at byte {offset}" if offset is not None else ""
            if kept == 0:
                raise ReadError(self.source, f"is a FIT file {how}{at} before any track point")
            if kept == 1:
                raise ReadError(
                    self.source,
                    f"is a FIT file {how}{at} after its first track point;"
                    " a run needs at least two",
                )
            rest = "the file is cut short" if how == "cut short" else "the rest is damaged"
            early = f"ends early{at} after {len(self.records)} records ({rest})"
            self.assembler.add_note(f"{early}: read what was there")
        elif stream.stop is not None:
            self.assembler.add_note("has unreadable bytes after the end of its FIT data: ignored")
        elif stream.checksum_failed:
            self.assembler.add_note("fails its checksum, so some values may be wrong")
        if not len(self.records) and self.file_type not in (
            None,
            profile.ACTIVITY_FILE,
            profile.COURSE_FILE,
        ):
            kind = profile.FILE_TYPES.get(self.file_type, f"type {self.file_type}")
            raise ReadError(self.source, f"is a FIT {kind} file, not an activity: it has no points")
        if kept == 0 and len(self.records):
            raise ReadError(self.source, NO_POSITIONS_NOR_DISTANCE)
        self._add(points)
        self._add_notes(len(self.records) - kept)
        try:
            return self.assembler.finish()
        except ReadError as error:
            if early is None:
                raise
            raise ReadError(self.source, f"{error.problem}; it also {early}") from None

    def _points(self) -> IntArray:
        """Which records become points: those with a position; in a file without any, those
        with the device's distance (a treadmill or footpod run)."""
        records = self.records
        chosen = np.isfinite(records.column("position_lat")) & np.isfinite(
            records.column("position_long")
        )
        if len(records) and not chosen.any():
            self.gps = False
            chosen = np.isfinite(self._device_distance())
        left_out = len(records) - int(chosen.sum())
        if left_out > self.max_points:
            raise ReadError(
                self.source,
                f"has more than {self.max_points:,} records without a position,"
                " more than heroicrun reads in one file",
            )
        return np.flatnonzero(chosen)

    def _device_distance(self) -> FloatArray:
        distance = self.records.column("distance")
        packed = self.records.column("compressed_distance")
        return np.where(np.isfinite(distance), distance, packed)

    def _times(self, rows: IntArray) -> FloatArray:
        """Unix seconds of these records, NaN where unknown or (for a course) made up."""
        if self.is_course:
            # A course's times are made up by the planner (its pace, not the runner's): a
            # course is a route, read without times as TCX courses are.
            return np.full(rows.shape[0], np.nan)
        seconds, self.relative_times = self.clock.utc(
            self.records.column("timestamp")[rows], self.records.offset[rows]
        )
        return seconds

    def _add(self, points: IntArray) -> None:
        """Hand the points to the assembler, a stretch (one segment, one sport) at a time."""
        records = self.records
        time_s = self._times(points)
        with np.errstate(invalid="ignore"):
            implausible = time_s >= timestamps.LATEST_S
        time_s[implausible] = np.nan
        self._read_pauses()
        timed = np.flatnonzero(np.isfinite(time_s))
        split = np.zeros(points.shape[0], dtype=bool)
        split[timed[1:]] = self.pauses.between(time_s[timed[:-1]], time_s[timed[1:]])
        paused = np.zeros(points.shape[0], dtype=bool)
        paused[timed] = self.pauses.inside(time_s[timed])
        leg_of, names = self._legs(time_s)

        elevation = records.column("enhanced_altitude")[points]
        elevation = np.where(np.isfinite(elevation), elevation, records.column("altitude")[points])
        cadence = records.column("cadence")[points]
        cadence = cadence + np.nan_to_num(records.column("fractional_cadence")[points])
        columns = (
            records.column("position_lat")[points] * DEG_PER_SEMICIRCLE,
            records.column("position_long")[points] * DEG_PER_SEMICIRCLE,
            elevation,
            records.column("heart_rate")[points],
            cadence,
            self._device_distance()[points],
        )
        new_leg = np.flatnonzero(np.diff(leg_of, prepend=-1) != 0)
        cuts = np.union1d(np.union1d(np.flatnonzero(split), new_leg), [0, points.shape[0]])
        for start, end in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            if split[start]:
                self.assembler.start_segment()
            if leg_of[start] >= 0 and (start == 0 or leg_of[start] != leg_of[start - 1]):
                self.assembler.start_leg(names[leg_of[start]])
            lat, lon, ele, heart_rate, cad, distance = (
                array("d", column[start:end].tobytes()) for column in columns
            )
            times = [None if t != t else t for t in time_s[start:end].tolist()]
            self.assembler.extend(lat, lon, times, ele, heart_rate, cad, distance)
        for index in np.flatnonzero(implausible).tolist():
            self.assembler.reject(index, IMPLAUSIBLE)
        for index in np.flatnonzero(paused).tolist():
            self.assembler.reject(index, IN_PAUSE)
        self._began()

    def _read_pauses(self) -> None:
        events = self.stream.table("event")
        times_s, _ = self.clock.utc(events.column("timestamp"), events.offset)
        for event, kind, time_s in zip(
            events.column("event").tolist(),
            events.column("event_type").tolist(),
            times_s.tolist(),
            strict=True,
        ):
            if event != profile.TIMER_EVENT or time_s != time_s:
                continue
            if kind in profile.TIMER_STOPS:
                self.pauses.stop(time_s)
            elif kind == profile.TIMER_START:
                self.pauses.start(time_s)

    def _legs(self, time_s: FloatArray) -> tuple[IntArray, list[str]]:
        """Which declared sport each point is (-1 before the first), and the sports' names.

        Each session names its sport; sessions are written after their records, so a record
        belongs to the last session that started at or before its time."""
        sessions = self.stream.table("session")
        names = _sport_names(sessions)
        starts, _ = self.clock.utc(sessions.column("start_time"), sessions.offset)
        ends, _ = self.clock.utc(sessions.column("timestamp"), sessions.offset)
        starts = np.where(np.isfinite(starts), starts, ends - sessions.column("total_elapsed_time"))
        declared = [i for i, name in enumerate(names) if name is not None]
        if not declared:
            for kind in ("sport", "course"):
                found = [name for name in _sport_names(self.stream.table(kind)) if name]
                if found:
                    return np.zeros(time_s.shape[0], dtype=np.int64), found[:1]
            return np.full(time_s.shape[0], -1, dtype=np.int64), []
        named = [names[i] or "" for i in declared]
        timed = [i for i in declared if np.isfinite(starts[i])]
        if len(set(named)) == 1 or len(timed) < len(declared) or not np.isfinite(time_s).any():
            return np.zeros(time_s.shape[0], dtype=np.int64), named[:1]
        order = sorted(range(len(declared)), key=lambda k: float(starts[declared[k]]))
        sorted_starts = np.array([starts[declared[k]] for k in order])
        leg = np.searchsorted(sorted_starts, time_s, side="right") - 1
        # Untimed points go with the timed point before them.
        leg[~np.isfinite(time_s)] = -2
        for index in np.flatnonzero(leg == -2).tolist():
            leg[index] = leg[index - 1] if index else -1
        return leg.astype(np.int64), [named[k] for k in order]

    def _began(self) -> None:
        """When recording began: the first timed record (with a position or not), or the
        session's start when that is earlier."""
        if self.is_course:
            return
        times_s, _ = self.clock.utc(self.records.column("timestamp"), self.records.offset)
        with np.errstate(invalid="ignore"):
            timed = times_s[times_s < timestamps.LATEST_S]
        if not timed.shape[0]:
            return
        began_s = float(timed[0])
        sessions = self.stream.table("session")
        starts_s, _ = self.clock.utc(sessions.column("start_time"), sessions.offset)
        for start_s in starts_s.tolist():
            # A start days before the first record is a clock fault, not a wait for GPS.
            if began_s - MAX_WAIT_S < start_s < began_s:
                began_s = start_s
        self.assembler.began_s = began_s

    def _add_notes(self, left_out: int) -> None:
        count = len(self.records)
        if self.is_course:
            self.assembler.add_note(
                "is a FIT course (a planned route): it has a shape and a length, but no run times"
            )
            self.assembler.route_by_design = True
        lacking = "no position" if self.gps else "no position and no distance"
        if left_out == 1:
            self.assembler.add_note(f"1 of {count} records has {lacking}: left out")
        elif left_out:
            self.assembler.add_note(f"{left_out} of {count} records have {lacking}: left out")
        if self.relative_times:
            self.assembler.add_note(
                "has times counted from when the device was switched on, not dates:"
                " those times are not used"
            )
        if self.pauses.overflowed:
            self.assembler.add_note(
                f"has more than {MAX_PAUSES:,} timer pauses: only the first {MAX_PAUSES:,} split"
                " the run"
            )


def _device(stream: fitdecoding.Stream) -> str | None:
    """The recording device's name: by the file_id's maker and product, else by the
    device_info of the creator (device 0)."""
    file_ids = stream.table("file_id")
    infos = stream.table("device_info")
    creators = infos.column("device_index") == profile.CREATOR_DEVICE
    for table, rows in ((file_ids, np.ones(len(file_ids), dtype=bool)), (infos, creators)):
        for maker, product in zip(
            table.column("manufacturer")[rows].tolist(),
            table.column("product")[rows].tolist(),
            strict=True,
        ):
            if maker == maker:
                return fitdevices.name(int(maker), int(product) if product == product else None)
    return None


def _sport_names(table: Table) -> list[str | None]:
    """The sport each message declares, as the FIT profile names it (None when it says
    nothing): the sub-sport when the sport is vague ("fitness_equipment" + "treadmill")."""
    names: list[str | None] = []
    for sport, sub_sport in zip(
        table.column("sport").tolist(), table.column("sub_sport").tolist(), strict=True
    ):
        sport_name = profile.SPORTS.get(int(sport)) if sport == sport else None
        sub_name = profile.SUB_SPORTS.get(int(sub_sport)) if sub_sport == sub_sport else None
        vague = sport_name is None or int(sport) in profile.VAGUE_SPORTS
        if vague and sports.normalize(sub_name) is not None:
            names.append(sub_name)
        else:
            names.append(sport_name)
    return names
