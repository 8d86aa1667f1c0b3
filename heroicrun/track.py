"""A run file's points: the one shape every reader produces and every measure reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DroppedPoint:
    """A point the reader left out, and why."""

    index: int  # 0-based position among the file's point elements or records
    line: int | None  # 1-based line in the file, when the format has lines
    reason: str


@dataclass(frozen=True, eq=False)
class Track:
    """All kept points of a file in time order, as parallel arrays.

    Units: degrees, metres, seconds since the Unix epoch (UTC), beats and revolutions per minute.
    Missing elevation, heart rate or cadence is NaN. Consecutive points with the same `segment`
    number are joined by run distance; a change of segment is a pause (no distance, no moving time).
    A track without times (`time_s is None`) is a route: it has a shape and a length, no pace.
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

    @property
    def kind(self) -> Literal["run", "route"]:
        """ "run" when every point has a time, "route" otherwise."""
        return "route" if self.time_s is None else "run"

    def __len__(self) -> int:
        return int(self.lat_deg.shape[0])
