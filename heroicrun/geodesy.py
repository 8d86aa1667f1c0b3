"""Distances on the WGS84 ellipsoid, computed for whole tracks at once.

The inverse problem is solved the way Vincenty (1975) does it: iterate on the longitude on the
auxiliary sphere until it stops moving. Vincenty's own series are truncated early (about 0.1 mm
off on long lines), so both integrals use Karney's (2013) series in eps instead, which keeps
the result within nanometres of `geopy.distance.geodesic` (Karney's algorithm). Nearly antipodal
pairs, where the iteration does not settle, are handed to geopy one by one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from heroicrun.track import FloatArray

if TYPE_CHECKING:
    import numpy.typing as npt

EQUATORIAL_RADIUS_M = 6378137.0
FLATTENING = 1 / 298.257223563
POLAR_RADIUS_M = EQUATORIAL_RADIUS_M * (1 - FLATTENING)
_EP2 = FLATTENING * (2 - FLATTENING) / (1 - FLATTENING) ** 2  # second eccentricity squared
_N = FLATTENING / (2 - FLATTENING)  # third flattening

# Ordinary lines settle in two rounds (see _inverse); pairs still moving after this many are
# nearly antipodal, where Vincenty's iteration converges slowly or not at all: geopy takes them.
MAX_ITERATIONS = 20
# Stop once a round moves the longitude by no more than rounding noise: an error of 4e-15 rad
# is 3e-8 m on the ground, far inside the 1e-6 m we promise.
_TOLERANCE_RAD = 1e-15
_RELATIVE_TOLERANCE = 4 * np.finfo(np.float64).eps
_BLOCK = 8192  # pairs per block

# Karney (2013) eq. 24 and 25, WGS84's n substituted; coefficients of eps**0 .. eps**5.
_A3 = (
    1.0,
    -(1 / 2 - _N / 2),
    -(1 / 4 + _N / 8 - 3 * _N**2 / 8),
    -(1 / 16 + 3 * _N / 16 + _N**2 / 16),
    -(3 / 64 + _N / 32),
    -3 / 128,
)
# C3[l] holds the coefficients of eps**l .. eps**5 of Karney's C3l.
_C3 = (
    (
        1 / 4 - _N / 4,
        1 / 8 - _N**2 / 8,
        3 / 64 + 3 * _N / 64 - _N**2 / 64,
        5 / 128 + _N / 64,
        3 / 128,
    ),
    (
        1 / 16 - 3 * _N / 32 + _N**2 / 32,
        3 / 64 - _N / 32 - 3 * _N**2 / 64,
        3 / 128 + _N / 128,
        5 / 256,
    ),
    (5 / 192 - 3 * _N / 64 + 5 * _N**2 / 192, 3 / 128 - 5 * _N / 192, 7 / 512),
    (7 / 512 - 7 * _N / 256, 7 / 512),
    (21 / 2560,),
)
# Karney (2013) eq. 17 and 18: C1[l] holds the coefficients of eps**l, eps**(l+2), ...
_C1 = (
    (-1 / 2, 3 / 16, -1 / 32),
    (-1 / 16, 1 / 32, -9 / 2048),
    (-1 / 48, 3 / 256),
    (-5 / 512, 3 / 512),
    (-7 / 1280,),
    (-7 / 2048,),
)


def distance_m(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Return the ellipsoidal distance between two points, in metres."""
    pair = distances_m(
        np.array([lat1_deg]), np.array([lon1_deg]), np.array([lat2_deg]), np.array([lon2_deg])
    )
    return float(pair[0])


def step_distances_m(lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
    """Return the n-1 ellipsoidal distances between consecutive points, in metres."""
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    if lat.shape[0] < 2:
        return np.zeros(0, dtype=np.float64)
    sin_beta, cos_beta = _reduced_latitude(lat)
    return _solve(
        lat[:-1],
        lon[:-1],
        lat[1:],
        lon[1:],
        (sin_beta[:-1], cos_beta[:-1], sin_beta[1:], cos_beta[1:]),
    )


def distances_m(
    lat1_deg: FloatArray, lon1_deg: FloatArray, lat2_deg: FloatArray, lon2_deg: FloatArray
) -> FloatArray:
    """Return the ellipsoidal distance from each point 1 to its point 2, in metres."""
    lat1 = np.asarray(lat1_deg, dtype=np.float64).ravel()
    lat2 = np.asarray(lat2_deg, dtype=np.float64).ravel()
    sin_b1, cos_b1 = _reduced_latitude(lat1)
    sin_b2, cos_b2 = _reduced_latitude(lat2)
    lon1 = np.asarray(lon1_deg, dtype=np.float64).ravel()
    lon2 = np.asarray(lon2_deg, dtype=np.float64).ravel()
    return _solve(lat1, lon1, lat2, lon2, (sin_b1, cos_b1, sin_b2, cos_b2))


def distances_from_m(
    lat_deg: float,
    lon_deg: float,
    lats_deg: FloatArray,
    lons_deg: FloatArray,
    where: npt.NDArray[np.bool_] | None = None,
    otherwise_m: FloatArray | None = None,
) -> FloatArray:
    """Return the ellipsoidal distance from one point to each of many, in metres.

    With `where`, only those points are measured; the others take their value in `otherwise_m`
    (the caller's bounds from `distance_bounds_m`, when a bound is all it needs of them).
    """
    lats = np.asarray(lats_deg, dtype=np.float64)
    lons = np.asarray(lons_deg, dtype=np.float64)
    if where is None or otherwise_m is None:
        return distances_m(np.full(lats.shape, lat_deg), np.full(lons.shape, lon_deg), lats, lons)
    found = np.array(otherwise_m, dtype=np.float64)
    chosen = np.flatnonzero(where)
    found[chosen] = distances_m(
        np.full(chosen.shape, lat_deg), np.full(chosen.shape, lon_deg), lats[chosen], lons[chosen]
    )
    return found


# A sphere brackets the ellipsoid's distances, by the angle between the two points' directions
# from the Earth's centre (gamma): no path on the ellipsoid is shorter than its radial shadow on
# the polar sphere inside it (b * gamma), and the path on the ellipsoid above a great circle is
# no longer than a * gamma * (1 + 6e-6), the radius turning by at most a * e^2 / 2 per radian.
# The margins also cover rounding, and the micrometres by which distances_m may differ.
_LOW_M_PER_RAD = POLAR_RADIUS_M * (1 - 1e-7)
_HIGH_M_PER_RAD = EQUATORIAL_RADIUS_M * (1 + 1e-5)
_SLACK_M = 1e-3


def distance_bounds_m(
    lat_deg: float, lon_deg: float, lats_deg: FloatArray, lons_deg: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return a lower and an upper bound of the distance from one point to each of many, in
    metres: a fifth of the cost of the distances, and within 0.4 % of them.

    Enough to tell which points can matter (the nearest, the farthest, those within a radius)
    before measuring only those with `distances_from_m`.
    """
    x0, y0, z0 = _directions(np.array([lat_deg]), np.array([lon_deg]))
    x, y, z = _directions(np.asarray(lats_deg, np.float64), np.asarray(lons_deg, np.float64))
    half_chord = np.sqrt((x - x0) ** 2 + (y - y0) ** 2 + (z - z0) ** 2) * 0.5
    angle = 2 * np.arcsin(np.minimum(half_chord, 1.0))
    low = np.maximum(angle * _LOW_M_PER_RAD - _SLACK_M, 0.0)
    return low, angle * _HIGH_M_PER_RAD + _SLACK_M


def _directions(
    lat_deg: FloatArray, lon_deg: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return the unit vectors from the Earth's centre towards points given by geodetic degrees."""
    phi, lam = np.radians(lat_deg), np.radians(lon_deg)
    across = np.cos(phi)
    up = (1 - FLATTENING) ** 2 * np.sin(phi)  # (1 - e^2) sin(phi): geocentric, not geodetic
    norm = np.sqrt(across * across + up * up)
    return across * np.cos(lam) / norm, across * np.sin(lam) / norm, up / norm


def _solve(
    lat1: FloatArray,
    lon1: FloatArray,
    lat2: FloatArray,
    lon2: FloatArray,
    betas: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
) -> FloatArray:
    """Return the distances in metres, asking geopy for the pairs the iteration cannot settle."""
    # The distance depends only on |difference in longitude|, folded into [0, 180].
    lon_diff_deg = np.abs(lon2 - lon1)
    if lon_diff_deg.size and lon_diff_deg.max() > 360.0:
        lon_diff_deg = np.remainder(lon_diff_deg, 360.0)
    lon_diff_deg = np.where(lon_diff_deg > 180.0, 360.0 - lon_diff_deg, lon_diff_deg)
    lon_diff = np.radians(lon_diff_deg)
    result = np.empty(lon_diff.shape[0], dtype=np.float64)
    # Work in blocks that stay in the CPU cache: twice as fast as whole-array temporaries.
    for start in range(0, lon_diff.shape[0], _BLOCK):
        block = slice(start, start + _BLOCK)
        sin_b1, cos_b1, sin_b2, cos_b2 = (beta[block] for beta in betas)
        result[block] = _inverse(sin_b1, cos_b1, sin_b2, cos_b2, lon_diff[block])
    unsettled = np.flatnonzero(np.isnan(result))
    if unsettled.shape[0]:
        # Imported here: geopy pulls in every geocoder, a cost a run that never needs it avoids.
        from geopy.distance import geodesic

        for index in unsettled:
            result[index] = geodesic((lat1[index], lon1[index]), (lat2[index], lon2[index])).meters
    return result


def _reduced_latitude(lat_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return sine and cosine of the reduced latitude (tan beta = (1 - f) tan phi)."""
    phi = np.radians(lat_deg)
    sin_beta = (1 - FLATTENING) * np.sin(phi)
    cos_beta = np.cos(phi)
    norm = np.sqrt(sin_beta * sin_beta + cos_beta * cos_beta)
    return sin_beta / norm, cos_beta / norm


def _inverse(
    sin_b1: FloatArray,
    cos_b1: FloatArray,
    sin_b2: FloatArray,
    cos_b2: FloatArray,
    lon_diff: FloatArray,
) -> FloatArray:
    """Return the lengths in metres; NaN where the iteration did not settle."""
    # Products that stay fixed while the longitude is iterated.
    fixed = _Fixed(
        sin_b1 * sin_b2,
        cos_b1 * cos_b2,
        sin_b1 * cos_b2,
        # sin(b2 - b1), exact on short lines where the cosine form would cancel.
        sin_b2 * cos_b1 - cos_b2 * sin_b1,
        cos_b2,
        lon_diff,
    )
    lengths = np.full(lon_diff.shape[0], np.nan)
    indices = np.arange(lon_diff.shape[0])
    omega = lon_diff
    # A track's steps are short: their half-angles come from the series, not from sin and cos.
    half = _HalfAngle(np.zeros_like(omega), np.ones_like(omega)).turned(omega, omega)
    for _ in range(MAX_ITERATIONS):
        line = _sphere(fixed, half)
        correction = FLATTENING * line.sin_alpha0 * _horner(_A3, line.eps)
        correction *= line.sigma + _series(_C3, line, line.eps)
        target = fixed.lon_diff + correction
        settled = np.abs(target - omega) <= _TOLERANCE_RAD + _RELATIVE_TOLERANCE * omega
        # Exactly antipodal points (sin sigma = 0, sigma = pi) have no defined azimuth: geopy.
        settled &= (line.sin_sigma > 0) | (line.cos_sigma > 0)
        if settled.all():
            lengths[indices] = _length_m(line)
            break
        if settled.any():
            lengths[indices[settled]] = _length_m(line.select(settled))
        # For short lines the correction is almost proportional to omega, so dividing by that
        # slope (a Newton step with an estimated derivative) settles in two rounds, not five.
        slope = correction / np.maximum(omega, _TINY)
        step = (target - omega) / (1 - slope)
        omega = omega + step
        # An auxiliary longitude past pi means the iteration has left the sphere: antipodal.
        going = ~settled & (omega <= np.pi)
        indices, omega, step = indices[going], omega[going], step[going]
        fixed, half = fixed.select(going), half.select(going)
        if not indices.size:
            break
        half = half.turned(omega, step)
    return lengths


_TINY = 1e-300


# The per-pair values below are named tuples: they cost a tenth of a dataclass to define, and
# this module is imported by every command that reads a file.


class _Fixed(NamedTuple):
    """Per-pair products of the reduced latitudes, and the longitude difference in radians."""

    sin_sin: FloatArray
    cos_cos: FloatArray
    sin_cos: FloatArray
    sin_diff: FloatArray
    cos_b2: FloatArray
    lon_diff: FloatArray

    def select(self, mask: npt.NDArray[np.bool_]) -> _Fixed:
        return _Fixed(*(values[mask] for values in self))


# Below this step the half-angle is turned with short Taylor series (error under 1e-22)
# instead of two more calls to sin and cos, the slowest part of a round.
_SMALL_STEP_RAD = 1e-3


class _HalfAngle(NamedTuple):
    """sin and cos of omega / 2."""

    sin: FloatArray
    cos: FloatArray

    def select(self, mask: npt.NDArray[np.bool_]) -> _HalfAngle:
        return _HalfAngle(self.sin[mask], self.cos[mask])

    def turned(self, omega: FloatArray, step: FloatArray) -> _HalfAngle:
        """Return the half-angle of omega, which is this angle plus step."""
        if not step.size or np.abs(step).max() > _SMALL_STEP_RAD:
            return _HalfAngle(np.sin(omega * 0.5), np.cos(omega * 0.5))
        h2 = step * step * 0.25
        sin_h = step * 0.5 * (1 - h2 / 6 * (1 - h2 / 20))
        cos_h = 1 - h2 / 2 * (1 - h2 / 12 * (1 - h2 / 30))
        return _HalfAngle(self.sin * cos_h + self.cos * sin_h, self.cos * cos_h - self.sin * sin_h)


class _Line(NamedTuple):
    """The great circle on the auxiliary sphere for one guess of the longitude."""

    sigma: FloatArray
    sin_sigma: FloatArray
    cos_sigma: FloatArray
    cos_2sigma_m: FloatArray
    sin_alpha0: FloatArray
    eps: FloatArray

    def select(self, mask: npt.NDArray[np.bool_]) -> _Line:
        return _Line(*(values[mask] for values in self))


def _sphere(fixed: _Fixed, half: _HalfAngle) -> _Line:
    """Return the auxiliary-sphere line for the longitude whose half-angle is given."""
    sin_half, cos_half = half.sin, half.cos
    sin_omega = 2 * sin_half * cos_half
    versine = 2 * sin_half * sin_half  # 1 - cos omega, without cancellation
    east = fixed.cos_b2 * sin_omega
    north = fixed.sin_diff + fixed.sin_cos * versine
    sin_sigma = np.sqrt(east * east + north * north)
    cos_sigma = fixed.sin_sin + fixed.cos_cos * (1 - versine)
    sigma = np.arctan2(sin_sigma, cos_sigma)
    # Identical points have sin sigma = 0 and sin omega = 0: alpha0 is then taken as 0.
    sin_alpha0 = np.clip(fixed.cos_cos * sin_omega / np.maximum(sin_sigma, _TINY), -1.0, 1.0)
    cos2_alpha0 = (1 - sin_alpha0) * (1 + sin_alpha0)
    # On the equator (cos alpha0 = 0) the series vanish, so any value will do.
    cos_2sigma_m = cos_sigma - 2 * fixed.sin_sin / np.maximum(cos2_alpha0, _TINY)
    np.clip(cos_2sigma_m, -1.0, 1.0, out=cos_2sigma_m)
    k2 = _EP2 * cos2_alpha0
    eps = k2 / (2 * (1 + np.sqrt(1 + k2)) + k2)
    return _Line(sigma, sin_sigma, cos_sigma, cos_2sigma_m, sin_alpha0, eps)


def _length_m(line: _Line) -> FloatArray:
    """Return b * (I1(sigma2) - I1(sigma1)), the length of the line in metres."""
    eps2 = line.eps * line.eps
    a1 = (1 + eps2 * (1 / 4 + eps2 * (1 / 64 + eps2 / 256))) / (1 - line.eps)
    return POLAR_RADIUS_M * a1 * (line.sigma + _series(_C1, line, eps2))


def _horner(coefficients: tuple[float, ...], x: FloatArray) -> FloatArray:
    """Return sum of c[j] * x**j, evaluated by Horner's rule."""
    if len(coefficients) == 1:
        return np.full_like(x, coefficients[0])
    total = coefficients[-1] * x + coefficients[-2]
    for coefficient in coefficients[-3::-1]:
        total *= x
        total += coefficient
    return total


def _series(table: tuple[tuple[float, ...], ...], line: _Line, x: FloatArray) -> FloatArray:
    """Return sum of C_l (sin 2l sigma2 - sin 2l sigma1) = sum of 2 C_l cos 2l sigma_m sin l sigma.

    C_l is eps**l times the polynomial table[l - 1] in x (eps for C3, eps**2 for C1).
    """
    # Chebyshev recurrences give cos(2l sigma_m) and sin(l sigma) without more trigonometry.
    cos_prev: FloatArray | float = 1.0
    cos_now = line.cos_2sigma_m
    sin_prev: FloatArray | float = 0.0
    sin_now = line.sin_sigma
    eps_power = line.eps
    total = np.zeros_like(line.eps)
    for coefficients in table:
        total += eps_power * _horner(coefficients, x) * cos_now * sin_now
        cos_prev, cos_now = cos_now, 2 * line.cos_2sigma_m * cos_now - cos_prev
        sin_prev, sin_now = sin_now, 2 * line.cos_sigma * sin_now - sin_prev
        eps_power = eps_power * line.eps
    return 2 * total
