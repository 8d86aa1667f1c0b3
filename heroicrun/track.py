"""A run file's points: the one shape every reader produces and every measure reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from heroicrun.values import frozen

# numpy.typing.NDArray spelt out: importing numpy.typing would cost every command 0.4 ms.
FloatArray = np.ndarray[tuple[Any, ...], np.dtype[np.float64]]
IntArray = np.ndarray[tuple[Any, ...], np.dtype[np.int64]]


# Made once per dropped point, which can be every point of a file: dataclass's own __init__ is
# the faster one (see heroicrun.values).
@dataclass(frozen=True)
class DroppedPoint:
    """A point the reader left out, and why."""

    index: int  # 0-based position among the file's point elements or records
    line: int | None  # 1-based line in the file, when the format has lines
    reason: str


@frozen
class Leg:
    """A stretch of one declared sport: from point `first` to the next leg's first point."""

    first: int  # index of the leg's first kept point
    sport: str  # heroicrun's name for it (heroicrun.sports.normalize)


@frozen(eq=False)
class Track:
    """All kept points of a file in time order, as parallel arrays.

    Units: degrees, metres, seconds since the Unix epoch (UTC), beats and revolutions per minute.
    Missing elevation, heart rate or cadence is NaN. Consecutive points with the same `segment`
    number are joined by run distance; a change of segment is a pause (no distance, no moving time).
    A track without times (`time_s is None`) is a route: it has a shape and a length, no pace.

    A run recorded without GPS (a treadmill, a footpod) has no positions (`lat_deg` and
    `lon_deg` all NaN) and carries the device's own distance instead, in `device_distance_m`
    (metres from the start at each point). `legs` are the sports the file declares, in order;
    none when it declares none (then speeds judge what it was). `began_s` is when the device
    started recording, when that is before the first point (records before the first GPS fix).
    A file holding several outings is read as one Track and split by heroicrun.outings; each
    part then knows which it is (`outing` of `outings`). `device` is the watch or app that
    recorded it, as the file names it ("Garmin Forerunner 245", "Strava"), when it does.
    """

    source: str  # the file name as the runner gave it, for messages
    format: Literal["gpx", "tcx", "fit"]
    lat_deg: FloatArray
    lon_deg: FloatArray
    elevation_m: FloatArray
    heart_rate_bpm: FloatArray
    cadence_rpm: FloatArray
    segment: IntArray
    time_s: FloatArray | None
    dropped: tuple[DroppedPoint, ...] = ()
    notes: tuple[str, ...] = ()
    name: str | None = None
    legs: tuple[Leg, ...] = ()
    device_distance_m: FloatArray | None = None
    began_s: float | None = None
    outing: int = 1
    outings: int = 1
    device: str | None = None

    @property
    def kind(self) -> Literal["run", "route"]:
        """ "run" when every point has a time, "route" otherwise."""
        return "route" if self.time_s is None else "run"

    @property
    def gps(self) -> bool:
        """False for a run recorded without positions (its distance is the device's)."""
        return self.device_distance_m is None

    @property
    def sport(self) -> str | None:
        """The declared sport; "multisport" when legs differ; None when none is declared."""
        sports = {leg.sport for leg in self.legs}
        if not sports:
            return None
        return sports.pop() if len(sports) == 1 else "multisport"

    def __len__(self) -> int:
        return int(self.lat_deg.shape[0])
