"""`heroicrun progress`: every mission a runner or their clubs are in, as a table, and as JSON
that says what the API says."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from heroicrun.cli import progress as command
from heroicrun.server import clubs as club_routes
from heroicrun.server import missions as mission_routes
from heroicrun.server import teams as team_routes
from tests.conftest import bearer, make_runner
from tests.helpers import runfiles, shell
from tests.helpers.enrolling import FIRST_MORNING, enrol

NOW = FIRST_MORNING + timedelta(days=6)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The server's and the command's clocks, both stopped at NOW."""
    monkeypatch.setattr(mission_routes, "_now", lambda: NOW)
    monkeypatch.setattr(team_routes, "_now", lambda: NOW)
    monkeypatch.setattr(command, "now", lambda: NOW)
    return NOW


def progress(url: str, *args: str) -> shell.Done:
    return shell.heroicrun("progress", *args, env={"HEROICRUN_DATABASE_URL": url})


def upload(client: TestClient, token: str, day: int, km: float) -> None:
    data = runfiles.day_run(day, km)
    sent = client.post(
        "/api/runs",
        headers=bearer(token),
        files={"files": (f"day-{day}.gpx", data, "application/gpx+xml")},
    )
    assert sent.status_code == 201, sent.text


@pytest.fixture
def ann(client: TestClient, clock: datetime) -> str:
    """Ann, in a journey and a challenge, with two runs stored."""
    token = make_runner(client, "ann")
    enrol(client, token, "reach-sparta")
    enrol(client, token, "twenty-minutes")
    upload(client, token, 1, 12.0)
    upload(client, token, 3, 8.0)
    return token


def test_json_says_what_the_api_says(client: TestClient, database_url: str, ann: str) -> None:
    done = progress(database_url, "--runner", "ann", "--json")
    assert done.returncode == 0, done
    entries: list[dict[str, Any]] = json.loads(done.stdout)
    assert {entry["id"] for entry in entries} == {"reach-sparta", "twenty-minutes"}
    for entry in entries:
        api = client.get(f"/api/missions/{entry['id']}/progress", headers=bearer(ann))
        assert api.status_code == 200
        assert entry == api.json()
    sparta = next(entry for entry in entries if entry["id"] == "reach-sparta")
    assert sparta["progress_km"] == pytest.approx(20.0, abs=0.1)


def test_json_says_what_the_api_says_of_a_club_s_team_missions(
    client: TestClient, database_url: str, clock: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, bea = make_runner(client, "ann"), make_runner(client, "bea")
    enrol(client, ann, "reach-sparta")
    # The club is made, joined and starts its missions before the members' runs.
    with monkeypatch.context() as before:
        before.setattr(club_routes, "_now", lambda: FIRST_MORNING)
        before.setattr(team_routes, "_now", lambda: FIRST_MORNING)
        club = client.post("/api/clubs", headers=bearer(ann), json={"name": "Megara"}).json()
        joined = client.post("/api/clubs/join", headers=bearer(bea), json={"code": club["code"]})
        assert joined.status_code == 200
        for mission in ("the-182-heroes", "reach-sparta"):
            started = client.post(
                f"/api/clubs/{club['id']}/missions/{mission}/enrol", headers=bearer(bea)
            )
            assert started.status_code == 201, started.text
    upload(client, ann, 1, 12.0)
    upload(client, bea, 2, 9.0)
    done = progress(database_url, "--runner", "bea", "--json")
    assert done.returncode == 0, done
    entries: list[dict[str, Any]] = json.loads(done.stdout)
    team = [entry for entry in entries if "team" in entry]
    assert sorted(entry["id"] for entry in team) == ["reach-sparta", "the-182-heroes"]
    for entry in team:
        assert entry["team"] == {"club_id": club["id"], "club": "Megara"}
        url = f"/api/clubs/{club['id']}/missions/{entry['id']}/progress"
        api = client.get(url, headers=bearer(bea))
        assert api.status_code == 200
        assert entry == api.json()
        assert entry["progress_km"] == pytest.approx(21.0, abs=0.1)
        assert {(m["name"], m["runs"]) for m in entry["members"]} == {("ann", 1), ("bea", 1)}
    # Bea's own missions: none; ann's: hers, and the club's two.
    assert [entry for entry in entries if "team" not in entry] == []
    ann_done = json.loads(progress(database_url, "--runner", "ann", "--json").stdout)
    assert [("team" in entry, entry["id"]) for entry in ann_done].count((True, "reach-sparta")) == 1
    assert [entry["id"] for entry in ann_done if "team" not in entry] == ["reach-sparta"]
    # The table says who gave what.
    table = progress(database_url, "--runner", "bea").stdout
    assert "The 182 Heroes' Charge (team Megara): under way" in table
    assert "  members   ann 12.0 km (1 run" in table
    assert ", bea 9.0 km (1 run" in table


def test_the_table_names_each_mission_and_its_next_goal(
    client: TestClient, database_url: str, ann: str
) -> None:
    done = progress(database_url, "--runner", "ann")
    assert done.returncode == 0, done
    table = done.stdout
    api = client.get("/api/missions/reach-sparta/progress", headers=bearer(ann)).json()
    upcoming = next(goal for goal in api["goals"] if goal["status"] == "next")
    shown = table.split("\n\n")
    assert len(shown) == 2
    sparta = next(block for block in shown if block.startswith(f"{api['title']}: under way\n"))
    assert f"  done      {api['progress_km']:,.1f} of {api['route_km']:,.1f} km\n" in sparta
    unlocked = f"{len(api['unlocked'])} of {len(api['goals'])} unlocked"
    assert f"  chapters  {unlocked}\n" in sparta
    assert f"  next      {upcoming['title']}: {upcoming['goal']}" in sparta
    # The only runner need not be named.
    assert progress(database_url).stdout == table


def test_a_runner_in_no_mission_is_told_how_to_start(client: TestClient, database_url: str) -> None:
    make_runner(client, "bea")
    done = progress(database_url, "--runner", "bea")
    assert done.returncode == 0 and "in no mission yet" in done.stdout
    assert json.loads(progress(database_url, "--runner", "bea", "--json").stdout) == []


def test_an_unknown_runner_is_one_line_and_status_1(client: TestClient, database_url: str) -> None:
    make_runner(client, "bea")
    make_runner(client, "cal")
    for args, words in (
        (("--runner", "zed"), "no runner called 'zed'"),
        ((), "--runner"),
    ):
        done = progress(database_url, *args)
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.startswith("error: ") and words in done.stderr
        assert len(done.stderr.splitlines()) == 1
