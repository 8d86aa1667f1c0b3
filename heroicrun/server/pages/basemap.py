"""The ground under a map: the sea, the land and the borders between countries, as SVG.

Drawn from the bundled Natural Earth data (heroicrun.geography), simplified to the frame's scale
(about one viewBox unit), and kept in memory per frame: a route's map is drawn again on every
visit with the same frame, and its land costs more than everything else on it.
"""

from __future__ import annotations

import functools

import numpy as np

from heroicrun.geography import land
from heroicrun.server.pages.frames import Frame

# Land and borders are written in half units (integers, under a scale(.5)): a quarter of a
# screen pixel on a wide screen is no finer than the data, and integers keep the page light.
SUBUNITS = 2
DETAIL_UNITS = 1.0  # the least detail kept, in viewBox units
MARGIN = 6.0  # the land is cut this far outside the frame, so its cut edges are never seen
CACHED_FRAMES = 64


@functools.lru_cache(maxsize=CACHED_FRAMES)
def ground(frame: Frame) -> str:
    """SVG for the sea (the whole frame), the land and the borders, in that order."""
    shapes = land.within(frame.box(MARGIN), DETAIL_UNITS / frame.scale)
    rings = "".join(_path(frame, outline, closed=True) for outline in shapes.land)
    borders = "".join(_path(frame, outline, closed=False) for outline in shapes.borders)
    parts = [f'<rect class="sea" width="{frame.width:g}" height="{frame.height:g}"/>']
    half = f' transform="scale({1 / SUBUNITS:g})"'
    parts.append(f'<g class="land"{half}><path d="{rings}"/></g>')
    if borders:
        parts.append(f'<g class="borders"{half}><path d="{borders}"/></g>')
    return "".join(parts)


def _path(frame: Frame, outline: land.Outline, closed: bool) -> str:
    """One outline as path data: a move, then relative steps between whole subunits."""
    x, y = frame.xy_arrays(outline.lat_deg, outline.lon_deg)
    at = np.round(np.stack([x, y], axis=1) * SUBUNITS).astype(np.int64)
    steps = np.diff(at, axis=0)
    moved = np.any(steps != 0, axis=1)
    steps = steps[moved]
    if len(steps) < (2 if closed else 1):
        return ""
    if closed:
        xs, ys = at[:, 0], at[:, 1]
        twice_area = abs(int(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))))
        if twice_area < 2 * SUBUNITS**2:
            return ""  # less than a unit of area: a ring only grazing the map, cut to a sliver
        if not np.any(steps.sum(axis=0)):
            steps = steps[:-1]  # back at the start: `z` says so
    numbers = " ".join(map(str, steps.ravel().tolist())).replace(" -", "-")
    return f"M{at[0][0]} {at[0][1]}l{numbers}{'z' if closed else ''}"
