"""The team mission routes: three runners, one club, one team journey; outsiders get 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import bearer, make_runner
from tests.helpers.stored_runs import a_track, gpx_of

MISSION = "the-182-heroes"


def upload(client: TestClient, token: str, km: float, minutes: float, name: str) -> Any:
    """A run of `km` starting `minutes` from now (after the team started)."""
    start = datetime.now(UTC) + timedelta(minutes=minutes)
    data = gpx_of(a_track(km, start))
    answer = client.post(
        "/api/runs", headers=bearer(token), files={"files": (name, data, "application/gpx+xml")}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def club_of_three(client: TestClient) -> tuple[int, dict[str, str]]:
    tokens = {name: make_runner(client, name) for name in ("ann", "bob", "cy")}
    made = client.post("/api/clubs", headers=bearer(tokens["ann"]), json={"name": "Megara RC"})
    assert made.status_code == 201, made.text
    for name in ("bob", "cy"):
        joined = client.post(
            "/api/clubs/join", headers=bearer(tokens[name]), json={"code": made.json()["code"]}
        )
        assert joined.status_code == 200, joined.text
    return made.json()["id"], tokens


def test_three_members_run_a_team_journey_and_see_the_same_standing(client: TestClient) -> None:
    club_id, tokens = club_of_three(client)
    url = f"/api/clubs/{club_id}/missions/{MISSION}"
    started = client.post(f"{url}/enrol", headers=bearer(tokens["bob"]))
    assert started.status_code == 201, started.text
    assert started.json()["team"] == {"club_id": club_id, "club": "Megara RC"}
    assert started.json()["progress_km"] == 0
    again = client.post(f"{url}/enrol", headers=bearer(tokens["ann"]))
    assert again.status_code == 409 and "already running" in again.json()["detail"]
    upload(client, tokens["ann"], 0.3, 1, "ann-secret-route.gpx")
    upload(client, tokens["bob"], 0.4, 10, "bob-secret-route.gpx")  # crosses km 0.5
    upload(client, tokens["cy"], 1.0, 20, "cy-secret-route.gpx")
    seen = [client.get(f"{url}/progress", headers=bearer(tokens[name])) for name in tokens]
    assert all(answer.status_code == 200 for answer in seen), seen[0].text
    answers = [answer.json() for answer in seen]
    assert answers[0] == answers[1] == answers[2]
    shown = answers[0]
    assert abs(shown["progress_km"] - 1.7) < 0.05
    assert shown["unlocked"] == ["roll-call"]
    assert [(c["beat"], c["credited_to"]) for c in shown["chapters"]] == [("roll-call", "bob")]
    assert [(m["name"], round(m["km"], 1), m["runs"]) for m in shown["members"]] == [
        ("cy", 1.0, 1),
        ("bob", 0.4, 1),
        ("ann", 0.3, 1),
    ]
    assert "secret" not in seen[0].text  # no member's file, in any field
    listed = client.get(f"/api/clubs/{club_id}/missions", headers=bearer(tokens["cy"]))
    assert listed.status_code == 200
    assert [(item["id"], item["unlocked"]) for item in listed.json()] == [(MISSION, 1)]


def test_an_outsider_gets_404_on_every_team_route(client: TestClient) -> None:
    club_id, tokens = club_of_three(client)
    url = f"/api/clubs/{club_id}/missions/{MISSION}"
    assert client.post(f"{url}/enrol", headers=bearer(tokens["ann"])).status_code == 201
    eve = make_runner(client, "eve")
    for method, path in (
        ("POST", f"{url}/enrol"),
        ("GET", f"{url}/progress"),
        ("GET", f"/api/clubs/{club_id}/missions"),
    ):
        answer = client.request(method, path, headers=bearer(eve))
        assert answer.status_code == 404, (method, path, answer.text)
        assert "Megara" not in answer.text and "ann" not in answer.text


def test_a_club_cannot_start_a_runners_own_challenge_nor_a_runner_a_team_mission(
    client: TestClient,
) -> None:
    club_id, tokens = club_of_three(client)
    own = client.post(
        f"/api/clubs/{club_id}/missions/twenty-minutes/enrol", headers=bearer(tokens["ann"])
    )
    assert own.status_code == 400 and "own challenge" in own.json()["detail"]
    missing = client.post(
        f"/api/clubs/{club_id}/missions/nope/enrol", headers=bearer(tokens["ann"])
    )
    assert missing.status_code == 404
    alone = client.post(f"/api/missions/{MISSION}/enrol", headers=bearer(tokens["ann"]))
    assert alone.status_code == 400 and "team mission" in alone.json()["detail"]
    not_running = client.get(
        f"/api/clubs/{club_id}/missions/riders-relay/progress", headers=bearer(tokens["ann"])
    )
    assert not_running.status_code == 404


def test_a_team_of_three_needs_three_members(client: TestClient) -> None:
    ann = make_runner(client, "ann")
    made = client.post("/api/clubs", headers=bearer(ann), json={"name": "Just Ann"}).json()
    answer = client.post(
        f"/api/clubs/{made['id']}/missions/three-hunters-team/enrol", headers=bearer(ann)
    )
    assert answer.status_code == 400 and "at least 3" in answer.json()["detail"]


def test_an_uploads_progress_answer_tells_what_it_did_for_the_team(client: TestClient) -> None:
    club_id, tokens = club_of_three(client)
    url = f"/api/clubs/{club_id}/missions/{MISSION}"
    assert client.post(f"{url}/enrol", headers=bearer(tokens["ann"])).status_code == 201
    upload(client, tokens["ann"], 0.3, 1, "ann.gpx")
    [run] = upload(client, tokens["bob"], 0.4, 10, "bob.gpx")["runs"]  # crosses km 0.5
    [team] = [entry for entry in run["progress"] if entry["team"] is not None]
    assert team["team"] == {"club_id": club_id, "club": "Megara RC"}
    assert team["mission"] == MISSION and team["counts"] is True
    assert abs(team["counted_km"] - 0.4) < 0.02
    assert abs(team["km_before"] - 0.3) < 0.02 and abs(team["km_after"] - 0.7) < 0.02
    assert [chapter["beat"] for chapter in team["unlocked"]] == ["roll-call"]
    standing = client.get(f"{url}/progress", headers=bearer(tokens["cy"])).json()
    assert abs(standing["progress_km"] - 0.7) < 0.05
