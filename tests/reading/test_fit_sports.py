"""The sport a FIT file declares: its sessions' sport and sub-sport, one leg per session."""

from __future__ import annotations

from collections.abc import Sequence

import fitdecode
import pytest

from heroicrun.reading import fit
from heroicrun.reading.limits import DEFAULT
from heroicrun.track import Leg, Track
from tests.helpers.fitfiles import SPORTS, SUB_SPORTS, FitWriter, Value, fit_time, northward
from tests.helpers.real import real

START_S = 1_777_615_200.0  # 2026-05-01T06:00:00Z

# A triathlon as a multisport watch records it: (sport, sub-sport, seconds, speed in m/s).
TRIATHLON = (
    ("swimming", "open_water", 600, 1.0),
    ("transition", "generic", 100, 1.5),
    ("cycling", "generic", 3000, 8.0),
    ("transition", "generic", 100, 1.5),
    ("running", "generic", 1800, 3.0),
)


def read(data: bytes, name: str = "race.fit") -> Track:
    return fit.read(data, name, DEFAULT)


def activity(
    legs: Sequence[tuple[str, str, int, float]],
    *,
    sessions_first: bool = False,
    sport_message: tuple[str, str] | None = None,
    sessions: bool = True,
) -> bytes:
    """Records every 10 s for each leg, then (or first, as Strava writes) one session a leg."""
    fit = FitWriter()
    fit.add("file_id", type=4)
    if sport_message is not None:
        fit.add("sport", sport=SPORTS[sport_message[0]], sub_sport=SUB_SPORTS[sport_message[1]])
    summaries: list[dict[str, Value]] = []
    records: list[dict[str, Value]] = []
    start_s, lat_deg = START_S, 45.0
    for index, (sport, sub_sport, seconds, speed) in enumerate(legs):
        leg = northward(start_s, seconds // 10, every_s=10, speed_m_s=speed, from_lat_deg=lat_deg)
        records += leg
        summaries.append(
            {
                "timestamp": fit_time(start_s + seconds),
                "start_time": fit_time(start_s),
                "sport": SPORTS[sport],
                "sub_sport": SUB_SPORTS[sub_sport],
                "total_elapsed_time": float(seconds),
                "message_index": index,
            }
        )
        start_s += seconds
        lat_deg += seconds * speed / 111_132.0
    for values in (summaries if sessions_first and sessions else []) + records:
        fit.add("session" if "sport" in values else "record", **values)
    if sessions and not sessions_first:
        for values in summaries:
            fit.add("session", **values)
    return fit.file()


def test_a_triathlon_gets_one_leg_per_session_in_order() -> None:
    track = read(activity(TRIATHLON))

    assert track.sport == "multisport"
    assert track.legs == (
        Leg(0, "swimming"),
        Leg(60, "transition"),
        Leg(70, "cycling"),
        Leg(370, "transition"),
        Leg(380, "running"),
    )
    assert len(track) == 560


def test_sessions_written_before_the_records_give_the_same_legs() -> None:
    after = read(activity(TRIATHLON))
    before = read(activity(TRIATHLON, sessions_first=True))

    assert before.legs == after.legs


@pytest.mark.parametrize(
    ("sport", "sub_sport", "expected"),
    [
        ("running", "generic", "running"),
        ("running", "treadmill", "running"),
        ("running", "trail", "running"),  # a running sub-sport leaves it running
        ("fitness_equipment", "treadmill", "running"),  # a vague sport takes its sub-sport's
        ("fitness_equipment", "indoor_running", "running"),
        ("fitness_equipment", "indoor_cycling", "cycling"),
        ("walking", "generic", "walking"),
        ("hiking", "generic", "hiking"),
        ("cycling", "indoor_cycling", "cycling"),
        ("generic", "generic", None),  # says nothing: judged by speed
        ("training", "generic", None),
    ],
)
def test_a_session_names_the_sport(sport: str, sub_sport: str, expected: str | None) -> None:
    track = read(activity([(sport, sub_sport, 600, 3.0)]))

    assert track.sport == expected
    assert track.legs == (() if expected is None else (Leg(0, expected),))


def test_without_a_session_the_sport_message_names_it() -> None:
    data = activity(
        [("cycling", "generic", 600, 3.0)], sessions=False, sport_message=("walking", "generic")
    )

    assert read(data).sport == "walking"


def test_the_session_outranks_the_sport_message() -> None:
    data = activity([("running", "generic", 600, 3.0)], sport_message=("cycling", "generic"))

    assert read(data).sport == "running"


# Real files: their sessions' sports as SOURCES.md gives them (decoded with fitdecode)


@pytest.mark.parametrize(
    ("name", "sport"),
    [
        ("python-fitparse/garmin-fenix-5-run.fit", "running"),
        ("python-fitparse/Activity.fit", "running"),
        ("python-fitparse/strava-android-app-201.10-b1218918.fit", "running"),
        ("fittrackee/apple_watch.fit", "cycling"),
    ],
)
def test_real_files_declare_their_sport(name: str, sport: str) -> None:
    path = real(name)

    track = read(path.read_bytes(), path.name)

    assert track.sport == sport
    assert track.legs == (Leg(0, sport),)


def test_a_real_file_cut_before_its_session_keeps_the_sport_of_its_sport_message() -> None:
    data = real("python-fitparse/garmin-fenix-5-run.fit").read_bytes()
    with fitdecode.FitReader(data, processor=None, keep_raw_chunks=True) as reader:
        lap_at = next(
            frame.chunk.offset
            for frame in reader
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "lap"
        )

    track = read(data[:lap_at], "cut.fit")

    assert track.notes[0].startswith("ends early")
    assert track.sport == "running"
