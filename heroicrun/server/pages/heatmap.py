"""A year of running as a calendar heat-map: an SVG of 53 weeks by 7 days, shaded by km.

Weeks run Monday to Sunday, top to bottom, as heroicrun.play.totals counts them. Days with
running carry a `<title>` (the day, km and runs), shown on hover; the months' table beside it on
the page holds the same figures for readers that skip drawings.
"""

from __future__ import annotations

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
    year = calendar.year
    first = totals.monday(date(year, 1, 1))
    last = date(year, 12, 31)
    weeks = (last - first).days // 7 + 1
    width, height = LEFT + weeks * STEP, TOP + 7 * STEP
    total = calendar.total
    label = (
        f"Calendar of {year}: {total.runs} run{'s' if total.runs != 1 else ''}, "
        f"{total.distance_m / 1000:,.1f} km; darker days ran further"
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
        ran = calendar.days.get(day)
        if ran is None:
            parts.append(f'<rect class="l0" x="{x}" y="{y}" width="{CELL}" height="{CELL}"/>')
        else:
            runs = f"{ran.runs} run{'s' if ran.runs != 1 else ''}"
            about = f"{day:%a} {day.day} {day:%b %Y}: {ran.distance_m / 1000:.1f} km, {runs}"
            about += f", {formats.hours(ran.moving_s)} moving"
            parts.append(
                f'<rect class="l{shade(ran.distance_m)}" x="{x}" y="{y}" width="{CELL}" '
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
