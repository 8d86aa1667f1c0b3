"""Missions and mission progress as plain JSON-ready data, the form the CLI and the API share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from heroicrun.missions.model import Mission
from heroicrun.missions.progress import MissionProgress


def listing(mission: Mission) -> dict[str, Any]:
    """One line of the catalog: what `heroicrun missions --json` lists."""
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
    }


def details(mission: Mission, spoilers: bool = False) -> dict[str, Any]:
    """A whole mission; the story text (beats and failure ending) only with `spoilers`."""
    shown = listing(mission)
    shown["beats"] = [
        {
            "id": beat.id,
            "title": beat.title,
            "goal": beat.goal.model_dump(mode="json"),
            "goal_words": goal_words(beat.goal),
            **({"text": beat.text} if spoilers else {}),
        }
        for beat in mission.beats
    ]
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


def goal_words(goal: Any) -> str:
    """A goal as a runner reads it: "Run 5.0 km in one run", "Reach km 124 of the route"."""
    kind = goal["kind"] if isinstance(goal, dict) else goal.kind
    values = goal if isinstance(goal, dict) else goal.model_dump(mode="json")
    words = _GOAL_WORDS[kind].format(**values)
    deadlines = []
    if values.get("within_days"):
        deadlines.append(f"within {values['within_days']:g} days of enrolling")
    if values.get("within_running_hours"):
        deadlines.append(f"within {values['within_running_hours']:g} hours of running")
    if kind == "best_of":
        inner = goal_words(values["goal"])
        words += inner[0].lower() + inner[1:]
    if kind == "reach_place" and values.get("return_to_start"):
        words += ", then get back to where you started"
    return " ".join([words, *deadlines])


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
}


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
                "goal": goal_words(source.goal),
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
