"""Cutting rings and lines to a longitude-latitude box, with numpy, a whole ring at a time.

A ring is clipped by Sutherland–Hodgman against each side of the box in turn: exact for any
ring, convex or not, though a ring that leaves the box and comes back gains an edge along the
box's side (the box is larger than the map for that reason: those edges fall outside it).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def ring(
    lon: FloatArray, lat: FloatArray, box: tuple[float, float, float, float]
) -> tuple[FloatArray, FloatArray]:
    """The part of a closed ring inside the box (south, west, north, east), in degrees.

    The ring's last point need not repeat its first; an empty pair when nothing is left.
    """
    south, west, north, east = box
    x, y = lon, lat
    for value_is_x, limit, keep_above in (
        (True, west, True),
        (True, east, False),
        (False, south, True),
        (False, north, False),
    ):
        if len(x) == 0:
            break
        x, y = _half(x, y, value_is_x, limit, keep_above)
    return x, y


def _half(
    x: FloatArray, y: FloatArray, value_is_x: bool, limit: float, keep_above: bool
) -> tuple[FloatArray, FloatArray]:
    """The ring cut by one side: each kept point, then where an edge crosses the side."""
    value = x if value_is_x else y
    beyond = value - limit if keep_above else limit - value
    inside = beyond >= 0
    if inside.all():
        return x, y
    if not inside.any():
        return x[:0], y[:0]
    x_next, y_next, beyond_next = np.roll(x, -1), np.roll(y, -1), np.roll(beyond, -1)
    crossing = inside != np.roll(inside, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(crossing, beyond / (beyond - beyond_next), 0.0)
    cross_x = x + share * (x_next - x)
    cross_y = y + share * (y_next - y)
    if value_is_x:
        cross_x = np.where(crossing, limit, cross_x)  # exactly on the side, not a rounding off
    else:
        cross_y = np.where(crossing, limit, cross_y)
    keep = np.stack([inside, crossing], axis=1).ravel()
    return (
        np.stack([x, cross_x], axis=1).ravel()[keep],
        np.stack([y, cross_y], axis=1).ravel()[keep],
    )


def lines(
    lon: FloatArray, lat: FloatArray, box: tuple[float, float, float, float]
) -> Iterator[tuple[FloatArray, FloatArray]]:
    """The runs of a polyline's steps that may cross the box, each as (lon, lat) arrays.

    A step is kept when its bounding box meets the box: enough for drawing, since the map's
    own edge cuts what is left over.
    """
    south, west, north, east = box
    if len(lon) < 2:
        return
    low_x, high_x = np.minimum(lon[:-1], lon[1:]), np.maximum(lon[:-1], lon[1:])
    low_y, high_y = np.minimum(lat[:-1], lat[1:]), np.maximum(lat[:-1], lat[1:])
    kept: BoolArray = (high_x >= west) & (low_x <= east) & (high_y >= south) & (low_y <= north)
    if not kept.any():
        return
    edges = np.diff(np.concatenate(([0], kept.astype(np.int8), [0])))
    for first, last in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        yield lon[first : last + 1], lat[first : last + 1]
