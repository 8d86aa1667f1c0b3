"""The device or app that recorded a file: as real files name it (GPX creator, TCX Creator, FIT
maker and product), cleaned of what a hostile file could put there, and kept through outings."""

from __future__ import annotations

import pytest

from heroicrun import outings, reading
from heroicrun.reading import fitdevices
from tests.helpers import fitfiles
from tests.helpers.outing_files import gpx_outings
from tests.helpers.real import real
from tests.reading.documents import GPX_NS, TCX_NS, iso, trackpoint, trkpt

# Each real file, and the name it carries (SOURCES.md says which device or app made it).
REAL_DEVICES = {
    "fittrackee/gpx_file_with_gpxtpx_extensions.gpx": "Garmin Connect",
    "gpxpy/around-visnjan-with-car.gpx": "eTrex 20x",
    "goldencheetah/Move_2014_01_17_09_33_11.gpx": "Movescount",  # "… - http://www.movescount.com"
    "goldencheetah/1292585194-20906.gpx": "GPS Visualizer",
    "gpxpy/track-with-less-sec-time.gpx": "NikePlus GPX Bridge",
    "opentracks/gpx11_without_speed.gpx": "Cruiser",
    "opentracks/legacy_gpx_pause_resume.gpx": "OpenTracks (Debug)",
    "fittrackee/gpx_file.gpx": None,  # no creator attribute
    "fittrackee/tcx_with_one_lap_and_one_track.tcx": "vívoactive",
    "tcxreader/mapmyride_biking.tcx": None,  # no <Creator>
    "python-fitparse/garmin-fenix-5-run.fit": "Garmin Fenix 5",
    "python-fitparse/strava-android-app-201.10-b1218918.fit": "Strava Android App",
    "fittrackee/apple_watch.fit": "Strava",  # a Strava product heroicrun has no name for
    "python-fitparse/Activity.fit": "Dynastream HRM1",
}


@pytest.mark.parametrize(("relative", "device"), REAL_DEVICES.items(), ids=list(REAL_DEVICES))
def test_real_files_name_their_device(relative: str, device: str | None) -> None:
    assert reading.read_path(real(relative)).device == device


def _gpx(root: str) -> bytes:
    points = "".join(trkpt(i) for i in range(3))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{root}\n'
        f"<trk><trkseg>\n{points}</trkseg></trk>\n</gpx>\n"
    ).encode()


@pytest.mark.parametrize(
    ("root", "device"),
    [
        (f'<gpx version="1.1" creator="StravaGPX Android" xmlns="{GPX_NS}">', "StravaGPX Android"),
        (f"<gpx creator='Suunto app' xmlns='{GPX_NS}'>", "Suunto app"),
        (f'<gpx creator="Runner&apos;s &amp; Co&#x2122;" xmlns="{GPX_NS}">', "Runner's & Co™"),
        (f'<gpx creator="  Garmin&#10;&#9;Connect  " xmlns="{GPX_NS}">', "Garmin Connect"),
        (f'<gpx creator="\u009b31mred\u202e" xmlns="{GPX_NS}">', "31mred"),
        (f'<gpx creator="" xmlns="{GPX_NS}">', None),
        (f'<gpx creator="https://example.org/" xmlns="{GPX_NS}">', None),
        (f'<gpx creator="{"x" * 500}" xmlns="{GPX_NS}">', "x" * 59 + "…"),
        (f'<gpx xmlns="{GPX_NS}"><metadata creator="not the root"/>', None),
    ],
    ids=[
        "plain",
        "single-quoted",
        "references",
        "spaces",
        "controls",
        "empty",
        "address",
        "long",
        "not-root",
    ],
)
def test_a_gpx_creator_is_cleaned(root: str, device: str | None) -> None:
    assert reading.read_bytes(_gpx(root), "run.gpx").device == device


def _tcx(creator: str) -> bytes:
    points = "".join(trackpoint(i) for i in range(3))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<TrainingCenterDatabase xmlns="{TCX_NS}">\n'
        f'<Activities><Activity Sport="Running"><Id>{iso(0)}</Id>\n'
        f'<Lap StartTime="{iso(0)}"><Track>\n{points}</Track></Lap>\n'
        f"{creator}</Activity></Activities>\n"
        "<Author><Name>Garmin Connect API</Name></Author></TrainingCenterDatabase>\n"
    ).encode()


@pytest.mark.parametrize(
    ("creator", "device"),
    [
        (
            '<Creator xsi:type="Device_t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<Name>Forerunner 245</Name><UnitId>3996</UnitId><ProductID>3076</ProductID></Creator>",
            "Forerunner 245",
        ),
        ("<Creator><Name>\u0085 COROS\u00a0 PACE\u200b 2 </Name></Creator>", "COROS PACE 2"),
        ("<Creator><Name></Name></Creator>", None),
        ("", None),  # the Author is the program that wrote the file, not the device
    ],
    ids=["garmin", "spaces", "empty", "none"],
)
def test_a_tcx_creator_is_the_device(creator: str, device: str | None) -> None:
    assert reading.read_bytes(_tcx(creator), "run.tcx").device == device


def test_a_fit_file_id_names_maker_and_product() -> None:
    assert reading.read_bytes(fitfiles.watch_run(), "run.fit").device == "Garmin Forerunner 945"
    assert reading.read_bytes(fitfiles.old_device_run(), "old.fit").device == "Garmin"


def test_without_a_maker_in_file_id_the_creator_device_names_it() -> None:
    fit = fitfiles.FitWriter()
    t0 = fitfiles.fit_time(fitfiles.SAMPLE_START_S)
    fit.add("file_id", type=4)
    fit.add("device_info", timestamp=t0, device_index=1, manufacturer=1)  # a sensor
    fit.add("device_info", timestamp=t0, device_index=0, manufacturer=23)
    fit.define(0, "record", ["timestamp", "position_lat", "position_long"])
    for i in range(5):
        fit.write(
            0,
            {
                "timestamp": t0 + i,
                "position_lat": fitfiles.semicircles(45.0 + i * 1e-4),
                "position_long": fitfiles.semicircles(6.0),
            },
        )
    assert reading.read_bytes(fit.file(), "run.fit").device == "Suunto"


@pytest.mark.parametrize(
    ("manufacturer", "product", "name"),
    [
        (1, 3076, "Garmin Forerunner 245"),
        (1, 65_000, "Garmin (product 65000)"),
        (1, None, "Garmin"),
        (89, 65_000, "Tacx (product 65000)"),
        (23, 42, "Suunto"),
        (294, 7, "COROS"),
        (265, 102, "Strava Android App"),
        (9999, 1, "Maker 9999"),
        (None, 3076, None),
    ],
)
def test_fit_numbers_name_a_device(
    manufacturer: int | None, product: int | None, name: str | None
) -> None:
    assert fitdevices.name(manufacturer, product) == name


def test_each_outing_of_a_file_keeps_its_device() -> None:
    data = gpx_outings(3).replace(b'creator="tests"', b'creator="OpenTracks"')
    parts = outings.split(reading.read_bytes(data, "three.gpx"))
    assert [part.device for part in parts] == ["OpenTracks"] * 3
