"""Run files holding what the real files lack: several outings in one GPX, a TCX ride, a TCX
run recorded without GPS (a treadmill). Each goes due north at an even pace, so its figures
are known: about `km` kilometres in `duration_s` seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
LAT0, LON0 = 46.05, 14.5  # Ljubljana
DEGREES_PER_KM = 1 / 111.2  # of latitude, near enough for a synthetic track
DAY = timedelta(days=1)
SEASON = timedelta(days=90)  # between the runs of a file of outings: a spring, summer, autumn


def _moment(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _steps(km: float, duration_s: float, step_s: float) -> list[tuple[float, float]]:
    """(seconds from the start, kilometres from the start) for each point."""
    count = round(duration_s / step_s)
    return [(k * step_s, km * k / count) for k in range(count + 1)]


def gpx_outings(
    count: int,
    apart: timedelta = SEASON,
    km: float = 3.0,
    duration_s: float = 1200.0,
    step_s: float = 10.0,
    sport: str | None = "running",
    first: datetime = START,
) -> bytes:
    """A GPX file of `count` tracks, each a run of its own starting `apart` after the one
    before (the first at `first`), each declaring `sport` in its `<type>`."""
    tracks = []
    for number in range(count):
        begin = first + number * apart
        points = "\n".join(
            f'<trkpt lat="{LAT0 + done_km * DEGREES_PER_KM:.7f}" lon="{LON0:.7f}">'
            f"<ele>300</ele><time>{_moment(begin + timedelta(seconds=at_s))}</time></trkpt>"
            for at_s, done_km in _steps(km, duration_s, step_s)
        )
        declared = f"<type>{sport}</type>" if sport else ""
        tracks.append(f"<trk>{declared}<trkseg>\n{points}\n</trkseg></trk>")
    body = "\n".join(tracks)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="tests" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f"{body}\n</gpx>\n"
    ).encode()


def _tcx(sport: str, begin: datetime, trackpoints: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2">\n'
        f'<Activities><Activity Sport="{sport}"><Id>{_moment(begin)}</Id>\n'
        f'<Lap StartTime="{_moment(begin)}"><Track>\n{trackpoints}\n</Track></Lap>\n'
        "</Activity></Activities></TrainingCenterDatabase>\n"
    ).encode()


def tcx_ride(
    km: float = 20.0, duration_s: float = 2700.0, step_s: float = 5.0, begin: datetime = START
) -> bytes:
    """A TCX ride: Sport="Biking", with positions."""
    points = "\n".join(
        f"<Trackpoint><Time>{_moment(begin + timedelta(seconds=at_s))}</Time>"
        f"<Position><LatitudeDegrees>{LAT0 + done_km * DEGREES_PER_KM:.7f}</LatitudeDegrees>"
        f"<LongitudeDegrees>{LON0:.7f}</LongitudeDegrees></Position>"
        f"<DistanceMeters>{done_km * 1000:.1f}</DistanceMeters></Trackpoint>"
        for at_s, done_km in _steps(km, duration_s, step_s)
    )
    return _tcx("Biking", begin, points)


def tcx_without_gps(
    km: float = 5.0, duration_s: float = 1500.0, step_s: float = 5.0, begin: datetime = START
) -> bytes:
    """A TCX run recorded without GPS (a treadmill, a footpod): times and the device's
    distance, no positions."""
    points = "\n".join(
        f"<Trackpoint><Time>{_moment(begin + timedelta(seconds=at_s))}</Time>"
        f"<DistanceMeters>{done_km * 1000:.1f}</DistanceMeters></Trackpoint>"
        for at_s, done_km in _steps(km, duration_s, step_s)
    )
    return _tcx("Running", begin, points)
