"""FIT activity files (Garmin, Wahoo, Coros, Apple Watch via Strava…): records into a Track."""

from __future__ import annotations

import bisect
import io
import math
from array import array
from typing import Any

import fitdecode

from heroicrun.reading import timestamps
from heroicrun.reading.assembly import NAN, TrackAssembler
from heroicrun.reading.errors import ReadError
from heroicrun.reading.limits import Limits
from heroicrun.track import Track

DEG_PER_SEMICIRCLE = 180 / 2**31
HEADER_MIN_BYTES = 12  # FIT header: size, versions, data size, ".FIT" (14 with its CRC)

# FIT times are seconds since 1989-12-31T00:00Z; values below 0x10000000 count from power-on.
FIT_EPOCH_S = 631065600
FIT_RELATIVE_BELOW = 0x10000000

TIMER_STOPS = frozenset({"stop", "stop_all", "stop_disable", "stop_disable_all"})
RECORD_FIELDS = frozenset(
    {
        "timestamp",
        "position_lat",
        "position_long",
        "enhanced_altitude",
        "altitude",
        "heart_rate",
        "cadence",
        "fractional_cadence",
    }
)
# A run pauses a few hundred times at most; the cap keeps a flood of timer events cheap.
MAX_PAUSES = 10_000
IN_PAUSE = "is from a pause (the device's timer was stopped)"


def read(data: bytes, source: str, limits: Limits) -> Track:
    """Read a FIT file's GPS records: degrees, metres, seconds since the epoch, bpm and rpm."""
    _check_header(data, source)
    if len(data) > limits.max_fit_bytes:
        raise ReadError(
            source,
            f"is a {len(data) / 2**20:.0f} MiB FIT file, more than the"
            f" {limits.max_fit_bytes / 2**20:.0f} MiB heroicrun reads (a day-long run is about 4)",
        )
    records = _Records(source, limits.max_points)
    failure: Exception | None = None
    # No data processor: the reader alone gives the enum names and scaled numbers used here, and
    # the processor's datetimes and unit conversions would cost a fifth more time. CRCs are
    # checked without warnings (READONLY) so a bad checksum becomes a note, not lost data.
    fit = fitdecode.FitReader(
        io.BytesIO(data),
        processor=None,
        check_crc=fitdecode.CrcCheck.READONLY,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    try:
        for frame in fit:
            records.take(frame)
    except ReadError:
        raise
    except Exception as error:  # damaged data surfaces as any exception, assertions included
        failure = error
    finally:
        fit.close()
    return records.finish(failure)


def _check_header(data: bytes, source: str) -> None:
    if not data:
        raise ReadError(source, "is empty")
    if data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        raise ReadError(source, "is not a FIT file (it is XML text: a GPX or TCX file?)")
    if len(data) < HEADER_MIN_BYTES:
        raise ReadError(source, f"is not a FIT file (only {len(data)} bytes, too short)")
    if data[8:12] != b".FIT":
        raise ReadError(source, "is not a FIT file (it does not start with a FIT header)")


class _Pauses:
    """Timer pauses seen so far: sorted, non-overlapping [stop, resume] spans in epoch seconds."""

    def __init__(self) -> None:
        self.stops: list[float] = []
        self.resumes: list[float] = []
        self.open_since: float | None = None
        self.overflowed = False

    def stop(self, time_s: float) -> None:
        if self.open_since is None:
            self.open_since = time_s

    def start(self, time_s: float) -> float | None:
        """Close the open pause; return when it began, or None if none was open."""
        began, self.open_since = self.open_since, None
        if began is None or time_s < began:
            return None
        if len(self.stops) >= MAX_PAUSES:
            self.overflowed = True
            return None
        stop_s, resume_s = began, time_s
        # Spans overlapping this one (files can repeat or misorder events) merge into it.
        low = bisect.bisect_right(self.resumes, stop_s)
        high = bisect.bisect_left(self.stops, resume_s)
        if low < high:
            stop_s = min(stop_s, self.stops[low])
            resume_s = max(resume_s, self.resumes[high - 1])
        self.stops[low:high] = [stop_s]
        self.resumes[low:high] = [resume_s]
        return began

    def between(self, earlier_s: float, later_s: float) -> bool:
        """True when the timer stopped or resumed between two point times."""
        index = bisect.bisect_left(self.stops, earlier_s)
        if index < len(self.stops) and self.stops[index] < later_s:
            return True
        index = bisect.bisect_right(self.resumes, earlier_s)
        if index < len(self.resumes) and self.resumes[index] <= later_s:
            return True
        return self.open_since is not None and earlier_s <= self.open_since < later_s

    def contains(self, time_s: float) -> bool:
        """True when the time falls strictly inside a closed pause."""
        index = bisect.bisect_left(self.stops, time_s) - 1
        return index >= 0 and time_s < self.resumes[index]


class _Records:
    """Feeds the records of one FIT stream to a TrackAssembler as they are decoded."""

    def __init__(self, source: str, max_points: int) -> None:
        self.source = source
        self.max_points = max_points
        self.assembler = TrackAssembler(source, "fit", max_points)
        self.pauses = _Pauses()
        self.file_type: object = None
        self.headers = 0
        self.complete = False  # the last FIT file in the stream ended with its CRC
        self.checksum_failed = False
        self.records = 0
        self.without_position = 0
        self.relative_times = 0
        self.previous_s: float | None = None
        # Points after a timer stop whose resume has not been read yet.
        self.pending_index = array("q")
        self.pending_s = array("d")

    def take(self, frame: Any) -> None:
        if isinstance(frame, fitdecode.FitDataMessage):
            name = frame.name
            if name == "record":
                self._record(frame)
            elif name == "event":
                self._event(frame)
            elif name == "file_id" and self.file_type is None:
                self.file_type = frame.get_value("type", fallback=None)
        elif isinstance(frame, fitdecode.FitHeader):
            self.headers += 1
            self.complete = False
            self.checksum_failed |= frame.crc_matched is False
        elif isinstance(frame, fitdecode.FitCRC):
            self.complete = True
            self.checksum_failed |= not frame.matched

    @property
    def is_course(self) -> bool:
        """True when the file's file_id says it is a course (a planned route)."""
        return self.file_type == "course"

    def _record(self, frame: Any) -> None:
        self.records += 1
        values: dict[str, object] = {}
        for field in frame.fields:
            name = field.name
            if name in RECORD_FIELDS and field.value is not None:
                values.setdefault(name, field.value)
        lat = _number(values.get("position_lat"))
        lon = _number(values.get("position_long"))
        if lat is None or lon is None:
            self.without_position += 1
            if self.without_position > self.max_points:
                raise ReadError(
                    self.source,
                    f"has more than {self.max_points:,} records without a position,"
                    " more than heroicrun reads in one file",
                )
            return
        elevation = _number(values.get("enhanced_altitude"))
        if elevation is None:
            elevation = _number(values.get("altitude"))
        cadence = _number(values.get("cadence"))
        if cadence is not None:
            cadence += _number(values.get("fractional_cadence")) or 0.0
        heart_rate = _number(values.get("heart_rate"))
        raw_time = values.get("timestamp")
        # A course's times are made up by the planner (its pace, not the runner's): a course is
        # a route, read without times as TCX courses are.
        time_s = None if self.is_course else _time_s(raw_time)
        if time_s is None and isinstance(raw_time, int) and not self.is_course:
            self.relative_times += 1
        implausible = time_s is not None and time_s >= timestamps.LATEST_S
        if implausible:
            time_s = None
        index = len(self.assembler)
        if time_s is not None:
            if self.previous_s is not None and self.pauses.between(self.previous_s, time_s):
                self.assembler.start_segment()
            self.previous_s = time_s
        self.assembler.add(
            lat * DEG_PER_SEMICIRCLE,
            lon * DEG_PER_SEMICIRCLE,
            time_s,
            NAN if elevation is None else elevation,
            NAN if heart_rate is None else heart_rate,
            NAN if cadence is None else cadence,
        )
        if implausible:
            self.assembler.reject(index, "has a time that is not a plausible date (after 2100)")
        elif time_s is not None:
            if self.pauses.contains(time_s):
                self.assembler.reject(index, IN_PAUSE)
            elif self.pauses.open_since is not None and time_s > self.pauses.open_since:
                self.pending_index.append(index)
                self.pending_s.append(time_s)

    def _event(self, frame: Any) -> None:
        values = {field.name: field.value for field in frame.fields}
        if values.get("event") != "timer":
            return
        time_s = _time_s(values.get("timestamp"))
        if time_s is None:
            return
        kind = values.get("event_type")
        if kind in TIMER_STOPS:
            self.pauses.stop(time_s)
        elif kind == "start":
            began = self.pauses.start(time_s)
            if began is not None:
                for index, point_s in zip(self.pending_index, self.pending_s, strict=True):
                    if point_s < time_s:
                        self.assembler.reject(index, IN_PAUSE)
            del self.pending_index[:]
            del self.pending_s[:]

    def finish(self, failure: Exception | None) -> Track:
        """Build the Track, or raise ReadError with what went wrong."""
        kept = len(self.assembler)
        early: str | None = None
        if failure is not None and self.headers == 0:
            raise ReadError(self.source, "is not a readable FIT file (its header is damaged)")
        if failure is not None and not self.complete:
            how = "cut short" if isinstance(failure, fitdecode.FitEOFError) else "damaged"
            offset = getattr(failure, "offset", None)
            at = f" at byte {offset}" if isinstance(offset, int) else ""
            if kept == 0:
                raise ReadError(self.source, f"is a FIT file {how}{at} before any track point")
            if kept == 1:
                raise ReadError(
                    self.source,
                    f"is a FIT file {how}{at} after its first track point;"
                    " a run needs at least two",
                )
            rest = "the file is cut short" if how == "cut short" else "the rest is damaged"
            early = f"ends early{at} after {self.records} records ({rest})"
            self.assembler.add_note(f"{early}: read what was there")
        elif failure is not None:
            self.assembler.add_note("has unreadable bytes after the end of its FIT data: ignored")
        elif self.checksum_failed:
            self.assembler.add_note("fails its checksum, so some values may be wrong")
        if self.records == 0 and self.file_type not in (None, "activity", "course"):
            kind = self.file_type if isinstance(self.file_type, str) else f"type {self.file_type}"
            raise ReadError(self.source, f"is a FIT {kind} file, not an activity: it has no points")
        if kept == 0 and self.without_position:
            raise ReadError(
                self.source,
                f"has no GPS position in any of its {self.records} records"
                " (an indoor or treadmill activity?)",
            )
        self._add_notes()
        try:
            return self.assembler.finish()
        except ReadError as error:
            if early is None:
                raise
            raise ReadError(self.source, f"{error.problem}; it also {early}") from None

    def _add_notes(self) -> None:
        if self.is_course:
            self.assembler.add_note(
                "is a FIT course (a planned route): it has a shape and a length, but no run times"
            )
        if self.without_position == 1:
            self.assembler.add_note(f"1 of {self.records} records has no position: left out")
        elif self.without_position:
            self.assembler.add_note(
                f"{self.without_position} of {self.records} records have no position: left out"
            )
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


def _time_s(raw: object) -> float | None:
    """Seconds since the Unix epoch, or None when absent or counted from power-on."""
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < FIT_RELATIVE_BELOW:
        return None
    return float(FIT_EPOCH_S + raw)


def _number(value: object) -> float | None:
    """A finite number, or None for absent, invalid or array values."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
