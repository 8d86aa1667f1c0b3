"""How missions look in a terminal: the catalog, and one mission."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from heroicrun.missions import formats


def render_list(console: Console, missions: list[dict[str, Any]]) -> None:
    """The catalog as one table (what each draws on is in `missions show` and `--json`)."""
    table = Table(box=None, padding=(0, 2), header_style="bold")
    table.add_column("Id", no_wrap=True)
    table.add_column("Title", overflow="fold")
    table.add_column("Level", no_wrap=True)
    table.add_column("Route", justify="right", no_wrap=True)
    table.add_column("Beats", justify="right", no_wrap=True, min_width=5)
    for mission in missions:
        route = f"{mission['route_km']:,.0f} km" if mission["route_km"] else "–"
        table.add_row(
            mission["id"], mission["title"], mission["level"], route, str(mission["beats"])
        )
    console.print(table)
    console.print(
        "heroicrun missions show ID tells the story's setting and its goals.", style="dim"
    )


def render_mission(console: Console, mission: dict[str, Any]) -> None:
    """One mission: its pitch and briefing, what it takes, its route and legend, and beats
    with their teasers and goals (and text, with spoilers)."""
    parts: list[Any] = [
        Text(mission["summary"]),
        Text(f"Drawn from: {mission['inspired_by']}", style="dim"),
    ]
    for paragraph in formats.paragraphs(mission.get("briefing") or ""):
        parts += [Text(""), Text(paragraph, style="italic")]
    parts.append(Text(""))
    parts.append(Text(f"{mission['level'].capitalize()}: {mission['level_means']}"))
    parts.append(Text(f"For a new runner, {mission['length']['words']}", style="dim"))
    if mission["route"]:
        places = " → ".join(f"{p['name']} ({p['km']:g} km)" for p in mission["route"])
        parts.append(Text(f"Route: {places}"))
    if mission.get("legend"):
        parts.append(Text(f"Race the legend: {mission['legend']['words']}"))
    beats = Table(box=None, padding=(0, 2), header_style="bold")
    beats.add_column("#", justify="right")
    beats.add_column("Beat", overflow="fold")
    beats.add_column("Goal", overflow="fold")
    for number, beat in enumerate(mission["beats"], start=1):
        title = Text(beat["title"])
        if beat.get("teaser") and "text" not in beat:
            title.append(f"\n{beat['teaser']}", style="dim")
        beats.add_row(str(number), title, beat["goal_words"])
    parts.append(beats)
    for beat in mission["beats"]:
        if "text" in beat:
            parts.append(Text(f"\n{beat['title']}", style="bold"))
            parts.append(Text(beat["text"]))
    failure = mission["failure"]
    if failure and "text" in failure:
        parts.append(Text(f"\nIf it is lost: {failure['title']}", style="bold red"))
        parts.append(Text(failure["text"]))
    elif failure:
        parts.append(Text("This mission can be lost.", style="red"))
    title = Text(f"{mission['title']}  ", style="bold")
    title.append(f"{mission['id']} · {mission['kind']} · {mission['level']}", style="dim")
    console.print(Panel(Group(*parts), title=title, title_align="left"))
