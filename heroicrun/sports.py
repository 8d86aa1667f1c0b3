"""Sports as files declare them: one name for each, and which of them are on foot.

Apps name the same sport many ways: TCX says "Running" or "Biking", FIT numbers its sports
("running", "cycling", "training"…), GPX `<type>` holds whatever the app wrote ("running",
"Run", "9" for Strava's run, "road_biking" for Garmin Connect). heroicrun keeps one name for each.
"""

from __future__ import annotations

# Sports on foot: the ones that count toward missions.
ON_FOOT = frozenset({"running", "walking", "hiking"})
# Sports known not to be on foot: they count for nothing. A name in neither set (an app's
# free-text category, "Morning workout") is judged by its speeds, as an undeclared file is.
NOT_ON_FOOT = frozenset(
    {
        "cycling",
        "swimming",
        "transition",
        "multisport",
        "rowing",
        "paddling",
        "skiing",
        "skating",
        "driving",
        "sailing",
        "flying",
    }
)

# Declared names (lowercased, spaces and dashes as underscores) → heroicrun's name.
_NAMES = {
    # running
    "run": "running",
    "running": "running",
    "trail_running": "running",
    "trail_run": "running",
    "street_running": "running",
    "track_running": "running",
    "treadmill_running": "running",
    "treadmill": "running",
    "indoor_running": "running",
    "virtual_run": "running",
    "virtualrun": "running",
    "ultra_run": "running",
    "jogging": "running",
    "orienteering": "running",
    "9": "running",  # Strava's GPX type for a run
    # running as apps in other languages name it (free-text categories)
    "laufen": "running",
    "lauf": "running",
    "course_à_pied": "running",
    "correr": "running",
    "carrera": "running",
    "corsa": "running",
    "corrida": "running",
    "hardlopen": "running",
    "löpning": "running",
    "løb": "running",
    "juoksu": "running",
    "bieganie": "running",
    # walking
    "walk": "walking",
    "walking": "walking",
    "gehen": "walking",
    "spazieren": "walking",
    "marche": "walking",
    "caminar": "walking",
    "wandelen": "walking",
    "casual_walking": "walking",
    "speed_walking": "walking",
    "indoor_walking": "walking",
    "nordic_walking": "walking",
    "10": "walking",  # Strava: walk
    # hiking
    "hike": "hiking",
    "hiking": "hiking",
    "wandern": "hiking",
    "randonnée": "hiking",
    "senderismo": "hiking",
    "escursionismo": "hiking",
    "mountaineering": "hiking",
    "snowshoe": "hiking",
    "snowshoeing": "hiking",
    "4": "hiking",  # Strava: hike
    # cycling
    "biking": "cycling",
    "bike": "cycling",
    "cycling": "cycling",
    "ride": "cycling",
    "road_biking": "cycling",
    "road_cycling": "cycling",
    "mountain_biking": "cycling",
    "mountainbikeride": "cycling",
    "gravel_cycling": "cycling",
    "gravel_ride": "cycling",
    "indoor_cycling": "cycling",
    "virtual_ride": "cycling",
    "virtualride": "cycling",
    "ebikeride": "cycling",
    "e_bike_ride": "cycling",
    "e_biking": "cycling",
    "1": "cycling",  # Strava: ride
    "radfahren": "cycling",
    "rad": "cycling",
    "vélo": "cycling",
    "velo": "cycling",
    "ciclismo": "cycling",
    "fietsen": "cycling",
    "cyclisme": "cycling",
    # swimming
    "swim": "swimming",
    "swimming": "swimming",
    "open_water": "swimming",
    "open_water_swimming": "swimming",
    "lap_swimming": "swimming",
    "2": "swimming",  # Strava: swim
    # the rest heroicrun names but does not count
    "transition": "transition",
    "multisport": "multisport",
    "rowing": "rowing",
    "kayaking": "paddling",
    "paddling": "paddling",
    "stand_up_paddleboarding": "paddling",
    "alpine_skiing": "skiing",
    "cross_country_skiing": "skiing",
    "backcountry_skiing": "skiing",
    "nordic_skiing": "skiing",
    "skiing": "skiing",
    "snowboarding": "skiing",
    "inline_skating": "skating",
    "ice_skating": "skating",
    "skating": "skating",
    "driving": "driving",
    "motorcycling": "driving",
    "sailing": "sailing",
    "flying": "flying",
}

# Declared names that say nothing about the sport: judged by speed, as an undeclared file.
_UNKNOWN = frozenset({"", "other", "generic", "all", "unknown", "training", "0", "workout"})


def normalize(declared: str | None) -> str | None:
    """heroicrun's name for a declared sport; None when the file says nothing useful.

    A name heroicrun does not know is kept (lowercased, at most 32 characters) for the runner
    to read; what it was is then judged by its speeds.
    """
    if declared is None:
        return None
    key = declared.strip().lower().replace(" ", "_").replace("-", "_")
    if key in _UNKNOWN or not any(char.isalnum() for char in key):
        return None  # "Other", or a placeholder such as "..."
    found = _NAMES.get(key)
    if found is not None:
        return found
    for word, sport in (("run", "running"), ("walk", "walking"), ("hik", "hiking")):
        if word in key and "bik" not in key:
            return sport
    if "bik" in key or "cycl" in key or "ride" in key:
        return "cycling"
    if "swim" in key:
        return "swimming"
    return " ".join(declared.split()).lower()[:32]


def on_foot(sport: str | None) -> bool | None:
    """True for a sport on foot, False for one known not to be, None when undeclared or a name
    heroicrun does not know (judge by speed)."""
    if sport in ON_FOOT:
        return True
    if sport in NOT_ON_FOOT:
        return False
    return None
