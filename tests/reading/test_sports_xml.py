"""The sport a GPX track or a TCX activity declares, read into the Track's legs."""

from __future__ import annotations

import pytest

from heroicrun import reading
from heroicrun.reading import legs
from heroicrun.track import Leg
from tests.helpers.real import real
from tests.reading.documents import (
    GPX_NS,
    TCX_NS,
    iso,
    seconds,
    tcx,
    trackpoint,
    trkpt,
    without_layouts,
)


@pytest.fixture(params=["layouts", "tag walker"])
def scanner(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once on the scanner's fast path and once on its fallback."""
    if request.param == "tag walker":
        without_layouts(monkeypatch)
    return str(request.param)


def trk(points: range, header: str = "") -> str:
    """One <trk> with `header` before its one segment of points."""
    return f"<trk>{header}<trkseg>\n" + "".join(trkpt(i) for i in points) + "</trkseg></trk>\n"


def gpx_of(*tracks: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<gpx version="1.1" creator="tests" xmlns="{GPX_NS}">\n'
        + "".join(tracks)
        + "</gpx>\n"
    ).encode()


# Real files


def test_mapmyride_declares_biking() -> None:
    track = reading.read_path(real("tcxreader/mapmyride_biking.tcx"))
    assert track.sport == "cycling"
    assert track.legs == (Leg(0, "cycling"),)


def test_a_tcx_of_sport_other_declares_nothing() -> None:
    # FitTrackee's vívoactive TCX says Sport="Other": judged by its speeds, as undeclared.
    track = reading.read_path(real("fittrackee/tcx_with_one_lap_and_one_track.tcx"))
    assert track.sport is None and track.legs == ()


def test_nikeplus_type_run() -> None:
    track = reading.read_path(real("gpxpy/track-with-less-sec-time.gpx"))
    assert track.sport == "running"


def test_opentracks_type_in_cdata_and_not_the_waypoints_types() -> None:
    # The waypoints before the track have <type>Marker 1 category</type>; the track's own
    # type is "mountain biking", written as CDATA.
    track = reading.read_path(real("opentracks/legacy_gpx_trackpointextensions_incorrect.gpx"))
    assert track.legs == (Leg(0, "cycling"),)


def test_placeholder_types_declare_nothing() -> None:
    # korita-zbevnica's first track (no points) says "jkljkl", the next one "...": neither
    # says what the points with times were.
    track = reading.read_path(real("gpxpy/korita-zbevnica.gpx"))
    assert track.sport is None


# GPX <type>


@pytest.mark.parametrize(
    ("declared", "sport"),
    [
        ("9", "running"),  # Strava's numbers
        ("1", "cycling"),
        ("4", "hiking"),
        ("10", "walking"),
        ("running", "running"),  # Strava and Garmin Connect
        ("cycling", "cycling"),
        ("trail_running", "running"),
        ("road_biking", "cycling"),
        ("Run", "running"),
        ("Hike", "hiking"),
        (" Running ", "running"),
        ("other", None),
        ("", None),
    ],
)
def test_gpx_track_type(scanner: str, declared: str, sport: str | None) -> None:
    data = gpx_of(trk(range(20), f"<name>Morning</name><type>{declared}</type>"))
    track = reading.read_bytes(data, "run.gpx")
    assert track.sport == sport
    assert len(track) == 20


def test_a_link_type_is_not_the_sport(scanner: str) -> None:
    link = '<link href="https://example.com"><text>app</text><type>text/html</type></link>'
    declared = reading.read_bytes(gpx_of(trk(range(5), link + "<type>Run</type>")), "r.gpx")
    assert declared.sport == "running"
    undeclared = reading.read_bytes(gpx_of(trk(range(5), link)), "r.gpx")
    assert undeclared.sport is None


def test_a_type_inside_the_points_is_not_the_sport(scanner: str) -> None:
    point = trkpt(1).replace("</trkpt>", "<type>cycling</type></trkpt>")
    data = gpx_of(f"<trk><trkseg>{trkpt(0)}{point}{trkpt(2)}</trkseg></trk>")
    assert reading.read_bytes(data, "r.gpx").sport is None


def test_tracks_of_different_types_are_legs(scanner: str) -> None:
    data = gpx_of(
        trk(range(0, 10), "<type>running</type>"),
        trk(range(100, 110), "<type>cycling</type>"),
        trk(range(200, 210), "<type>walking</type>"),
    )
    track = reading.read_bytes(data, "brick.gpx")
    assert track.legs == (Leg(0, "running"), Leg(10, "cycling"), Leg(20, "walking"))
    assert track.sport == "multisport"
    assert track.segment.tolist() == [0] * 10 + [1] * 10 + [2] * 10


def test_legs_follow_the_tracks_in_time_order(scanner: str) -> None:
    # The ride is written first but ridden after the run.
    data = gpx_of(
        trk(range(100, 110), "<type>cycling</type>"), trk(range(0, 10), "<type>running</type>")
    )
    track = reading.read_bytes(data, "brick.gpx")
    assert track.time_s is not None
    assert track.time_s[0] == seconds(0)
    assert track.legs == (Leg(0, "running"), Leg(10, "cycling"))


def test_an_empty_typed_track_declares_nothing_for_the_next(scanner: str) -> None:
    empty = "<trk><type>cycling</type><trkseg></trkseg></trk>\n"
    data = gpx_of(empty, trk(range(10)))
    assert reading.read_bytes(data, "run.gpx").legs == ()


def test_a_route_type(scanner: str) -> None:
    points = "".join(f'<rtept lat="{47 + i / 1000}" lon="8"/>' for i in range(5))
    data = gpx_of(f"<rte><name>Loop</name><type>hiking</type>{points}</rte>")
    track = reading.read_bytes(data, "loop.gpx")
    assert track.kind == "route" and track.sport == "hiking"


def test_children_are_found_at_their_offsets() -> None:
    data = b"<gpx><trk><name>a</name><type>Run</type><trkseg/></trk><trk/><trk><trkseg/></trk>"
    found = legs.in_children(data, (b"trk",), b"type", (b"trkseg", b"trkpt"))
    assert found == [(5, "Run"), (55, None), (61, None)]


# TCX Sport=


def sport_tcx(*activities: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<TrainingCenterDatabase xmlns="{TCX_NS}"><Activities>\n'
        + "".join(activities)
        + "</Activities></TrainingCenterDatabase>\n"
    ).encode()


def lap(points: range, element: str = "Lap") -> str:
    body = "".join(trackpoint(i) for i in points)
    return f'<{element} StartTime="{iso(points[0])}"><Track>\n{body}</Track></{element}>\n'


def test_tcx_activity_sport(scanner: str) -> None:
    track = reading.read_bytes(tcx([[trackpoint(i) for i in range(10)]]), "run.tcx")
    assert track.legs == (Leg(0, "running"),)


def test_tcx_biking(scanner: str) -> None:
    data = tcx([[trackpoint(i) for i in range(10)]]).replace(b"Running", b"Biking")
    assert reading.read_bytes(data, "ride.tcx").sport == "cycling"


def test_tcx_multisport_session(scanner: str) -> None:
    # A duathlon: run, transition, ride, one second apart throughout, so only the declared
    # sports separate them.
    session = (
        "<MultiSportSession><Id>x</Id>"
        f'<FirstSport><Activity Sport="Running"><Id>{iso(0)}</Id>{lap(range(0, 30))}'
        "</Activity></FirstSport>"
        f"<NextSport>{lap(range(30, 35), 'Transition')}"
        f'<Activity Sport="Biking"><Id>{iso(35)}</Id>{lap(range(35, 80))}</Activity>'
        "</NextSport></MultiSportSession>\n"
    )
    track = reading.read_bytes(sport_tcx(session), "duathlon.tcx")
    assert track.legs == (Leg(0, "running"), Leg(30, "transition"), Leg(35, "cycling"))
    assert track.sport == "multisport"
    # Auto-laps within one sport join; the sports stay apart.
    assert track.segment.tolist() == [0] * 30 + [1] * 5 + [2] * 45
    assert track.time_s is not None and track.time_s.tolist() == [seconds(i) for i in range(80)]


def test_tcx_two_activities(scanner: str) -> None:
    run = f'<Activity Sport="Running"><Id>{iso(0)}</Id>{lap(range(0, 20))}</Activity>'
    ride = f'<Activity Sport="Biking"><Id>{iso(20)}</Id>{lap(range(20, 40))}</Activity>'
    track = reading.read_bytes(sport_tcx(run, ride), "two.tcx")
    assert track.legs == (Leg(0, "running"), Leg(20, "cycling"))


def test_attributes_are_found_at_their_offsets() -> None:
    data = b"<A><Activity Sport='Biking'><Lap/></Activity><Transition/><Activity x='1'/></A>"
    found = legs.in_attributes(data, {b"Activity": None, b"Transition": "transition"}, b"Sport")
    assert found == [(3, "Biking"), (45, "transition"), (58, None)]
