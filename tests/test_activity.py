"""What was run, whatever file carries it: fingerprints, and outings recorded twice."""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from heroicrun import activity, reading
from heroicrun.activity import Outing
from tests.factory import TrackBuilder
from tests.helpers.files import gpx_text
from tests.helpers.real import real

ATHENS = Path(__file__).parents[1] / "heroicrun" / "samples" / "athens-dawn-run.gpx"
STRAVA_FIT = "python-fitparse/strava-android-app-201.10-b1218918.fit"


def key_of(data: bytes, name: str) -> str:
    return activity.of(reading.read_bytes(data, name)).key


def test_one_activity_in_any_format_has_one_fingerprint() -> None:
    # FitTrackee's fixtures hold one outing as GPX (times with an offset, no elevation, split
    # into segments, with Garmin extensions) and as TCX; its FIT is a course, a route.
    names = [
        "gpx_file.gpx",
        "gpx_file_with_offset.gpx",
        "gpx_file_without_elevation.gpx",
        "gpx_file_with_segments.gpx",
        "gpx_file_with_gpxtpx_extensions.gpx",
        "tcx_with_one_lap_and_one_track.tcx",
    ]
    found = [activity.of(reading.read_path(real(f"fittrackee/{name}"))) for name in names]
    assert {one.key for one in found} == {found[0].key}
    assert found[0].points == 25
    assert found[0].start_s == datetime(2018, 3, 13, 12, 44, 45, tzinfo=UTC).timestamp()
    assert found[0].end_s == found[0].start_s + 250


def test_wrapping_and_line_endings_change_nothing() -> None:
    data = ATHENS.read_bytes()
    assert b"\r\n" not in data
    variants = {
        "as sent": data,
        "gzipped": gzip.compress(data),
        "gzipped again": gzip.compress(data, compresslevel=1, mtime=12345),
        "crlf": data.replace(b"\n", b"\r\n"),
        "one more newline": data + b"\n",
    }
    assert len({bytes(v) for v in variants.values()}) == 5
    keys = {label: key_of(variant, "athens.gpx") for label, variant in variants.items()}
    assert set(keys.values()) == {key_of(data, "athens.gpx")}, keys


def test_a_re_export_of_the_same_points_is_the_same_activity() -> None:
    watch = TrackBuilder(start_time_s=1_714_546_800).run(2000, 600, step_s=1).build()
    fit_like = replace(
        watch,
        # A FIT file keeps positions in 2^31 steps per 180°: what the export started from.
        lat_deg=np.round(watch.lat_deg / (180 / 2**31)) * (180 / 2**31),
        lon_deg=np.round(watch.lon_deg / (180 / 2**31)) * (180 / 2**31),
    )
    key = activity.of(fit_like).key
    for decimals in (8, 9, 15):
        assert key_of(gpx_text(fit_like, decimals), f"export-{decimals}.gpx") == key, decimals
    assert key_of(gpx_text(fit_like, 9, newline="\r\n"), "crlf.gpx") == key


def test_a_watch_file_exported_to_gpx_is_the_same_activity() -> None:
    fit = reading.read_path(real(STRAVA_FIT))
    assert fit.format == "fit"
    assert key_of(gpx_text(fit), "export.gpx") == activity.of(fit).key


def test_other_points_are_another_activity() -> None:
    track = TrackBuilder(start_time_s=1_714_546_800).run(1000, 300, step_s=5).build()
    assert track.time_s is not None
    key = activity.of(track).key
    moved = track.lon_deg.copy()
    moved[30] += 2e-7  # two centimetres east, at one point
    assert activity.of(replace(track, lon_deg=moved)).key != key
    assert activity.of(replace(track, time_s=track.time_s + 1)).key != key
    fewer = replace(
        track,
        lat_deg=track.lat_deg[:-1],
        lon_deg=track.lon_deg[:-1],
        time_s=track.time_s[:-1],
    )
    assert activity.of(fewer).key != key


def test_a_route_has_a_fingerprint_without_times() -> None:
    route = TrackBuilder().run(1000, 300, step_s=10).build(timed=False)
    found = activity.of(route)
    assert found.start_s is None and found.end_s is None and found.points == 31
    timed = TrackBuilder().run(1000, 300, step_s=10).build()
    assert activity.of(timed).key != found.key


# Outings recorded twice.

WATCH = Outing(1, 1000.0, 4600.0)  # an hour


def test_a_phone_and_a_watch_on_one_outing_are_the_same_outing() -> None:
    phone = Outing(2, 1060.0, 4450.0)  # started a minute late, stopped early
    assert activity.overlap_s(WATCH, phone) == 3390.0
    assert activity.shared(WATCH, phone) == 1.0
    assert activity.same_outing(WATCH, phone) and activity.same_outing(phone, WATCH)


@pytest.mark.parametrize(
    ("other", "same"),
    [
        (Outing(2, 2800.0, 6400.0), True),  # exactly half of both
        (Outing(2, 2801.0, 6400.0), False),  # a second under half
        (Outing(2, 4600.0, 8200.0), False),  # one after the other
        (Outing(2, 4000.0, 4100.0), True),  # a short stretch, all of it within the watch's hour
        (Outing(2, 2000.0, 2000.0), False),  # one instant is no outing
    ],
)
def test_two_outings_are_one_when_they_share_half_the_shorter(other: Outing, same: bool) -> None:
    assert activity.same_outing(WATCH, other) is same


def test_the_first_stored_counts_and_the_rest_name_it() -> None:
    stored = [
        WATCH,
        Outing(2, 1060.0, 4450.0),  # the phone
        Outing(3, 90_000.0, 93_600.0),  # the next day
        Outing(4, 4500.0, 8000.0),  # a second run starting as the first ends
        Outing(5, 4550.0, 8000.0),  # ... and the phone on it
    ]
    assert activity.first_outings(stored) == {2: 1, 5: 4}
    # The watch's file deleted: the phone's counts, and nothing else changes.
    assert activity.first_outings(stored[1:]) == {5: 4}


def test_a_repeat_names_the_outing_it_shares_most_with() -> None:
    before = Outing(1, 0.0, 1000.0)
    after = Outing(2, 1000.0, 2000.0)
    bridging = Outing(3, 400.0, 1700.0)  # 60 % of `before`, 70 % of `after`
    assert activity.first_outing(bridging, [before, after]) == after
    assert activity.first_outings([before, after, bridging]) == {3: 2}


def test_why_a_repeat_does_not_count_is_one_sentence() -> None:
    phone = Outing(2, 1060.0, 4450.0)
    assert activity.not_counted(phone, WATCH) == ("the same outing as run 1 (overlaps 94 % of it)")
    stretch = Outing(3, 4000.0, 4100.0)
    assert activity.not_counted(stretch, WATCH) == (
        "the same outing as run 1 (100 % of this run lies within it)"
    )
