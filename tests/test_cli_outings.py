"""`heroicrun check` on files of several outings, a ride and a run without GPS, in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from heroicrun.cli.commands import app
from tests.helpers import outing_files
from tests.helpers.outing_files import SEASON, START
from tests.helpers.real import real

WIDE = {"COLUMNS": "200"}  # no wrapping inside the tables' cells


def check(*args: str | Path) -> Result:
    return CliRunner().invoke(app, ["check", *map(str, args)], env=WIDE)


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def three(tmp_path: Path) -> Path:
    """Three runs months apart in one GPX file."""
    path = tmp_path / "three-seasons.gpx"
    path.write_bytes(outing_files.gpx_outings(3))
    return path


@pytest.fixture
def ride(tmp_path: Path) -> Path:
    path = tmp_path / "ride.tcx"
    path.write_bytes(outing_files.tcx_ride())
    return path


@pytest.fixture
def treadmill(tmp_path: Path) -> Path:
    path = tmp_path / "treadmill.tcx"
    path.write_bytes(outing_files.tcx_without_gps())
    return path


def alone(tmp_path: Path, which: int) -> Path:
    """Run `which` (0, 1, 2) of `three`, in a file of its own."""
    path = tmp_path / f"run-{which}.gpx"
    path.write_bytes(outing_files.gpx_outings(1, first=START + which * SEASON))
    return path


def test_a_file_of_three_outings_prints_each_under_a_heading(three: Path) -> None:
    result = check(three, "--mission", "reach-sparta")

    assert result.exit_code == 0, result.output
    headings = [line for line in result.stdout.splitlines() if " — outing " in line]
    assert headings == [f"{three} — outing {k} of 3" for k in (1, 2, 3)]
    # Each outing has its own stats and its own missions table.
    assert result.stdout.count("Kind") == 3
    assert result.stdout.count("Missions") == 3
    assert "Sport" in result.stdout and "running" in result.stdout


def test_json_of_a_file_of_three_outings_is_an_array_each_measured_alone(
    three: Path, tmp_path: Path
) -> None:
    outings = as_json(check(three, "--json"))

    assert isinstance(outings, list) and len(outings) == 3
    assert [(run["outing"], run["outings"]) for run in outings] == [(1, 3), (2, 3), (3, 3)]
    for which, run in enumerate(outings):
        by_itself = as_json(check(alone(tmp_path, which), "--json"))
        assert isinstance(by_itself, dict) and by_itself["outing"] == by_itself["outings"] == 1
        assert run["start_time"] == by_itself["start_time"]
        for key in ("distance_m", "elapsed_s", "moving_s", "points", "splits", "best_efforts"):
            assert run[key] == by_itself[key], key
        assert run["sport"] == "running" and run["on_foot"] is True and run["gps"] is True


def test_several_files_give_one_element_each_a_file_of_outings_its_array(
    three: Path, ride: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.gpx"
    broken.write_text("<gpx><trk><trkseg><trkpt lat='1' lon='2'>")

    result = check(three, ride, broken, "--json")

    assert result.exit_code == 1
    first, second, third = json.loads(result.stdout)
    assert [run["outing"] for run in first] == [1, 2, 3]
    assert isinstance(second, dict) and second["file"] == str(ride) and second["outings"] == 1
    assert set(third) == {"file", "error"} and "broken.gpx" in third["error"]
    assert "broken.gpx" in result.stderr and "Traceback" not in result.output


def test_missions_are_judged_outing_by_outing(three: Path, tmp_path: Path) -> None:
    outings = as_json(check(three, "--json", "--mission", "reach-sparta"))
    by_itself = as_json(check(alone(tmp_path, 0), "--json", "--mission", "reach-sparta"))

    [alone_km] = [mission["progress_km"] for mission in by_itself["missions"]]
    assert alone_km > 0
    # Each outing moves the mission as far as its own run does, never the three together.
    assert [run["missions"][0]["progress_km"] for run in outings] == [alone_km] * 3


def test_a_ride_says_it_does_not_count_and_counts_no_km(ride: Path) -> None:
    result = check(ride, "--mission", "reach-sparta")
    assert result.exit_code == 0, result.output
    assert "cycling — does not count for missions" in result.stdout

    described = as_json(check(ride, "--json", "--mission", "reach-sparta"))
    assert described["sport"] == "cycling" and described["on_foot"] is False
    assert described["distance_m"] > 19_000
    assert described["missions"][0]["progress_km"] == 0


def test_a_run_without_gps_says_so_and_counts_its_device_distance(treadmill: Path) -> None:
    result = check(treadmill)
    assert result.exit_code == 0, result.output
    assert "without GPS (distance from the device)" in result.stdout

    described = as_json(check(treadmill, "--json", "--mission", "reach-sparta"))
    assert described["gps"] is False and described["sport"] == "running"
    # The file's last DistanceMeters is 5000.0.
    assert described["distance_m"] == pytest.approx(5000.0, abs=0.5)
    assert described["missions"][0]["progress_km"] == pytest.approx(
        described["counted_distance_m"] / 1000, abs=0.01
    )


def test_a_ride_with_fast_stretches_shows_no_count_for_missions() -> None:
    # MapMyRide's real ride has stretches flagged at a vehicle's speed: its distance on foot
    # (14 km) is no count when the file says it was a ride.
    result = check(real("tcxreader/mapmyride_biking.tcx"))
    assert result.exit_code == 0, result.output
    assert "cycling — does not count for missions" in result.stdout
    assert "Counts for missions" not in result.stdout


def test_a_ride_that_names_no_sport_is_called_ridden_by_its_speeds() -> None:
    # A 2010 GPX of 40.7 km naming no sport: 24.9 km at a vehicle's speed, the rest at 15.7 km/h.
    result = check(real("goldencheetah/1292585194-20906.gpx"), "--mission", "reach-sparta")
    assert result.exit_code == 0, result.output
    assert "none named; a ride, by its speeds (24.9 of 40.7 km" in result.stdout
    assert "Counts for missions" not in result.stdout
    assert "Reach Sparta" in result.stdout and "0/12" in result.stdout
