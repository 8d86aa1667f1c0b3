"""Maps and charts as inline SVG, drawn on the server: no tiles, no script, no internet needed.

Maps use a local equirectangular projection (x scaled by the cosine of the mid latitude), which
is true enough for a run or a route up to a few thousand kilometres; the world lap is drawn the
same way and looks like what it is, a line round the globe.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

Point = tuple[float, float]  # (lat, lon) in degrees

# However long the run and however often its line changes style, a map or chart is drawn from at
# most this many vertices, so a page stays light: 640 px wide shows no more detail than this.
MAP_POINTS = 2000  # vertices shared by all the lines of a map ...
MAP_LINES = 200  # ... plus the two ends of each of at most this many lines (the longest)
MAP_MARKERS = 100
CHART_POINTS = 1500


@dataclass(frozen=True)
class Line:
    """A polyline on the map, with the CSS class that styles it ("done", "todo", "track"...)."""

    points: Sequence[Point]
    css: str


@dataclass(frozen=True)
class Marker:
    """A labelled point: a named place, or the runner ("you")."""

    point: Point
    label: str
    css: str = "place"


@dataclass(frozen=True)
class _Frame:
    width: float
    height: float
    pad: float
    lat0: float
    lon0: float
    scale: float
    cos_lat: float

    def xy(self, point: Point) -> tuple[float, float]:
        lat, lon = point
        x = self.pad + (lon - self.lon0) * self.cos_lat * self.scale
        y = self.height - self.pad - (lat - self.lat0) * self.scale
        return x, y


def _frame(points: Sequence[Point], width: float, height: float, pad: float) -> _Frame:
    lats = [p[0] for p in points] or [0.0]
    lons = [p[1] for p in points] or [0.0]
    lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
    cos_lat = max(math.cos(math.radians((lat0 + lat1) / 2)), 0.05)
    span_x = max((lon1 - lon0) * cos_lat, 1e-6)
    span_y = max(lat1 - lat0, 1e-6)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    # Centre the drawing in the box.
    extra_x = (width - 2 * pad - span_x * scale) / 2
    extra_y = (height - 2 * pad - span_y * scale) / 2
    return _Frame(
        width,
        height,
        pad,
        lat0 - extra_y / scale,
        lon0 - extra_x / (scale * cos_lat),
        scale,
        cos_lat,
    )


def map_svg(
    lines: Sequence[Line],
    markers: Sequence[Marker] = (),
    width: int = 640,
    height: int = 400,
    label: str = "Map",
) -> Markup:
    """An SVG map of the lines and markers, fitted to the box; `label` is its accessible name."""
    markers = markers[:MAP_MARKERS]
    everything = [p for line in lines for p in line.points] + [m.point for m in markers]
    frame = _frame(everything, width, height, pad=24)
    parts = [
        f'<svg class="map" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f'<rect class="map-ground" width="{width}" height="{height}" rx="8"/>',
    ]
    for line in _fewer_lines(lines):
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(frame.xy, line.points))
        parts.append(f'<polyline class="{escape(line.css)}" points="{path}"/>')
    for marker in markers:
        x, y = frame.xy(marker.point)
        anchor = "end" if x > width * 0.7 else "start"
        dx = -8 if anchor == "end" else 8
        parts.append(
            f'<g class="marker {escape(marker.css)}"><circle cx="{x:.1f}" cy="{y:.1f}" r="5"/>'
            f'<text x="{x + dx:.1f}" y="{y - 8:.1f}" text-anchor="{anchor}">'
            f"{escape(marker.label)}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _fewer_lines(lines: Sequence[Line]) -> list[Line]:
    """The lines to draw, in order: the MAP_LINES with the most points, each thinned by one step
    so that together they keep about MAP_POINTS points, besides their ends."""
    drawn = [line for line in lines if len(line.points) >= 2]
    if len(drawn) > MAP_LINES:
        longest = sorted(range(len(drawn)), key=lambda i: len(drawn[i].points))[-MAP_LINES:]
        drawn = [drawn[i] for i in sorted(longest)]
    step = math.ceil(sum(len(line.points) for line in drawn) / MAP_POINTS)
    if step <= 1:
        return drawn
    return [Line(_every(line.points, step), line.css) for line in drawn]


def _every(points: Sequence[Point], step: int) -> list[Point]:
    """Every step-th point, and the last."""
    kept = list(points[::step])
    if (len(points) - 1) % step:
        kept.append(points[-1])
    return kept


@dataclass(frozen=True)
class Series:
    """One line of a chart: x values (e.g. km) and y values, NaN where there is no value."""

    xs: Sequence[float]
    ys: Sequence[float]
    css: str
    label: str
    invert: bool = False  # pace: smaller is better, so draw it with faster at the top
    unit_format: str = "{:.0f}"
    ticks: Sequence[float] = field(default_factory=tuple)  # y ticks; chosen when empty
    # Writes a y value for its tick label instead of unit_format; clock ticks (5:00, 5:30, …)
    # for a formatter of seconds, e.g. units.duration.
    tick_format: Callable[[float], str] | None = None
    trim: float = 0.01  # share of the wildest values left out of the y range at each end


CLOCK_STEPS_S = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def chart_svg(
    series: Series, x_label: str = "km", width: int = 640, height: int = 200, title: str = ""
) -> Markup:
    """A line chart of one series with labelled axes; gaps where values are missing."""
    values = list(zip(series.xs, series.ys, strict=False))
    if len(values) > CHART_POINTS:
        values = _every(values, math.ceil(len(values) / CHART_POINTS))
    pairs = [(x, y) for x, y in values if math.isfinite(y)]
    pad_left, pad_bottom, pad_top, pad_right = 58, 28, 12, 12
    parts = [
        f'<svg class="chart {escape(series.css)}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title or series.label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if len(pairs) < 2:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">no data</text>')
        parts.append("</svg>")
        return Markup("".join(parts))
    xs = [x for x, _ in pairs]
    ys = sorted(y for _, y in pairs)
    # Robust y range: ignore the wildest values at each end (a stop makes pace explode).
    low = ys[int(series.trim * (len(ys) - 1))]
    high = ys[int((1 - series.trim) * (len(ys) - 1))]
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    margin = (high - low) * 0.05  # the line never grazes the frame
    low, high = low - margin, high + margin
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    inner_w, inner_h = width - pad_left - pad_right, height - pad_top - pad_bottom

    def to_xy(x: float, y: float) -> tuple[float, float]:
        y = min(max(y, low), high)
        fraction = (y - low) / (high - low)
        if series.invert:
            fraction = 1 - fraction
        return pad_left + (x - x0) / (x1 - x0) * inner_w, pad_top + (1 - fraction) * inner_h

    segments: list[list[tuple[float, float]]] = [[]]
    last_x = None
    for x, y in values:
        if not math.isfinite(y):
            if segments[-1]:
                segments.append([])
            continue
        if last_x is None or x >= last_x:
            segments[-1].append(to_xy(x, y))
            last_x = x
    parts.append(
        f'<line class="axis" x1="{pad_left}" y1="{pad_top + inner_h}" '
        f'x2="{pad_left + inner_w}" y2="{pad_top + inner_h}"/>'
    )
    for value in _y_ticks(series, low, high):
        _, y = to_xy(x0, value)
        label = (
            series.tick_format(value) if series.tick_format else series.unit_format.format(value)
        )
        parts.append(
            f'<line class="grid" x1="{pad_left}" y1="{y:.1f}" x2="{pad_left + inner_w}" '
            f'y2="{y:.1f}"/><text class="tick" x="{pad_left - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
    for value in _nice_ticks(x0, x1):
        x, _ = to_xy(value, low)
        if x > width - pad_right - 24:  # leave room for the axis's name
            continue
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{height - 8}" text-anchor="middle">{value:g}</text>'
        )
    parts.append(
        f'<text class="tick" x="{width - pad_right}" y="{height - 8}" text-anchor="end">'
        f"{escape(x_label)}</text>"
    )
    for segment in segments:
        if len(segment) >= 2:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(f'<polyline class="series" points="{path}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _y_ticks(series: Series, low: float, high: float) -> list[float]:
    """The series' own ticks within the range, else 3 to 6 round ones; the ends as a last resort."""
    if series.ticks:
        return [value for value in series.ticks if low <= value <= high]
    steps = CLOCK_STEPS_S if series.tick_format is not None else None
    ticks = _nice_ticks(low, high, count=4, steps=steps)
    return ticks if len(ticks) >= 2 else [low, high]


def _nice_ticks(
    low: float, high: float, count: int = 5, steps: Sequence[float] | None = None
) -> list[float]:
    """Round tick values between low and high: 1, 2 or 5 times a power of ten apart, or the
    first of `steps` (e.g. clock steps in seconds) that gives at most about `count` ticks."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    if steps:
        step = next((s for s in steps if s >= raw), steps[-1] * math.ceil(raw / steps[-1]))
    else:
        power = 10 ** math.floor(math.log10(raw))
        step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(round(value, 6))
        value += step
    return ticks
