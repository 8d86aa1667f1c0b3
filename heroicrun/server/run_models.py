"""The JSON shapes of the runs API: the fields of `heroicrun check --json`, plus what storing adds.

Units are in the names (metres, seconds, seconds per km); absent values are null. A field added
to `heroicrun.summary.describe` must be added here too (a test compares the two).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from heroicrun.play.runs import StoredRun


class Sensor(BaseModel):
    average: float | None
    max: float | None


class Split(BaseModel):
    number: int
    distance_m: float | None
    elapsed_s: float | None
    moving_s: float | None
    pace_s_per_km: float | None
    elevation_change_m: float | None


class BestEffort(BaseModel):
    name: str
    distance_m: float
    elapsed_s: float | None
    start_offset_s: float | None
    start_distance_m: float | None


class Flag(BaseModel):
    kind: str = Field(description='"glitch", "vehicle", …: what looked wrong')
    detail: str
    start_offset_s: float | None
    end_offset_s: float | None
    start_distance_m: float | None
    end_distance_m: float | None
    lat: float | None
    lon: float | None
    points: int | None


class DroppedPoint(BaseModel):
    index: int
    line: int | None
    reason: str


class RunBrief(BaseModel):
    """A stored run's headline figures."""

    id: int
    file: str = Field(description="The file name the runner gave (display only).")
    format: str = Field(description='"gpx", "tcx" or "fit"')
    kind: str = Field(description='"run", or "route" for a file without times (no pace)')
    name: str | None
    sport: str | None = Field(
        default=None,
        description='The declared sport: "running", "walking", "hiking", "cycling", '
        '"swimming", "transition", …; null when the file declares none (its speeds judge it)',
    )
    on_foot: bool | None = Field(
        default=None,
        description="Whether the declared sport is on foot (only those count for missions); "
        "null when undeclared",
    )
    gps: bool = Field(
        default=True,
        description="False for a run recorded without positions (a treadmill, a footpod): "
        "its distance is the device's, and it has no map and reaches no place",
    )
    outing: int = Field(default=1, description="Which outing of its file the run is, from 1")
    outings: int = Field(
        default=1, description="How many outings the file holds, each stored as a run"
    )
    start_time: str | None = Field(description="UTC, ISO 8601 (…Z); null for a route")
    distance_m: float | None
    counted_distance_m: float | None = Field(
        description="The distance that counts for missions: without vehicle stretches"
    )
    elapsed_s: float | None
    moving_s: float | None
    pace_s_per_km: float | None
    pace_s_per_mile: float | None
    average_speed_m_s: float | None
    elevation_gain_m: float | None
    elevation_loss_m: float | None
    heart_rate: Sensor | None
    cadence: Sensor | None
    flags: list[Flag]
    notes: list[str]
    uploaded_at: datetime
    measured_with: str = Field(description="The heroicrun version that measured the run")


class Counting(BaseModel):
    """Whether a stored run counts for missions, and why not."""

    overlaps_run: int | None = Field(
        default=None,
        description="The earlier run of the same outing (a watch and a phone recording it at "
        "once): this one counts for no mission while that one is stored",
    )
    not_counted: str | None = Field(
        default=None,
        description="Why the run counts for no mission, in a sentence: "
        '"the same outing as run 12 (overlaps 94 % of it)"; null when it counts',
    )


class RunDetail(RunBrief, Counting):
    """Everything measured in a stored run: the fields of `heroicrun check --json`."""

    points: int
    dropped_points: int
    max_speed_m_s: float | None
    min_elevation_m: float | None
    max_elevation_m: float | None
    counted_moving_s: float | None
    splits: list[Split]
    splits_mile: list[Split]
    best_efforts: list[BestEffort]
    dropped: list[DroppedPoint]
    unlisted: dict[str, int] = Field(
        default_factory=dict,
        description="How many splits, splits_mile, flags and dropped the lists above leave out",
    )


class UploadedRun(RunBrief, Counting):
    """One outing of a file of an upload, stored (or found already stored)."""

    duplicate: bool = Field(
        description="True when this runner had already uploaded this activity, in this file or "
        "another (gzip, zip, re-export): the run is the one stored first, and nothing changed"
    )
    unlocked: list[dict[str, str]] = Field(
        description="What the run unlocked in the runner's missions"
    )


class FileError(BaseModel):
    file: str = Field(description="The file, or the archive member, that was refused")
    error: str = Field(description="Why, in a sentence that names the file")


class Skipped(BaseModel):
    file: str
    reason: str


class Upload(BaseModel):
    """The result of an upload, file by file: some may be stored while others fail."""

    runs: list[UploadedRun] = Field(
        description="One entry per outing stored (or found stored): a file holding several "
        "outings gives several, in order"
    )
    errors: list[FileError]
    skipped: list[Skipped] = Field(
        default_factory=list, description="Notes on archive members that are not run files"
    )
    detail: str | None = Field(
        default=None, description="When nothing was stored (status 422): why, in a sentence"
    )


class RunPage(BaseModel):
    runs: list[RunBrief]
    total: int
    limit: int
    offset: int


def fields(run: StoredRun) -> dict[str, Any]:
    """The stored summary with the run's id, display name, storage facts and whether it
    counts."""
    return {
        **run.summary,
        "id": run.id,
        "file": run.file_name,
        # From the row, so runs stored before these were measured answer too.
        "sport": run.sport,
        "on_foot": run.on_foot,
        "gps": run.gps,
        "outing": run.outing,
        "outings": run.outings,
        "uploaded_at": run.uploaded_at,
        "measured_with": run.measured_with,
        "overlaps_run": run.overlaps_run_id,
        "not_counted": run.not_counted,
    }
