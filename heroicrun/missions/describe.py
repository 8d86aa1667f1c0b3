"""Missions and mission progress as plain JSON-ready data, the form the CLI and the API share.

`heroicrun check` reads progress only: the lengths and legends of missions are imported by
the functions that tell them, so a check's start-up does not pay for them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from heroicrun.missions.model import Legend, Mission, Route
from heroicrun.missions.progress import MissionProgress

PLACE_KM = 0.05  # a goal this close to a waypoint's mark is that place


def listing(mission: Mission) -> dict[str, Any]:
    """One line of the catalog: what `heroicrun missions --json` lists, with what the level
    means and how long the mission takes a new runner."""
    from heroicrun.missions import lengths

    length = lengths.length(mission)
    return {
        "id": mission.id,
        "title": mission.title,
        "inspired_by": mission.inspired_by,
        "kind": mission.kind,
        "level": mission.level,
        "route_km": mission.route.length_km if mission.route else None,
        "beats": len(mission.beats),
        "goal_kinds": mission.goal_kinds(),
        "summary": mission.summary,
        "team": mission.team,
        "min_members": mission.min_members,
        "level_means": lengths.level_words(mission.level),
        "length": {
            "runs": length.runs,
            "weeks": round(length.weeks, 1),
            "longest_km": round(length.longest_km, 1),
            "fits": length.fits,
            "words": length.words,
        },
    }


def details(mission: Mission, spoilers: bool = False) -> dict[str, Any]:
    """A whole mission: its briefing, and each beat's teaser and goal; the story text (beats
    and failure ending) only with `spoilers`."""
    shown = listing(mission)
    shown["briefing"] = mission.briefing
    shown["beats"] = [
        {
            "id": beat.id,
            "title": beat.title,
            "teaser": beat.teaser,
            "goal": beat.goal.model_dump(mode="json"),
            "goal_words": goal_words(beat.goal, mission.route),
            **({"text": beat.text} if spoilers else {}),
        }
        for beat in mission.beats
    ]
    shown["legend"] = (
        None
        if mission.legend is None or mission.route is None
        else legend(mission.legend, mission.route)
    )
    shown["route"] = (
        [waypoint.model_dump(mode="json") for waypoint in mission.route.waypoints]
        if mission.route
        else None
    )
    shown["failure"] = (
        mission.failure.model_dump(mode="json")
        if mission.failure and spoilers
        else ({"title": mission.failure.title} if mission.failure else None)
    )
    shown["sources"] = [source.model_dump(mode="json") for source in mission.sources]
    return shown


def goal_words(goal: Any, route: Route | None = None, progress_km: float | None = None) -> str:
    """A goal as a runner reads it: "Run 5 km in one run". A goal on the route names its place,
    given the route: "Reach Nemea (km 122.7)", or with the runner's km, "Reach Nemea: 31.1 km
    to go"; without the route, "Reach km 122.7 of the route"."""
    kind = goal["kind"] if isinstance(goal, dict) else goal.kind
    values = goal if isinstance(goal, dict) else goal.model_dump(mode="json")
    words = _GOAL_WORDS[kind].format(**values)
    deadlines = []
    if values.get("within_days"):
        days = values["within_days"]
        deadlines.append(f"within {days:g} day{'' if days == 1 else 's'} of enrolling")
    if values.get("within_running_hours"):
        deadlines.append(f"within {_hours(values['within_running_hours'])} of running")
    if kind == "best_of":
        inner = goal_words(values["goal"])
        words += inner[0].lower() + inner[1:]
    if kind == "reach_place" and values.get("return_to_start"):
        words += ", then get back to where you started"
    if kind == "route_km" and route is not None:
        return _route_words(values["km"], route, progress_km, deadlines)
    return " ".join([words, *deadlines])


def _route_words(km: float, route: Route, progress_km: float | None, deadlines: list[str]) -> str:
    """ "Reach Nemea (km 122.7)", "Reach km 81 (2.5 km past Corinth Canal bridge): 31.1 km to
    go", with the deadlines before the distance left."""
    at = [point for point in route.waypoints if abs(point.km - km) < PLACE_KM]
    if at:
        target = at[0].short_name
        mark = f" (km {km:g})"
    else:
        last = [point for point in route.waypoints if point.km < km][-1]
        target = f"km {km:g} ({km - last.km:.1f} km past {last.short_name})"
        mark = ""
    left = None if progress_km is None else km - progress_km
    words = " ".join([f"Reach {target}{mark if left is None or left <= 0 else ''}", *deadlines])
    return words if left is None or left <= 0 else f"{words}: {left:,.1f} km to go"


_GOAL_WORDS = {
    "distance": "Run {km:g} km in one run",
    "moving_time": "Keep moving for {minutes:g} minutes in one run",
    "finish_within": "Cover {km:g} km, start to finish within {within}",
    "pace": "Average {pace} /km or faster over at least {km:g} km",
    "best_effort": "Run {distance} within {within}, anywhere in a run",
    "climb": "Climb {metres:g} m in one run",
    "negative_split": "Run the second half faster than the first (at least {km:g} km)",
    "surges": "Surge {count} times: {boost:.0%} faster than the previous {baseline}, held {hold}",
    "chase": "At minute {at_minute:g}, cover {metres:g} m within {within}",
    "reach_place": "Reach {place} (within {radius_m:g} m)",
    "out_and_back": "Run out at least {km:g} km and finish back where you started",
    "time_of_day": "Run {km:g} km between {start_after} and {finish_before}, local solar time",
    "route_km": "Reach km {km:g} of the route",
    "runs": "Complete {count} runs of at least {km:g} km",
    "streak": "Run at least {km:g} km on {days} days in a row",
    "best_of": "In one of your next {attempts} runs: ",
    "relay": "Every member of the team runs {km:g} km since the last chapter",
}


def legend(told: Legend, route: Route) -> dict[str, Any]:
    """A journey's legend as the API shows it: its name, its marks (with the places there)
    and a line saying what it did ("Pheidippides reached Sparta (km 246) in 36 hours")."""
    written = told.model_dump(mode="json")
    marks: list[dict[str, Any]] = [
        {"km": km, "time_s": time_s, "place": _place(route, km)}
        for km, time_s in told.marks(route.length_km)[1:]
    ]
    if told.schedule is not None:
        texts = [mark["time"] for mark in written["schedule"]]
    else:
        texts = [written["time"]]
    for mark, text in zip(marks, texts, strict=True):
        mark["time"] = text
    end = marks[-1]
    place = _place(route, end["km"], short=True)
    where = f"{place} (km {end['km']:g})" if place else f"km {end['km']:g}"
    return {
        "name": told.name,
        "sets_out": written["sets_out"],
        "marks": marks,
        "words": f"{told.name} reached {where} in {_span_words(end['time_s'], end['time'])}",
    }


def legend_race(
    mission: Mission, progress_km: float, taken_s: float, elapsed_s: float
) -> dict[str, Any] | None:
    """The runner against the mission's legend: where the legend was `elapsed_s` after
    setting out (`legend_km`, for a second marker), and the words comparing the runner, who
    reached `progress_km` `taken_s` seconds after enrolling. None without a legend."""
    if mission.legend is None or mission.route is None:
        return None
    from heroicrun.missions import legends

    compared = legends.compare(mission.legend, mission.route, progress_km, taken_s)
    return {
        "name": mission.legend.name,
        "legend_km": round(legends.position_km(mission.legend, mission.route, elapsed_s), 3),
        "place": compared.place,
        "gap_s": None if compared.gap_s is None else round(compared.gap_s),
        "words": compared.words,
    }


def _place(route: Route, km: float, short: bool = False) -> str | None:
    """The name of the place at `km` of the route, if one is there."""
    at = [point for point in route.waypoints if abs(point.km - km) < PLACE_KM]
    if not at:
        return None
    return at[0].short_name if short else at[0].name


def _span_words(seconds: float, written: str) -> str:
    """A legend's time as a sentence says it: "36 hours", "20 h 25 min", "2 h 58 min 50 s";
    from four days, as the file wrote it ("4 days")."""
    if seconds >= 4 * 86_400:
        return written
    return _hours(seconds / 3600, with_seconds=True)


def _hours(hours: float, with_seconds: bool = False) -> str:
    """ "36 hours", "9 h 30 min", "22 h 10 min" (and "2 h 58 min 50 s" `with_seconds`)."""
    total = round(hours * 3600) if with_seconds else round(hours * 60) * 60
    whole, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if not rest:
        return f"{whole} hour{'' if whole == 1 else 's'}"
    parts = (f"{whole} h" if whole else "", f"{minutes} min", f"{seconds} s" if seconds else "")
    return " ".join(part for part in parts if part)


def progress(mission: Mission, earned: MissionProgress) -> dict[str, Any]:
    """Where a runner stands in a mission: `progress_km`, `unlocked` and each beat's goal."""
    position = earned.position
    return {
        "id": mission.id,
        "title": mission.title,
        "kind": mission.kind,
        "status": earned.status,
        "progress_km": None if earned.progress_km is None else round(earned.progress_km, 3),
        "route_km": mission.route.length_km if mission.route else None,
        "unlocked": list(earned.unlocked),
        "goals": [
            {
                "beat": beat.beat,
                "title": beat.title,
                "status": beat.status,
                "met": beat.met,
                "detail": beat.detail,
                "goal": goal_words(source.goal, mission.route, earned.progress_km),
                "unlocked_by": beat.unlocked_by,
                "unlocked_at": _time(beat.unlocked_at),
            }
            for beat, source in zip(earned.beats, mission.beats, strict=True)
        ],
        "position": None
        if position is None
        else {
            "km": round(position.km, 3),
            "lat": round(position.lat, 6),
            "lon": round(position.lon, 6),
            "last_place": position.last_place,
            "next_place": position.next_place,
            "to_next_km": round(position.to_next_km, 3),
            "share": round(position.share, 4),
        },
        "weekly_km": None if earned.weekly_km is None else round(earned.weekly_km, 1),
        "eta": _time(earned.eta),
        "failure": None if earned.failure is None else earned.failure.model_dump(mode="json"),
    }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")
