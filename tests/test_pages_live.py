"""The run page: signed-in only; it carries, as data for its script, a free run and a plan for
each mission the runner is in, from where they stand."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from heroicrun.missions.companion import FREE_RUN, Plan
from heroicrun.server.pages.live import script_json
from tests.conftest import bearer, make_runner
from tests.helpers.enrolling import enrol
from tests.helpers.web import sign_in


def plans_of(page: str) -> list[dict[str, Any]]:
    found = re.search(r'<script type="application/json" id="run-plans">(.*?)</script>', page, re.S)
    assert found, "the page carries no plans"
    plans: list[dict[str, Any]] = json.loads(found.group(1))
    return plans


def test_the_run_page_asks_a_signed_out_visitor_to_sign_in(client: TestClient) -> None:
    answer = client.get("/run", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin")


def test_the_run_page_carries_a_plan_for_each_mission_the_runner_is_in(client: TestClient) -> None:
    token = make_runner(client, "ann")
    enrol(client, token, "run-from-the-horde")
    enrol(client, token, "reach-sparta")
    sign_in(client, "ann")
    page = client.get("/run")
    assert page.status_code == 200
    free, *others = plans_of(page.text)
    by_id = {plan["id"]: plan for plan in others}
    horde, sparta = by_id["run-from-the-horde"], by_id["reach-sparta"]
    assert len(others) == 2
    assert free["id"] is None and free["earn"] == [] and free["places"] == []
    assert horde["briefing"].strip().startswith("Grindle Wharf")
    # One run may earn all five: a distance, surges, the chase, moving time, more surges.
    assert [line.split(":")[0] for line in horde["earn"]] == [
        "Insulin and Batteries",
        "Something at the Lock Gates",
        "Minute Twelve",
        "The Lure",
        "The Long Way Home",
    ]
    assert horde["chases"] == [
        {"at_s": 720.0, "metres": 400.0, "within_s": 120.0, "title": "Minute Twelve"}
    ]
    assert horde["surges"]["count"] == 5 and horde["surges"]["boost"] == 0.2
    assert (horde["surges"]["baseline_s"], horde["surges"]["hold_s"]) == (30.0, 100.0)
    assert sparta["progress_km"] == 0.0 and sparta["route_km"] > 240
    assert len(sparta["places"]) > 3
    assert all(0 < place["km"] <= 250 for place in sparta["places"])
    assert sparta["chapters"][0]["text"]


def test_a_story_cannot_end_the_plans_script_early() -> None:
    told = Plan("m", "A </script><!-- & >", "</script>", (), None, None, (), (), (), None)
    text = str(script_json([FREE_RUN, told]))
    assert "</script>" not in text and "<!--" not in text
    assert json.loads(text)[1]["briefing"] == "</script>"


def test_a_clubs_team_mission_is_planned_from_where_the_team_stands(client: TestClient) -> None:
    ann, bob = make_runner(client, "ann"), make_runner(client, "bob")
    club = client.post("/api/clubs", headers=bearer(ann), json={"name": "Megara RC"}).json()
    client.post("/api/clubs/join", headers=bearer(bob), json={"code": club["code"]})
    started = client.post(
        f"/api/clubs/{club['id']}/missions/the-182-heroes/enrol", headers=bearer(ann)
    )
    assert started.status_code == 201
    sign_in(client, "bob")
    _, team = plans_of(client.get("/run").text)
    assert team["id"] == f"team-{club['id']}-the-182-heroes"
    assert team["title"] == "The 182 Heroes' Charge · Megara RC"
    assert team["progress_km"] == 0.0 and team["places"] and team["chapters"]
