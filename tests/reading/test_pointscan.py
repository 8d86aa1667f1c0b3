"""The scanner's two ways of reading points, layouts and the tag walker, agree on everything."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import gpxpy
import numpy as np
import pytest

from heroicrun import reading
from heroicrun.reading import gpx as gpx_format
from heroicrun.reading import pointscan, tags, tcx
from heroicrun.reading.errors import ReadError
from heroicrun.track import Track
from tests.helpers.real import real_files
from tests.reading.documents import (
    GPX_NS,
    assert_same,
    gpx,
    run,
    seconds,
    trackpoint,
    trkpt,
    without_layouts,
)
from tests.reading.documents import (
    tcx as tcx_document,
)

REAL_FILES = real_files(".gpx", ".tcx")
GENERATOR = Path(__file__).parents[2] / "benchmarks" / "generate.py"


def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def both_ways(monkeypatch: pytest.MonkeyPatch, read: Callable[[], Track]) -> tuple[Track, Track]:
    """The Track read with layouts, then with the tag walker alone."""
    fast = read()
    with monkeypatch.context() as patched:
        without_layouts(patched)
        slow = read()
    assert_same(fast, slow)
    return fast, slow


def both_bytes(monkeypatch: pytest.MonkeyPatch, data: bytes, source: str = "run.gpx") -> Track:
    return both_ways(monkeypatch, lambda: reading.read_bytes(data, source))[0]


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_real_files_read_the_same_both_ways(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    try:
        both_ways(monkeypatch, lambda: reading.read_path(path))
    except ReadError as fast_error:
        without_layouts(monkeypatch)
        with pytest.raises(ReadError) as slow_error:
            reading.read_path(path)
        assert str(slow_error.value) == str(fast_error)


@pytest.mark.parametrize(("count", "seed"), [(2, 1), (500, 2), (3600, 3), (7000, 4)])
def test_generated_runs_read_the_same_both_ways(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, count: int, seed: int
) -> None:
    path = generate().write_run(tmp_path / "run.gpx", count, seed)
    fast = both_ways(monkeypatch, lambda: reading.read_path(path))[0]
    assert len(fast) == count
    reference = [
        point
        for track in gpxpy.parse(path.read_text(encoding="utf-8")).tracks
        for segment in track.segments
        for point in segment.points
    ]
    assert fast.lat_deg.tolist() == [point.latitude for point in reference]
    assert fast.lon_deg.tolist() == [point.longitude for point in reference]
    assert fast.elevation_m.tolist() == [point.elevation for point in reference]
    assert fast.time_s is not None
    assert fast.time_s.tolist() == [point.time.timestamp() for point in reference]
    assert not np.isnan(fast.heart_rate_bpm).any() and not np.isnan(fast.cadence_rpm).any()


def test_layouts_read_garmin_files_without_the_walker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A 7,000-point watch file spans three 1 MiB chunks; every one must match the layout.
    path = generate().write_run(tmp_path / "run.gpx", 7000, 5)
    walked: list[int] = []
    walk = pointscan._walk

    def counting_walk(*args: object) -> int:
        walked.append(1)
        return walk(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pointscan, "_walk", counting_walk)
    assert len(reading.read_path(path)) == 7000
    assert path.stat().st_size > 2 * pointscan.CHUNK_BYTES
    assert walked == []


# Synthetic point layouts. Point i: lat 47 + i/10,000, lon 8, ele 100 + i % 1000,
# hr 120 + i % 50, cadence 80 + i % 7.


def expected_lat(count: int) -> list[float]:
    return [round(47 + i / 10_000, 6) for i in range(count)]


def garmin(count: int, cad: Callable[[int], int | None] = lambda i: 80 + i % 7) -> bytes:
    return gpx(trkpt(i, hr=120 + i % 50, cad=cad(i)) for i in range(count))


def assert_values(track: Track, count: int) -> None:
    assert track.lat_deg.tolist() == expected_lat(count)
    assert track.lon_deg.tolist() == [8] * count
    assert track.elevation_m.tolist() == [100 + i % 1000 for i in range(count)]
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in range(count)]


@pytest.mark.parametrize("with_cadence", [lambda i: i >= 100, lambda i: i < 100, lambda i: i % 2])
def test_layout_changes_midway(
    monkeypatch: pytest.MonkeyPatch, with_cadence: Callable[[int], bool]
) -> None:
    data = garmin(300, lambda i: 80 + i % 7 if with_cadence(i) else None)
    track = both_bytes(monkeypatch, data)
    assert_values(track, 300)
    expected = [80 + i % 7 if with_cadence(i) else np.nan for i in range(300)]
    assert np.array_equal(track.cadence_rpm, expected, equal_nan=True)
    assert track.heart_rate_bpm.tolist() == [120 + i % 50 for i in range(300)]


def test_layout_changes_in_a_later_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    # 12,000 points in three 1 MiB chunks; cadence stops at point 7,000, in the second one.
    data = garmin(12_000, lambda i: 80 if i < 7000 else None)
    assert len(data) > 2 * pointscan.CHUNK_BYTES
    assert data.index(b"<ns3:hr>120</ns3:hr></ns3") > pointscan.CHUNK_BYTES
    track = both_bytes(monkeypatch, data)
    assert_values(track, 12_000)
    assert np.isnan(track.cadence_rpm[7000:]).all() and (track.cadence_rpm[:7000] == 80).all()


def rewrite(data: bytes, pattern: str, replacement: str | Callable[[re.Match[str]], str]) -> bytes:
    return re.sub(pattern, replacement, data.decode()).encode()


LAYOUT_VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "lon before lat": lambda data: rewrite(
        data, r'<trkpt lat="([^"]*)" lon="([^"]*)">', r'<trkpt lon="\2" lat="\1">'
    ),
    "lon before lat on some points": lambda data: rewrite(
        data,
        r'<trkpt lat="([^"]*)" lon="([^"]*)">(<ele>1\d[05])',
        r'<trkpt lon="\2" lat="\1">\3',
    ),
    "single quotes": lambda data: rewrite(data, r'(lat|lon)="([^"]*)"', r"\1='\2'"),
    "spaces around =": lambda data: rewrite(data, r'(lat|lon)="', r'\1 =\n "'),
    "more attributes": lambda data: rewrite(
        data, "<trkpt ", '<trkpt note="a > b, c/>d" href="http://x.example/y" '
    ),
    "gpx: prefix": lambda data: rewrite(
        data.replace(b'xmlns="', b'xmlns:gpx="'),
        r"<(/?)(gpx|trk|trkseg|trkpt|ele|time|name|extensions)([\s>/])",
        r"<\1gpx:\2\3",
    ),
    "comments between points": lambda data: data.replace(
        b"</trkpt>\n", b'</trkpt>\n<!-- <trkpt lat="1" lon="1"><ele>5</ele></trkpt> -->\n'
    ),
    "comments inside points": lambda data: rewrite(
        data, r"(<trkpt [^>]*>)(<ele>\d*[02468]<)", r"\1<!-- a comment --><!---->\2"
    ),
    "CDATA values": lambda data: rewrite(
        data, r"<ele>(\d*[05])</ele>", r"<ele><![CDATA[\1]]></ele>"
    ),
    "CDATA between points": lambda data: data.replace(
        b"</trkpt>\n", b"</trkpt><![CDATA[<trkpt lat='1' lon='1'>]]>\n", 7
    ),
    "processing instruction": lambda data: data.replace(b"<trkseg>", b"<trkseg><?garmin x?>"),
    "character references": lambda data: rewrite(
        data,
        r'lat="47\.(\d*)"(.*?)<ele>1(\d)(\d)</ele>',
        r'lat="&#52;7.\1"\2<ele>1&#x3\3;\4</ele>',
    ),
    "whitespace in time": lambda data: rewrite(
        data, r"<time>([^<]*)</time>", r"<time>\n      \1\n    </time>"
    ),
    "whitespace in some times": lambda data: rewrite(
        data, r"<time>([^<]*[05]Z)</time>", r"<time> \1\t</time>"
    ),
    "attributes inside fields": lambda data: data.replace(b"<ele>", b'<ele unit="m">'),
    "newlines between elements": lambda data: data.replace(b"><", b">\n  <"),
    "byte order mark": lambda data: b"\xef\xbb\xbf" + data,
    "UTF-16": lambda data: (
        data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    ),
    "UTF-16 big-endian with comments": lambda data: (
        b"\xfe\xff"
        + data.decode()
        .replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .replace("</trkpt>", "</trkpt><!-- é -->")
        .encode("utf-16-be")
    ),
    "no declaration, no namespace": lambda data: data.split(b"\n", 1)[1].replace(
        f' xmlns="{GPX_NS}"'.encode(), b""
    ),
}


@pytest.mark.parametrize("variant", sorted(LAYOUT_VARIANTS))
def test_layout_variants(monkeypatch: pytest.MonkeyPatch, variant: str) -> None:
    data = LAYOUT_VARIANTS[variant](garmin(300))
    track = both_bytes(monkeypatch, data)
    assert_values(track, 300)
    assert track.heart_rate_bpm.tolist() == [120 + i % 50 for i in range(300)]
    assert track.cadence_rpm.tolist() == [80 + i % 7 for i in range(300)]
    assert track.dropped == () and track.notes == ()


def test_entity_in_elevation(monkeypatch: pytest.MonkeyPatch) -> None:
    data = gpx(trkpt(i, ele="1&#48;0" if i == 3 else "") for i in range(10))
    track = both_bytes(monkeypatch, data)
    assert track.elevation_m.tolist() == [100, 101, 102, 100, 104, 105, 106, 107, 108, 109]


def test_self_closing_points(monkeypatch: pytest.MonkeyPatch) -> None:
    points = "".join(f'<trkpt lat="{lat}" lon="8"/>' for lat in expected_lat(50))
    data = f'<gpx xmlns="{GPX_NS}"><trk><trkseg>{points}</trkseg></trk></gpx>'.encode()
    track = both_bytes(monkeypatch, data)
    assert track.kind == "route"
    assert track.lat_deg.tolist() == expected_lat(50)
    assert np.isnan(track.elevation_m).all()


def test_self_closing_points_among_full_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    # Points 5 and 55 are written <trkpt lat=".." lon=".."/>, with no time or anything else.
    data = rewrite(
        garmin(100), r'<trkpt (lat="47\.00[05]500" lon="8\.000000")>.*?</trkpt>', r"<trkpt \1/>"
    )
    track = both_bytes(monkeypatch, data)
    assert track.kind == "run" and len(track) == 98
    assert [(p.index, p.line, p.reason) for p in track.dropped] == [
        (5, 10, "has no time"),
        (55, 60, "has no time"),
    ]


def test_a_point_with_a_thousand_children(monkeypatch: pytest.MonkeyPatch) -> None:
    wide = trkpt(1).replace("</trkpt>", "<x/>" * 1000 + "</trkpt>")
    data = gpx([trkpt(0), wide, *[trkpt(i) for i in range(2, 50)]])
    track = both_bytes(monkeypatch, data)
    assert_values(track, 50)


def test_points_too_wide_for_a_layout_are_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    def point(children: int) -> bytes:
        return trkpt(0).replace("</trkpt>", "<x/>" * children + "</trkpt>").encode()

    # <trkpt>, <ele></ele>, <time></time> and </trkpt> make 6 tags besides the children.
    widest = point(pointscan.MAX_LAYOUT_TAGS - 6)
    assert pointscan._learn(widest, 0, len(widest), gpx_format.TRACK) is not None
    too_wide = point(pointscan.MAX_LAYOUT_TAGS - 5)
    assert pointscan._learn(too_wide, 0, len(too_wide), gpx_format.TRACK) is None
    data = gpx(trkpt(i).replace("</trkpt>", "<x/>" * 2000 + "</trkpt>") for i in range(30))
    assert_values(both_bytes(monkeypatch, data), 30)


def test_first_field_occurrence_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    doubled = [trkpt(i).replace("</trkpt>", "<ele>9</ele></trkpt>") for i in range(10)]
    track = both_bytes(monkeypatch, gpx(doubled))
    assert track.elevation_m.tolist() == [100 + i for i in range(10)]


def test_waypoints_and_route_points_are_not_track_points(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = (
        '<wpt lat="1" lon="1"><time>2020-01-01T00:00:00Z</time></wpt>'
        '<rte><rtept lat="2" lon="2"/></rte>'
    )
    data = garmin(20).replace(b"<trk>", extra.encode() + b"<trk>")
    assert_values(both_bytes(monkeypatch, data), 20)


def test_tcx_read_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    laps = [
        [[trackpoint(i, hr=120 + i) for i in range(0, 40)]],
        [
            [trackpoint(i, hr=None if i % 3 else 150, position=i != 55) for i in range(50, 90)],
            [trackpoint(i) for i in range(100, 110)],
        ],
    ]
    track = both_bytes(monkeypatch, tcx_document(*laps), "run.tcx")
    assert len(track) == 89
    assert [p.index for p in track.dropped] == [45]
    assert int(track.segment.max()) == 2


def test_point_offsets_and_segment_tags() -> None:
    data = (
        b"<gpx><trk><trkseg><trkpt lat='1' lon='2'/>\n"
        b"<x:trkpt lat='1' lon='2'></x:trkpt><trkpts/></trkseg></trk></gpx>"
    )
    assert pointscan.point_offsets(data, gpx_format.TRACK) == [18, 43]
    assert pointscan.has_point(data, gpx_format.TRACK)
    assert not pointscan.has_point(data, gpx_format.ROUTE)
    tcx_data = b"<Lap><Track><Trackpoint/></Track><Track>"
    assert tags.start_tags(tcx_data, tcx.ACTIVITY.segments) == [5, 33]


def test_run_document_lines() -> None:
    # The line arithmetic other tests rely on: point i of a one-segment run is on line 5 + i.
    lines = run(3).decode().splitlines()
    assert [lines[4 + i].startswith("<trkpt") for i in range(3)] == [True] * 3
