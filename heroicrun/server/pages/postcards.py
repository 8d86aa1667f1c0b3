"""Postcards drawn on the server: an SVG of the place on the route's map (land and sea, as the
mission page draws it) beside the mission, the place, the km, the date and a line of the
story; and the same as a PNG for sharing, rasterized by resvg with the bundled Lato (fonts/),
so it reads the same on any server and fetches nothing.

GET /missions/{id}/postcards/{n}.svg and .png: the runner's own cards only; another runner's,
or one not earned, is a 404 like any run that is not yours.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import resvg_py
from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import escape
from starlette.concurrency import run_in_threadpool

from heroicrun.db.schema import Enrolment, Runner
from heroicrun.missions import routes
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Mission
from heroicrun.missions.progress import MissionProgress
from heroicrun.play import NotFound
from heroicrun.play import missions as play
from heroicrun.play import postcards as cards
from heroicrun.server.deps import PageRunner, ReadSession, WriteSession
from heroicrun.server.pages import labels, route_maps

router = APIRouter(include_in_schema=False)

WIDTH, HEIGHT = 1000, 625  # the card's viewBox: 16:10, a phone's share sheet shows it whole
PNG_WIDTH = 1200  # pixels across the PNG
MAP_BOX = (24.0, 24.0, 592.0, 577.0)  # x, y, width, height of the map on the card
TEXT_X, TEXT_WIDTH = 648.0, 328.0
VIEW_BOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')
FONTS = Path(__file__).parent / "fonts"
FONT_FILES = (FONTS / "Lato-Regular.ttf", FONTS / "Lato-Bold.ttf")
# The mission page's map colours (heroicrun.css), written out: a card stands alone.
STYLE = """
svg.card { font-family: Lato, "DejaVu Sans", sans-serif; }
.paper { fill: #faf7f2; }
.frame { fill: none; stroke: #7a1f12; stroke-width: 6; }
.kicker { fill: #7a1f12; font-weight: 700; letter-spacing: 2px; }
.title { fill: #1d1a17; font-weight: 700; }
.place { fill: #7a1f12; font-weight: 700; }
.figure { fill: #1d1a17; font-weight: 700; }
.date { fill: #5b544d; }
.line { fill: #1d1a17; }
.stamp circle { fill: #b8860b; stroke: #7a5a00; stroke-width: 3; }
.stamp path { fill: #fff8dc; }
.map .sea { fill: #c2d7e4; }
.map .land path { fill: #f5f0e6; fill-rule: evenodd; }
.map .borders path { fill: none; stroke: #9c8f80; stroke-width: 1; stroke-dasharray: 4 3; }
.map polyline { fill: none; stroke-linecap: round; stroke-linejoin: round; }
.map .done { stroke: #7a1f12; stroke-width: 4; }
.map .todo { stroke: #615950; stroke-width: 3; stroke-dasharray: 6 6; }
.map .zoom { fill: none; stroke: none; }
.map .tick-marks { stroke: #1d1a17; stroke-width: 1.5; }
.map .marker circle { fill: #ffffff; stroke: #1d1a17; stroke-width: 2; }
.map .marker.you circle { fill: #7a1f12; stroke: #ffffff; stroke-width: 3; }
.map .labels text { fill: #1d1a17; paint-order: stroke; stroke: #ffffff; stroke-linejoin: round; }
.map .labels text.you { font-weight: 700; fill: #7a1f12; }
.map .labels text.tick, .map .scale text { fill: #4a433d; }
.map .leader, .map .scale path { fill: none; stroke: #1d1a17; stroke-width: 1; }
.map .labels.narrow { display: none; }
"""


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/missions/{mission_id}/postcards/{number}.svg")
def postcard_svg(
    request: Request,
    mission_id: str,
    number: int,
    runner: PageRunner,
    session: ReadSession,
    writing: WriteSession,
) -> Response:
    """One of your postcards of a mission, as SVG."""
    found = _found(request, session, writing, runner, mission_id, number)
    if found is None:
        return Response("No such postcard.", status_code=404, media_type="text/plain")
    return Response(drawn(*found), media_type="image/svg+xml", headers=_private())


@router.get("/missions/{mission_id}/postcards/{number}.png")
async def postcard_png(
    request: Request,
    mission_id: str,
    number: int,
    runner: PageRunner,
    session: ReadSession,
    writing: WriteSession,
) -> Response:
    """One of your postcards of a mission, as PNG (for sharing)."""
    found = await run_in_threadpool(_found, request, session, writing, runner, mission_id, number)
    if found is None:
        return Response("No such postcard.", status_code=404, media_type="text/plain")
    image = await run_in_threadpool(png, drawn(*found))
    name = f"heroicrun-{mission_id}-{number}.png"
    headers = {**_private(), "Content-Disposition": f'inline; filename="{name}"'}
    return Response(image, media_type="image/png", headers=headers)


def _found(
    request: Request,
    session: ReadSession,
    writing: WriteSession,
    runner: PageRunner,
    mission_id: str,
    number: int,
) -> tuple[Mission, cards.Postcard, Catalog] | None:
    catalog: Catalog = request.app.state.catalog
    learned: play.Learned = {}
    try:
        mission, card = cards.postcard(
            session, catalog, runner, mission_id, number, _now(), learned
        )
    except NotFound:
        return None
    play.remember(writing, learned)
    return mission, card, catalog


def _private() -> dict[str, str]:
    # A runner's own card: kept by their browser, never by a shared cache.
    return {"Cache-Control": "private, max-age=300"}


def drawn(mission: Mission, card: cards.Postcard, catalog: Catalog) -> str:
    """The postcard as a standalone SVG document."""
    x, y, width, height = MAP_BOX
    parts = [
        f'<svg class="card" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(_label(card))}">',
        f"<style>{STYLE}</style>",
        f'<rect class="paper" width="{WIDTH}" height="{HEIGHT}"/>',
    ]
    if mission.route is not None and card.km is not None:
        line = routes.build(mission.route, catalog.directory)
        svg = str(route_maps.route_map(mission.title, line, card.km))
        parts.append(_fitted(svg, x, y, width, height))
    else:
        parts.append(_stamp(x + width / 2, y + height / 2, min(width, height) / 3))
    parts.append(f'<rect class="frame" x="3" y="3" width="{WIDTH - 6}" height="{HEIGHT - 6}"/>')
    parts.extend(_words(card))
    parts.append("</svg>")
    return "".join(parts)


def _fitted(svg: str, x: float, y: float, width: float, height: float) -> str:
    """The route's map placed in the box at its own proportions, centred: its land and sea
    end at its edges, paper around them."""
    found = VIEW_BOX.search(svg)
    assert found is not None, "a map has a viewBox"
    map_width, map_height = float(found.group(1)), float(found.group(2))
    scale = min(width / map_width, height / map_height)
    shown_width, shown_height = map_width * scale, map_height * scale
    left, top = x + (width - shown_width) / 2, y + (height - shown_height) / 2
    placed = (
        f'<svg x="{left:.1f}" y="{top:.1f}" width="{shown_width:.1f}" height="{shown_height:.1f}" '
    )
    return svg.replace("<svg ", placed, 1)


def _label(card: cards.Postcard) -> str:
    where = card.place or "The end"
    km = "" if card.km is None else f", km {card.km:,.1f}"
    return f"Postcard from {card.mission_title}: {where}{km}, {_date(card.reached_at)}. {card.line}"


def _date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _words(card: cards.Postcard) -> list[str]:
    """The card's text, top to bottom, each part wrapped to the text column."""
    parts: list[str] = []
    y = 70.0

    def add(text: str, css: str, size: float, gap: float, most_lines: int = 3) -> None:
        nonlocal y
        bold = css in ("kicker", "title", "place", "figure")
        for row in _wrapped(text, size, bold)[:most_lines]:
            y += size
            parts.append(
                f'<text class="{css}" x="{TEXT_X:g}" y="{y:.0f}" font-size="{size:g}">'
                f"{escape(row)}</text>"
            )
            y += size * 0.25
        y += gap

    add("HEROICRUN · " + ("MISSION COMPLETE" if card.finish else "POSTCARD"), "kicker", 16, 14)
    add(card.mission_title, "title", 26, 22, 2)
    add(card.place or "Mission complete", "place", 40, 10, 3)
    if card.km is not None:
        add(f"km {card.km:,.1f}", "figure", 30, 4)
    add(_date(card.reached_at), "date", 22, 24)
    add(f"“{card.line}”", "line", 21, 0, 7)
    if card.finish and card.place is not None:
        parts.append(_stamp(WIDTH - 80, HEIGHT - 80, 44))
    return parts


def _wrapped(text: str, size: float, bold: bool) -> list[str]:
    """The text in lines that fit the text column (measured as labels measure them, a wide
    face: the card's own is narrower, so they fit)."""
    rows: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        width = labels.text_width(trial, size) * (labels.BOLD if bold else 1.0)
        if current and width > TEXT_WIDTH:
            rows.append(current)
            current = word
        else:
            current = trial
    if current:
        rows.append(current)
    return rows


def _stamp(cx: float, cy: float, r: float) -> str:
    """A medal: the mission finished."""
    points = []
    for index in range(10):
        angle = math.pi / 2 + index * math.pi / 5
        reach = r * (0.62 if index % 2 == 0 else 0.26)
        points.append(f"{cx + reach * math.cos(angle):.1f},{cy - reach * math.sin(angle):.1f}")
    return (
        f'<g class="stamp"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}"/>'
        f'<path d="M{" L".join(points)}Z"/></g>'
    )


@functools.cache
def _font_paths() -> list[str]:
    return [str(path) for path in FONT_FILES]


def png(svg: str) -> bytes:
    """The SVG rasterized to a PNG PNG_WIDTH pixels across, with the bundled fonts only."""
    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg,
            width=PNG_WIDTH,
            font_files=_font_paths(),
            skip_system_fonts=True,
            font_family="Lato",
            sans_serif_family="Lato",
        )
    )


@dataclass(frozen=True)
class Listed:
    """A postcard as a page lists it: where to see it, to share it, and what it says."""

    number: int
    svg_url: str
    png_url: str
    file_name: str  # the PNG's, when downloaded or shared
    place_name: str  # "Megara", or "Mission complete"
    caption: str  # "Megara · km 42.5 · 2 May 2024"
    alt: str  # the whole card in words
    finish: bool


def listed(found: Sequence[cards.Postcard]) -> list[Listed]:
    """Postcards as the mission page and the upload's answer list them."""
    shown = []
    for card in found:
        base = f"/missions/{card.mission_id}/postcards/{card.number}"
        said = [card.place or "Mission complete"]
        if card.km is not None:
            said.append(f"km {card.km:,.1f}")
        said.append(_date(card.reached_at))
        shown.append(
            Listed(
                card.number,
                f"{base}.svg",
                f"{base}.png",
                f"heroicrun-{card.mission_id}-{card.number}.png",
                said[0],
                " · ".join(said),
                _label(card),
                card.finish,
            )
        )
    return shown


def of_mission(
    session: ReadSession,
    catalog: Catalog,
    runner: Runner,
    mission: Mission,
    earned: MissionProgress,
    runs_key: str | None = None,
    enrolment: Enrolment | None = None,
) -> list[Listed]:
    """The runner's postcards of a mission they are enrolled in, as the mission page lists them."""
    return listed(cards.postcards(session, catalog, runner, mission, earned, runs_key, enrolment))
