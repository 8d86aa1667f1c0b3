"""Where a map's labels go: beside their markers, over nothing else, inside the map.

Labels are placed one at a time, most wanted first (the runner, then the places that must be
named, then the rest), each at the cheapest free spot around its marker: the eight directions
first, then further out with a leader line, then with a shorter text. A label that must be shown
is never dropped; the others are when nothing is free. A free spot overlaps no other label, no
marker (the runner's included) and no reserved box (the scale bar), and stays inside the map;
crossing the route's line only costs, since a label's halo keeps it readable there.

Text is measured with the advance widths of DejaVu Sans, which is wider than the usual system
faces (Roboto, San Francisco, Segoe UI), so that what is computed here holds in any of them.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from heroicrun.track import FloatArray

Box = tuple[float, float, float, float]  # left, top, right, bottom in viewBox units

ASCENT = 0.93  # of the font size, above the baseline (DejaVu Sans's, the tallest common face) ...
DESCENT = 0.24  # ... and below it
HALO = 0.12  # the halo around text (its stroke), as a share of the font size, each side
GAP = 3.0  # between a marker's edge and its label
EDGE = 2.0  # labels keep this far inside the map
CELL = 4.0  # the grid in which lines are counted, in units
TICK_SHARE = 0.8  # km numbers are this much smaller than place names
# Direction from the marker, its preference cost, and the text's anchor.
DIRECTIONS = (
    ((1.0, 0.0), 0.0, "start"),
    ((-1.0, 0.0), 0.3, "end"),
    ((1.0, -1.0), 0.6, "start"),
    ((-1.0, -1.0), 0.8, "end"),
    ((1.0, 1.0), 1.0, "start"),
    ((-1.0, 1.0), 1.2, "end"),
    ((0.0, -1.0), 1.4, "middle"),
    ((0.0, 1.0), 1.6, "middle"),
)
RING_COST = 4.0  # for each step further out
SHORTER_COST = 2.0  # for each shortening of the text
WIDTH_COST = 0.004  # for each unit of the label's width: a short name near beats a long one far
CROWD_COST = 0.5  # for each grid cell of line a label covers
FORCED = 1  # ranks up to this one are always shown (0: the runner, 1: last and next place)
SEARCHED = 2  # ranks up to this one may move further out or shorten; the rest may only shorten


@dataclass(frozen=True)
class Layout:
    """Label sizes for one display width: font and marker radii in viewBox units, as the
    stylesheet draws them at that width."""

    css: str
    font: float
    place_r: float
    you_r: float
    tick_share: float = TICK_SHARE  # km numbers and the scale's words, against place names

    @property
    def tick_font(self) -> float:
        return self.font * self.tick_share


# A map drawn 640 units wide shows at about 1:1 on a wide screen and at half size on a phone,
# where its text and markers are drawn twice as large (see heroicrun.css, svg.map.shrinks).
WIDE = Layout("wide", 14.0, 5.0, 8.0)
NARROW = Layout("narrow", 24.0, 8.0, 13.0)
SMALL = Layout("wide", 12.0, 5.0, 8.0)  # a run's map, shown wider than the route's on a screen
# A run's map, whose km numbers are read as much as its names: at least 12 CSS px wherever the
# map is shown, down to a 360 px phone (the map drawn about 328 px wide: 26 units is 13 px) and
# on a screen just past the phone layout (601 px, the map 569 px wide: 14 units is 12.4 px).
RUN_WIDE = Layout("wide", 14.0, 5.0, 8.0, tick_share=1.0)
RUN_NARROW = Layout("narrow", 26.0, 8.0, 13.0, tick_share=1.0)


@dataclass(frozen=True)
class Spot:
    """A marker to label: its texts (the label, then shorter forms), and how much it matters."""

    x: float
    y: float
    texts: tuple[str, ...]
    rank: int  # 0 the runner, 1 must be named, 2 wanted, 3 when there is room
    css: str
    you: bool = False


@dataclass(frozen=True)
class Circle:
    """A marker, which no label may cover."""

    x: float
    y: float
    you: bool = False


@dataclass(frozen=True)
class Tick:
    """A km mark on the route: where, the unit normal to the route there, and its number."""

    x: float
    y: float
    normal: tuple[float, float]
    text: str
    half_length: float


@dataclass(frozen=True)
class Text:
    """A placed label: its text drawn at (x, y) with that anchor, the box it covers, and a
    leader line from its marker when it had to move away."""

    text: str
    x: float
    y: float
    anchor: str
    css: str
    box: Box
    leader: Box | None = None


def text_width(text: str, font: float, bold: bool = False) -> float:
    """The width of `text` at `font` units, in units (as DejaVu Sans draws it, a wide face:
    the common system faces are narrower)."""
    width = font * sum(_advance(char) for char in text)
    return width * BOLD if bold else width


def _advance(char: str) -> float:
    found = ADVANCES.get(char)
    if found is None:
        base = unicodedata.normalize("NFD", char)[:1]  # "é" is as wide as "e"
        found = ADVANCES.get(base, WIDEST)
    return found


# DejaVu Sans advance widths in em, rounded up to the hundredth.
ADVANCES = {
    char: width
    for width, chars in (
        (0.28, "ijl'"),
        (0.30, "IJ"),
        (0.32, " .,·"),
        (0.34, ":;/"),
        (0.35, "f"),
        (0.37, "-"),
        (0.39, "()"),
        (0.40, "rt"),
        (0.41, "!"),
        (0.53, "sz"),
        (0.55, "c"),
        (0.56, "L"),
        (0.58, "kF"),
        (0.60, "vxyT"),
        (0.61, "P"),
        (0.62, "aeoY"),
        (0.64, "bdghnpquES0123456789"),
        (0.66, "K"),
        (0.69, "BVXZ"),
        (0.70, "CR"),
        (0.71, "A"),
        (0.74, "U"),
        (0.75, "N"),
        (0.76, "H"),
        (0.77, "D"),
        (0.78, "G&"),
        (0.79, "OQ"),
        (0.82, "w"),
        (0.87, "M"),
        (0.98, "m"),
        (0.99, "W"),
        (1.00, "…"),
    )
    for char in chars
}
WIDEST = 1.0  # a character not in the table
BOLD = 1.12  # DejaVu Sans Bold against Book


class Placer:
    """Labels placed so far on one map at one layout, and what they must keep clear of."""

    def __init__(
        self,
        width: float,
        height: float,
        layout: Layout,
        circles: Sequence[Circle],
        lines: Sequence[tuple[FloatArray, FloatArray]],
        reserved: Sequence[Box] = (),
    ) -> None:
        self.width, self.height, self.layout = width, height, layout
        self.circles = [(c.x, c.y, layout.you_r if c.you else layout.place_r) for c in circles]
        self.taken: list[Box] = list(reserved)
        self.crowd = _Crowd(width, height, lines)

    def spots(self, spots: Sequence[Spot]) -> list[Text]:
        """Labels for the spots, the most wanted first (ties in the order given)."""
        placed: list[Text] = []
        for spot in sorted(spots, key=lambda s: s.rank):
            found = self._best(spot)
            if found is not None:
                placed.append(found)
                self.taken.append(found.box)
        return placed

    def ticks(self, ticks: Sequence[Tick]) -> list[Text]:
        """Numbers for the km ticks that have room, beside their marks on either side."""
        placed: list[Text] = []
        font = self.layout.tick_font
        pad = font * HALO
        for tick in ticks:
            width = text_width(tick.text, font) + 2 * pad
            height = (ASCENT + DESCENT) * font + 2 * pad
            nx, ny = tick.normal
            best: tuple[float, Box] | None = None
            for side in (1.0, -1.0):
                for reach in (1.0, 1.8):
                    # The box's centre, far enough along the normal to clear the mark.
                    clear = (
                        tick.half_length
                        + GAP
                        + reach * (abs(nx) * width / 2 + abs(ny) * height / 2)
                    )
                    cx, cy = tick.x + side * nx * clear, tick.y + side * ny * clear
                    box = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
                    if not self._free(box):
                        continue
                    cost = self.crowd.cost(box) + (reach - 1.0) * 4
                    if best is None or cost < best[0]:
                        best = (cost, box)
            if best is None:
                continue
            box = best[1]
            baseline = box[3] - pad - DESCENT * font
            placed.append(Text(tick.text, (box[0] + box[2]) / 2, baseline, "middle", "tick", box))
            self.taken.append(box)
        return placed

    def _best(self, spot: Spot) -> Text | None:
        radius = self.layout.you_r if spot.you else self.layout.place_r
        # A marker under or beside another (a place and the runner at it) is labelled clear of
        # both.
        for x, y, other in self.circles:
            apart = math.hypot(x - spot.x, y - spot.y)
            if apart < radius + other:
                radius = max(radius, apart + other)
        rings = range(4) if spot.rank <= SEARCHED else range(1)
        # Each text at each distance costs at least this much: try the cheapest first, and
        # stop once a free spot costs less than anything left could.
        tries = sorted(
            (level * SHORTER_COST + ring * RING_COST, level, ring)
            for level in range(len(spot.texts))
            for ring in rings
        )
        best: tuple[float, Text] | None = None
        fallback: tuple[float, Text] | None = None
        for least, level, ring in tries:
            if best is not None and best[0] <= least:
                break
            for candidate, preference in self._candidates(spot, spot.texts[level], radius, ring):
                crowd = self.crowd.cost(candidate.box) * CROWD_COST
                width = candidate.box[2] - candidate.box[0]
                cost = least + preference + crowd + WIDTH_COST * width
                if best is not None and cost >= best[0]:
                    continue
                if self._free(candidate.box):
                    best = (cost, candidate)
                elif spot.rank <= FORCED:
                    clash = cost + 100.0 * self._clashes(candidate.box)
                    if fallback is None or clash < fallback[0]:
                        fallback = (clash, candidate)
        if best is not None:
            return best[1]
        return fallback[1] if fallback is not None else None

    def _candidates(
        self, spot: Spot, text: str, radius: float, ring: int
    ) -> Iterator[tuple[Text, float]]:
        font = self.layout.font
        pad = font * HALO
        width = text_width(text, font, bold=spot.you) + 2 * pad
        height = (ASCENT + DESCENT) * font + 2 * pad
        clear = radius + GAP + ring * font * 1.2
        for (dx, dy), preference, anchor in DIRECTIONS:
            # Above or below, a label clears the marker's row (its neighbours on a line across
            # the map are as large); beside it, the marker itself.
            side = clear * (math.sqrt(0.5) if dy else 1.0)
            if dx > 0:
                left = spot.x + side
            elif dx < 0:
                left = spot.x - side - width
            else:  # centred, or slid along to stay inside the map while still over the marker
                left = spot.x - width / 2
                left = min(max(left, EDGE), self.width - EDGE - width)
                left = min(max(left, spot.x - width + radius), spot.x - radius)
            if dy < 0:
                top = spot.y - clear - height
            elif dy > 0:
                top = spot.y + clear
            else:
                top = spot.y - height / 2
            box = (left, top, left + width, top + height)
            x = {"start": left + pad, "end": left + width - pad, "middle": left + width / 2}[anchor]
            baseline = top + height - pad - DESCENT * font
            leader = None
            if ring:
                near_x = min(max(spot.x, box[0]), box[2])
                near_y = min(max(spot.y, box[1]), box[3])
                length = math.hypot(near_x - spot.x, near_y - spot.y) or 1.0
                start = (
                    spot.x + (near_x - spot.x) * radius / length,
                    spot.y + (near_y - spot.y) * radius / length,
                )
                leader = (start[0], start[1], near_x, near_y)
            yield Text(text, x, baseline, anchor, spot.css, box, leader), preference

    def _free(self, box: Box) -> bool:
        return self._clashes(box, first=True) == 0

    def _clashes(self, box: Box, first: bool = False) -> int:
        """How many things the box covers or crosses (the map's edge counts as one)."""
        found = 0
        left, top, right, bottom = box
        if left < EDGE or top < EDGE or right > self.width - EDGE or bottom > self.height - EDGE:
            found += 1
            if first:
                return found
        for other in self.taken:
            if left < other[2] and other[0] < right and top < other[3] and other[1] < bottom:
                found += 1
                if first:
                    return found
        for cx, cy, radius in self.circles:
            near_x = min(max(cx, left), right)
            near_y = min(max(cy, top), bottom)
            if (near_x - cx) ** 2 + (near_y - cy) ** 2 < (radius + 1.0) ** 2:
                found += 1
                if first:
                    return found
        return found


class _Crowd:
    """How much line lies under a box: the lines' cells on a grid, summed for any box at once."""

    def __init__(
        self, width: float, height: float, lines: Sequence[tuple[FloatArray, FloatArray]]
    ) -> None:
        columns, rows = math.ceil(width / CELL) + 1, math.ceil(height / CELL) + 1
        grid = np.zeros((rows, columns), dtype=np.float64)
        for xs, ys in lines:
            px, py = _densified(xs, ys, CELL / 2)
            inside = (px >= 0) & (px <= width) & (py >= 0) & (py <= height)
            grid[(py[inside] / CELL).astype(int), (px[inside] / CELL).astype(int)] = 1.0
        # Plain lists: a thousand lookups a map are quicker than numpy's scalar indexing.
        self.sums: list[list[float]] = np.pad(
            grid.cumsum(axis=0).cumsum(axis=1), ((1, 0), (1, 0))
        ).tolist()
        self.columns, self.rows = columns, rows

    def cost(self, box: Box) -> float:
        left = min(max(int(box[0] // CELL), 0), self.columns)
        right = min(max(math.ceil(box[2] / CELL), 0), self.columns)
        top = min(max(int(box[1] // CELL), 0), self.rows)
        bottom = min(max(math.ceil(box[3] / CELL), 0), self.rows)
        low, high = self.sums[top], self.sums[bottom]
        return high[right] - low[right] - high[left] + low[left]


def _densified(xs: FloatArray, ys: FloatArray, step: float) -> tuple[FloatArray, FloatArray]:
    """Points along the polyline no more than `step` apart (a few thousand at most)."""
    if len(xs) < 2:
        return xs, ys
    dx, dy = np.diff(xs), np.diff(ys)
    counts = np.clip(np.ceil(np.hypot(dx, dy) / step).astype(np.int64), 1, 400)
    index = np.repeat(np.arange(len(dx)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    share = offsets / np.repeat(counts, counts)
    return xs[:-1][index] + share * dx[index], ys[:-1][index] + share * dy[index]
