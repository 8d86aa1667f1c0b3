"""The missions API: a public catalog, enrolments, progress with the story so far, a dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from heroicrun.db.schema import Run, Runner, Verdict
from heroicrun.missions import catalog, describe
from heroicrun.play import missions as play
from heroicrun.server import missions as routes
from heroicrun.track import Track
from tests.conftest import bearer, make_runner
from tests.helpers.stored_runs import CATALOG, ENROLLED, ROAD, a_track, add_run, gpx_of

NOW = ENROLLED + timedelta(days=3)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The server's clock, fixed at NOW until a test moves it."""
    moment = [NOW]
    monkeypatch.setattr(routes, "_now", lambda: moment[0])
    return moment


@pytest.fixture
def game(client: TestClient, clock: list[datetime]) -> Iterator[TestClient]:
    """A client whose server plays the test missions."""
    client.app.state.catalog = CATALOG
    yield client


def writing(client: TestClient) -> Session:
    session: Session = client.app.state.writers()
    return session


def runner_named(session: Session, name: str) -> Runner:
    found = session.scalar(select(Runner).where(Runner.name == name))
    assert found is not None
    return found


def give_run(client: TestClient, runner: str, km: float, days: float, **options: Any) -> int:
    """Store a run for the runner called `runner`, `days` after ENROLLED; its id."""
    with writing(client) as session:
        run = add_run(session, runner_named(session, runner), km, days, **options)
        session.commit()
        return run.id


def enrol(client: TestClient, token: str, mission_id: str, at: datetime = ENROLLED) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(routes, "_now", lambda: at)
        response = client.post(f"/api/missions/{mission_id}/enrol", headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()


# --- the catalog ---------------------------------------------------------------------------


def test_the_catalog_is_public_and_lists_what_the_cli_lists(client: TestClient) -> None:
    response = client.get("/api/missions")
    assert response.status_code == 200
    assert response.json() == [describe.listing(m) for m in catalog.bundled().missions]


def test_a_mission_keeps_its_story_unless_asked_for_spoilers(client: TestClient) -> None:
    sparta = catalog.bundled().get("reach-sparta")
    assert sparta is not None
    shown = client.get("/api/missions/reach-sparta").json()
    assert all(beat["text"] is None for beat in shown["beats"])
    expected = describe.details(sparta)
    for beat in expected["beats"]:
        beat["text"] = None
    assert shown == expected

    spoiled = client.get("/api/missions/reach-sparta", params={"spoilers": "true"}).json()
    assert spoiled == describe.details(sparta, spoilers=True)
    assert spoiled["beats"][0]["text"] == sparta.beats[0].text


def test_an_unknown_mission_is_a_404_everywhere(game: TestClient) -> None:
    token = make_runner(game, "ann")
    assert game.get("/api/missions/atlantis").json() == {"detail": "there is no mission 'atlantis'"}
    for method, path in [
        ("GET", "/api/missions/atlantis"),
        ("POST", "/api/missions/atlantis/enrol"),
        ("GET", "/api/missions/atlantis/progress"),
    ]:
        assert game.request(method, path, headers=bearer(token)).status_code == 404


def test_a_runners_routes_need_a_sign_in(game: TestClient) -> None:
    for method, path in [
        ("POST", "/api/missions/test-road/enrol"),
        ("GET", "/api/enrolments"),
        ("GET", "/api/missions/test-road/progress"),
        ("GET", "/api/dashboard"),
    ]:
        response = game.request(method, path, headers=bearer("hr_wrong"))
        assert response.status_code == 401, path


# --- enrolments and progress ---------------------------------------------------------------


def test_enrolling_and_restarting(game: TestClient) -> None:
    token = make_runner(game, "ann")
    first = enrol(game, token, "test-road")
    assert first == {
        "id": first["id"],
        "mission": "test-road",
        "title": "Test Road",
        "enrolled_at": "2024-05-01T06:00:00Z",
        "active": True,
    }
    second = enrol(game, token, "test-road", ENROLLED + timedelta(days=1))
    listed = game.get("/api/enrolments", headers=bearer(token)).json()
    assert listed == [second, {**first, "active": False}]


def test_progress_moves_with_runs_and_tells_the_story_so_far(game: TestClient) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "test-road")
    give_run(game, "ann", 4.0, days=-1.5, name="before.gpx")  # over a day before: ignored
    response = game.get("/api/missions/test-road/progress", headers=bearer(token))
    assert response.status_code == 200
    shown = response.json()
    assert shown["progress_km"] == 0.0
    assert shown["unlocked"] == ["set-out"]
    assert [beat["beat"] for beat in shown["story"]] == ["set-out"]
    assert shown["story"][0]["text"] == ROAD.beats[0].text
    assert shown["weekly_km"] == 1.0

    give_run(game, "ann", 5.5, days=1, name="long.gpx")
    shown = game.get("/api/missions/test-road/progress", headers=bearer(token)).json()
    assert shown["unlocked"] == ["set-out", "first-steps", "megara"]
    assert shown["progress_km"] == pytest.approx(5.5, abs=0.01)
    assert shown["goals"][1] | {"detail": None} == {
        "beat": "first-steps",
        "title": "First Steps",
        "status": "unlocked",
        "met": True,
        "detail": None,
        "goal": "Run 3 km in one run",
        "unlocked_by": "long.gpx",
        "unlocked_at": shown["goals"][1]["unlocked_at"],
    }
    assert shown["goals"][3]["status"] == "next"
    assert shown["position"]["last_place"] == "Megara"
    assert shown["position"]["next_place"] == "Corinth"
    assert [beat["title"] for beat in shown["story"]] == [
        "Setting Out",
        "First Steps",
        "The Dust of the Sacred Way",
    ]
    assert shown["enrolled_at"] == "2024-05-01T06:00:00Z"

    with writing(game) as session:
        mission, earned = play.progress(
            session, CATALOG, runner_named(session, "ann"), "test-road", NOW
        )
    expected = describe.progress(mission, earned)
    assert {key: shown[key] for key in expected} == expected  # the same as `check --json`


def test_restarting_resets_progress(game: TestClient) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "test-road")
    give_run(game, "ann", 5.5, days=1)
    # Over a day after the run: a run recorded within a day before enrolling would count.
    enrol(game, token, "test-road", ENROLLED + timedelta(days=3))
    shown = game.get("/api/missions/test-road/progress", headers=bearer(token)).json()
    assert shown["progress_km"] == 0.0 and shown["unlocked"] == ["set-out"]


def test_a_deleted_run_takes_its_progress_with_it(game: TestClient) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "test-road")
    give_run(game, "ann", 3.5, days=1)
    second = give_run(game, "ann", 2.0, days=2)
    shown = game.get("/api/missions/test-road/progress", headers=bearer(token)).json()
    assert shown["unlocked"] == ["set-out", "first-steps", "megara"]
    with writing(game) as session:
        session.execute(delete(Run).where(Run.id == second))
        session.commit()
    shown = game.get("/api/missions/test-road/progress", headers=bearer(token)).json()
    assert shown["unlocked"] == ["set-out", "first-steps"]
    assert shown["progress_km"] == pytest.approx(3.5, abs=0.01)


def test_progress_remembers_the_verdicts_it_judged(
    game: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "test-road")
    give_run(game, "ann", 2.0, days=1)
    give_run(game, "ann", 2.5, days=2)
    first = game.get("/api/missions/test-road/progress", headers=bearer(token)).json()
    with writing(game) as session:
        assert session.scalar(select(func.count()).select_from(Verdict)) == 2

    def unreadable(session: Session, sha256: str, name: str) -> Track:
        raise AssertionError(f"{name} was read again")

    monkeypatch.setattr(play, "_read", unreadable)
    again = game.get("/api/missions/test-road/progress", headers=bearer(token)).json()
    assert again == first


def test_an_upload_says_what_it_unlocked_and_a_deletion_takes_it_back(
    game: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "test-road")
    data = gpx_of(a_track(5.5, ENROLLED + timedelta(days=1)))
    response = game.post("/api/runs", files={"files": ("morning.gpx", data)}, headers=bearer(token))
    assert response.status_code == 201, response.text
    [stored] = response.json()["runs"]
    assert [item["message"] for item in stored["unlocked"]] == [
        "Test Road: 'First Steps' unlocked",
        "Test Road: Megara reached — 'The Dust of the Sacred Way' unlocked",
    ]

    def unreadable(session: Session, sha256: str, name: str) -> Track:
        raise AssertionError(f"{name} was read again")

    monkeypatch.setattr(play, "_read", unreadable)  # judged once, at upload
    shown = game.get("/api/missions/test-road/progress", headers=bearer(token)).json()
    assert shown["unlocked"] == ["set-out", "first-steps", "megara"]

    again = game.post("/api/runs", files={"files": ("again.gpx", data)}, headers=bearer(token))
    assert again.json()["runs"][0]["duplicate"] is True
    assert again.json()["runs"][0]["unlocked"] == []

    assert game.delete(f"/api/runs/{stored['id']}", headers=bearer(token)).status_code == 204
    shown = game.get("/api/missions/test-road/progress", headers=bearer(token)).json()
    assert shown["unlocked"] == ["set-out"] and shown["progress_km"] == 0.0


def test_one_runner_sees_nothing_of_anothers(game: TestClient) -> None:
    ann = make_runner(game, "ann")
    bob = make_runner(game, "bob")
    bobs = enrol(game, bob, "test-trial")
    give_run(game, "bob", 2.0, days=1)
    response = game.get("/api/missions/test-trial/progress", headers=bearer(ann))
    assert response.status_code == 404
    assert response.json() == {"detail": "you are not enrolled in 'Test Trial' (test-trial)"}
    assert game.get("/api/enrolments", headers=bearer(ann)).json() == []
    assert game.get("/api/dashboard", headers=bearer(ann)).json()["missions"] == []
    assert game.get("/api/enrolments", headers=bearer(bob)).json() == [bobs]

    enrol(game, ann, "test-trial")  # ann's own enrolment leaves bob's alone
    assert game.get("/api/enrolments", headers=bearer(bob)).json() == [bobs]
    shown = game.get("/api/missions/test-trial/progress", headers=bearer(ann)).json()
    assert shown["unlocked"] == []


# --- the dashboard -------------------------------------------------------------------------


def test_the_dashboard(game: TestClient) -> None:
    token = make_runner(game, "ann")
    enrol(game, token, "test-trial")
    give_run(game, "ann", 1.5, days=0.5, name="morning.gpx")
    board = game.get("/api/dashboard", headers=bearer(token)).json()
    assert board["runner"] == "ann"
    assert board["missions"] == [
        {
            "id": "test-trial",
            "title": "Test Trial",
            "kind": "challenge",
            "status": "in_progress",
            "enrolled_at": "2024-05-01T06:00:00Z",
            "beats": 2,
            "unlocked": [],
            "progress_km": None,
            "route_km": None,
            "next_beat": "Two Runs",
            "next_detail": "1 of 2 runs of 1 km or more, 4 days left",
            "deadline_at": "2024-05-08T06:00:00Z",
            "days_left": 4.0,
            "ahead": {"runs": 1, "km": None, "words": "Two Runs: 1 more run"},
            "club_id": None,
            "club": None,
        }
    ]
    assert board["team_missions"] == []
    assert board["totals"]["runs"] == 1
    assert board["totals"]["counted_distance_m"] == pytest.approx(1500, abs=1)
    [latest] = board["latest_runs"]
    assert latest["file"] == "morning.gpx" and latest["kind"] == "run"
    assert latest["start_time"] == "2024-05-01T18:00:00Z"
    assert [m["id"] for m in board["not_started"]] == ["test-road"]
    assert board["not_started"][0]["summary"] == "A mission for tests."


def test_the_openapi_document_describes_the_responses(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    schemas = document["components"]["schemas"]
    expected = {
        ("/api/missions", "get"): None,
        ("/api/missions/{mission_id}", "get"): "MissionDetails",
        ("/api/missions/{mission_id}/enrol", "post"): "EnrolmentOut",
        ("/api/missions/{mission_id}/progress", "get"): "ProgressOut",
        ("/api/dashboard", "get"): "Dashboard",
    }
    for (path, method), name in expected.items():
        operation = paths[path][method]
        ok = "201" if method == "post" else "200"
        schema = operation["responses"][ok]["content"]["application/json"]["schema"]
        if name is not None:
            assert schema == {"$ref": f"#/components/schemas/{name}"}
        if path != "/api/missions":
            assert "404" in operation["responses"] or path == "/api/dashboard"
    fields = set(schemas["ProgressOut"]["properties"])
    assert {"progress_km", "unlocked", "goals", "position", "eta", "story"} <= fields
