"""How a described run looks in a terminal: rich tables over the same summary as `--json`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from heroicrun import units

if TYPE_CHECKING:  # the values come built: no need to load pydantic to print them
    from heroicrun.summary import BestEffort, RunSummary, Sensor, Split

# Rich lays out a table in time that grows faster than its rows (17,804 splits took 114 s), and
# no one reads past a few hundred in a terminal: longer lists end with a count of the rest.
MAX_SPLIT_ROWS = 300  # a 246 km Spartathlon shows every split
MAX_FLAG_LINES = 10


def render(console: Console, run: RunSummary, miles: bool = False) -> None:
    """Print one described run: headline, stats, notes and flags, splits, best efforts; an
    outing of a file holding several under a heading of its own ("outing 2 of 3")."""
    if run.outings > 1:
        # A line of its own, not the panel's title, which a narrow terminal would crop.
        heading = Text(run.file, style="bold")
        heading.append(f" — outing {run.outing} of {run.outings}")
        console.print(heading, soft_wrap=True)
    title = Text(run.file, style="bold")
    if run.name:
        title.append(f"  {run.name}", style="dim")
    parts: list[Any] = [_stats(run, miles)]
    for note in run.notes:
        parts.append(Text(f"• {note}", style="yellow"))
    for flag in run.flags[:MAX_FLAG_LINES]:
        style = "red" if flag.kind == "vehicle" else "yellow"
        parts.append(Text(f"⚑ {flag.kind}: {flag.detail}", style=style))
    more_flags = max(len(run.flags) - MAX_FLAG_LINES, 0) + run.unlisted.flags
    if more_flags:
        parts.append(Text(f"⚑ and {more_flags:,} more flags (--json lists them)", style="yellow"))
    console.print(Panel(Group(*parts), title=title, title_align="left", expand=False))
    # The long lists print below the panel, not in it: a panel lays out its content twice (to
    # size itself, then to draw), and a few hundred splits made that most of a long run's wait.
    splits, unlisted = (
        (run.splits_mile, run.unlisted.splits_mile) if miles else (run.splits, run.unlisted.splits)
    )
    if splits:
        console.print(_splits(splits[:MAX_SPLIT_ROWS], run.kind, miles))
        more_splits = max(len(splits) - MAX_SPLIT_ROWS, 0) + unlisted
        if more_splits:
            console.print(Text(f"… and {more_splits:,} more splits", style="dim"))
    if run.best_efforts:
        console.print(_efforts(run.best_efforts))


def _stats(run: RunSummary, miles: bool) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    kind = "run" if run.kind == "run" else "route (no timestamps)"
    if not run.gps:
        kind += " without GPS (distance from the device)"
    table.add_row("Kind", f"{kind}, {run.format.upper()}")
    if run.sport:
        counts = "" if run.on_foot is not False else " — does not count for missions"
        table.add_row("Sport", f"{run.sport}{counts}")
    if run.start_time:
        table.add_row("Start", f"{run.start_time:%Y-%m-%d %H:%M:%S} UTC")
    unit, unit_m = ("mi", units.MILE_M) if miles else ("km", units.KM_M)
    distance_m = run.distance_m or 0.0
    table.add_row("Distance", f"{distance_m / unit_m:.2f} {unit}")
    if run.kind == "run":
        table.add_row("Elapsed", units.duration(run.elapsed_s))
        table.add_row("Moving", units.duration(run.moving_s))
        table.add_row("Pace", units.pace(run.pace_s_per_mile if miles else run.pace_s_per_km, unit))
        if run.average_speed_m_s is not None:
            speed = f"{run.average_speed_m_s * 3.6:.1f} km/h average"
            if run.max_speed_m_s is not None:
                speed += f", {run.max_speed_m_s * 3.6:.1f} km/h max"
            table.add_row("Speed", speed)
    if run.elevation_gain_m is not None:
        table.add_row("Climb", f"+{run.elevation_gain_m:.0f} m / −{run.elevation_loss_m:.0f} m")
    for sensor, label, unit_name in (
        (run.heart_rate, "Heart rate", "bpm"),
        (run.cadence, "Cadence", "rpm"),
    ):
        if sensor:
            table.add_row(label, _sensor(sensor, unit_name))
    points = f"{run.points:,}"
    if run.dropped_points:
        points += f" ({run.dropped_points} dropped)"
    table.add_row("Points", points)
    # A ride or a swim counts nothing, as its Sport row says: its distance on foot is no count.
    counted = run.counted_distance_m
    if run.on_foot is not False and counted is not None and counted < distance_m - 1:
        table.add_row("Counts for missions", f"{counted / unit_m:.2f} {unit}")
    return table


def _sensor(sensor: Sensor, unit_name: str) -> str:
    return f"{sensor.average:.0f} avg, {sensor.max:.0f} max {unit_name}"


def _splits(splits: list[Split], kind: str, miles: bool) -> Text:
    """The splits as aligned columns of plain text: a rich Table would measure every cell, and
    a long run's few hundred rows would take a tenth of a second to lay out."""
    unit = "mi" if miles else "km"
    unit_m = units.MILE_M if miles else units.KM_M
    header = [unit.upper(), "Distance", *(["Time", "Pace"] if kind == "run" else []), "Elev"]
    rows = []
    for split in splits:
        row = [str(split.number), f"{(split.distance_m or 0.0) / unit_m:.2f}"]
        if kind == "run":
            row += [
                units.duration(split.elapsed_s),
                units.pace(units.seconds_per(split.moving_s, split.distance_m, unit_m), unit),
            ]
        change = split.elevation_change_m
        row.append(units.UNKNOWN if change is None else f"{change:+.0f} m")
        rows.append(row)
    widths = [max(len(cells[column]) for cells in (header, *rows)) for column in range(len(header))]
    text = Text()
    text.append(f"Splits per {unit}\n", style="italic")
    text.append(
        "  " + "  ".join(name.rjust(width) for name, width in zip(header, widths, strict=True)),
        style="bold",
    )
    for cells in rows:
        text.append(
            "\n  " + "  ".join(cell.rjust(width) for cell, width in zip(cells, widths, strict=True))
        )
    return text


def _efforts(efforts: list[BestEffort]) -> Table:
    table = Table(title="Best efforts", title_justify="left", box=None, padding=(0, 2))
    table.add_column("Distance")
    table.add_column("Time", justify="right")
    table.add_column("Pace", justify="right")
    table.add_column("From", justify="right")
    for effort in efforts:
        per_km = units.seconds_per(effort.elapsed_s, effort.distance_m, units.KM_M)
        table.add_row(
            effort.name,
            units.duration(effort.elapsed_s),
            units.pace(per_km, "km"),
            f"{(effort.start_distance_m or 0.0) / units.KM_M:.2f} km",
        )
    return table
