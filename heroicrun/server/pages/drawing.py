"""Maps and charts as inline SVG, drawn on the server: no tiles, no script, no internet needed.

A map is drawn in layers: the sea, the land and the borders (pages/basemap.py, from the
bundled Natural Earth data), the lines, km ticks along a route, the markers, and on top the
labels, placed so that none covers another or a marker (pages/labels.py). Each map is drawn in
its own projection (pages/frames.py), fitted to what it shows unless given one.

A map that shrinks to half its size on a phone carries its labels twice, laid out for each
size, and the stylesheet shows the one that fits the screen: a label that fits at 14 units on a
wide screen may not at 24 on a phone, and neither may cover another.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from markupsafe import Markup, escape

from heroicrun.server.pages import basemap, frames, labels
from heroicrun.server.pages.frames import Frame

Point = frames.Point  # (lat, lon) in degrees

# However long the run and however often its line changes style, a map or chart is drawn from at
# most this many vertices, so a page stays light: 640 px wide shows no more detail than this.
MAP_POINTS = 2000  # vertices shared by all the lines of a map ...
MAP_LINES = 200  # ... plus the two ends of each of at most this many lines (the longest)
MAP_MARKERS = 100
CHART_POINTS = 1500
MAP_PAD = 24  # the fitted lines and markers keep this far from the map's edge
MIN_SPAN_KM = 0.2  # a fitted map shows at least this much ground each way
TICK_HALF = 5.0  # half the length of a km tick's mark
SCALE_SHARE = 0.22  # the scale bar is at most this share of the map's width
SCALE_MAX_LAT = 40.0  # a map taller than this many degrees has no one scale: no bar


@dataclass(frozen=True)
class Line:
    """A polyline on the map, with the CSS class that styles it ("done", "todo", "track"...)."""

    points: Sequence[Point]
    css: str
    avoid: bool = True  # labels keep off it (they may cross an outline)


@dataclass(frozen=True)
class Marker:
    """A labelled point: a named place, or the runner ("you"); `rank` says how much its label
    matters (labels.Spot), `shorter` gives shorter forms of the label for a crowded map."""

    point: Point
    label: str
    css: str = "place"
    rank: int = 2
    shorter: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tick:
    """A km mark on a route: the point, a point just after it along the route (its direction),
    and the number to write beside it."""

    point: Point
    toward: Point
    text: str


def map_svg(
    lines: Sequence[Line],
    markers: Sequence[Marker] = (),
    width: int = 640,
    height: int = 400,
    label: str = "Map",
    *,
    frame: Frame | None = None,
    ticks: Sequence[Tick] = (),
    layouts: Sequence[labels.Layout] = (labels.WIDE, labels.NARROW),
    overlay: str = "",
) -> Markup:
    """An SVG map of the lines and markers on land and sea, fitted to the box unless a `frame`
    is given; `label` is its accessible name, `layouts` the label sizes it carries, `overlay`
    SVG drawn on top of everything (in the frame's units)."""
    markers = markers[:MAP_MARKERS]
    if frame is None:
        lines, markers, frame = fitted(lines, markers, width, height)
    shrinks = " shrinks" if any(layout.css == labels.NARROW.css for layout in layouts) else ""
    parts = [
        f'<svg class="map{shrinks}" viewBox="0 0 {frame.width:g} {frame.height:g}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        basemap.ground(frame),
    ]
    drawn: list[tuple[np.ndarray, np.ndarray]] = []
    for line in _fewer_lines(lines):
        lat = np.array([p[0] for p in line.points])
        lon = np.array([p[1] for p in line.points])
        xs, ys = frame.xy_arrays(lat, lon)
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs.tolist(), ys.tolist(), strict=True))
        parts.append(f'<polyline class="{escape(line.css)}" points="{path}"/>')
        if line.avoid:
            drawn.append((xs, ys))
    placed_ticks = [found for found in (_tick(frame, tick) for tick in ticks) if found]
    if placed_ticks:
        marks = "".join(
            f"M{t.x - t.normal[0] * t.half_length:.1f} {t.y - t.normal[1] * t.half_length:.1f}"
            f"l{2 * t.normal[0] * t.half_length:.1f} {2 * t.normal[1] * t.half_length:.1f}"
            for t in placed_ticks
        )
        parts.append(f'<path class="tick-marks" d="{marks}"/>')
    first = layouts[0]
    circles: list[labels.Circle] = []
    spots: list[labels.Spot] = []
    for marker in markers:
        x, y = frame.xy(marker.point)
        you = marker.css == "you"
        radius = first.you_r if you else first.place_r
        parts.append(
            f'<g class="marker {escape(marker.css)}"><circle cx="{x:.1f}" cy="{y:.1f}" '
            f'r="{radius:g}"/></g>'
        )
        circles.append(labels.Circle(x, y, you))
        if marker.label:
            texts = (marker.label, *marker.shorter)
            spots.append(labels.Spot(x, y, texts, marker.rank, marker.css, you))
    for layout in layouts:
        parts.append(_labels(frame, layout, circles, drawn, spots, placed_ticks))
    parts.append(overlay)
    parts.append("</svg>")
    return Markup("".join(parts))


def fitted(
    lines: Sequence[Line], markers: Sequence[Marker], width: int = 640, height: int = 400
) -> tuple[Sequence[Line], Sequence[Marker], Frame]:
    """The lines and markers kept on one side of the antimeridian, and the frame that fits
    them in the box: what map_svg draws them in when given no frame."""
    lines, markers = _unwrapped(lines, markers)
    everything = [p for line in lines for p in line.points] + [m.point for m in markers]
    return lines, markers, frames.fit(everything, width, height, MAP_PAD, MIN_SPAN_KM)


def _unwrapped(
    lines: Sequence[Line], markers: Sequence[Marker]
) -> tuple[Sequence[Line], Sequence[Marker]]:
    """Lines and markers with longitudes within half a turn of the first point's, so that a run
    across the antimeridian (Taveuni, Fiji) is drawn where it is, not round the world."""
    first = next((p for line in lines for p in line.points), None)
    if first is None and markers:
        first = markers[0].point
    if first is None:
        return lines, markers
    west, east = first[1] - 180.0, first[1] + 180.0
    points = [p for line in lines for p in line.points] + [m.point for m in markers]
    if all(west <= lon < east for _, lon in points):
        return lines, markers

    def near(point: Point) -> Point:
        return point[0], point[1] + 360.0 * round((first[1] - point[1]) / 360.0)

    return (
        [Line([near(p) for p in line.points], line.css, line.avoid) for line in lines],
        [replace(marker, point=near(marker.point)) for marker in markers],
    )


def _labels(
    frame: Frame,
    layout: labels.Layout,
    circles: Sequence[labels.Circle],
    drawn: Sequence[tuple[np.ndarray, np.ndarray]],
    spots: Sequence[labels.Spot],
    ticks: Sequence[labels.Tick],
) -> str:
    """One layout's labels, with the scale bar and any leader lines."""
    halo = 2 * labels.HALO * layout.font
    parts = [
        f'<g class="labels {layout.css}" font-size="{layout.font:g}" stroke-width="{halo:.1f}">'
    ]
    # The scale bar keeps its corner clear of labels; a label that must be shown and finds no
    # other room wins it, and the bar moves to the other bottom corner, or goes.
    bar = _scale_bar(frame, layout, right=False)
    placer = labels.Placer(
        frame.width, frame.height, layout, circles, drawn, [] if bar is None else [bar[1]]
    )
    placed = placer.spots(spots)
    for corner in (False, True):
        bar = _scale_bar(frame, layout, right=corner)
        if bar is not None and not any(_overlaps(bar[1], text.box) for text in placed):
            parts.append(bar[0])
            placer.taken.append(bar[1])
            break
    leaders = "".join(
        f"M{t.leader[0]:.1f} {t.leader[1]:.1f}L{t.leader[2]:.1f} {t.leader[3]:.1f}"
        for t in placed
        if t.leader is not None
    )
    if leaders:
        parts.append(f'<path class="leader" d="{leaders}"/>')
    for text in placed:
        parts.append(_text(text))
    numbers = placer.ticks(ticks)
    if numbers:
        size = layout.tick_font
        parts.append(
            f'<g class="km" font-size="{size:g}" stroke-width="{2 * labels.HALO * size:.1f}">'
        )
        parts.extend(_text(text) for text in numbers)
        parts.append("</g>")
    parts.append("</g>")
    return "".join(parts)


def _text(text: labels.Text) -> str:
    return (
        f'<text class="{escape(text.css)}" x="{text.x:.1f}" y="{text.y:.1f}" '
        f'text-anchor="{text.anchor}">{escape(text.text)}</text>'
    )


def _tick(frame: Frame, tick: Tick) -> labels.Tick | None:
    """The tick in map units, across the route; None outside the map or where the route has no
    direction."""
    x, y = frame.xy(tick.point)
    if not (0 <= x <= frame.width and 0 <= y <= frame.height):
        return None
    ahead_x, ahead_y = frame.xy(tick.toward)
    length = math.hypot(ahead_x - x, ahead_y - y)
    if length < 1e-9:
        return None
    normal = (-(ahead_y - y) / length, (ahead_x - x) / length)
    return labels.Tick(x, y, normal, tick.text, TICK_HALF)


def _overlaps(a: labels.Box, b: labels.Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _scale_bar(frame: Frame, layout: labels.Layout, right: bool) -> tuple[str, labels.Box] | None:
    """A bar of a round length in the map's bottom-left (or right) corner, and the box it
    takes."""
    if frame.north - frame.south > SCALE_MAX_LAT:
        return None
    most_km = frame.width * SCALE_SHARE * frame.km_per_unit
    power = 10 ** math.floor(math.log10(most_km))
    length_km = max(m * power for m in (1, 2, 5) if m * power <= most_km)
    length = length_km / frame.km_per_unit
    words = f"{length_km * 1000:g} m" if length_km < 1 else f"{length_km:,.0f} km"
    font = layout.tick_font
    width = max(length, labels.text_width(words, font))
    left, bottom = (frame.width - 10.0 - width if right else 10.0), frame.height - 10.0
    box = (
        left - 2,
        bottom - 6 - (labels.ASCENT + labels.DESCENT) * font - 2,
        left + width + 2,
        bottom + 2,
    )
    svg = (
        f'<g class="scale"><path d="M{left:.1f} {bottom - 4:.1f}v4h{length:.1f}v-4"/>'
        f'<text x="{left:.1f}" y="{bottom - 7:.1f}" font-size="{font:g}" '
        f'stroke-width="{2 * labels.HALO * font:.1f}">{words}</text></g>'
    )
    return svg, box


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
    return [Line(_every(line.points, step), line.css, line.avoid) for line in drawn]


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
    least_span: float = 0.0  # the y range spans at least this much: an even pace reads as even


CLOCK_STEPS_S = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


@dataclass(frozen=True)
class Axis:
    """A chart's x axis: its name, the range it spans (None: the series'), how its ticks are
    written and stepped, and the room left of the plot for the y axis's labels, in units; charts
    given the same axis line up one under another."""

    label: str = "km"
    span: tuple[float, float] | None = None
    tick_format: Callable[[float], str] | None = None  # None: "{:g}"
    steps: Sequence[float] | None = None  # e.g. CLOCK_STEPS_S for a time axis
    pad_left: float = 58.0
    pad_right: float = 12.0
    pad_bottom: float = 28.0
    ticks: int = 5  # about how many ticks
    font: float = 15.0  # the largest its words are drawn, in units (ticks that would touch go)


def chart_svg(
    series: Series,
    x_label: str = "km",
    width: int = 640,
    height: int = 200,
    title: str = "",
    *,
    axis: Axis | None = None,
    overlay: str = "",
) -> Markup:
    """A line chart of one series with labelled axes; gaps where values are missing. `axis`
    fixes the x axis (shared by several charts); `overlay` is SVG drawn on top."""
    axis = axis or Axis(label=x_label)
    values = list(zip(series.xs, series.ys, strict=False))
    if len(values) > CHART_POINTS:
        values = _every(values, math.ceil(len(values) / CHART_POINTS))
    pairs = [(x, y) for x, y in values if math.isfinite(y)]
    pad_left, pad_bottom, pad_top, pad_right = axis.pad_left, axis.pad_bottom, 12, axis.pad_right
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
    if high - low < max(series.least_span, 1e-9):
        middle, half = (low + high) / 2, max(series.least_span, 2.0) / 2
        low, high = middle - half, middle + half
    margin = (high - low) * 0.05  # the line never grazes the frame
    low, high = low - margin, high + margin
    x0, x1 = axis.span or (min(xs), max(xs))
    x1 = x1 if x1 > x0 else x0 + 1
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
            f'<line class="grid" x1="{pad_left:g}" y1="{y:.1f}" x2="{pad_left + inner_w:g}" '
            f'y2="{y:.1f}"/><text class="tick" x="{pad_left - 6:g}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
    # The axis's name takes the right end; a tick whose words would reach it is left out.
    name_left = width - pad_right - labels.text_width(axis.label, axis.font) - 4
    for value in _nice_ticks(x0, x1, count=axis.ticks, steps=axis.steps):
        x, _ = to_xy(value, low)
        words = axis.tick_format(value) if axis.tick_format else f"{value:g}"
        if x + labels.text_width(words, axis.font) / 2 > name_left:
            continue
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{height - 8}" text-anchor="middle">'
            f"{escape(words)}</text>"
        )
    parts.append(
        f'<text class="tick" x="{width - pad_right:g}" y="{height - 8}" text-anchor="end">'
        f"{escape(axis.label)}</text>"
    )
    for segment in segments:
        if len(segment) >= 2:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(f'<polyline class="series" points="{path}"/>')
    parts.append(overlay)
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
