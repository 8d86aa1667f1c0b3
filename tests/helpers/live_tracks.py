"""Synthetic GPS for the run page: fixes as a phone's geolocation gives them, made a stretch at a
time so a test can answer what the page says (speed up when a surge is called).

The page takes each fix's own timestamp as its time, so forty minutes of fixes feed in a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from geographiclib.geodesic import Geodesic

from heroicrun import geodesy

_LAT_LON = Geodesic.LATITUDE | Geodesic.LONGITUDE
# Along the Regent's Canal, heading east-north-east: no pole, no antimeridian.
START = (51.5362, -0.1420)
BEARING_DEG = 70.0
ACCURACY_M = 6.0

# The fake geolocation the page gets instead of the phone's: the test feeds it with
# window.__feed(position). Speech is recorded into window.__spoken instead of spoken.
FAKE_SENSES = """
(() => {
  const watchers = new Map();
  let next = 1;
  const geo = navigator.geolocation;
  geo.watchPosition = (ok, fail, options) => {
    const id = next++;
    watchers.set(id, ok);
    window.__watchOptions = options;
    return id;
  };
  geo.getCurrentPosition = (ok) => { watchers.set(next++, ok); };
  geo.clearWatch = (id) => { watchers.delete(id); };
  window.__feed = (position) => watchers.forEach((ok) => ok(position));
  window.__feedAll = (positions) => positions.forEach(window.__feed);
  window.__spoken = [];
  window.speechSynthesis.speak = (utterance) => { window.__spoken.push(utterance.text); };
})();
"""


@dataclass
class Trail:
    """A runner's fixes as they go: one a second (or every `step_s`), at the speed asked."""

    start_ms: int
    lat: float = START[0]
    lon: float = START[1]
    elevation_m: float = 30.0
    t_ms: int = 0
    fixes: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.t_ms = self.start_ms
        self.fixes.append(self._fix())

    def run(self, seconds: int, speed_m_s: float, step_s: int = 1) -> list[dict[str, Any]]:
        """Go on at `speed_m_s` for `seconds`; the new fixes, in geolocation's shape."""
        made = []
        for _ in range(seconds // step_s):
            point = Geodesic.WGS84.Direct(
                self.lat, self.lon, BEARING_DEG, speed_m_s * step_s, _LAT_LON
            )
            self.lat, self.lon = point["lat2"], point["lon2"]
            self.t_ms += step_s * 1000
            self.elevation_m = 30.0 + 4.0 * math.sin(self.t_ms / 60_000)
            made.append(self._fix())
        self.fixes.extend(made)
        return made

    def _fix(self) -> dict[str, Any]:
        return {
            "coords": {
                "latitude": self.lat,
                "longitude": self.lon,
                "accuracy": ACCURACY_M,
                "altitude": self.elevation_m,
            },
            "timestamp": self.t_ms,
        }

    @property
    def elapsed_s(self) -> float:
        return (self.t_ms - self.start_ms) / 1000

    def distance_m(self) -> float:
        """The fed track's length on the ellipsoid, metres."""
        lat = np.array([fix["coords"]["latitude"] for fix in self.fixes])
        lon = np.array([fix["coords"]["longitude"] for fix in self.fixes])
        return float(geodesy.step_distances_m(lat, lon).sum())
