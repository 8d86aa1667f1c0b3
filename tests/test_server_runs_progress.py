"""The answer to an upload through the API: what each run did in every mission (km before and
after, the next place, chapters, or why it does not count) and the whole request in four
numbers; what counts, with real files; and marking a run's sport, which the missions follow."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from heroicrun import reading
from heroicrun.missions.loading import Catalog
from tests.conftest import bearer, make_runner
from tests.factory import TrackBuilder
from tests.helpers.enrolling import enrol
from tests.helpers.files import gpx_text, zipped
from tests.helpers.missions import a_mission
from tests.helpers.real import real

ENROLLED = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
ROAD = a_mission(
    {"kind": "route_km", "km": 0},
    {"kind": "distance", "km": 3},
    {"kind": "route_km", "km": 5},
    {"kind": "route_km", "km": 20},
    route_km=[0, 5, 20],
    id="road",
    title="The Road",
)
PLAN = a_mission({"kind": "runs", "count": 3, "km": 1}, id="plan", title="The Plan")
CATALOG = Catalog((PLAN, ROAD), (), Path("."))


@pytest.fixture
def game(client: TestClient) -> Iterator[TestClient]:
    """A client whose server plays the test missions."""
    client.app.state.catalog = CATALOG  # type: ignore[attr-defined]
    yield client


def run_file(km: float, start: datetime, minutes_per_km: float = 6.0) -> bytes:
    duration_s = km * minutes_per_km * 60
    builder = TrackBuilder(start_time_s=start.timestamp())
    return gpx_text(builder.run(km * 1000, duration_s, step_s=10.0).build())


def post(client: TestClient, token: str, *files: tuple[str, bytes], status: int = 201) -> Any:
    answer = client.post(
        "/api/runs", headers=bearer(token), files=[("files", file) for file in files]
    )
    assert answer.status_code == status, answer.text
    return answer.json()


def in_mission(run: dict[str, Any], mission_id: str) -> dict[str, Any]:
    [found] = [item for item in run["progress"] if item["mission"] == mission_id]
    return found


# --- the answer ----------------------------------------------------------------------------------


def test_each_run_says_what_it_did_in_every_mission(game: TestClient) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "road", ENROLLED)
    enrol(game, token, "plan", ENROLLED)
    first = post(game, token, ("tuesday.gpx", run_file(8.0, ENROLLED + timedelta(days=1))))

    assert first["summary"] == {"stored": 1, "duplicates": 0, "refused": 0, "not_counted": 0}
    [run] = first["runs"]
    assert run["not_counted"] is None and run["marked_sport"] is None
    assert in_mission(run, "road") == {
        "mission": "road",
        "title": "The Road",
        "counts": True,
        "counted_km": pytest.approx(8.0, abs=0.01),
        "km_before": 0.0,
        "km_after": pytest.approx(8.0, abs=0.01),
        "next_place": "C",
        "to_next_km": pytest.approx(12.0, abs=0.01),
        "unlocked": [{"beat": "beat-2", "title": "Beat 2"}, {"beat": "beat-3", "title": "Beat 3"}],
        "reason": None,
        "team": None,
    }
    assert in_mission(run, "plan") == {
        "mission": "plan",
        "title": "The Plan",
        "counts": True,
        "counted_km": None,
        "km_before": None,
        "km_after": None,
        "next_place": None,
        "to_next_km": None,
        "unlocked": [],
        "reason": None,
        "team": None,
    }

    second = post(game, token, ("wednesday.gpx", run_file(5.0, ENROLLED + timedelta(days=2))))
    road = in_mission(second["runs"][0], "road")
    assert road["km_before"] == pytest.approx(8.0, abs=0.01)
    assert road["km_after"] == pytest.approx(13.0, abs=0.01)
    assert road["counted_km"] == pytest.approx(5.0, abs=0.01)
    assert road["to_next_km"] == pytest.approx(7.0, abs=0.01) and road["unlocked"] == []


def test_the_summary_counts_stored_duplicates_refused_and_not_counted(game: TestClient) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "road", ENROLLED)
    today = run_file(4.0, ENROLLED + timedelta(hours=2))
    post(game, token, ("today.gpx", today))
    answer = post(
        game,
        token,
        ("again.gpx.gz", gzip.compress(today)),
        ("tomorrow.gpx", run_file(3.0, ENROLLED + timedelta(days=1))),
        ("old.gpx", run_file(3.0, ENROLLED - timedelta(days=400))),
        ("broken.gpx", b"<gpx"),
    )
    assert answer["summary"] == {"stored": 2, "duplicates": 1, "refused": 1, "not_counted": 1}
    again, tomorrow, old = answer["runs"]
    assert again["duplicate"] and again["file"] == "today.gpx"
    said = in_mission(again, "road")
    assert said["reason"] == f"already uploaded, as run {again['id']}"
    assert said["counted_km"] == 0.0 and said["unlocked"] == []
    assert said["km_before"] == said["km_after"]
    assert in_mission(tomorrow, "road")["counts"]
    assert old["not_counted"] == "recorded a year before you enrolled"
    assert in_mission(old, "road")["reason"] == "recorded a year before you enrolled"

    nothing = post(game, token, ("broken.gpx", b"<gpx"), status=422)
    assert nothing["summary"] == {"stored": 0, "duplicates": 0, "refused": 1, "not_counted": 0}


def test_without_a_mission_a_run_has_no_progress_but_still_says_what_it_is(
    game: TestClient,
) -> None:
    token = make_runner(game, "ann")
    ride = real("tcxreader/mapmyride_biking.tcx")
    answer = post(game, token, ("ride.tcx", ride.read_bytes()))
    [run] = answer["runs"]
    assert run["progress"] == []
    assert run["not_counted"].startswith("a ride (the file says cycling)")
    assert answer["summary"]["not_counted"] == 1


# --- what counts, with real files ----------------------------------------------------------------


def test_a_real_ride_declared_cycling_counts_for_nothing_and_says_so(game: TestClient) -> None:
    # MapMyRide's TCX says Sport="Biking": 17 km, the evening of 12 November 2022.
    token = make_runner(game, "ann")
    enrol(game, token, "road", datetime(2022, 11, 12, 12, tzinfo=UTC))
    [run] = post(game, token, ("ride.tcx", real("tcxreader/mapmyride_biking.tcx").read_bytes()))[
        "runs"
    ]
    said = "a ride (the file says cycling): only runs, walks and hikes count"
    assert run["sport"] == "cycling" and run["not_counted"] == said
    road = in_mission(run, "road")
    assert road["reason"] == said and road["counted_km"] == 0.0 and road["km_after"] == 0.0
    listed = game.get("/api/runs", headers=bearer(token)).json()["runs"]
    assert [item["not_counted"] for item in listed] == [said]
    detail = game.get(f"/api/runs/{run['id']}", headers=bearer(token)).json()
    assert detail["not_counted"] == said


def test_a_real_file_from_2014_says_how_long_before_enrolling_it_was_recorded(
    game: TestClient,
) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "road", ENROLLED)
    enrol(game, token, "plan", ENROLLED)
    data = real("goldencheetah/Move_2014_01_17_09_33_11.gpx").read_bytes()
    [run] = post(game, token, ("Move.gpx", data))["runs"]
    said = "recorded 10 years before you enrolled"
    assert run["not_counted"] == said
    assert [item["reason"] for item in run["progress"]] == [said, said]
    assert [item["unlocked"] for item in run["progress"]] == [[], []]
    shown = game.get("/api/missions/plan/progress", headers=bearer(token)).json()
    assert shown["goals"][0]["detail"] == "0 of 3 runs of 1 km or more"


def test_a_real_ride_that_names_no_sport_is_judged_by_its_speeds(game: TestClient) -> None:
    # 40.7 km in 1 h 40 min, 2010, in a GPX that names no sport.
    token = make_runner(game, "ann")
    enrol(game, token, "road", datetime(2010, 3, 21, 21, tzinfo=UTC))
    data = real("goldencheetah/1292585194-20906.gpx").read_bytes()
    [run] = post(game, token, ("evening.gpx", data))["runs"]
    assert run["sport"] is None
    assert run["not_counted"].startswith("a ride, by its speeds (24.9 of 40.7 km")
    assert in_mission(run, "road")["km_after"] == 0.0

    marked = game.patch(f"/api/runs/{run['id']}", headers=bearer(token), json={"sport": "run"})
    assert marked.status_code == 200, marked.text
    assert marked.json()["marked_sport"] == "running" and marked.json()["not_counted"] is None
    shown = game.get("/api/missions/road/progress", headers=bearer(token)).json()
    assert shown["progress_km"] == pytest.approx(15.75, abs=0.01)  # its stretches on foot


def test_one_real_activity_as_gpx_zipped_tcx_and_fit_counts_once(game: TestClient) -> None:
    # FitTrackee's 25 points as GPX and TCX (2018), and a Strava FIT with its GPX export (2021).
    token = make_runner(game, "ann")
    enrol(game, token, "road", datetime(2018, 3, 13, 12, tzinfo=UTC))
    gpx = real("fittrackee/gpx_file.gpx").read_bytes()
    sent = post(
        game,
        token,
        ("gpx_file.gpx", gpx),
        ("export.zip", zipped({"activities/1.gpx": gpx}).getvalue()),
        ("tcx_file.tcx", real("fittrackee/tcx_with_one_lap_and_one_track.tcx").read_bytes()),
    )
    assert [run["duplicate"] for run in sent["runs"]] == [False, True, True]
    assert {run["id"] for run in sent["runs"]} == {sent["runs"][0]["id"]}
    assert sent["summary"] == {"stored": 1, "duplicates": 2, "refused": 0, "not_counted": 0}
    shown = game.get("/api/missions/road/progress", headers=bearer(token)).json()
    assert shown["progress_km"] == pytest.approx(0.317, abs=0.002)

    fit_path = real("python-fitparse/strava-android-app-201.10-b1218918.fit")
    enrol(game, token, "plan", datetime(2021, 9, 27, 12, tzinfo=UTC))
    watch = post(game, token, ("watch.fit", fit_path.read_bytes()))["runs"][0]
    export = gpx_text(reading.read_path(fit_path))
    [again] = post(game, token, ("watch.gpx", export))["runs"]
    assert again["duplicate"] and again["id"] == watch["id"]
    assert in_mission(again, "plan")["reason"] == f"already uploaded, as run {watch['id']}"
    assert game.get("/api/runs", headers=bearer(token)).json()["total"] == 2


# --- marking a run's sport -----------------------------------------------------------------------


def test_marking_a_run_a_ride_takes_its_km_and_chapters_and_back_again(game: TestClient) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "road", ENROLLED)
    [run] = post(game, token, ("run.gpx", run_file(6.0, ENROLLED + timedelta(days=1))))["runs"]
    path = f"/api/runs/{run['id']}"

    ride = game.patch(path, headers=bearer(token), json={"sport": "cycling"})
    assert ride.status_code == 200, ride.text
    assert ride.json()["sport"] is None  # what the file said
    assert ride.json()["marked_sport"] == "cycling"
    assert ride.json()["not_counted"] == (
        "a ride (you marked it so): only runs, walks and hikes count"
    )
    shown = game.get("/api/missions/road/progress", headers=bearer(token)).json()
    assert shown["progress_km"] == 0.0 and shown["unlocked"] == ["beat-1"]
    assert game.get(path, headers=bearer(token)).json()["marked_sport"] == "cycling"

    back = game.patch(path, headers=bearer(token), json={"sport": None})
    assert back.status_code == 200 and back.json()["marked_sport"] is None
    shown = game.get("/api/missions/road/progress", headers=bearer(token)).json()
    assert shown["unlocked"] == ["beat-1", "beat-2", "beat-3"]
    assert shown["goals"][1]["unlocked_by"] == "run.gpx"


def test_a_mark_must_name_a_sport_and_a_run_of_yours(game: TestClient) -> None:
    token, other = make_runner(game, "ann"), make_runner(game, "bob")
    [run] = post(game, token, ("run.gpx", run_file(2.0, ENROLLED)))["runs"]
    path = f"/api/runs/{run['id']}"
    unknown = game.patch(path, headers=bearer(token), json={"sport": "juggling"})
    assert unknown.status_code == 422
    assert "'juggling' is not a sport heroicrun knows" in unknown.text
    assert game.patch(path, headers=bearer(token), json={"colour": "red"}).status_code == 422
    assert game.patch(path, headers=bearer(other), json={"sport": "cycling"}).status_code == 404
    unchanged = game.patch(path, headers=bearer(token), json={})
    assert unchanged.status_code == 200 and unchanged.json()["marked_sport"] is None


def test_deleting_a_run_judges_the_missions_again(game: TestClient) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "road", ENROLLED)
    [long] = post(game, token, ("long.gpx", run_file(6.0, ENROLLED + timedelta(days=2))))["runs"]
    [short] = post(game, token, ("short.gpx", run_file(3.5, ENROLLED + timedelta(days=1))))["runs"]
    shown = game.get("/api/missions/road/progress", headers=bearer(token)).json()
    assert shown["goals"][1]["unlocked_by"] == "long.gpx"  # the ledger: it was first
    assert game.delete(f"/api/runs/{long['id']}", headers=bearer(token)).status_code == 204
    shown = game.get("/api/missions/road/progress", headers=bearer(token)).json()
    assert shown["unlocked"] == ["beat-1", "beat-2"]
    assert shown["goals"][1]["unlocked_by"] == "short.gpx"
    assert shown["progress_km"] == pytest.approx(3.5, abs=0.01)
    assert short["id"] != long["id"]
