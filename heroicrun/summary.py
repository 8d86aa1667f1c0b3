"""A measured run as one typed value, `RunSummary`: what `check --json` prints, what is stored
with every run (`runs.summary_json`), and what the API answers and the pages show.

Units are in the names (metres, seconds, seconds per km); absent values are None, never NaN.
`model_dump(mode="json")` is the JSON form. A summary stored by an older heroicrun still
loads: the fields added since then take their defaults.

The values are frozen dataclasses with the calls of a pydantic model. Pydantic validates a
stored summary into them (`RunSummary.model_validate_json`), but only when one is read back:
`heroicrun check` measures and prints without importing it (it would double the command's start).
The field descriptions in `metadata` are the ones the API's JSON Schema shows.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self, cast

from heroicrun import sports
from heroicrun.measuring import results
from heroicrun.track import Track
from heroicrun.validated import Validated
from heroicrun.values import frozen

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

# Lists a file can make as long as it likes are cut here, with a count of the rest in `unlisted`
# and a note: the summary is stored with every run and drawn on its page, so it stays tens of
# kilobytes whatever the file holds. Splits are cut where they are measured (at 1,000).
MAX_FLAGS = 50
MAX_DROPPED = 100


def _utc(moment: datetime) -> datetime:
    # Every moment heroicrun keeps is UTC; a stored one without a zone was written as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class _InUtc:
    """Marks a datetime that validating moves to UTC; pydantic reads the hook only then."""

    __slots__ = ()

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(_utc, handler(source))


class _Value(Validated):
    """What every value of a summary shares: the calls of a pydantic model that callers use."""

    # Read by pydantic when it validates: NaN is refused, so it can never reach the JSON.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"allow_inf_nan": False}

    def model_dump(
        self,
        mode: Literal["python", "json"] = "python",
        include: Collection[str] | None = None,
        exclude: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """The fields as a dict (nested values too), in order; with mode="json", JSON-ready:
        datetimes as ISO 8601 text ending in Z. `include`/`exclude` pick top-level fields."""
        as_json = mode == "json"
        kind: type = type(self)
        return {
            name: _dumped(getattr(self, name), as_json)
            for name in _names(kind)
            if (include is None or name in include) and (exclude is None or name not in exclude)
        }

    def model_dump_json(self) -> str:
        """The JSON form as compact text."""
        dumped = self.model_dump(mode="json")
        return json.dumps(dumped, allow_nan=False, ensure_ascii=False, separators=(",", ":"))

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Self:
        """The same value with these fields changed."""
        copied: Self = dataclasses.replace(cast(Any, self), **(update or {}))
        return copied


@cache
def _names(kind: type) -> tuple[str, ...]:
    return tuple(each.name for each in dataclasses.fields(kind))


def _dumped(value: Any, as_json: bool) -> Any:
    if isinstance(value, _Value):
        kind: type = type(value)
        return {name: _dumped(getattr(value, name), as_json) for name in _names(kind)}
    if isinstance(value, list):
        return [_dumped(item, as_json) for item in value]
    if as_json and isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _about(text: str) -> dict[str, str]:
    # The field's description in the API's JSON Schema (pydantic reads `metadata`).
    return {"description": text}


@frozen(kw_only=True)
class Sensor(_Value):
    """Average and maximum of a sensor over the points that carry it (bpm or rpm)."""

    average: float | None
    max: float | None


@frozen(kw_only=True)
class Split(_Value):
    """One km or mile of the run; times are None for a route."""

    number: int = field(metadata=_about("From 1"))
    distance_m: float | None
    elapsed_s: float | None
    moving_s: float | None
    pace_s_per_km: float | None
    elevation_change_m: float | None


@frozen(kw_only=True)
class BestEffort(_Value):
    """The fastest time over a standard distance, found anywhere in the run."""

    name: str = field(metadata=_about('"400 m", "1 mile", "Half marathon", …'))
    distance_m: float
    elapsed_s: float | None
    start_offset_s: float | None
    start_distance_m: float | None


@frozen(kw_only=True)
class Flag(_Value):
    """Something implausible in the file, and where."""

    kind: str = field(metadata=_about('"gps_spike" or "vehicle": what looked wrong'))
    detail: str
    start_offset_s: float | None
    end_offset_s: float | None
    start_distance_m: float | None
    end_distance_m: float | None
    lat: float | None
    lon: float | None
    points: int | None


@frozen(kw_only=True)
class Dropped(_Value):
    """A point the reader left out, and why."""

    index: int = field(metadata=_about("Position among the file's points, from 0"))
    line: int | None = field(metadata=_about("Line in the file, from 1, when the format has lines"))
    reason: str


@frozen(kw_only=True)
class Unlisted(_Value):
    """How many entries each cut list leaves out."""

    splits: int = 0
    splits_mile: int = 0
    flags: int = 0
    dropped: int = 0


@frozen(kw_only=True)
class RunSummary(_Value):
    """Every figure of one run (one outing of a file), in SI units and seconds."""

    file: str = field(metadata=_about("The file name (display only)"))
    format: str = field(metadata=_about('"gpx", "tcx" or "fit"'))
    kind: Literal["run", "route"] = field(
        metadata=_about('"run", or "route" for a file without times (no pace)')
    )
    name: str | None
    device: str | None = field(
        default=None,
        metadata=_about(
            'The watch or app that recorded the file, as the file names it: "Garmin Forerunner'
            ' 245", "Suunto", "OpenTracks"…; null when it names none (and in runs stored before'
            " heroicrun read it)"
        ),
    )
    sport: str | None = field(
        default=None,
        metadata=_about(
            'The declared sport: "running", "walking", "hiking", "cycling", '
            '"swimming", "transition", …; null when the file declares none (its speeds judge it)'
        ),
    )
    on_foot: bool | None = field(
        default=None,
        metadata=_about(
            "Whether the declared sport is on foot (only those count for missions); "
            "null when undeclared"
        ),
    )
    gps: bool = field(
        default=True,
        metadata=_about(
            "False for a run recorded without positions (a treadmill, a footpod): "
            "its distance is the device's, and it has no map and reaches no place"
        ),
    )
    outing: int = field(default=1, metadata=_about("Which outing of its file the run is, from 1"))
    outings: int = field(
        default=1, metadata=_about("How many outings the file holds, each stored as a run")
    )
    start_time: Annotated[datetime, _InUtc()] | None = field(
        metadata=_about("UTC, ISO 8601 (…Z); null for a route")
    )
    points: int
    dropped_points: int
    distance_m: float | None
    elapsed_s: float | None
    moving_s: float | None
    pace_s_per_km: float | None
    pace_s_per_mile: float | None
    average_speed_m_s: float | None
    max_speed_m_s: float | None
    elevation_gain_m: float | None
    elevation_loss_m: float | None
    min_elevation_m: float | None
    max_elevation_m: float | None
    heart_rate: Sensor | None
    cadence: Sensor | None
    counted_distance_m: float | None = field(
        metadata=_about("The distance that counts for missions: without vehicle stretches")
    )
    counted_moving_s: float | None
    splits: list[Split] = field(metadata=_about("Per km, the first 1,000"))
    splits_mile: list[Split] = field(metadata=_about("Per mile, the first 1,000"))
    best_efforts: list[BestEffort]
    flags: list[Flag] = field(metadata=_about(f"The first {MAX_FLAGS}"))
    dropped: list[Dropped] = field(metadata=_about(f"The first {MAX_DROPPED}"))
    notes: list[str]
    unlisted: Unlisted = field(
        default_factory=Unlisted,
        metadata=_about(
            "How many splits, splits_mile, flags and dropped the lists above leave out"
        ),
    )


def describe(track: Track, measures: results.Measures) -> RunSummary:
    """Every figure of one file, in SI units and seconds; absent values are None, never NaN."""
    unlisted = Unlisted(
        splits=measures.splits_km_count - len(measures.splits_km),
        splits_mile=measures.splits_mile_count - len(measures.splits_mile),
        flags=max(len(measures.flags) - MAX_FLAGS, 0),
        dropped=max(len(track.dropped) - MAX_DROPPED, 0),
    )
    return RunSummary(
        file=track.source,
        format=track.format,
        kind=measures.kind,
        name=track.name,
        device=track.device,
        sport=track.sport,
        on_foot=sports.on_foot(track.sport),
        gps=track.gps,
        outing=track.outing,
        outings=track.outings,
        start_time=None if measures.start_time is None else _utc(measures.start_time),
        points=measures.points,
        dropped_points=len(track.dropped) + measures.spikes_dropped,
        distance_m=_round(measures.distance_m, 1),
        elapsed_s=_round(measures.elapsed_s, 3),
        moving_s=_round(measures.moving_s, 3),
        pace_s_per_km=_round(measures.pace_s_per_km, 1),
        pace_s_per_mile=_round(measures.pace_s_per_mile, 1),
        average_speed_m_s=_round(measures.average_speed_m_s, 3),
        max_speed_m_s=_round(measures.max_speed_m_s, 3),
        elevation_gain_m=_round(measures.elevation_gain_m, 1),
        elevation_loss_m=_round(measures.elevation_loss_m, 1),
        min_elevation_m=_round(measures.min_elevation_m, 1),
        max_elevation_m=_round(measures.max_elevation_m, 1),
        heart_rate=_sensor(measures.heart_rate),
        cadence=_sensor(measures.cadence),
        counted_distance_m=_round(measures.counted_distance_m, 1),
        counted_moving_s=_round(measures.counted_moving_s, 3),
        splits=[_split(split) for split in measures.splits_km],
        splits_mile=[_split(split) for split in measures.splits_mile],
        best_efforts=[_effort(effort) for effort in measures.best_efforts],
        flags=[_flag(flag) for flag in measures.flags[:MAX_FLAGS]],
        dropped=[
            Dropped(index=point.index, line=point.line, reason=point.reason)
            for point in track.dropped[:MAX_DROPPED]
        ],
        notes=[*track.notes, *_cut_notes(measures, unlisted)],
        unlisted=unlisted,
    )


def _cut_notes(measures: results.Measures, unlisted: Unlisted) -> list[str]:
    """One sentence for each list that was cut, saying how much was left out."""
    notes = []
    for left_out, what, count in (
        (unlisted.splits, "splits per km", measures.splits_km_count),
        (unlisted.splits_mile, "splits per mile", measures.splits_mile_count),
    ):
        if left_out:
            notes.append(f"lists the first {count - left_out:,} of {count:,} {what}")
    if unlisted.flags:
        kinds = Counter(flag.kind for flag in measures.flags[MAX_FLAGS:])
        listed = ", ".join(
            f"{count:,} {_KIND_WORDS[kind][count != 1]}" for kind, count in kinds.most_common()
        )
        notes.append(f"lists the first {MAX_FLAGS} flags, and {unlisted.flags:,} more: {listed}")
    if unlisted.dropped:
        notes.append(f"lists the first {MAX_DROPPED} dropped points, and {unlisted.dropped:,} more")
    return notes


_KIND_WORDS = {
    "gps_spike": ("GPS glitch", "GPS glitches"),
    "vehicle": ("stretch too fast to run", "stretches too fast to run"),
}


def _round(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _sensor(summary: results.SensorSummary | None) -> Sensor | None:
    if summary is None:
        return None
    return Sensor(average=_round(summary.average, 1), max=_round(summary.maximum, 1))


def _split(split: results.Split) -> Split:
    return Split(
        number=split.number,
        distance_m=_round(split.distance_m, 1),
        elapsed_s=_round(split.elapsed_s, 3),
        moving_s=_round(split.moving_s, 3),
        pace_s_per_km=_round(split.pace_s_per_km, 1),
        elevation_change_m=_round(split.elevation_change_m, 1),
    )


def _effort(effort: results.BestEffort) -> BestEffort:
    return BestEffort(
        name=effort.name,
        distance_m=effort.distance_m,
        elapsed_s=_round(effort.elapsed_s, 3),
        start_offset_s=_round(effort.start_offset_s, 3),
        start_distance_m=_round(effort.start_distance_m, 1),
    )


def _flag(flag: results.Flag) -> Flag:
    return Flag(
        kind=flag.kind,
        detail=flag.detail,
        start_offset_s=_round(flag.start_offset_s, 3),
        end_offset_s=_round(flag.end_offset_s, 3),
        start_distance_m=_round(flag.start_distance_m, 1),
        end_distance_m=_round(flag.end_distance_m, 1),
        lat=_round(flag.lat_deg, 7),
        lon=_round(flag.lon_deg, 7),
        points=flag.points,
    )
