"""A run's local time and default title, found offline from where it started."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import heroicrun
from heroicrun import localtime

ATHENS = Path(heroicrun.__file__).parent / "samples" / "athens-dawn-run.gpx"


def _first_point(path: Path) -> tuple[float, float, datetime]:
    text = path.read_text()
    found = re.search(r'<trkpt lat="([-\d.]+)" lon="([-\d.]+)"', text)
    when = re.search(r"<trkpt.*?<time>([^<]+)</time>", text, re.S)
    assert found and when
    start = datetime.fromisoformat(when.group(1).replace("Z", "+00:00"))
    return float(found.group(1)), float(found.group(2)), start


def test_the_athens_sample_starts_on_athens_summer_time() -> None:
    # 05:00 UTC on 26 September is 08:00 in Athens: summer time (UTC+3) lasts until late October.
    lat, lon, start = _first_point(ATHENS)
    local = localtime.local_start(start, lat, lon)
    assert local.zone == "Europe/Athens" and local.known
    assert (start.hour, f"{local.at:%H:%M %Z}") == (5, "08:00 EEST")
    assert localtime.default_title(local, "running") == "Saturday morning run in Athens"


def test_a_winter_dawn_run_in_athens_starts_at_seven_local_time() -> None:
    lat, lon, _ = _first_point(ATHENS)
    local = localtime.local_start(datetime(2026, 1, 10, 5, 0, tzinfo=UTC), lat, lon)
    assert f"{local.at:%H:%M %Z}" == "07:00 EET"
    assert localtime.default_title(local, "running") == "Saturday dawn run in Athens"


def test_without_a_position_the_start_is_utc_and_says_so() -> None:
    start = datetime(2026, 9, 26, 5, 0, tzinfo=UTC)
    local = localtime.local_start(start, None, None)
    assert local.zone == "UTC" and not local.known and local.place is None
    assert local.at.hour == 5
    assert localtime.default_title(local, "walking") == "Saturday dawn walk"


def test_a_position_off_the_globe_has_no_zone() -> None:
    assert localtime.zone_at(float("nan"), 0.0) is None
    assert localtime.zone_at(95.0, 0.0) is None


def test_titles_name_the_sport_and_the_part_of_the_day() -> None:
    start = datetime(2026, 3, 4, 17, 30, tzinfo=UTC)  # a Wednesday
    in_new_york = localtime.local_start(start, 40.7128, -74.006)
    assert in_new_york.zone == "America/New_York" and in_new_york.at.hour == 12
    assert localtime.default_title(in_new_york, "cycling") == "Wednesday lunch ride in New York"
    assert localtime.default_title(in_new_york, "Ride") == "Wednesday lunch ride in New York"
    assert localtime.default_title(in_new_york, "hiking").endswith("hike in New York")
    assert localtime.default_title(in_new_york, None).endswith("run in New York")
    assert localtime.default_title(None, "walking") == "Walk"
    hours = {h: localtime.part_of_day(datetime(2026, 1, 1, h)) for h in (4, 5, 9, 12, 15, 19, 23)}
    assert list(hours.values()) == [
        "night",
        "dawn",
        "morning",
        "lunch",
        "afternoon",
        "evening",
        "night",
    ]


def test_titles_and_notes_are_cleaned_and_empty_means_none() -> None:
    assert localtime.clean_title("  Long \n run ") == "Long run"
    assert localtime.clean_title("   ") is None
    assert localtime.clean_notes("a\r\nb  \n") == "a\nb"
    assert localtime.clean_notes("\n ") is None
