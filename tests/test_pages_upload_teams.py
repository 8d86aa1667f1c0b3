"""The upload page tells what a run did for the runner's teams: the club, the km it added, where
the team stands, and a chapter unlocked for the whole team."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from tests.conftest import bearer, make_runner
from tests.helpers.stored_runs import a_track, gpx_of
from tests.helpers.web import post_upload, sign_in

MISSION = "the-182-heroes"


def test_the_upload_page_shows_the_teams_share_and_its_chapter(client: TestClient) -> None:
    ann, bob = make_runner(client, "ann"), make_runner(client, "bob")
    made = client.post("/api/clubs", headers=bearer(ann), json={"name": "Megara RC"}).json()
    joined = client.post("/api/clubs/join", headers=bearer(bob), json={"code": made["code"]})
    assert joined.status_code == 200
    enrolled = client.post(f"/api/clubs/{made['id']}/missions/{MISSION}/enrol", headers=bearer(ann))
    assert enrolled.status_code == 201
    soon = datetime.now(UTC) + timedelta(minutes=5)
    form_token = sign_in(client, "bob")
    page = post_upload(client, form_token, ("bob.gpx", gpx_of(a_track(0.6, soon))))
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "1 run stored · 1 new chapter unlocked" in words
    assert "with Megara RC" in words
    assert re.search(r"\+0\.6 km for the team · the team is at km 0\.6 of 18\d", words), words
    assert "Chapter 1 unlocked for the team" in words or "Chapter 2 unlocked for the team" in words
    assert f'href="/clubs/{made["id"]}"' in page
    # Bob's runs count for his club's mission: no page tells him he is in no mission.
    assert "in no mission yet" not in words
    assert "not in a mission yet" not in client.get("/upload").text
    [run_id] = re.findall(r'href="/runs/(\d+)"', page)[:1]
    shown = html.unescape(
        " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/runs/{run_id}").text).split())
    )
    assert "The 182 Heroes' Charge with Megara RC: +0.6 km for the team" in shown
    assert "Counted for The 182 Heroes' Charge with Megara RC (+0.6 km for the team" in shown
    assert "in no mission yet" not in shown
    # A teammate sees the team's km, never the run itself.
    assert client.get(f"/api/runs/{run_id}", headers=bearer(ann)).status_code == 404
