"""The run page: what a run measured, its flags, splits, map and charts, what it counted for in
each mission; and deleting it.

The map and charts come from the original file, read again here: the stored summary has the
figures but not the points. A 36-hour run has 130,000 points, so the map keeps about 1,500 of
them and the charts are resampled along the distance to at most 1,500 values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from heroicrun import localtime, measuring, sports, summary, units
from heroicrun.db.schema import Runner
from heroicrun.measuring import course as courses
from heroicrun.measuring import moving
from heroicrun.measuring.course import BoolArray
from heroicrun.play import NotFound, credits, marks, runs
from heroicrun.play import courses as run_courses
from heroicrun.play import missions as play
from heroicrun.server import csrf
from heroicrun.server.deps import PageRunner, ReadSession, WriteSession
from heroicrun.server.pages import drawing, labels, render
from heroicrun.server.params import RunId
from heroicrun.track import FloatArray

router = APIRouter(include_in_schema=False)

CHART_POINTS = 1500  # values per chart, however long the run
MAP_POINTS = 1500  # points per map, besides those where the line changes style
PACE_WINDOW_M = 200.0  # pace is averaged over this much distance: GPS noise is metres a point
WINDOW_M = 100.0  # elevation and heart rate likewise
PER_LEG_BELOW = 120.0  # an average cadence below this is per leg (see _steps_per_minute)


@dataclass(frozen=True)
class Pictures:
    """The run drawn: a map, and charts along the distance; None where there is nothing to draw."""

    map: Markup | None = None
    pace: Markup | None = None
    elevation: Markup | None = None
    heart_rate: Markup | None = None
    paused: bool = False  # the map has jumps across pauses
    problem: str | None = None  # why nothing could be drawn
    no_gps: bool = False  # recorded without positions: charts along the device's distance only
    start: tuple[float, float] | None = None  # the first position (lat, lon), for the local time


@router.get("/runs/{run_id}")
def run_page(
    request: Request,
    run_id: RunId,
    runner: PageRunner,
    session: ReadSession,
    writing: WriteSession,
) -> Response:
    """One run: figures, flags, splits, best efforts, map, charts, missions, download, delete."""
    try:
        run = runs.get_run(session, runner, run_id)
    except NotFound:
        return _missing(request)
    learned: play.Learned = {}
    counted = credits.credits_of(
        session, request.app.state.catalog, runner, run, datetime.now(UTC), learned
    )
    play.remember(writing, learned)  # verdicts judged afresh are kept for the next page
    pictures = _pictures(session, runner, run)
    # The local time is derived here from the first position, which the page reads anyway for
    # its map: nothing to store, and runs stored before time zones were known show it alike.
    local = None
    if run.summary.start_time is not None:
        at = pictures.start or (None, None)
        local = localtime.local_start(run.summary.start_time, at[0], at[1])
    default = localtime.default_title(local, run.marked_sport or run.sport)
    return render(
        request,
        "run.html",
        active="runs",
        run=run,
        s=run.summary,
        pictures=pictures,
        counted=counted,
        local=local,
        title=run.title or default,
        default_title=default,
        cadence_spm=_steps_per_minute(run),
        saved=request.query_params.get("form") == "saved",
        title_max=localtime.TITLE_MAX,
        notes_max=localtime.NOTES_MAX,
    )


@router.post("/runs/{run_id}/about")
def about_run(
    request: Request,
    run_id: RunId,
    runner: PageRunner,
    session: WriteSession,
    title: Annotated[str, Form(max_length=localtime.TITLE_MAX * 2)] = "",
    notes: Annotated[str, Form(max_length=localtime.NOTES_MAX * 2)] = "",
    sent_token: csrf.FormToken = "",
) -> Response:
    """The run's title and notes from the form on its page; back to the page."""
    try:
        runs.get_run(session, runner, run_id)
        if not csrf.form_ok(request, sent_token):  # a stale page, or another site's form
            return RedirectResponse(f"/runs/{run_id}?form=expired", status_code=303)
        # Longer than allowed (a pasted essay): kept to the limit rather than lost.
        changes = marks.Marks(
            title=title[: localtime.TITLE_MAX], notes=notes[: localtime.NOTES_MAX]
        )
        marks.mark(session, request.app.state.catalog, runner, run_id, changes)
    except NotFound:
        return _missing(request)
    return RedirectResponse(f"/runs/{run_id}?form=saved", status_code=303)


def _steps_per_minute(run: runs.StoredRun) -> tuple[float, float | None] | None:
    """The cadence on foot in steps a minute (average, max); None when not on foot or unknown.

    Watches write a runner's cadence per leg (a stride: 80-95) or per step (160-190); a walk
    per leg can be 50-60. Below 120 the value is taken to be per leg and doubled: no one runs or
    walks at fewer than 120 steps a minute for a whole outing, and no one strides at 120."""
    cadence = run.summary.cadence
    sport = run.marked_sport or run.sport
    if cadence is None or cadence.average is None or sports.on_foot(sport) is False:
        return None
    factor = 2.0 if cadence.average < PER_LEG_BELOW else 1.0
    highest = None if cadence.max is None else cadence.max * factor
    return cadence.average * factor, highest


@router.post("/runs/{run_id}/delete")
def delete_run(
    request: Request,
    run_id: RunId,
    runner: PageRunner,
    session: WriteSession,
    sent_token: csrf.FormToken = "",
) -> Response:
    """Delete one of the runner's runs, then back to the list of runs."""
    try:
        runs.get_run(session, runner, run_id)
        if not csrf.form_ok(request, sent_token):  # a stale page, or another site's form
            return RedirectResponse(f"/runs/{run_id}?form=expired", status_code=303)
        runs.delete_run(session, runner, run_id)
    except NotFound:
        return _missing(request)
    return RedirectResponse("/runs", status_code=303)


def _missing(request: Request) -> Response:
    return render(request, "run.html", status_code=404, active="runs", run=None)


# --- map and charts ------------------------------------------------------------------------


def _pictures(session: ReadSession, runner: Runner, run: runs.StoredRun) -> Pictures:
    """The run's map and charts from its original file."""
    try:
        course = run_courses.course_of(session, runner, run.id, run.outing)
    except run_courses.NoCourse as error:
        return Pictures(problem=f"The map and charts cannot be drawn: {error}")
    flags = run.summary.flags
    ridden = _ridden_steps(course, flags)
    # A run without GPS has no positions to draw: its charts follow the device's distance.
    placed = run.gps and bool(np.isfinite(course.lat_deg).all())
    the_map = _map(course, ridden, flags) if placed else None
    start = (float(course.lat_deg[0]), float(course.lon_deg[0])) if placed and len(course) else None
    total_m = course.total_m
    paused = not course.joined.all()
    if len(course) < 2 or total_m <= 0:
        return Pictures(map=the_map, paused=paused, no_gps=not placed, start=start)
    at_m = np.linspace(0.0, total_m, int(min(CHART_POINTS, max(2, total_m // 5))))
    spacing_m = 2 * total_m / len(at_m)  # no window falls between two values
    xs = (at_m / units.KM_M).tolist()
    low_m, high_m = _window(at_m, max(WINDOW_M, spacing_m), total_m)
    pace = None
    if course.time_s is not None:
        since_m, until_m = _window(at_m, max(PACE_WINDOW_M, spacing_m), total_m)
        pace = _chart(
            xs,
            _pace(course, course.time_s, ridden, since_m, until_m),
            "pace",
            "Pace along the run, per km (faster is higher)",
            invert=True,
            tick_format=units.duration,
        )
    return Pictures(
        map=the_map,
        paused=paused,
        no_gps=not placed,
        start=start,
        pace=pace,
        elevation=_chart(
            xs,
            _mean_over(course.distance_m, course.elevation_m, low_m, high_m),
            "elevation",
            "Elevation along the run, in metres",
            trim=0.0,  # a summit is no outlier
        ),
        heart_rate=_chart(
            xs,
            _mean_over(course.distance_m, course.heart_rate_bpm, low_m, high_m),
            "heart-rate",
            "Heart rate along the run, in beats per minute",
        ),
    )


def _chart(xs: list[float], ys: FloatArray, css: str, title: str, **style: Any) -> Markup | None:
    """A chart of the values along the run, or None when fewer than two are known."""
    if np.count_nonzero(np.isfinite(ys)) < 2:
        return None
    return drawing.chart_svg(drawing.Series(xs, ys.tolist(), css, title, **style), title=title)


def _ridden_steps(course: measuring.Course, flags: list[summary.Flag]) -> BoolArray:
    """Which steps (n - 1) lie in a stretch flagged as ridden at vehicle speed."""
    ridden = np.zeros(max(len(course) - 1, 0), dtype=bool)
    for flag in flags:
        start_m, end_m = flag.start_distance_m, flag.end_distance_m
        if flag.kind == "vehicle" and start_m is not None and end_m is not None:
            ridden |= (course.distance_m[:-1] >= start_m) & (course.distance_m[1:] <= end_m)
    return ridden


def _window(at_m: FloatArray, width_m: float, total_m: float) -> tuple[FloatArray, FloatArray]:
    """Where a window of `width_m` centred on each distance starts and ends, within the run."""
    return np.clip(at_m - width_m / 2, 0.0, total_m), np.clip(at_m + width_m / 2, 0.0, total_m)


def _pace(
    course: measuring.Course,
    time_s: FloatArray,
    ridden: BoolArray,
    since_m: FloatArray,
    until_m: FloatArray,
) -> FloatArray:
    """Moving seconds per km on foot between each pair of distances; a ride counts in neither
    time nor distance, and a window mostly ridden or stood in has no pace (NaN)."""
    on_foot = ~ridden
    step_s = np.where(moving.moving_steps(course, time_s) & on_foot, np.diff(time_s), 0.0)
    foot_s = np.concatenate(([0.0], np.cumsum(step_s)))
    foot_m = np.concatenate(([0.0], np.cumsum(np.where(on_foot, course.step_m, 0.0))))
    after, before = (
        courses.locate(course.distance_m, since_m, "first"),
        courses.locate(course.distance_m, until_m, "first"),
    )
    run_m = before.of(foot_m) - after.of(foot_m)
    run_s = before.of(foot_s) - after.of(foot_s)
    per_km = np.full(since_m.shape, np.nan)
    enough = (run_m >= 0.5 * (until_m - since_m)) & (run_s > 0)
    per_km[enough] = run_s[enough] / run_m[enough] * units.KM_M
    return per_km


def _mean_over(
    running_m: FloatArray, values: FloatArray, low_m: FloatArray, high_m: FloatArray
) -> FloatArray:
    """The mean of the known values of the points between each low and high distance; where no
    point lies in between, the value interpolated there; NaN where nothing is known."""
    known = np.isfinite(values)
    if not known.any():
        return np.full(low_m.shape, np.nan)
    sums = np.concatenate(([0.0], np.cumsum(np.where(known, values, 0.0))))
    counts = np.concatenate(([0], np.cumsum(known)))
    first = np.searchsorted(running_m, low_m, side="left")
    last = np.searchsorted(running_m, high_m, side="right")
    count = counts[last] - counts[first]
    between = np.interp((low_m + high_m) / 2, running_m[known], values[known])
    mean = np.divide(sums[last] - sums[first], count, out=between, where=count > 0)
    return np.asarray(mean, dtype=np.float64)


def _map(course: measuring.Course, ridden: BoolArray, flags: list[summary.Flag]) -> Markup | None:
    """The track on a map: vehicle stretches and the jumps across pauses drawn apart, start
    and finish, and the GPS spikes that were dropped."""
    count = len(course)
    if count == 0:
        return None
    # Each step is run (0), ridden (1) or a pause between segments (2).
    state = np.where(course.joined, np.where(ridden, 1, 0), 2)
    keep = np.zeros(count, dtype=bool)
    keep[:: max(1, -(-count // MAP_POINTS))] = True
    keep[-1] = True
    keep[1:-1] |= state[1:] != state[:-1]  # where the style changes, both lines meet
    kept = np.flatnonzero(keep)
    lat, lon = course.lat_deg[kept].tolist(), course.lon_deg[kept].tolist()
    styles = state[kept[:-1]].tolist()  # the style of the steps up to the next kept point
    lines: list[drawing.Line] = []
    points: list[drawing.Point] = [(lat[0], lon[0])]
    for index, style in enumerate(styles):
        if index and style != styles[index - 1]:
            _add_line(lines, points, styles[index - 1])
            points = [(lat[index], lon[index])]
        points.append((lat[index + 1], lon[index + 1]))
    _add_line(lines, points, styles[-1] if styles else 0)
    start, finish = (lat[0], lon[0]), (lat[-1], lon[-1])
    if _near(start, finish):
        markers = [drawing.Marker(start, "Start and finish", "start", rank=1)]
    else:  # always named, moved aside rather than dropped when the map is crowded
        markers = [
            drawing.Marker(start, "Start", "start", rank=1),
            drawing.Marker(finish, "Finish", "finish", rank=1),
        ]
    spikes = [
        (flag.lat, flag.lon)
        for flag in flags
        if flag.kind == "gps_spike" and flag.lat is not None and flag.lon is not None
    ]
    for at in spikes[:8]:
        markers.append(drawing.Marker(at, "GPS spike", "flag", rank=3))  # named when there is room
    return drawing.map_svg(
        lines, markers, label="Map of the track", layouts=(labels.SMALL, labels.NARROW)
    )


def _add_line(lines: list[drawing.Line], points: list[drawing.Point], style: int) -> None:
    if len(points) >= 2:
        lines.append(drawing.Line(points, ("track", "vehicle", "pause")[style]))


def _near(a: drawing.Point, b: drawing.Point, within_m: float = 50.0) -> bool:
    """Whether two points are within `within_m` of each other (flat-earth, fine at this range)."""
    north_m = (a[0] - b[0]) * 111_320.0
    east_m = (a[1] - b[1]) * 111_320.0 * math.cos(math.radians(a[0]))
    return math.hypot(north_m, east_m) <= within_m
