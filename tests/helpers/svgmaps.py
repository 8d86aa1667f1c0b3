"""Reading back a map drawn by heroicrun.server.pages.drawing: its markers, labels and land.

Labels' boxes are measured as the drawing measured them (labels.text_width and the font's
ascent and descent), so a test can check that none covers another at each layout's size; the
browser tests check the same on real text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import numpy as np

from heroicrun.server.pages import labels

SVG = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Label:
    text: str
    css: str  # "place", "you", "tick" or "scale"
    box: Box


@dataclass(frozen=True)
class Marker:
    css: str
    x: float
    y: float


@dataclass(frozen=True)
class Map:
    width: float
    height: float
    markers: list[Marker]
    layers: dict[str, list[Label]]  # by layout: "wide", "narrow", "one-size"
    land: list[np.ndarray]  # rings, in viewBox units, (n, 2)
    source: str

    def texts(self, layer: str) -> list[str]:
        return [label.text for label in self.layers[layer]]

    def on_land(self, x: float, y: float) -> bool:
        """Whether the point is inside the land as the map fills it (even-odd)."""
        crossings = 0
        for ring in self.land:
            xs, ys = ring[:, 0], ring[:, 1]
            x_next, y_next = np.roll(xs, -1), np.roll(ys, -1)
            straddles = (ys > y) != (y_next > y)
            with np.errstate(divide="ignore", invalid="ignore"):
                at_x = xs + (y - ys) * (x_next - xs) / (y_next - ys)
            crossings += int(np.count_nonzero(straddles & (x < at_x)))
        return crossings % 2 == 1


LAYOUTS = {layout.css: layout for layout in (labels.WIDE, labels.NARROW)}


def read(svg: str, one_size: labels.Layout | None = None) -> Map:
    """The map in an SVG string (one `<svg class="map...">` element)."""
    root = ElementTree.fromstring(svg)
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    markers = [
        Marker(g.attrib["class"].split()[1], float(c.attrib["cx"]), float(c.attrib["cy"]))
        for g in root.iter(f"{SVG}g")
        if g.attrib.get("class", "").startswith("marker ")
        for c in g.iter(f"{SVG}circle")
    ]
    layers: dict[str, list[Label]] = {}
    for group in root.iter(f"{SVG}g"):
        css = group.attrib.get("class", "")
        if not css.startswith("labels "):
            continue
        found: list[Label] = []
        _texts(group, float(group.attrib["font-size"]), found)
        layers[css.split()[1]] = found
    land: list[np.ndarray] = []
    for group in root.iter(f"{SVG}g"):
        if group.attrib.get("class") == "land":
            scale = float(re.findall(r"scale\(([\d.]+)\)", group.attrib.get("transform", ""))[0])
            for path in group.iter(f"{SVG}path"):
                land.extend(ring * scale for ring in _rings(path.attrib["d"]))
    return Map(width, height, markers, layers, land, svg)


def _texts(element: ElementTree.Element, font: float, found: list[Label]) -> None:
    for child in element:
        size = float(child.attrib.get("font-size", font))
        if child.tag == f"{SVG}text":
            css = child.attrib.get("class", "scale")
            text = child.text or ""
            x, y = float(child.attrib["x"]), float(child.attrib["y"])
            width = labels.text_width(text, size, bold=css == "you")
            anchor = child.attrib.get("text-anchor", "start")
            left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
            box = (left, y - labels.ASCENT * size, left + width, y + labels.DESCENT * size)
            found.append(Label(text, css, box))
        else:
            _texts(child, size, found)


def _rings(d: str) -> list[np.ndarray]:
    """The rings of a path written as M x y l dx dy ... z, absolute."""
    rings = []
    for part in re.findall(r"M([^M]*)", d):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", part)]
        steps = np.array(numbers).reshape(-1, 2)
        rings.append(np.cumsum(steps, axis=0))
    return rings


def overlap(a: Box, b: Box, slack: float = 0.0) -> bool:
    return (
        a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]
    )


def problems(drawn: Map, layout: labels.Layout) -> list[str]:
    """Labels of that layout that cover one another, a marker, or the map's edge."""
    found = []
    placed = drawn.layers[layout.css]
    for index, label in enumerate(placed):
        left, top, right, bottom = label.box
        if left < 0 or top < 0 or right > drawn.width or bottom > drawn.height:
            found.append(f"{label.text!r} leaves the map")
        for other in placed[index + 1 :]:
            if overlap(label.box, other.box):
                found.append(f"{label.text!r} covers {other.text!r}")
        for marker in drawn.markers:
            radius = layout.you_r if marker.css == "you" else layout.place_r
            near_x = min(max(marker.x, left), right)
            near_y = min(max(marker.y, top), bottom)
            if (near_x - marker.x) ** 2 + (near_y - marker.y) ** 2 < radius**2:
                found.append(f"{label.text!r} covers a {marker.css} marker")
    return found
