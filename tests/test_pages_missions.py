"""The dashboard, the mission page and the runs list, as a signed-in browser sees them."""

from __future__ import annotations

import html
import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select

from heroicrun.db.schema import Runner
from heroicrun.missions import catalog, lengths, routes
from heroicrun.missions.model import Mission
from heroicrun.play import totals
from heroicrun.server.pages import formats, route_maps
from heroicrun.server.pages import missions as mission_pages
from tests.conftest import bearer, make_runner
from tests.helpers import runfiles
from tests.helpers.enrolling import SAMPLE_DAWN
from tests.helpers.stored_runs import ENROLLED, a_track, add_run, gpx_of
from tests.helpers.web import form_token

ROOT = Path(__file__).parents[1]
ATHENS = ROOT / "heroicrun" / "samples" / "athens-dawn-run.gpx"  # 5.9 km, 26 Sep 2026
SMALL = runfiles.short_run()
BUNDLED = catalog.bundled()


def mission(mission_id: str) -> Mission:
    found = BUNDLED.get(mission_id)
    assert found is not None
    return found


MARATHON = mission("original-marathon")
LOLA = mission("twenty-minutes")


# --- helpers ---------------------------------------------------------------------------------


def sign_in(client: TestClient, name: str = "ann") -> str:
    """A new runner, signed in with the client's cookie; returns their API token."""
    token = make_runner(client, name)
    answer = client.post("/api/session", json={"name": name, "password": "correct horse"})
    assert answer.status_code == 200, answer.text
    return token


def text_of(page: str) -> str:
    """What a reader sees of a page: tags dropped, entities read, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def enrol(client: TestClient, mission_id: str, at: datetime | None = None) -> httpx.Response:
    """Press the Enrol button on the dashboard (at the moment `at`, when given)."""
    token = form_token(client.get("/").text)
    with pytest.MonkeyPatch.context() as clock:
        if at is not None:
            clock.setattr(mission_pages, "_now", lambda: at)
        return client.post(
            f"/missions/{mission_id}/enrol", data={"csrf": token}, follow_redirects=False
        )


def upload(client: TestClient, token: str, name: str, data: bytes) -> None:
    answer = client.post("/api/runs", headers=bearer(token), files=[("files", (name, data))])
    assert answer.status_code == 201, answer.text
    assert answer.json()["errors"] == []


def markers(page: str) -> list[tuple[str, float, float]]:
    """The map's markers: (class, x, y)."""
    found = re.findall(r'<g class="marker (\w+)"><circle cx="([\d.-]+)" cy="([\d.-]+)"', page)
    return [(css, float(x), float(y)) for css, x, y in found]


# --- signing in ------------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    make_runner(client, "ann")
    for path in ("/", "/runs", "/missions/original-marathon", "/missions/no-such-mission"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/signin?next={path}"
    answer = client.post("/missions/original-marathon/enrol", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin")


def test_the_first_visitor_of_an_empty_server_is_welcomed(client: TestClient) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/welcome"


# --- the dashboard ---------------------------------------------------------------------------


def test_a_first_visit_says_how_the_game_works_and_suggests_a_first_mission(
    client: TestClient,
) -> None:
    sign_in(client)
    answer = client.get("/")
    assert answer.status_code == 200
    page = answer.text
    shown = text_of(page)
    assert "How heroicrun works" in shown
    assert "Each run moves your hero and unlocks the chapters it earns." in shown
    # One button, for the suggested mission: a journey, the easiest there is.
    assert page.count('action="/missions/') == 1
    assert 'action="/missions/original-marathon/enrol"' in page
    assert 'aria-label="Enrol: The Original Marathon"' in page
    assert 'name="csrf"' in page
    assert shown.index("Suggested first mission The Original Marathon") < shown.index("First steps")
    assert "About 9 runs: 3 weeks at 3 runs a week." in shown
    for found in BUNDLED.missions:  # every other mission, listed once by level
        assert page.count(f'href="/missions/{found.id}"') == (
            0 if found.team else 2 if found.id == "original-marathon" else 1
        )  # a team mission is a club's to start, from its page
    levels = [
        shown.index(f"{level.capitalize()} {means}") for level, means in lengths.LEVELS.items()
    ]
    assert levels == sorted(levels)  # the easiest missions first
    assert "Challenge · about 5 runs: 2 weeks at 3 runs a week Run!" in shown
    assert "Your running" not in shown  # nothing to total yet


def test_enrolling_shows_the_briefing_and_that_the_next_run_counts(client: TestClient) -> None:
    sign_in(client)
    answer = enrol(client, "original-marathon")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/missions/original-marathon"
    page = client.get("/missions/original-marathon").text
    shown = text_of(page)
    assert shown.index(text_of(str(escape(MARATHON.summary)))) < shown.index("You are in")
    assert "You are in Your next run counts" in shown
    assert MARATHON.briefing is not None
    for paragraph in formats.paragraphs(MARATHON.briefing):
        assert str(escape(paragraph)) in page
    assert "The story so far" in shown
    first = MARATHON.beats[0]
    assert f"Next: 1. {first.title} {first.teaser} Goal: Reach " in shown
    assert "Reach km " not in shown  # goals name their places
    assert [item["mission"] for item in client.get("/api/enrolments").json()] == [MARATHON.id]

    dashboard = client.get("/").text
    assert 'action="/missions/original-marathon/enrol"' not in dashboard
    assert "How heroicrun works" not in text_of(dashboard)
    assert 'role="progressbar"' in dashboard
    shown = text_of(dashboard)
    assert "Distance 0.0 of 42.2 km" in shown
    assert "Chapters 0 of 6 unlocked" in shown
    assert f"Next: {first.title}" in shown
    assert re.search(r": \d+\.\d km ≈ 1 run of 5 km Distance", shown)


def test_the_dashboard_leads_with_the_closest_chapter_then_won_and_lost(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client)
    enrol(client, "original-marathon", ENROLLED)
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == "ann"))
        assert runner is not None
        add_run(session, runner, 21.5, 0)  # the whole marathon, in two runs
        add_run(session, runner, 21.5, 1)
        session.commit()
    later = ENROLLED + timedelta(days=3)
    for mission_id in ("across-america", "reach-sparta", "after-the-train"):
        enrol(client, mission_id, later)
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == "ann"))
        assert runner is not None
        add_run(session, runner, 6.0, 3.5)
        session.commit()
    # A week on: After the Train's two days ran out; the runner's usual run is 21.5 km.
    monkeypatch.setattr(mission_pages, "_now", lambda: ENROLLED + timedelta(days=10))
    page = client.get("/").text
    shown = text_of(page)
    assert "Eleusis: 18 km ≈ 1 run at your pace" in shown
    assert shown.index("Reach Sparta") < shown.index("Across America")
    assert shown.index("Across America") < shown.index("Won") < shown.index("Lost")
    assert "Won ★ The Original Marathon all 6 chapters · 42.2 km" in shown
    assert 'aria-label="Try again: After the Train"' in page
    assert "Start another" in shown and "Suggested first mission" not in shown
    assert "Lengths at your usual runs." in shown


def test_a_deadline_shows_the_time_left_on_the_dashboard(client: TestClient) -> None:
    sign_in(client)
    enrol(client, "after-the-train")
    shown = text_of(client.get("/").text)
    assert "Time left 2 of 2 days" in shown
    assert re.search(r"Next: The Switch km 0\.0 of [\d.]+ \([^)]+\), 47 h left", shown)


def test_an_enrol_form_without_its_token_enrols_nobody(client: TestClient) -> None:
    sign_in(client)
    answer = client.post(
        "/missions/original-marathon/enrol", data={"csrf": "forged"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/missions/original-marathon?form=expired"
    assert client.get("/api/enrolments").json() == []
    page = client.get(answer.headers["location"]).text
    assert "This form has expired" in text_of(page)
    assert 'action="/missions/original-marathon/enrol"' in page


# --- a mission -------------------------------------------------------------------------------


def test_a_mission_not_started_shows_its_pitch_and_locked_chapters(client: TestClient) -> None:
    sign_in(client)
    sparta = mission("reach-sparta")
    page = client.get("/missions/reach-sparta").text
    assert str(escape(sparta.summary)) in page
    shown = text_of(page)
    assert f"Epic · a journey of 492.0 km · {len(sparta.beats)} chapters" in shown
    assert "About 99 runs: 33 weeks at 3 runs a week." in shown
    for beat in sparta.beats:
        assert str(escape(beat.title)) in page
        assert str(escape(formats.paragraphs(beat.text)[0])) not in page
        assert beat.teaser is not None and str(escape(beat.teaser)) in page
    assert "Reach Nemea (km 122.7)" in shown  # goals name their places
    assert 'action="/missions/reach-sparta/enrol"' in page
    assert 'aria-label="Map of the route of Reach Sparta, 492.0 km"' in page
    assert sparta.route is not None
    assert [css for css, _, _ in markers(page)] == ["place"] * len(sparta.route.waypoints)


def test_a_real_run_unlocks_a_chapter_and_moves_the_runner_on_the_map(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four days after the run, so the weekly distance (the last 28 days) and an ETA show.
    monkeypatch.setattr(mission_pages, "_now", lambda: datetime(2026, 9, 30, tzinfo=UTC))
    token = sign_in(client)
    enrol(client, "original-marathon", SAMPLE_DAWN)
    upload(client, token, "athens-dawn-run.gpx", ATHENS.read_bytes())
    page = client.get("/missions/original-marathon").text
    shown = text_of(page)

    first, second = MARATHON.beats[0], MARATHON.beats[1]
    for paragraph in formats.paragraphs(first.text):
        assert str(escape(paragraph)) in page
    assert "Unlocked by athens-dawn-run.gpx, Sat 26 Sep 2026" in shown
    assert str(escape(formats.paragraphs(second.text)[0])) not in page
    assert "Next: 2. A Shield on the Hill" in shown
    # The chapter opens in full with Listen (shown by listen.js where the browser can speak);
    # the next and the locked ones show a teaser only.
    assert '<button type="button" class="listen secondary" data-listen="chapter-1-text"' in page
    assert page.count('class="listen secondary"') == 1 and "/static/listen.js" in page
    for beat in MARATHON.beats[1:]:
        assert beat.teaser is not None and str(escape(beat.teaser)) in page
    assert "Spyridon Louis reached " in shown
    assert "So far: km 5.9 of 9.0 (Nea Makri)" in shown
    assert "Distance 5.9 of 42.2 km" in shown and "Chapters 1 of 6 unlocked" in shown

    assert "km 5.9 of 42.2, past Tomb of the Athenians (the Soros)" in shown
    assert "3.1 km to Nea Makri" in shown
    assert "1.5 km a week (last 4 weeks)" in shown
    assert "estimated arrival at this pace" in shown
    assert re.search(r'<time datetime="2027-03-\d\dT', page)  # 36.2 km to go at 1.5 km a week

    assert page.count('<svg class="map') == 1  # 42 km: one map is close enough
    assert 'aria-label="Map of the route of The Original Marathon: you are at km 5.9 ' in page
    assert '<polyline class="done"' in page and '<polyline class="todo"' in page
    found = markers(page)
    assert [css for css, _, _ in found] == ["place"] * 9 + ["you", "ghost"]
    (_, x, y), (_, tomb_x, tomb_y), (_, makri_x, makri_y) = found[-2], found[1], found[2]
    # km 5.9 lies between the Tomb (km 5) and Nea Makri (km 9), a quarter of the way.
    assert min(tomb_x, makri_x) <= x <= max(tomb_x, makri_x)
    assert tomb_y < y < makri_y
    assert y - tomb_y < (makri_y - tomb_y) / 2


def test_a_long_journey_shows_a_closer_map_around_the_runner(client: TestClient) -> None:
    token = sign_in(client)
    enrol(client, "reach-sparta", SAMPLE_DAWN)
    upload(client, token, "athens-dawn-run.gpx", ATHENS.read_bytes())
    page = client.get("/missions/reach-sparta").text
    assert page.count('<svg class="map') == 2
    assert '<div class="where with-around">' in page
    assert 'aria-label="Map around you in Reach Sparta: km 5.9, past Kerameikos' in page
    assert "Around you: from Kerameikos, the potters' quarter to Eleusis." in text_of(page)
    assert '<polyline class="zoom"' in page  # where the closer map is, on the whole route


def test_a_challenge_shows_its_best_attempt_and_a_lost_one_its_ending(
    client: TestClient,
) -> None:
    token = sign_in(client)
    morning = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)  # 07:00 local solar time in Ljubljana
    enrol(client, "twenty-minutes", morning)
    # Quick enough for the first three chapters at once: 3.2 km at 4:40 a km.
    upload(client, token, "fast.gpx", gpx_of(a_track(3.2, morning, pace_s_per_km=280)))
    shown = text_of(client.get("/missions/twenty-minutes").text)
    assert "Chapters 3 of 4 unlocked" in shown
    assert "Next: 4. Again" in shown and "Best attempt so far: 3 attempts left" in shown

    for day in (1, 2, 3):  # three tries, all of them 2 km at 7:30 a km
        slow = gpx_of(a_track(2.0, morning + timedelta(days=day), pace_s_per_km=450))
        upload(client, token, f"slow-{day}.gpx", slow)
        if day == 1:
            shown = text_of(client.get("/missions/twenty-minutes").text)
            assert "Best attempt so far:" in shown and "attempt 1 of 3 used" in shown

    page = client.get("/missions/twenty-minutes").text
    shown = text_of(page)
    assert LOLA.failure is not None
    assert "This mission is lost" in shown
    assert str(escape(LOLA.failure.title)) in page
    for paragraph in formats.paragraphs(LOLA.failure.text):
        assert str(escape(paragraph)) in page
    assert "all 3 attempts missed" in shown
    assert 'aria-label="Start again: Twenty Minutes"' in page
    dashboard = text_of(client.get("/").text)
    assert "Mission lost" in dashboard

    answer = client.post(
        "/missions/twenty-minutes/enrol", data={"csrf": form_token(page)}, follow_redirects=False
    )
    assert answer.status_code == 303
    page = client.get("/missions/twenty-minutes").text
    assert str(escape(LOLA.failure.title)) not in page
    assert "No chapter unlocked yet" in text_of(page)


def test_an_unknown_mission_is_a_404_page(client: TestClient) -> None:
    sign_in(client)
    answer = client.get("/missions/no-such-mission")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "No such mission" in answer.text
    token = form_token(client.get("/").text)
    answer = client.post("/missions/no-such-mission/enrol", data={"csrf": token})
    assert answer.status_code == 404
    assert client.get("/api/enrolments").json() == []


def test_a_lap_of_the_world_is_drawn_without_a_jump_at_the_antimeridian() -> None:
    world = mission("around-the-world")
    assert world.route is not None
    line = routes.build(world.route, BUNDLED.directory)
    page = str(route_maps.route_map(world.title, line, at_km=20_000.0))
    for points in re.findall(r'<polyline class="(?:done|todo)" points="([^"]+)"', page):
        xs = [float(pair.split(",")[0]) for pair in points.split()]
        assert all(abs(b - a) < 100 for a, b in itertools.pairwise(xs))
    [(_, x, _)] = [found for found in markers(page) if found[0] == "you"]
    assert 250 < x < 390  # half way round, in the middle of the map


def test_the_legend_is_a_second_marker_named_without_covering_anything() -> None:
    sparta = mission("reach-sparta")
    assert sparta.route is not None
    line = routes.build(sparta.route, BUNDLED.directory)
    ghost = route_maps.Ghost("Pheidippides", 100.0)
    whole, around = route_maps.maps(sparta.title, line, 91.6, ghost)
    page = str(whole)
    assert "; Pheidippides at km 100.0" in page
    found = markers(page)
    assert [css for css, _, _ in found][-2:] == ["you", "ghost"]
    (_, you_x, you_y), (_, ghost_x, ghost_y) = found[-2], found[-1]
    assert (ghost_x, ghost_y) != (you_x, you_y)
    assert page.count('class="ghost"') == 2  # named in both label layouts
    assert around is not None and 'class="marker ghost"' in str(around)  # 8 km on: in view
    far = route_maps.Ghost("Pheidippides", 246.0)
    _, around = route_maps.maps(sparta.title, line, 91.6, far)
    assert around is not None and "ghost" not in str(around)


# --- the runs list ---------------------------------------------------------------------------


def test_the_runs_list_pages_and_totals_weeks_and_months(client: TestClient) -> None:
    sign_in(client)
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == "ann"))
        assert runner is not None
        for day in range(30):  # 2 km a day at 6:00 a km, 1 to 30 May 2024
            add_run(session, runner, 2.0, day)
        session.commit()

    page = client.get("/runs").text
    shown = text_of(page)
    assert "30 runs · page 1 of 2" in shown
    assert len(re.findall(r'href="/runs/\d+"', page)) == 25
    assert 'rel="next" href="/runs?page=2"' in page
    assert "Thursday dawn run Thu 30 May 2024 · 2km-day29.gpx" in shown
    assert "2km-day4.gpx" not in shown
    # Totals over every run, whatever the page: the weeks, May, and the year.
    assert "Week of Runs km Moving 27 May 2024 4 8.0 48 min 20 May 2024 7 14.0 1 h 24 min" in shown
    assert "May 30 60.0 6 h 00 min" in shown
    assert "Year Runs km Moving 2024 30 60.0 6 h 00 min" in shown

    page = client.get("/runs?page=2").text
    shown = text_of(page)
    assert "30 runs · page 2 of 2" in shown
    assert len(re.findall(r'href="/runs/\d+"', page)) == 5
    assert re.search(r'rel="prev" href="/runs(\?page=1)?"', page) and 'rel="next"' not in page
    assert "Wednesday dawn run Wed 1 May 2024 · 2km-day0.gpx" in shown

    past = client.get("/runs?page=9", follow_redirects=False)
    assert past.status_code == 303 and past.headers["location"] == "/runs?page=2"
    assert client.get("/runs?page=first").status_code == 400


def test_no_runs_yet_invites_an_upload(client: TestClient) -> None:
    sign_in(client)
    assert "No runs yet" in text_of(client.get("/runs").text)
    assert '<a href="/upload">upload the file</a>' in client.get("/").text


# --- what came from a file -------------------------------------------------------------------


def test_what_came_from_a_file_stays_text(client: TestClient) -> None:
    token = sign_in(client)
    enrol(client, "original-marathon", SAMPLE_DAWN)
    named = ATHENS.read_bytes().replace(
        b"Dawn run from Syntagma", b"&lt;script&gt;alert(2)&lt;/script&gt;"
    )
    upload(client, token, "<script>alert(1)</script>.gpx", named)  # kept as "script>.gpx"
    upload(client, token, "<img src=x onerror=alert(3)>.gpx", SMALL.read_bytes())
    pages = {path: client.get(path).text for path in ("/", "/runs", "/missions/original-marathon")}
    for path, page in pages.items():
        assert "<script>alert" not in page and "<img src=x" not in page, path
    assert "script&gt;.gpx" in pages["/"]
    assert "&lt;img src=x onerror=alert(3)&gt;.gpx" in pages["/"]
    assert "&lt;img src=x onerror=alert(3)&gt;.gpx" in pages["/runs"]
    assert "Unlocked by script&gt;.gpx" in pages["/missions/original-marathon"]


def test_period_totals_leave_out_the_runs_of_other_runners(client: TestClient) -> None:
    sign_in(client)
    make_runner(client, "bob")
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        ann, bob = (
            session.scalar(select(Runner).where(Runner.name == name)) for name in ("ann", "bob")
        )
        assert ann is not None and bob is not None
        add_run(session, ann, 3.0, 0)
        add_run(session, bob, 5.0, 0)
        session.commit()
        weeks, months = totals.period_totals(session, ann, [ENROLLED])
    assert [(p.start.isoformat(), p.runs, round(p.distance_m)) for p in weeks] == [
        ("2024-04-29", 1, 3000)
    ]
    assert [(p.start.isoformat(), p.runs) for p in months] == [("2024-05-01", 1)]


def test_a_finished_journey_says_so_and_keeps_the_whole_story(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client)
    monkeypatch.setattr(mission_pages, "_now", lambda: ENROLLED - timedelta(hours=1))
    enrol(client, "original-marathon")
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == "ann"))
        assert runner is not None
        add_run(session, runner, 21.5, 0)
        add_run(session, runner, 21.5, 2)
        session.commit()
    monkeypatch.setattr(mission_pages, "_now", lambda: ENROLLED + timedelta(days=3))
    page = client.get("/missions/original-marathon").text
    shown = text_of(page)
    assert "Mission complete" in shown
    assert "Chapters 6 of 6 unlocked" in shown and "Distance 42.2 of 42.2 km" in shown
    assert "Arrived at Panathenaic Stadium, Athens" in shown
    for beat in MARATHON.beats:
        assert str(escape(formats.paragraphs(beat.text)[-1])) in page
    assert "Next:" not in shown and "Still locked" not in shown
    assert '<polyline class="todo"' not in page and '<polyline class="done"' in page
    assert "Won ★ The Original Marathon all 6 chapters" in text_of(client.get("/").text)
