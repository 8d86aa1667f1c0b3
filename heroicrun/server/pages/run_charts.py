"""A run's map, charts and splits' bars, drawn from its stored profile (measuring.profile), with
the numbers the scrubber (web/static/scrubber.js) reads to move a dot along the map.

Nothing here reads the run's file or measures anything: the profile holds the points and the
samples already thinned. Drawing still places labels and clips land, a few milliseconds, so what
is drawn is kept in memory per profile (the same bytes draw the same pictures).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from markupsafe import Markup, escape

from heroicrun import units
from heroicrun.measuring import profile
from heroicrun.server.pages import drawing, labels
from heroicrun.server.pages.frames import Frame
from heroicrun.summary import RunSummary
from heroicrun.track import FloatArray

Axis = Literal["distance", "time"]
WIDTH, MAP_HEIGHT, CHART_HEIGHT = 640, 400, 150
DRAWN_SAMPLES = 320  # a chart 640 units wide shows no more: half a phone pixel a sample
CHART_FONT = 24.0  # the charts' words at their largest (a phone), in units: 12 CSS px at 360
PAD_LEFT = 84.0  # room for "12:30" or "1,250" at CHART_FONT
PAD_RIGHT = 14.0
PAD_BOTTOM = 34.0
THIN_UNITS = 1.0  # a run's line keeps a vertex a map unit (a phone's half pixel) at most
NEAR_M = 50.0  # start and finish this close are one place: a loop ...
APART = 2 * labels.RUN_NARROW.place_r + 4  # ... or this close on the map, in units
CACHED = 128  # drawn pictures kept in memory, one set a profile and axis
LINE_CSS = ("track", "vehicle", "pause")
BAR_WIDTH = 360  # the splits' bars are drawn 360 units wide, about as a phone shows them
BAR_ROW = 30.0
BAR_FONT = 15.0
BAR_LABEL = 60.0  # the least room for the stretch's name, left of its bar
BAR_VALUE = 104.0  # the pace, right of the longest bar


@dataclass(frozen=True)
class Chart:
    """One chart of the run: what it shows (its CSS class, its caption) and its SVG."""

    css: str
    caption: str
    svg: Markup


@dataclass(frozen=True)
class Pictures:
    """The run drawn: a map, charts along one axis, and the scrubber's data; empty where there
    is nothing to draw."""

    map: Markup | None = None
    charts: tuple[Chart, ...] = ()
    scrub: Markup | None = None  # <script type="application/json"> for scrubber.js
    paused: bool = False  # the map has jumps across pauses
    problem: str | None = None  # why nothing could be drawn
    start: tuple[float, float] | None = None  # the first position (lat, lon), for the local time
    timed: bool = False  # the charts can follow the time as well as the distance
    axis: Axis = "distance"


@dataclass(frozen=True)
class Bar:
    """One stretch of the splits' bars: its name, length, and moving time (None unknown)."""

    label: str
    distance_m: float
    moving_s: float | None


def drawn(content: bytes, axis: Axis = "distance") -> Pictures:
    """The pictures of a profile (its bytes, profile.to_bytes), kept for the next view; none,
    with the reason, for bytes that cannot be read."""
    try:
        return _drawn(content, axis)
    except profile.ProfileError as error:
        return Pictures(problem=f"The map and charts cannot be drawn: {error}")


@functools.lru_cache(maxsize=CACHED)
def _drawn(content: bytes, axis: Axis) -> Pictures:
    return pictures_of(profile.from_bytes(content), axis)


def pictures_of(run: profile.Profile, axis: Axis = "distance") -> Pictures:
    """The map, the charts along the distance (or the time) and the scrubber's data."""
    axis = axis if run.timed else "distance"
    the_map, xy = _map(run) if run.placed else (None, None)
    charts, scale = _charts(run, axis)
    scrub = _scrub(run, axis, scale, xy) if charts else None
    return Pictures(
        map=the_map,
        charts=charts,
        scrub=scrub,
        paused=run.paused,
        start=run.start,
        timed=run.timed,
        axis=axis,
    )


# --- the map -------------------------------------------------------------------------------


def _map(run: profile.Profile) -> tuple[Markup, tuple[FloatArray, FloatArray]]:
    """The map, and where each sample lies on it (viewBox units)."""
    lines = _lines(run)
    start, finish = run.start, run.finish
    assert start is not None and finish is not None
    markers = [
        drawing.Marker(start, "Start", "start", rank=1),
        drawing.Marker(finish, "Finish", "finish", rank=1),
    ]
    for at in zip(run.spike_lat.tolist(), run.spike_lon.tolist(), strict=True):
        markers.append(drawing.Marker(at, "GPS spike", "flag", rank=3))  # named when there is room
    drawn_lines, drawn_markers, frame = drawing.fitted(lines, markers, WIDTH, MAP_HEIGHT)
    drawn_lines = [_thinned(frame, line) for line in drawn_lines]
    # Start and finish that would touch on the map are one place, a loop: one marker, one name.
    (start_x, start_y), (finish_x, finish_y) = (frame.xy(m.point) for m in drawn_markers[:2])
    if _near(start, finish) or math.hypot(start_x - finish_x, start_y - finish_y) < APART:
        loop = replace(drawn_markers[0], label="Start · Finish", shorter=("Start",))
        drawn_markers = [loop, *drawn_markers[2:]]
    first_lon = float(run.lon_deg[0])

    def near(lon: FloatArray) -> FloatArray:  # on the first point's side of the antimeridian
        return lon + 360.0 * np.round((first_lon - lon) / 360.0)

    mark_lon, toward_lon = near(run.mark_lon), near(run.toward_lon)
    ticks = [
        drawing.Tick((lat, lon), (ahead_lat, ahead_lon), f"{km:g}")
        for km, lat, lon, ahead_lat, ahead_lon in zip(
            run.mark_km.tolist(),
            run.mark_lat.tolist(),
            mark_lon.tolist(),
            run.toward_lat.tolist(),
            toward_lon.tolist(),
            strict=True,
        )
    ]
    xy = frame.xy_arrays(run.at_lat, near(run.at_lon))
    dot = '<circle class="scrub-dot" id="scrub-dot" cx="-20" cy="-20" r="9"/>'
    svg = drawing.map_svg(
        drawn_lines,
        drawn_markers,
        label="Map of the track",
        frame=frame,
        ticks=ticks,
        layouts=(labels.RUN_WIDE, labels.RUN_NARROW),
        overlay=dot,
    )
    return svg, xy


def _thinned(frame: Frame, line: drawing.Line) -> drawing.Line:
    """The line without the vertices that stay in the same THIN_UNITS cell of the map as the
    one before (its ends kept): a 640-unit map shows nothing finer."""
    lat = np.array([point[0] for point in line.points])
    lon = np.array([point[1] for point in line.points])
    x, y = frame.xy_arrays(lat, lon)
    cell_x, cell_y = np.floor(x / THIN_UNITS), np.floor(y / THIN_UNITS)
    keep = np.ones(lat.shape[0], dtype=bool)
    keep[1:] = (cell_x[1:] != cell_x[:-1]) | (cell_y[1:] != cell_y[:-1])
    keep[-1] = True
    points = [line.points[index] for index in np.flatnonzero(keep).tolist()]
    return drawing.Line(points, line.css, line.avoid)


def _lines(run: profile.Profile) -> list[drawing.Line]:
    """The line split where its style changes (both pieces meet there); a ridden stretch over a
    casing that keeps it seen on any ground."""
    lat, lon, style = run.lat_deg.tolist(), run.lon_deg.tolist(), run.style.tolist()
    lines: list[drawing.Line] = []
    points = [(lat[0], lon[0])]
    current = style[0]
    for index in range(1, len(lat)):
        points.append((lat[index], lon[index]))
        following = style[index] if index < len(lat) - 1 else current
        if following != current:
            _add(lines, points, current)
            points, current = [(lat[index], lon[index])], following
    _add(lines, points, current)
    return lines


def _add(lines: list[drawing.Line], points: list[drawing.Point], style: int) -> None:
    if len(points) < 2:
        return
    if style == profile.VEHICLE:
        lines.append(drawing.Line(points, "vehicle-casing", avoid=False))
    lines.append(drawing.Line(points, LINE_CSS[style]))


def _near(a: drawing.Point, b: drawing.Point, within_m: float = NEAR_M) -> bool:
    """Whether two points are within `within_m` of each other (flat-earth, fine at this range)."""
    north_m = (a[0] - b[0]) * 111_320.0
    east_m = (a[1] - b[1]) * 111_320.0 * math.cos(math.radians(a[0]))
    return math.hypot(north_m, east_m) <= within_m


# --- the charts ----------------------------------------------------------------------------


def _picked(run: profile.Profile) -> np.ndarray:
    """Which samples are drawn: at most DRAWN_SAMPLES, evenly along the run."""
    count = run.at_km.shape[0]
    return np.unique(np.linspace(0, count - 1, min(count, DRAWN_SAMPLES)).round().astype(int))


def _chart_axis(run: profile.Profile, axis: Axis) -> tuple[drawing.Axis, FloatArray]:
    """The x axis all charts share, and the x of each sample on it."""
    if axis == "time":
        xs = run.elapsed_s
        span = (0.0, float(np.nanmax(xs)))
        shared = drawing.Axis(
            label="h:mm",
            span=span,
            tick_format=_hours,
            steps=(300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200),
            pad_left=PAD_LEFT,
            pad_right=PAD_RIGHT,
            pad_bottom=PAD_BOTTOM,
            ticks=4,
            font=CHART_FONT,
        )
        return shared, xs
    xs = run.at_km
    shared = drawing.Axis(
        label="km",
        span=(0.0, float(xs[-1]) if xs.shape[0] else 1.0),
        pad_left=PAD_LEFT,
        pad_right=PAD_RIGHT,
        pad_bottom=PAD_BOTTOM,
        ticks=5,
        font=CHART_FONT,
    )
    return shared, xs


def _hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _charts(
    run: profile.Profile, axis: Axis
) -> tuple[tuple[Chart, ...], tuple[float, float, float, float]]:
    """The pace, elevation and heart-rate charts that have values, on one x axis; and that
    axis's scale: (left, right) in units, (low, high) in its values."""
    shared, axis_xs = _chart_axis(run, axis)
    picked = _picked(run)
    xs = axis_xs[picked].tolist()
    line = (
        f'<line class="scrub-line" x1="-20" x2="-20" y1="12" y2="{CHART_HEIGHT - PAD_BOTTOM:g}"/>'
    )
    wanted: tuple[tuple[FloatArray, str, str, dict[str, Any]], ...] = (
        (
            run.pace_s_per_km,
            "pace",
            "Pace per km, over 200 m (faster is higher)",
            {"invert": True, "tick_format": units.duration, "least_span": 60.0},
        ),
        (run.elevation_m, "elevation", "Elevation, m", {"trim": 0.0, "least_span": 20.0}),
        (run.heart_rate_bpm, "heart-rate", "Heart rate, bpm", {"least_span": 10.0}),
    )
    charts: list[Chart] = []
    for values, css, caption, style in wanted:
        ys = values[picked]
        if np.count_nonzero(np.isfinite(ys)) < 2:
            continue
        series = drawing.Series(xs, ys.tolist(), css, caption, **style)
        svg = drawing.chart_svg(
            series, width=WIDTH, height=CHART_HEIGHT, title=caption, axis=shared, overlay=line
        )
        charts.append(Chart(css, caption, svg))
    assert shared.span is not None
    scale = (shared.pad_left, WIDTH - shared.pad_right, shared.span[0], shared.span[1])
    return tuple(charts), scale


# --- the scrubber's data --------------------------------------------------------------------


def _scrub(
    run: profile.Profile,
    axis: Axis,
    scale: tuple[float, float, float, float],
    xy: tuple[FloatArray, FloatArray] | None,
) -> Markup:
    """The samples the scrubber reads, as JSON in a script element (no script runs from it)."""
    picked = _picked(run)
    data: dict[str, object] = {
        "axis": axis,
        "left": scale[0],
        "right": scale[1],
        "width": WIDTH,
        "low": scale[2],
        "high": scale[3],
        "km": _numbers(run.at_km[picked], 3),
        "t": _numbers(run.elapsed_s[picked], 0) if run.timed else None,
        "pace": _numbers(run.pace_s_per_km[picked], 0),
        "ele": _numbers(run.elevation_m[picked], 0),
        "hr": _numbers(run.heart_rate_bpm[picked], 0),
        "mx": None if xy is None else _numbers(xy[0][picked], 1),
        "my": None if xy is None else _numbers(xy[1][picked], 1),
    }
    text = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
    return Markup(f'<script type="application/json" id="scrub-data">{text}</script>')


def _numbers(values: FloatArray, digits: int) -> list[float | int | None]:
    """Values rounded for the page, None where unknown (JSON has no NaN)."""
    if digits == 0:
        return [round(v) if math.isfinite(v) else None for v in values.tolist()]
    return [round(v, digits) if math.isfinite(v) else None for v in values.tolist()]


# --- the splits' bars ----------------------------------------------------------------------


@functools.lru_cache(maxsize=CACHED)
def bars_svg(bars: tuple[Bar, ...], title: str) -> Markup | None:
    """A horizontal bar for each stretch, longer for faster, its pace written beside it and the
    fastest marked; None when no stretch has a pace."""
    speeds = [
        bar.distance_m / bar.moving_s if bar.moving_s and bar.distance_m > 0 else None
        for bar in bars
    ]
    known = [speed for speed in speeds if speed is not None]
    if not known:
        return None
    fastest = max(known)
    slowest = min(known)
    # The names' column is as wide as the longest name (DejaVu Sans, as wide as any face).
    left = max(BAR_LABEL, *(labels.text_width(bar.label, BAR_FONT) + 10 for bar in bars))
    room = BAR_WIDTH - left - BAR_VALUE
    height = BAR_ROW * len(bars) + 4
    parts = [
        f'<svg class="split-bars" viewBox="0 0 {BAR_WIDTH} {height:g}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="{BAR_FONT:g}">'
    ]
    best = speeds.index(fastest)
    for row, (bar, speed) in enumerate(zip(bars, speeds, strict=True)):
        top = 2 + row * BAR_ROW
        baseline = top + BAR_ROW / 2 + BAR_FONT * 0.35
        parts.append(
            f'<text class="bar-label" x="{left - 8:.1f}" y="{baseline:.1f}" '
            f'text-anchor="end">{escape(bar.label)}</text>'
        )
        if speed is None:
            parts.append(f'<text class="bar-value" x="{left:.1f}" y="{baseline:.1f}">–</text>')
            continue
        # The bars start at three quarters of the slowest speed, not at a standstill: they
        # compare the stretches, and stretches run alike stay alike.
        base = 0.75 * min(slowest, fastest)
        length = room * (speed - base) / (fastest - base)
        css = "bar fastest" if row == best else "bar"
        pace = units.duration(units.seconds_per(bar.moving_s, bar.distance_m, units.KM_M))
        words = f"{pace} /km" + (" ★" if row == best else "")
        parts.append(
            f'<rect class="{css}" x="{left:.1f}" y="{top + 5:.1f}" width="{length:.1f}" '
            f'height="{BAR_ROW - 10:g}" rx="3"/>'
            f'<text class="bar-value" x="{left + length + 6:.1f}" y="{baseline:.1f}">'
            f"{escape(words)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


MOST_SPLITS = 25  # past this many km splits, bars of 5 km ...
HOURLY_PAST_S = 6 * 3600.0  # ... or, past six hours, of an hour
MOST_HOURLY = 48  # past two days, of as many hours as keep this many bars


@dataclass(frozen=True)
class SplitBars:
    """The splits the page shows as bars: per km, per 5 km or per hour; `bars` are the
    stretches when they are not the km splits (the table lists them instead)."""

    words: str  # "per km", "per 5 km", "per hour"
    svg: Markup | None
    bars: tuple[Bar, ...] = ()


def split_bars(summary: RunSummary, content: bytes | None) -> SplitBars | None:
    """The run's splits as bars, from its summary or (hour by hour) its profile's bytes; None
    for a route or a run without splits."""
    if summary.kind != "run" or not summary.splits:
        return None
    count = len(summary.splits) + summary.unlisted.splits
    if count <= MOST_SPLITS:
        bars = [Bar(f"km {s.number}", s.distance_m or 0.0, s.moving_s) for s in summary.splits]
        title = "Pace of each km, as bars: longer is faster"
        return SplitBars("per km", bars_svg(tuple(bars), title))
    hours = summary.elapsed_s or 0.0
    # Hour by hour, or (a journey of days) every few hours: at most MOST_HOURLY bars.
    every_h = max(1, math.ceil(hours / 3600.0 / MOST_HOURLY))
    timed = hours > HOURLY_PAST_S and content is not None
    hourly = _hourly(content, every_h) if timed and content is not None else ()
    if hourly:
        bars, words = list(hourly), "per hour" if every_h == 1 else f"per {every_h} hours"
    else:
        kms = [
            profile.Stretch(s.number - 1, s.distance_m or 0.0, s.elapsed_s, s.moving_s)
            for s in summary.splits
        ]
        bars = [
            Bar(
                f"{item.start:.0f}–{item.start + item.distance_m / units.KM_M:.0f} km",
                item.distance_m,
                item.moving_s,
            )
            for item in profile.grouped(kms, 5)
        ]
        words = "per 5 km"
    title = f"Pace {words}, as bars: longer is faster"
    return SplitBars(words, bars_svg(tuple(bars), title), tuple(bars))


@functools.lru_cache(maxsize=CACHED)
def _hourly(content: bytes, every_h: int) -> tuple[Bar, ...]:
    """The run every `every_h` hours, from its profile's bytes; none when they cannot be
    read."""
    try:
        stretches = profile.hourly(profile.from_bytes(content), every_h)
    except profile.ProfileError:
        return ()
    return tuple(
        Bar(f"{item.start:.0f}–{item.start + every_h:.0f} h", item.distance_m, item.moving_s)
        for item in stretches
    )
