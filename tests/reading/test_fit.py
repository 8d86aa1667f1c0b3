import csv
import math
import random
import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fitdecode
import numpy as np
import pytest

from heroicrun.reading import fit
from heroicrun.reading.errors import ReadError
from heroicrun.reading.limits import DEFAULT, Limits
from heroicrun.track import Track
from tests.helpers.real import Folder

FITPARSE = Folder("python-fitparse")
FITTRACKEE = Folder("fittrackee")
PDT = timezone(timedelta(hours=-7))


def read_file(path: Path, limits: Limits = DEFAULT) -> Track:
    return fit.read(path.read_bytes(), path.name, limits)


def utc_s(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def segment_starts(track: Track) -> list[int]:
    return [0, *(np.flatnonzero(np.diff(track.segment)) + 1).tolist()]


# A tiny FIT writer for the cases no real file holds. Times are seconds after START_S.
START_S = utc_s("2024-05-01T06:00:00+00:00")
NO_POSITION = 0x7FFFFFFF
NO_HEART_RATE = 0xFF
TIMER = {"start": 0, "stop": 1, "stop_all": 4}


def fit_file(*messages: bytes, file_type: int = 4, data_size: int | None = None) -> bytes:
    """A FIT activity (file_id type 4) with record (time, lat, lon, hr) and event messages."""
    definitions = b"".join(
        struct.pack("<BBBHB", 0x40 | local, 0, 0, global_number, len(fields))
        + b"".join(struct.pack("<BBB", *field) for field in fields)
        for local, global_number, fields in (
            (0, 0, [(0, 1, 0x00)]),
            (1, 20, [(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (3, 1, 0x02)]),
            (2, 21, [(253, 4, 0x86), (0, 1, 0x00), (1, 1, 0x00)]),
        )
    )
    body = definitions + struct.pack("<BB", 0, file_type) + b"".join(messages)
    size = len(body) if data_size is None else data_size
    header = struct.pack("<BBHI4s", 12, 0x10, 2093, size, b".FIT")
    crc = fitdecode.utils.compute_crc(header + body)
    return header + body + struct.pack("<H", crc)


def record(
    after_s: float, lat_deg: float, lon_deg: float, heart_rate: int = NO_HEART_RATE
) -> bytes:
    lat = NO_POSITION if math.isnan(lat_deg) else round(lat_deg / fit.DEG_PER_SEMICIRCLE)
    lon = NO_POSITION if math.isnan(lon_deg) else round(lon_deg / fit.DEG_PER_SEMICIRCLE)
    return struct.pack("<BIiiB", 1, fit_time(after_s), lat, lon, heart_rate)


def semicircle_record(after_s: float, lat: int, lon: int) -> bytes:
    return struct.pack("<BIiiB", 1, fit_time(after_s), lat, lon, NO_HEART_RATE)


def timer(after_s: float, kind: str) -> bytes:
    return struct.pack("<BIBB", 2, fit_time(after_s), 0, TIMER[kind])


def fit_time(after_s: float) -> int:
    return int(START_S + after_s) - fit.FIT_EPOCH_S


def walk(*times_s: float) -> list[bytes]:
    """Records heading north by 0.0001° (about 11 m) per point."""
    return [record(t, 45.0 + 0.0001 * n, 6.0) for n, t in enumerate(times_s)]


# Real files


def test_fenix_5_run_matches_the_upstream_csv_record_by_record() -> None:
    track = read_file(FITPARSE / "garmin-fenix-5-run.fit")
    with (FITPARSE / "garmin-fenix-5-run-records.csv").open() as rows:
        expected = list(csv.DictReader(rows))

    assert len(expected) == 21
    assert len(track) == 21
    assert track.kind == "run"
    assert track.format == "fit"
    assert track.notes == ()
    assert track.dropped == ()
    assert set(track.segment.tolist()) == {0}
    assert track.time_s is not None
    for index, row in enumerate(expected):
        local = datetime.strptime(row["timestamp"].replace(" PDT", ""), "%a %b %d %H:%M:%S %Y")
        assert track.time_s[index] == local.replace(tzinfo=PDT).timestamp()
        assert track.lat_deg[index] == pytest.approx(
            int(row["position_lat"]) * 180 / 2**31, abs=1e-9
        )
        assert track.lon_deg[index] == pytest.approx(
            int(row["position_long"]) * 180 / 2**31, abs=1e-9
        )
        assert track.elevation_m[index] == pytest.approx(float(row["altitude"]), abs=1e-9)
        assert track.heart_rate_bpm[index] == int(row["heart_rate"])
        # The CSV holds whole strides per minute; the reader adds fractional_cadence.
        assert int(track.cadence_rpm[index]) == int(row["cadence"])


def test_fenix_5_run_spans_57_seconds_from_1434_utc() -> None:
    track = read_file(FITPARSE / "garmin-fenix-5-run.fit")

    assert track.time_s is not None
    assert track.time_s[0] == utc_s("2017-06-11T14:34:09+00:00")
    assert track.time_s[-1] - track.time_s[0] == 57
    assert track.cadence_rpm[3] == 78.5  # cadence 78 + fractional_cadence 0.5
    assert track.cadence_rpm[0] == 0  # standing at the start: a real 0, not missing


def test_example_fit_is_fittrackees_25_point_ride_as_a_course() -> None:
    track = read_file(FITTRACKEE / "example.fit")

    assert len(track) == 25
    assert track.kind == "route"
    assert track.time_s is None
    # One sentence says why there are no times; the file's planned times are not "missing".
    assert track.notes == (
        "is a FIT course (a planned route): it has a shape and a length, but no run times",
    )
    # FitTrackee states min_alt 976 and max_alt 997 for this file.
    assert np.nanmin(track.elevation_m) == 976.0
    assert np.nanmax(track.elevation_m) == 997.0
    assert track.lat_deg.min() == pytest.approx(44.67822, abs=5e-6)
    assert track.lat_deg.max() == pytest.approx(44.68095, abs=5e-6)
    assert np.isnan(track.heart_rate_bpm).all()


def test_semicircles_convert_as_fittrackee_states() -> None:
    data = fit_file(
        semicircle_record(0, 512175953, -103307332), semicircle_record(5, 512175999, -103307332)
    )

    track = fit.read(data, "ride.fit", DEFAULT)

    assert track.lat_deg[0] == pytest.approx(42.93009244836867, abs=1e-12)
    assert track.lon_deg[0] == pytest.approx(-8.659120537340641, abs=1e-12)


def test_apple_watch_timer_pauses_split_the_ride_and_drop_paused_points() -> None:
    track = read_file(FITTRACKEE / "apple_watch.fit")

    assert track.time_s is not None
    starts = [track.time_s[index] for index in segment_starts(track)]
    assert starts == [
        utc_s(f"2022-10-14T{clock}+00:00")
        for clock in ("22:10:46", "22:10:49", "22:12:12", "22:13:16", "22:15:17")
    ]
    # 338 records, 2 without a position; 55 of the rest fall strictly inside the 4 pauses.
    assert len(track) == 281
    assert len(track.dropped) == 55
    assert {point.reason for point in track.dropped} == {fit.IN_PAUSE}
    assert track.notes == (
        "2 of 338 records have no position: left out",
        "dropped 55 of 336 points: 55 points are from a pause (the device's timer was stopped)",
    )
    starts_at = segment_starts(track)
    ends_at = [*starts_at[1:], len(track)]
    moving_s = sum(
        track.time_s[end - 1] - track.time_s[start]
        for start, end in zip(starts_at, ends_at, strict=True)
    )
    assert moving_s == 276  # the device's lap says total_timer_time 277 s
    assert track.heart_rate_bpm[track.time_s == utc_s("2022-10-14T22:10:50+00:00")] == 156


def test_fit_sdk_activity_reads_14_points() -> None:
    track = read_file(FITPARSE / "Activity.fit")

    assert len(track) == 14
    assert track.time_s is not None
    assert track.time_s[0] == utc_s("2012-04-09T21:22:26+00:00")
    assert track.time_s[-1] == utc_s("2012-04-09T21:22:39+00:00")
    assert track.notes == ()


def test_truncated_activity_keeps_its_points_and_says_it_ends_early() -> None:
    whole = read_file(FITPARSE / "Activity.fit")

    track = read_file(FITPARSE / "activity-unexpected-eof.fit")

    assert track.notes == (
        "ends early at byte 768 after 14 records (the file is cut short): read what was there",
    )
    assert len(track) == 14
    assert np.array_equal(track.lat_deg, whole.lat_deg)
    assert track.time_s is not None and whole.time_s is not None
    assert np.array_equal(track.time_s, whole.time_s)


def test_strava_android_file_is_read_up_to_its_damage() -> None:
    track = read_file(FITPARSE / "strava-android-app-201.10-b1218918.fit")

    assert track.notes == (
        "ends early at byte 7471 after 473 records (the rest is damaged): read what was there",
        "236 of 473 records have no position: left out",
        "dropped 2 of 237 points: 1 point repeats another point's time;"
        " 1 point has a time 23,461 days away from the rest of the run",
    )
    # The damaged tail holds one record dated 2085: a clock fault, not the end of the run.
    assert len(track) == 235
    assert track.time_s is not None
    assert track.time_s[0] == utc_s("2021-09-27T14:13:10+00:00")


def test_max_points_is_enforced() -> None:
    with pytest.raises(ReadError, match="has more than 20 points"):
        read_file(FITPARSE / "garmin-fenix-5-run.fit", Limits(max_points=20))


def test_a_bad_checksum_is_a_note_not_a_failure() -> None:
    data = bytearray((FITPARSE / "garmin-fenix-5-run.fit").read_bytes())
    data[-1] ^= 0xFF

    track = fit.read(bytes(data), "run.fit", DEFAULT)

    assert len(track) == 21
    assert track.notes == ("fails its checksum, so some values may be wrong",)


def test_bytes_after_the_end_are_ignored_with_a_note() -> None:
    data = (FITPARSE / "garmin-fenix-5-run.fit").read_bytes() + b"\0junk after the end"

    track = fit.read(data, "run.fit", DEFAULT)

    assert len(track) == 21
    assert track.notes == ("has unreadable bytes after the end of its FIT data: ignored",)


def test_a_header_claiming_more_data_than_there_is_reads_what_is_there() -> None:
    data = bytearray((FITPARSE / "garmin-fenix-5-run.fit").read_bytes())
    data[4:8] = struct.pack("<I", 0xFFFFFFFF)

    track = fit.read(bytes(data), "run.fit", DEFAULT)

    assert len(track) == 21
    assert track.notes[0] == (
        "ends early at byte 5596 after 21 records (the file is cut short): read what was there"
    )


# Pauses, in the order Garmin devices write them: events between the records


def test_a_timer_stop_and_start_between_records_starts_a_segment() -> None:
    points = walk(0, 10, 20, 60, 70)
    data = fit_file(*points[:3], timer(25, "stop"), timer(60, "start"), *points[3:])

    track = fit.read(data, "run.fit", DEFAULT)

    assert track.segment.tolist() == [0, 0, 0, 1, 1]
    assert track.dropped == ()


def test_records_written_while_the_timer_is_stopped_are_dropped() -> None:
    points = walk(0, 10, 20, 30, 40, 50)
    data = fit_file(*points[:2], timer(15, "stop"), *points[2:4], timer(40, "start"), *points[4:])

    track = fit.read(data, "run.fit", DEFAULT)

    assert track.time_s is not None
    assert track.time_s.tolist() == [START_S + s for s in (0, 10, 40, 50)]
    assert track.segment.tolist() == [0, 0, 1, 1]
    assert [(point.index, point.reason) for point in track.dropped] == [
        (2, fit.IN_PAUSE),
        (3, fit.IN_PAUSE),
    ]


def test_a_stop_never_restarted_keeps_the_points_after_it() -> None:
    points = walk(0, 10, 20, 30)
    data = fit_file(*points[:2], timer(15, "stop_all"), *points[2:])

    track = fit.read(data, "run.fit", DEFAULT)

    assert len(track) == 4
    assert track.segment.tolist() == [0, 0, 1, 1]


def test_a_stop_at_the_last_record_changes_nothing() -> None:
    data = fit_file(timer(0, "start"), *walk(0, 10, 20), timer(20, "stop_all"))

    track = fit.read(data, "run.fit", DEFAULT)

    assert track.segment.tolist() == [0, 0, 0]
    assert track.notes == ()


# Files that are not runs


def test_a_course_is_a_route_whatever_times_its_planner_gave() -> None:
    track = fit.read(
        fit_file(*walk(0, 1, 2, 3), timer(3, "stop_all"), file_type=6), "plan.fit", DEFAULT
    )

    assert track.kind == "route"
    assert len(track) == 4
    assert track.time_s is None
    assert track.notes[0] == (
        "is a FIT course (a planned route): it has a shape and a length, but no run times"
    )


def test_an_activity_with_the_same_records_is_a_run() -> None:
    track = fit.read(fit_file(*walk(0, 1, 2, 3), file_type=4), "run.fit", DEFAULT)

    assert track.kind == "run"
    assert track.notes == ()


def test_records_without_any_position_are_an_indoor_activity() -> None:
    nan = float("nan")
    data = fit_file(record(0, nan, nan, 120), record(1, nan, nan, 121), record(2, nan, nan, 122))

    with pytest.raises(ReadError) as caught:
        fit.read(data, "treadmill.fit", DEFAULT)

    assert str(caught.value) == (
        "treadmill.fit: has no GPS positions and no distance from the device: there is no run"
        " to measure (an indoor activity without a footpod?)"
    )


@pytest.mark.parametrize(("file_type", "kind"), [(5, "workout"), (200, "type 200")])
def test_a_file_of_another_type_is_not_an_activity(file_type: int, kind: str) -> None:
    with pytest.raises(ReadError) as caught:
        fit.read(fit_file(file_type=file_type), "plan.fit", DEFAULT)

    assert str(caught.value) == f"plan.fit: is a FIT {kind} file, not an activity: it has no points"


def test_an_activity_without_records_has_no_track_points() -> None:
    with pytest.raises(ReadError, match=r"^run\.fit: has no track points$"):
        fit.read(fit_file(), "run.fit", DEFAULT)


def test_times_counted_from_power_on_make_a_route() -> None:
    relative = [
        struct.pack("<BIiiB", 1, 100 + n, round((45 + n * 1e-4) / fit.DEG_PER_SEMICIRCLE), 0, 255)
        for n in range(3)
    ]

    track = fit.read(fit_file(*relative), "old.fit", DEFAULT)

    assert track.kind == "route"
    assert track.notes[0] == (
        "has times counted from when the device was switched on, not dates:"
        " those times are not used"
    )


# Broken input: always a ReadError naming the file, never another exception


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "is empty"),
        (b"hello", "is not a FIT file (only 5 bytes, too short)"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><gpx>", "is not a FIT file (it is XML text: a GPX"),
        (b"PK\x03\x04" + bytes(40), "is not a FIT file (it does not start with a FIT header)"),
        (struct.pack("<BBHI4s", 2, 16, 2093, 0, b".FIT"), "is not a readable FIT file"),
    ],
)
def test_not_a_fit_file(data: bytes, problem: str) -> None:
    with pytest.raises(ReadError) as caught:
        fit.read(data, "run.fit", DEFAULT)

    assert str(caught.value).startswith(f"run.fit: {problem}")


def test_a_header_claiming_a_huge_size_with_nothing_after_it() -> None:
    data = struct.pack("<BBHI4s", 12, 0x10, 2093, 0xFFFFFFFF, b".FIT")

    with pytest.raises(ReadError) as caught:
        fit.read(data, "run.fit", DEFAULT)

    assert str(caught.value) == "run.fit: is a FIT file cut short at byte 12 before any track point"


def test_a_file_cut_after_its_first_point() -> None:
    data = fit_file(*walk(0, 10))[: -2 - 14]

    with pytest.raises(ReadError, match=r"cut short at byte \d+ after its first track point"):
        fit.read(data, "run.fit", DEFAULT)


@pytest.mark.parametrize("seed", range(20))
def test_random_garbage_is_a_read_error(seed: int) -> None:
    garbage = random.Random(seed).randbytes(2000)

    with pytest.raises(ReadError, match=r"^run\.fit: "):
        fit.read(garbage, "run.fit", DEFAULT)
    with pytest.raises(ReadError, match=r"^run\.fit: "):
        header = struct.pack("<BBHI4s", 12, 0x10, 2093, len(garbage), b".FIT")
        fit.read(header + garbage, "run.fit", DEFAULT)


def test_every_truncation_gives_a_track_or_a_read_error() -> None:
    data = (FITPARSE / "garmin-fenix-5-run.fit").read_bytes()
    outcomes = set()
    for length in range(0, len(data), 23):
        try:
            outcomes.add(len(fit.read(data[:length], "run.fit", DEFAULT)))
        except ReadError as error:
            assert str(error).startswith("run.fit: ")
            outcomes.add(0)
    assert {0, 21} <= outcomes


@pytest.mark.parametrize("seed", range(10))
def test_damaged_bytes_give_a_track_or_a_read_error(seed: int) -> None:
    rng = random.Random(seed)
    for path in (FITPARSE / "garmin-fenix-5-run.fit", FITTRACKEE / "apple_watch.fit"):
        data = bytearray(path.read_bytes())
        for _ in range(20):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                damaged[rng.randrange(14, len(damaged))] = rng.randrange(256)
            try:
                fit.read(bytes(damaged), path.name, DEFAULT)
            except ReadError as error:
                assert str(error).startswith(f"{path.name}: ")


def test_fit_larger_than_the_fit_cap_is_refused_before_decoding() -> None:
    data = (FITPARSE / "garmin-fenix-5-run.fit").read_bytes()
    with pytest.raises(ReadError, match=r"big\.fit: is a 0 MiB FIT file, more than"):
        fit.read(data, "big.fit", Limits(max_fit_bytes=len(data) - 1))
