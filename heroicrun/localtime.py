"""A run's own local time, and the title it gets until the runner gives it one.

The time zone is found offline from where the run started (tzfpy: its boundary data ships in the
wheel, ~5 MB, and the first lookup loads it in ~50 ms). It is imported at the first lookup, so
commands that never show a local time (`heroicrun check`) do not pay for it. A run without
positions has no zone of its own: it is shown in UTC, and says so.

The place in a default title is the zone's city ("Europe/Athens" → "Athens"): heroicrun sends no
request to look a place up, and the zone's city is the nearest name known offline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from heroicrun import sports

TITLE_MAX = 120  # characters of a title the runner gives
NOTES_MAX = 5000  # characters of the runner's notes

# The word for each sport in a title; a sport not named here is a "run".
_SPORT_WORDS = {
    "running": "run",
    "walking": "walk",
    "hiking": "hike",
    "cycling": "ride",
    "swimming": "swim",
}


@dataclass(frozen=True)
class LocalStart:
    """When a run started, on the clocks where it started."""

    at: datetime  # aware, in `zone`
    zone: str  # the IANA name ("Europe/Athens"), or "UTC" when not known
    known: bool  # False: the run gave no position, so this is UTC

    @property
    def place(self) -> str | None:
        """The zone's city ("Europe/Athens" → "Athens", "America/Argentina/Salta" → "Salta");
        None for UTC and the zones named for no place ("Etc/GMT-3")."""
        if not self.known or "/" not in self.zone or self.zone.startswith("Etc/"):
            return None
        return self.zone.rsplit("/", 1)[1].replace("_", " ")


def zone_at(lat_deg: float, lon_deg: float) -> str | None:
    """The IANA time zone at a position, found offline; None for a position it cannot place."""
    if not (math.isfinite(lat_deg) and math.isfinite(lon_deg)):
        return None
    if not (-90.0 <= lat_deg <= 90.0 and -180.0 <= lon_deg <= 180.0):
        return None
    import tzfpy  # lazily: its data loads at the first lookup

    name = tzfpy.get_tz(lon_deg, lat_deg)
    return name or None


def local_start(start: datetime, lat_deg: float | None, lon_deg: float | None) -> LocalStart:
    """The start time (aware) in the zone of the start position; in UTC without one."""
    zone = None if lat_deg is None or lon_deg is None else zone_at(lat_deg, lon_deg)
    return in_zone(start, zone)


def in_zone(start: datetime, zone: str | None) -> LocalStart:
    """The start time (aware) in the named IANA zone; in UTC when None or unknown here."""
    if zone is not None:
        try:
            return LocalStart(start.astimezone(ZoneInfo(zone)), zone, True)
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a name the system's zone data lacks: UTC rather than a wrong offset
    return LocalStart(start.astimezone(UTC), "UTC", False)


def part_of_day(at: datetime) -> str:
    """ "dawn", "morning", "lunch", "afternoon", "evening" or "night", by the local hour."""
    hour = at.hour
    if 5 <= hour < 8:
        return "dawn"
    if 8 <= hour < 11:
        return "morning"
    if 11 <= hour < 14:
        return "lunch"
    if 14 <= hour < 18:
        return "afternoon"
    if 18 <= hour < 22:
        return "evening"
    return "night"


def sport_word(sport: str | None) -> str:
    """ "run", "walk", "hike", "ride"… for a sport (heroicrun's name, or an app's)."""
    return _SPORT_WORDS.get(sports.normalize(sport) or "", "run")


def default_title(start: LocalStart | None, sport: str | None) -> str:
    """ "Saturday dawn run in Athens"; without a start time, "Run" (a route has no day)."""
    word = sport_word(sport)
    if start is None:
        return word.capitalize()
    title = f"{start.at:%A} {part_of_day(start.at)} {word}"
    place = start.place
    return f"{title} in {place}" if place else title


def clean_title(title: str | None) -> str | None:
    """A title as stored: trimmed, on one line; None (back to the default) when empty."""
    if title is None:
        return None
    one_line = " ".join(title.split())
    return one_line or None


def clean_notes(notes: str | None) -> str | None:
    """Notes as stored: trimmed, line ends as "\\n"; None when empty."""
    if notes is None:
        return None
    text = notes.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None
