"""The `heroicrun check` command as a user meets it: real files, exit codes; once as a process."""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path

import gpxpy
import pytest

from tests.helpers import reference, runfiles, shell

SAMPLE = Path(__file__).parents[1] / "heroicrun" / "samples" / "athens-dawn-run.gpx"


def run_check(*args: str | Path) -> shell.Done:
    """`heroicrun check ARGS`, in-process."""
    return shell.heroicrun("check", *map(str, args))


def run_check_process(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`heroicrun check ARGS` as a process of its own, from the console entry point."""
    return subprocess.run(
        [sys.executable, "-m", "heroicrun", "check", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def no_nan(value: str) -> float:
    raise AssertionError(f"JSON holds {value}")


def test_json_for_one_file_is_one_object_with_the_promised_keys() -> None:
    path = runfiles.short_run()
    done = run_check_process(path, "--json")  # the one check run as a whole process
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout, parse_constant=no_nan)
    points = gpxpy.parse(path.read_text()).tracks[0].segments[0].points
    first, last = points[0].time, points[-1].time
    assert first is not None and last is not None
    assert run["file"].endswith(path.name)
    assert run["kind"] == "run"
    assert run["start_time"] == first.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert run["points"] == len(points)
    assert run["elapsed_s"] == (last - first).total_seconds()
    assert math.isclose(run["distance_m"], reference.distance_m(path), abs_tol=0.05)
    for key in (
        "dropped_points",
        "moving_s",
        "pace_s_per_km",
        "elevation_gain_m",
        "elevation_loss_m",
        "max_speed_m_s",
        "heart_rate",
        "cadence",
        "splits",
        "best_efforts",
        "flags",
    ):
        assert key in run
    assert run["heart_rate"] is None
    assert run["best_efforts"] == []  # 320 m: not even 400 m


def test_json_for_several_files_is_an_array_and_failures_exit_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gpx"
    broken.write_text("<gpx><trk><trkseg><trkpt lat='1' lon='2'>")
    done = run_check(SAMPLE, broken, "--json")
    assert done.returncode == 1
    runs = json.loads(done.stdout, parse_constant=no_nan)
    assert [run.get("kind") for run in runs] == ["run", None]
    assert "broken.gpx" in runs[1]["error"]
    assert "broken.gpx" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"not xml at all", "is not a GPX, TCX or FIT file"),
        (b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>', "KML"),
        (b"<gpx><trk><trkseg></trkseg></trk></gpx>", "has no track points"),
        (
            b'<?xml version="1.0" encoding="x-nonsense"?><gpx/>',
            "declares the character encoding 'x-nonsense', which heroicrun cannot read",
        ),
        (
            b"<gpx><trk><trkseg>"
            b'<trkpt lat="1" lon="2"><time>2024-05-01T06:00:00+99:99</time></trkpt>'
            b'<trkpt lat="1" lon="2.0001"><time>2024-05-01T06:00:01+99:99</time></trkpt>'
            b"</trkseg></trk></gpx>",
            "line 1: time '2024-05-01T06:00:00+99:99' has an impossible UTC offset",
        ),
    ],
)
def test_bad_files_get_one_line_naming_the_file(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "upload.gpx"
    path.write_bytes(content)
    done = run_check(path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0] and expected in lines[0]


def test_missing_file_and_usage_errors() -> None:
    missing = run_check("/no/such/run.gpx")
    assert missing.returncode == 1
    assert "/no/such/run.gpx: does not exist" in missing.stderr
    assert run_check().returncode == 2
    assert run_check(SAMPLE, "--no-such-option").returncode == 2


def test_tables_show_stats_splits_and_best_efforts() -> None:
    done = run_check(SAMPLE)
    assert done.returncode == 0, done.stderr
    for heading in ("Distance", "Moving", "Pace", "Splits per km", "Best efforts", "1 km"):
        assert heading in done.stdout


def test_the_device_follows_the_format_in_tables_and_json() -> None:
    done = run_check(SAMPLE)
    assert done.returncode == 0, done.stderr
    lines = [line.strip("│ ").split(None, 1) for line in done.stdout.splitlines()]
    labels = [line[0] for line in lines if line]
    assert labels[labels.index("Kind") + 1] == "Device"
    assert ["Device", "Garmin Connect"] in [line[:2] for line in lines]
    assert json.loads(run_check(SAMPLE, "--json").stdout)["device"] == "Garmin Connect"


def test_a_file_naming_no_device_has_no_device_line(tmp_path: Path) -> None:
    nameless = tmp_path / "nameless.gpx"
    nameless.write_bytes(SAMPLE.read_bytes().replace(b'creator="Garmin Connect" ', b""))
    done = run_check(nameless)
    assert done.returncode == 0, done.stderr
    assert "Device" not in done.stdout
    assert json.loads(run_check(nameless, "--json").stdout)["device"] is None


def test_gzip_and_miles(tmp_path: Path) -> None:
    packed = tmp_path / "sample.gpx.gz"
    packed.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    plain = json.loads(run_check(SAMPLE, "--json").stdout)
    unpacked = json.loads(run_check(packed, "--json").stdout)
    assert unpacked["distance_m"] == plain["distance_m"]
    done = run_check(packed, "--miles")
    assert "Splits per mi" in done.stdout


def test_route_says_it_has_no_times() -> None:
    path = runfiles.route_without_times()
    done = run_check(path, "--json")
    assert done.returncode == 0
    route = json.loads(done.stdout)
    assert route["kind"] == "route"
    assert route["elapsed_s"] is None and route["moving_s"] is None
    assert math.isclose(route["distance_m"], reference.distance_m(path), abs_tol=0.05)
    assert any("no timestamps" in note for note in route["notes"])


def round_the_globe(points: int) -> str:
    """A GPX whose points, 3 s apart, each sit a continent away from the last."""
    rows = "\n".join(
        f'<trkpt lat="{50.0 * (-1) ** i}" lon="{(i * 97) % 360 - 180}">'
        f"<time>2024-05-01T07:{3 * i // 60:02d}:{3 * i % 60:02d}Z</time></trkpt>"
        for i in range(points)
    )
    return (
        '<?xml version="1.0"?>\n<gpx version="1.1" creator="x"'
        ' xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>\n'
        f"{rows}\n</trkseg></trk></gpx>\n"
    )


@pytest.mark.parametrize("points", [20, 50])
def test_a_tiny_file_round_the_globe_is_a_short_answer(tmp_path: Path, points: int) -> None:
    path = tmp_path / "globe.gpx"
    path.write_text(round_the_globe(points))
    assert path.stat().st_size < 4000
    done = run_check(path, "--json")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) < 100_000
    run = json.loads(done.stdout, parse_constant=no_nan)
    assert run["distance_m"] > 100_000_000  # what the file claims ...
    assert run["counted_distance_m"] == 0.0  # ... and what counts
    assert run["splits"] == [] and len(run["flags"]) == 1
    tables = run_check(path)
    assert tables.returncode == 0, tables.stderr
    assert len(tables.stdout) < 20_000
    assert "Counts for missions  0.00 km" in tables.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full to write to")
def test_a_full_disk_is_one_line_and_exit_1() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "heroicrun", "check", str(SAMPLE), "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert done.stderr == "error: could not write the output (No space left on device)\n"
