"""How a described run looks in a terminal, and what it earns in each mission: plain text over
the same values as `--json`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heroicrun import units
from heroicrun.cli.terminal import Segment, Terminal, wrap

if TYPE_CHECKING:  # the values come built: no need to load pydantic to print them
    from heroicrun.summary import BestEffort, RunSummary, Sensor, Split

# No one reads past a few hundred splits in a terminal: longer lists end with a count of the rest.
MAX_SPLIT_ROWS = 300  # a 246 km Spartathlon shows every split
MAX_FLAG_LINES = 10


def render(
    out: Terminal, run: RunSummary, miles: bool = False, off_foot: str | None = None
) -> None:
    """Print one described run: headline, stats, notes and flags, splits, best efforts; an
    outing of a file holding several under a heading of its own ("outing 2 of 3"). `off_foot`
    says why it counts for no mission when it names no sport but its speeds say ridden."""
    if run.outings > 1:
        # A line of its own, not the frame's title, which a narrow terminal would crop.
        out.line((run.file, "bold"), (f" — outing {run.outing} of {run.outings}", ""))
    title: list[Segment] = [(run.file, "bold")]
    if run.name:
        title.append((f"  {run.name}", "dim"))
    stats = _stats(run, miles, off_foot)
    label_width = max(len(label) for label, _ in stats)
    # A long value wraps in its own column, under its first line.
    value_width = out.width - 4 - (label_width + 2)
    lines: list[list[Segment]] = []
    for label, value in stats:
        first, *rest = wrap(value, value_width)
        lines.append([(label.ljust(label_width + 2), "dim"), (first, "")])
        lines.extend([(" " * (label_width + 2), ""), (more, "")] for more in rest)
    for note in run.notes:
        lines.append([(f"• {note}", "yellow")])
    for flag in run.flags[:MAX_FLAG_LINES]:
        style = "red" if flag.kind == "vehicle" else "yellow"
        lines.append([(f"⚑ {flag.kind}: {flag.detail}", style)])
    more_flags = max(len(run.flags) - MAX_FLAG_LINES, 0) + run.unlisted.flags
    if more_flags:
        lines.append([(f"⚑ and {more_flags:,} more flags (--json lists them)", "yellow")])
    out.panel(title, lines)
    splits, unlisted = (
        (run.splits_mile, run.unlisted.splits_mile) if miles else (run.splits, run.unlisted.splits)
    )
    if splits:
        _splits(out, splits[:MAX_SPLIT_ROWS], run.kind, miles)
        more_splits = max(len(splits) - MAX_SPLIT_ROWS, 0) + unlisted
        if more_splits:
            out.line((f"… and {more_splits:,} more splits", "dim"))
    if run.best_efforts:
        _efforts(out, run.best_efforts)


def render_earned(out: Terminal, missions: list[dict[str, Any]]) -> None:
    """What one file earns in each mission, counted from the mission's start."""
    rows = []
    for mission in missions:
        next_goal = next((g for g in mission["goals"] if not g["met"]), None)
        km = "–" if mission["progress_km"] is None else f"{mission['progress_km']:.1f}"
        rows.append(
            [
                mission["title"],
                f"{len(mission['unlocked'])}/{len(mission['goals'])}",
                km,
                "complete!" if next_goal is None else next_goal["detail"],
            ]
        )
    out.columns(
        ["Mission", "Unlocked", "Km", "Next"],
        rows,
        right=[False, True, True, False],
        title="Missions",
    )


def _stats(run: RunSummary, miles: bool, off_foot: str | None) -> list[tuple[str, str]]:
    kind = "run" if run.kind == "run" else "route (no timestamps)"
    if not run.gps:
        kind += " without GPS (distance from the device)"
    rows = [("Kind", f"{kind}, {run.format.upper()}")]
    if run.device:
        rows.append(("Device", run.device))
    if run.sport:
        counts = "" if run.on_foot is not False else " — does not count for missions"
        rows.append(("Sport", f"{run.sport}{counts}"))
    elif off_foot:
        rows.append(("Sport", f"none named; {off_foot}"))
    if run.start_time:
        rows.append(("Start", f"{run.start_time:%Y-%m-%d %H:%M:%S} UTC"))
    unit, unit_m = ("mi", units.MILE_M) if miles else ("km", units.KM_M)
    distance_m = run.distance_m or 0.0
    rows.append(("Distance", f"{distance_m / unit_m:.2f} {unit}"))
    if run.kind == "run":
        rows.append(("Elapsed", units.duration(run.elapsed_s)))
        rows.append(("Moving", units.duration(run.moving_s)))
        rows.append(("Pace", units.pace(run.pace_s_per_mile if miles else run.pace_s_per_km, unit)))
        if run.average_speed_m_s is not None:
            speed = f"{run.average_speed_m_s * 3.6:.1f} km/h average"
            if run.max_speed_m_s is not None:
                speed += f", {run.max_speed_m_s * 3.6:.1f} km/h max"
            rows.append(("Speed", speed))
    if run.elevation_gain_m is not None:
        rows.append(("Climb", f"+{run.elevation_gain_m:.0f} m / −{run.elevation_loss_m:.0f} m"))
    for sensor, label, unit_name in (
        (run.heart_rate, "Heart rate", "bpm"),
        (run.cadence, "Cadence", "rpm"),
    ):
        if sensor:
            rows.append((label, _sensor(sensor, unit_name)))
    points = f"{run.points:,}"
    if run.dropped_points:
        points += f" ({run.dropped_points} dropped)"
    rows.append(("Points", points))
    # A ride or a swim counts nothing, as its Sport row says: its distance on foot is no count.
    counted = run.counted_distance_m
    on_foot = run.on_foot is not False and not off_foot
    if on_foot and counted is not None and counted < distance_m - 1:
        rows.append(("Counts for missions", f"{counted / unit_m:.2f} {unit}"))
    return rows


def _sensor(sensor: Sensor, unit_name: str) -> str:
    return f"{sensor.average:.0f} avg, {sensor.max:.0f} max {unit_name}"


def _splits(out: Terminal, splits: list[Split], kind: str, miles: bool) -> None:
    unit = "mi" if miles else "km"
    unit_m = units.MILE_M if miles else units.KM_M
    timed = kind == "run"
    header = [unit.upper(), "Distance", *(["Time", "Pace"] if timed else []), "Elev"]
    rows = []
    for split in splits:
        row = [str(split.number), f"{(split.distance_m or 0.0) / unit_m:.2f}"]
        if timed:
            row += [
                units.duration(split.elapsed_s),
                units.pace(units.seconds_per(split.moving_s, split.distance_m, unit_m), unit),
            ]
        change = split.elevation_change_m
        row.append(units.UNKNOWN if change is None else f"{change:+.0f} m")
        rows.append(row)
    out.columns(header, rows, right=[True] * len(header), title=f"Splits per {unit}")


def _efforts(out: Terminal, efforts: list[BestEffort]) -> None:
    rows = []
    for effort in efforts:
        per_km = units.seconds_per(effort.elapsed_s, effort.distance_m, units.KM_M)
        rows.append(
            [
                effort.name,
                units.duration(effort.elapsed_s),
                units.pace(per_km, "km"),
                f"{(effort.start_distance_m or 0.0) / units.KM_M:.2f} km",
            ]
        )
    out.columns(
        ["Distance", "Time", "Pace", "From"],
        rows,
        right=[False, True, True, True],
        title="Best efforts",
    )
