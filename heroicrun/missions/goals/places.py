"""Reaching a real place on foot, and optionally bringing the news back to the start."""

from __future__ import annotations

import numpy as np

from heroicrun import geodesy
from heroicrun.measuring import results
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.goals import outcome, words
from heroicrun.missions.model import OutAndBackGoal, ReachPlaceGoal
from heroicrun.missions.runs import CountedRun
from heroicrun.track import FloatArray

# Watches take a while to fix and runners stop them at the door, down the street: back within
# this of where the run began (or the goal's radius, if larger) is back at the start.
HOME_RADIUS_M = 200.0
# An out and back must be run: the distance counted may fall short of the shortest way there
# and back only by the little a watch pause skips (its jump is no run distance).
ON_FOOT_SLACK = 0.02


def reach_place(goal: ReachPlaceGoal, run: CountedRun) -> GoalCheck:
    """Met when the runner came within radius_m of the place on foot (and, if asked, came back).

    The approach is measured to every kept point and to the closest spot on every step between
    two points of a segment, so sparse files (a route with a point every kilometre) are judged
    by their line. Points reached in a vehicle, and steps ridden or starting where a ride ended,
    do not count. With return_to_start, the run must also finish on foot within
    max(radius_m, 200 m) of its first point, the place reached before the finish. A run
    without GPS (a treadmill) reaches no place.
    """
    if not run.gps:
        return outcome.without_gps(f"no position shows it reached {goal.place}")
    course = run.course
    count = len(course)
    ridden = run.ridden_steps()
    by_vehicle = np.concatenate(([False], ridden))  # each point: arrived in a vehicle
    # Only points that may be the nearest on foot, or within the radius, are measured exactly;
    # the others keep a lower bound, above both, which is all their comparisons need.
    low_m, high_m = geodesy.distance_bounds_m(goal.lat, goal.lon, course.lat_deg, course.lon_deg)
    near = ~by_vehicle & (low_m <= max(goal.radius_m, np.where(by_vehicle, np.inf, high_m).min()))
    to_points_m = geodesy.distances_from_m(
        goal.lat, goal.lon, course.lat_deg, course.lon_deg, where=near, otherwise_m=low_m
    )
    on_foot_m = np.where(by_vehicle, np.inf, to_points_m)
    walked = course.joined & ~ridden & ~by_vehicle[:-1]
    # Point i at 2i, the step from i to i + 1 at 2i + 1: the approaches in the order run.
    approach_m = np.empty(2 * count - 1)
    approach_m[0::2] = on_foot_m
    approach_m[1::2] = _to_steps_m(course, walked, goal, to_points_m, on_foot_m.min())
    closest_m = float(approach_m.min())
    reached = np.flatnonzero(approach_m <= goal.radius_m)
    radius = results.distance_words(goal.radius_m)
    halves = 0.5 if goal.return_to_start else 1.0
    if not reached.size:
        if np.isinf(closest_m):
            detail = f"never came near {goal.place} on foot, needed {radius}"
            return GoalCheck(False, detail, 0.0)
        shown = _distance(closest_m, goal.radius_m, met=False, higher_is_better=False)
        detail = f"came within {shown} of {goal.place}, needed {radius}"
        return outcome.verdict(False, detail, halves * outcome.share(goal.radius_m, closest_m))
    if not goal.return_to_start:
        shown = _distance(closest_m, goal.radius_m, met=True, higher_is_better=False)
        return outcome.verdict(True, f"reached {goal.place}, came within {shown}")
    home_m = max(goal.radius_m, HOME_RADIUS_M)
    finish_m = geodesy.distance_m(
        course.lat_deg[0], course.lon_deg[0], course.lat_deg[-1], course.lon_deg[-1]
    )
    back = finish_m <= home_m
    shown = _distance(finish_m, home_m, met=back, higher_is_better=False)
    if by_vehicle[-1]:
        detail, back = f"reached {goal.place}, but finished in a vehicle", False
    elif reached[0] >= 2 * (count - 1):
        detail, back = f"reached {goal.place} only at the finish", False
    elif back:
        detail = f"reached {goal.place} and finished {shown} from the start"
    else:
        detail = f"reached {goal.place}, but finished {shown} from the start"
    return outcome.verdict(back, detail, 0.5 + 0.5 * outcome.share(home_m, finish_m))


def out_and_back(goal: OutAndBackGoal, run: CountedRun) -> GoalCheck:
    """Met when the runner got at least km from the start on foot and finished within radius_m.

    "From the start" is as the crow flies from the first point. Getting out F metres and
    finishing d from the start takes at least 2F - d of running, so a run that counts less
    (2 % slack for steps across a watch pause) went part of the way in a vehicle: a miss. A run
    without GPS goes nowhere from its start.
    """
    if not run.gps:
        return outcome.without_gps("no position shows how far from the start it went")
    course = run.course
    by_vehicle = np.concatenate(([False], run.ridden_steps()))
    start = (course.lat_deg[0], course.lon_deg[0])
    # Only points that may be the farthest on foot, and the finish, are measured exactly; the
    # others keep a lower bound, below the farthest, which is all the maximum needs.
    low_m, high_m = geodesy.distance_bounds_m(*start, course.lat_deg, course.lon_deg)
    far = ~by_vehicle & (high_m >= np.where(by_vehicle, 0.0, low_m).max())
    far[-1] = True
    from_start_m = geodesy.distances_from_m(
        *start, course.lat_deg, course.lon_deg, where=far, otherwise_m=low_m
    )
    farthest_m = float(np.where(by_vehicle, 0.0, from_start_m).max())
    finish_m = float(from_start_m[-1])
    far_enough = farthest_m >= goal.km * 1000
    back = finish_m <= goal.radius_m and not by_vehicle[-1]
    shortest_m = 2 * farthest_m - finish_m
    on_foot = run.measures.counted_distance_m >= (1 - ON_FOOT_SLACK) * shortest_m
    out = words.honest(farthest_m / 1000, goal.km, far_enough, True, words.number, 1)
    if far_enough:
        went = f"went {out} km out"
    else:
        went = f"went {out} of {words.target_km(goal.km)} km out"
    shown = _distance(finish_m, goal.radius_m, met=back, higher_is_better=False)
    if by_vehicle[-1]:
        detail = f"{went}, but finished in a vehicle"
    elif not on_foot:
        ran = words.km(run.measures.counted_distance_m)
        detail = f"{went}, but ran only {ran} km of it (vehicle stretches do not count)"
    elif back:
        detail = f"{went} and finished {shown} from the start"
    else:
        detail = f"{went}, but finished {shown} from the start"
    met = far_enough and back and on_foot
    out_share = outcome.share(farthest_m, goal.km * 1000)
    back_share = outcome.share(goal.radius_m, finish_m)
    return outcome.verdict(met, detail, (out_share + back_share) / 2)


def _to_steps_m(
    course: Course, walked: BoolArray, goal: ReachPlaceGoal, to_points_m: FloatArray, best_m: float
) -> FloatArray:
    """Return the distance from the place to the closest spot of each walked step (inf if not).

    The closest spot is found in a flat map centred on the place, whose scale is right near it,
    and measured from the place on the ellipsoid: exact wherever it matters. Only steps that
    could come nearer than radius_m, or than the nearest point, are worked out.
    """
    distances_m = np.full(max(len(course) - 1, 0), np.inf)
    if not distances_m.size:
        return distances_m
    # No spot of a step lies further than half its length from its nearer end.
    nearest_end_m = np.minimum(to_points_m[:-1], to_points_m[1:]) - course.step_m / 2
    steps = np.flatnonzero(walked & (nearest_end_m <= max(goal.radius_m, best_m)))
    if not steps.size:
        return distances_m
    lat_a, lon_a = course.lat_deg[steps], course.lon_deg[steps]
    lat_b, lon_b = course.lat_deg[steps + 1], course.lon_deg[steps + 1]
    sin_lat = np.sin(np.radians(goal.lat))
    squeeze = 1 - geodesy.FLATTENING * (2 - geodesy.FLATTENING) * sin_lat**2
    # Metres per degree east, in units of metres per degree north (meridian over normal radius).
    east_scale = np.cos(np.radians(goal.lat)) * squeeze / (1 - geodesy.FLATTENING) ** 2
    ax, ay = _wrapped(lon_a - goal.lon) * east_scale, lat_a - goal.lat
    d_lon = _wrapped(lon_b - lon_a)
    dx, dy = d_lon * east_scale, lat_b - lat_a
    length2 = dx * dx + dy * dy
    along = np.zeros_like(length2)
    np.divide(-(ax * dx + ay * dy), length2, out=along, where=length2 > 0)
    along = np.clip(along, 0.0, 1.0)
    distances_m[steps] = geodesy.distances_m(
        np.full(steps.shape, goal.lat),
        np.full(steps.shape, goal.lon),
        lat_a + along * (lat_b - lat_a),
        lon_a + along * d_lon,
    )
    return distances_m


def _wrapped(lon_deg: FloatArray) -> FloatArray:
    """Return longitude differences folded into [-180, 180)."""
    folded: FloatArray = (lon_deg + 180.0) % 360.0 - 180.0
    return folded


def _distance(value_m: float, target_m: float, met: bool, higher_is_better: bool) -> str:
    """Return "420 m" or "2.3 km", never rounded onto the other side of target_m."""
    if round(value_m) < 1000:
        return words.honest(value_m, target_m, met, higher_is_better, words.number) + " m"
    shown = words.honest(value_m / 1000, target_m / 1000, met, higher_is_better, words.number, 1)
    return f"{shown} km"
