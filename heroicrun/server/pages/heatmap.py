"""A year of running as a calendar heat-map: an SVG of 53 weeks by 7 days, shaded by km.

Weeks run Monday to Sunday, top to bottom, as heroicrun.play.totals counts them. Days with
running carry a `<title>` (the day, km and runs), shown on hover; the months' table beside it on
the page holds the same figures for readers that skip drawings.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from markupsafe import Markup, escape

from heroicrun.play import totals
from heroicrun.server.pages import formats

CELL = 11  # px, a day's square
STEP = 13  # px from one day to the next
LEFT = 28  # px for the weekday names
TOP = 16  # px for the month names
# The shades' lower bounds, km in a day: none, then light to dark.
SHADES_KM = (0.0, 5.0, 10.0, 15.0)
WEEKDAYS = {0: "Mon", 2: "Wed", 4: "Fri"}


def shade(distance_m: float) -> int:
    """0 for no running, else 1 to 4 by the day's km (SHADES_KM)."""
    if distance_m <= 0:
        return 0
    return sum(1 for low_km in SHADES_KM if distance_m / 1000 >= low_km)


def year_svg(calendar: totals.Calendar) -> Markup:
    """The year's days as squares shaded by km, with month and weekday names."""
    days = tuple(
        sorted((day, p.runs, p.distance_m, p.moving_s) for day, p in calendar.days.items())
    )
    return _drawn(calendar.year, days)


# The same year is drawn again on every page of the list, until a run changes it.
@functools.lru_cache(maxsize=64)
def _drawn(year: int, days: tuple[tuple[date, int, float, float], ...]) -> Markup:
    ran_on = {day: (runs, distance_m, moving_s) for day, runs, distance_m, moving_s in days}
    runs_in_year = sum(runs for runs, _, _ in ran_on.values())
    km_in_year = sum(distance_m for _, distance_m, _ in ran_on.values()) / 1000
    first = totals.monday(date(year, 1, 1))
    last = date(year, 12, 31)
    weeks = (last - first).days // 7 + 1
    width, height = LEFT + weeks * STEP, TOP + 7 * STEP
    label = (
        f"Calendar of {year}: {runs_in_year} run{'s' if runs_in_year != 1 else ''}, "
        f"{km_in_year:,.1f} km; darker days ran further"
    )
    parts = [
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}">'
    ]
    for row, name in WEEKDAYS.items():
        y = TOP + row * STEP + CELL - 1
        parts.append(f'<text class="day-name" x="0" y="{y}">{name}</text>')
    for month in range(1, 13):
        start = date(year, month, 1)
        x = LEFT + ((start - first).days // 7) * STEP
        parts.append(f'<text class="month-name" x="{x}" y="10">{start:%b}</text>')
    day = date(year, 1, 1)
    while day <= last:
        offset = (day - first).days
        x, y = LEFT + (offset // 7) * STEP, TOP + (offset % 7) * STEP
        ran = ran_on.get(day)
        if ran is None:
            parts.append(f'<rect class="l0" x="{x}" y="{y}" width="{CELL}" height="{CELL}"/>')
        else:
            runs, distance_m, moving_s = ran
            count = f"{runs} run{'s' if runs != 1 else ''}"
            about = f"{day:%a} {day.day} {day:%b %Y}: {distance_m / 1000:.1f} km, {count}"
            about += f", {formats.hours(moving_s)} moving"
            parts.append(
                f'<rect class="l{shade(distance_m)}" x="{x}" y="{y}" width="{CELL}" '
                f'height="{CELL}"><title>{escape(about)}</title></rect>'
            )
        day += timedelta(days=1)
    parts.append("</svg>")
    return Markup("".join(parts))


def legend() -> list[tuple[int, str]]:
    """The shades and what each means: (shade, words)."""
    bounds = [*SHADES_KM[1:], None]
    words = [(0, "no run")]
    for n, (low, high) in enumerate(zip(SHADES_KM, bounds, strict=True), start=1):
        words.append((n, f"{low:g}+ km" if high is None else f"under {high:g} km"))
    return words
