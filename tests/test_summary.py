"""describe() and RunSummary: the typed form of a run and its JSON, small whatever the file
claims, that an older heroicrun's stored summaries still load into."""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from heroicrun import measuring, outings, reading, summary
from heroicrun.measuring import splits
from heroicrun.summary import RunSummary, Unlisted
from heroicrun.track import Leg, Track
from tests.factory import TrackBuilder, as_route, straight_north, with_spike, without_gps
from tests.helpers.real import real_files

START = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
CITIES = [(51.5, -0.12), (-33.9, 151.2), (40.7, -74.0), (35.7, 139.7), (-23.5, -46.6)]


def gpx(points: Sequence[tuple[float, float]], timed: bool = True, step_s: float = 3.0) -> bytes:
    """A one-segment GPX of these points, step_s apart, with an elevation on each."""
    rows = []
    for i, (lat, lon) in enumerate(points):
        when = (START + timedelta(seconds=step_s * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        time = f"<time>{when}</time>" if timed else ""
        rows.append(
            f'<trkpt lat="{lat:.9f}" lon="{lon:.9f}"><ele>{100 + i % 50:.3f}</ele>{time}</trkpt>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="tests" xmlns="http://www.topografix.com/GPX/1/1">'
        "<trk><trkseg>\n" + "\n".join(rows) + "\n</trkseg></trk></gpx>\n"
    ).encode()


def described(data: bytes) -> RunSummary:
    track = reading.read_bytes(data, "wild.gpx")
    return summary.describe(track, measuring.measure(track))


def size(run: RunSummary) -> int:
    return len(json.dumps(run.model_dump(mode="json")).encode())


def near(city: tuple[float, float], i: int) -> tuple[float, float]:
    """A few metres from a city, moving on a little with i."""
    return city[0] + 0.00003 * i, city[1]


def test_twenty_points_round_the_globe_make_a_small_summary() -> None:
    data = gpx([(50.0 * (-1) ** i, (i * 97) % 360 - 180.0) for i in range(20)])
    assert len(data) < 3000
    run = described(data)
    assert size(run) < 50_000
    assert run.counted_distance_m == 0.0
    assert run.splits == run.splits_mile == run.best_efforts == []
    assert run.unlisted == Unlisted(splits=0, splits_mile=0, flags=0, dropped=0)
    (flag,) = run.flags
    assert flag.kind == "vehicle" and flag.points == 20


WILD = {
    # every other point on another continent: one stretch of glitches
    "alternating": lambda i: CITIES[i % 2],
    # two points in a city, then the next city: impossible jumps every 3 s
    "pairs": lambda i: near(CITIES[(i // 2) % 5], i),
    # 40 points in a city, then a jump: flags more than a minute apart
    "hop every 2 minutes": lambda i: near(CITIES[(i // 40) % 5], i),
    # a glitch after every five good points: glitches too far apart to merge
    "glitch every sixth": lambda i: CITIES[1] if i % 6 == 5 else near(CITIES[0], i),
    "anywhere": lambda i: (random.Random(i).uniform(-80, 80), random.Random(-i).uniform(-180, 180)),
}


@pytest.mark.parametrize("timed", [True, False], ids=["run", "route"])
@pytest.mark.parametrize("pattern", list(WILD))
def test_a_megabyte_of_wild_points_stays_under_a_megabyte(pattern: str, timed: bool) -> None:
    # About a megabyte either way: a route's points carry no time, so it takes more of them.
    data = gpx([WILD[pattern](i) for i in range(9000 if timed else 13_500)], timed=timed)
    assert 0.9e6 < len(data) < 1.1e6
    run = described(data)
    assert size(run) < 1_000_000
    assert len(run.flags) <= summary.MAX_FLAGS
    assert len(run.splits) <= splits.MAX_SPLITS
    if timed:
        # A run is judged by its speeds: almost nothing of it counts, and its summary is tiny.
        assert (run.counted_distance_m or 0.0) < 50_000
        assert size(run) < 50_000


def test_a_cut_list_says_how_much_is_left_out() -> None:
    # 499 glitches, each between five good points.
    run = described(gpx([WILD["glitch every sixth"](i) for i in range(2999)]))
    assert len(run.flags) == summary.MAX_FLAGS
    assert run.unlisted.flags == 449
    assert "lists the first 50 flags, and 449 more: 449 GPS glitches" in run.notes


def test_the_dropped_list_keeps_the_first_hundred_and_counts_the_rest() -> None:
    points = [(47 + i / 10_000, 8.0) for i in range(1000)]
    data = gpx(points).replace(b'lon="8.000000000"><ele>', b'lon="800"><ele>', 300)
    run = described(data)
    assert run.dropped_points == 300
    assert len(run.dropped) == summary.MAX_DROPPED
    assert run.unlisted.dropped == 200
    assert "lists the first 100 dropped points, and 200 more" in run.notes


def test_a_route_a_thousand_times_too_long_lists_a_thousand_splits() -> None:
    run = described(gpx([CITIES[i % 2] for i in range(30)], timed=False))
    assert len(run.splits) == splits.MAX_SPLITS
    assert run.unlisted.splits > 100_000
    assert any(note.startswith("lists the first 1,000 of ") for note in run.notes)


def test_an_honest_246_km_run_keeps_every_split() -> None:
    track = straight_north(246_000, 36 * 3600, step_s=10)
    run = summary.describe(track, measuring.measure(track))
    assert [split.number for split in run.splits] == list(range(1, 247))
    assert len(run.splits_mile) == 153
    assert run.unlisted == Unlisted()
    assert run.notes == []
    assert size(run) < 100_000


def test_the_summary_says_the_sport_whether_on_foot_gps_and_which_outing() -> None:
    track = replace(straight_north(), legs=(Leg(0, "cycling"),), outing=2, outings=3)

    described = summary.describe(track, measuring.measure(track))

    assert described.model_dump(include={"sport", "on_foot", "gps", "outing", "outings"}) == {
        "sport": "cycling",
        "on_foot": False,
        "gps": True,
        "outing": 2,
        "outings": 3,
    }
    plain = straight_north()
    described = summary.describe(plain, measuring.measure(plain))
    assert (described.sport, described.on_foot, described.outing) == (None, None, 1)


def test_the_summary_names_the_device_the_file_names() -> None:
    data = gpx([(47 + i / 10_000, 8.0) for i in range(30)]).replace(
        b'creator="tests"', b'creator="COROS PACE 2"'
    )
    assert described(data).device == "COROS PACE 2"
    track = straight_north()
    assert summary.describe(track, measuring.measure(track)).device is None


# --- the JSON form, and summaries stored by an older heroicrun -------------------------------

SYNTHETIC = {
    "246 km north": lambda: straight_north(246_000, 36 * 3600, step_s=10),
    "route": lambda: as_route(straight_north(5000, 1500)),
    "without gps": lambda: without_gps(
        TrackBuilder().run(3000, 900).run(3000, 200).run(2000, 600).build(source="treadmill.fit")
    ),
    "glitches": lambda: with_spike(with_spike(straight_north(5000, 1500), 300, 400.0), 900, 300.0),
    "cycling outing": lambda: replace(
        straight_north(),
        legs=(Leg(0, "cycling"),),
        outing=2,
        outings=3,
        name="Côte – matin",
        device="Garmin Edge 530",
    ),
    "wild": lambda: reading.read_bytes(
        gpx([WILD["glitch every sixth"](i) for i in range(2999)]), "wild.gpx"
    ),
    "300 points dropped": lambda: reading.read_bytes(
        gpx([(47 + i / 10_000, 8.0) for i in range(1000)]).replace(
            b'lon="8.000000000"><ele>', b'lon="800"><ele>', 300
        ),
        "dropped.gpx",
    ),
    "route cut at 1,000 splits": lambda: reading.read_bytes(
        gpx([CITIES[i % 2] for i in range(30)], timed=False), "far.gpx"
    ),
}
# What summaries lacked before heroicrun measured outings, sports and cut lists, and read the
# device.
NEWER_KEYS = ("device", "sport", "on_foot", "gps", "outing", "outings", "unlisted")


def stored_and_loaded(track: Track) -> None:
    """The summary's JSON holds every field in order, no NaN, is the JSON pydantic writes of
    it, and loads back the same."""
    typed = summary.describe(track, measuring.measure(track))
    dumped = typed.model_dump(mode="json")
    assert list(dumped) == [field.name for field in dataclasses.fields(RunSummary)]
    text = json.dumps(dumped, allow_nan=False, separators=(",", ":"))
    # Written without pydantic, digit for digit (5.0 stays 5.0, datetimes end in Z).
    adapter = TypeAdapter(RunSummary)
    assert text == json.dumps(adapter.dump_python(typed, mode="json"), separators=(",", ":"))
    assert json.loads(typed.model_dump_json()) == json.loads(adapter.dump_json(typed))
    assert typed.model_dump() == adapter.dump_python(typed)
    assert RunSummary.model_validate_json(text) == typed
    assert pickle.loads(pickle.dumps(typed)) == typed  # it crosses from the reading workers


@pytest.mark.parametrize("name", list(SYNTHETIC))
def test_a_summary_loads_back_from_its_json(name: str) -> None:
    stored_and_loaded(SYNTHETIC[name]())


@pytest.mark.parametrize("path", real_files(".gpx", ".tcx", ".fit"), ids=lambda path: path.name)
def test_a_real_files_summary_loads_back_from_its_json(path: Path) -> None:
    try:
        whole = reading.read_path(str(path))
    except reading.ReadError:
        pytest.skip("not a readable run (covered by the reader tests)")
    for part in outings.split(whole):
        stored_and_loaded(part)


def test_a_summary_stored_before_outings_and_sports_loads_with_their_defaults() -> None:
    track = replace(straight_north(5000, 1500), legs=(Leg(0, "running"),))
    now = summary.describe(track, measuring.measure(track))
    older = now.model_dump(mode="json", exclude=set(NEWER_KEYS))

    loaded = RunSummary.model_validate_json(json.dumps(older))

    assert (loaded.device, loaded.sport, loaded.on_foot, loaded.gps) == (None, None, None, True)
    assert (loaded.outing, loaded.outings, loaded.unlisted) == (1, 1, Unlisted())
    assert loaded.model_dump(exclude=set(NEWER_KEYS)) == now.model_dump(exclude=set(NEWER_KEYS))
    assert loaded.start_time is not None and loaded.start_time.tzinfo is UTC


def test_a_summary_refuses_nan() -> None:
    track = straight_north()
    fine = summary.describe(track, measuring.measure(track)).model_dump()
    with pytest.raises(ValidationError, match="distance_m"):
        RunSummary.model_validate({**fine, "distance_m": math.nan})


def test_a_copy_changes_only_the_fields_given() -> None:
    track = straight_north(5000, 1500)
    described = summary.describe(track, measuring.measure(track))

    copied = described.model_copy(update={"file": "renamed.gpx", "outings": 2})

    assert (copied.file, copied.outings, described.file) == ("renamed.gpx", 2, track.source)
    assert copied.model_dump(exclude={"file", "outings"}) == described.model_dump(
        exclude={"file", "outings"}
    )


def test_a_stored_start_time_is_read_back_in_utc() -> None:
    track = straight_north(5000, 1500)
    fine = summary.describe(track, measuring.measure(track)).model_dump(mode="json")

    loaded = RunSummary.model_validate({**fine, "start_time": "2024-05-01T09:00:00+02:00"})

    assert loaded.start_time == datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
    assert loaded.start_time is not None and loaded.start_time.tzinfo is UTC
    assert loaded.model_dump(mode="json")["start_time"] == "2024-05-01T07:00:00Z"
