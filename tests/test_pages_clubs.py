"""The club pages as signed-in browsers see them: creating and joining a club (by code, by a
pasted link, by the invite link), a club's page for its members and a 404 for anyone else,
the owner's new code and removals, leaving; a team mission on the page: started, run by three
members, its map, leaderboards, what happened lately and the chapters with who earned them."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from heroicrun.db.schema import Runner
from heroicrun.missions.model import Mission
from heroicrun.play import accounts, teams
from heroicrun.server.pages import club_maps, team_views
from heroicrun.server.pages import clubs as club_pages
from tests.conftest import bearer, make_runner
from tests.factory import START
from tests.helpers.stored_runs import ENROLLED, a_track, catalog_of, gpx_of, story_mission
from tests.helpers.web import FORM_TOKEN, PASSWORD, form_token

ROAD_MARKS = {"Athens": 0, "Megara": 5, "Corinth": 10}


def _road(mission_id: str, **extra: object) -> Mission:
    return story_mission(
        mission_id,
        {"kind": "route_km", "km": 0, "id": "set-out", "title": "Setting Out"},
        {"kind": "route_km", "km": 5, "id": "megara", "title": "The Dust of the Sacred Way"},
        {"kind": "route_km", "km": 10, "id": "corinth", "title": "The Neck of Land"},
        route={
            "waypoints": [
                {"name": name, "lat": START[0] + 0.009 * km, "lon": START[1], "km": km}
                for name, km in ROAD_MARKS.items()
            ]
        },
        **extra,
    )


TEAM_ROAD = _road("team-road", team=True, min_members=2)
THREE = _road("three-road", team=True, min_members=3)
SOLO_ROAD = _road("solo-road")  # a journey: a club may run it as a team
SOLO_TRIAL = story_mission("solo-trial", {"kind": "distance", "km": 3})  # a runner's own
CLUBBED = ENROLLED - timedelta(days=1)  # when the club is made and its members join


# --- helpers ---------------------------------------------------------------------------------


def text_of(page: str) -> str:
    """What a reader sees of a page: tags dropped, entities read, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """The club pages' clock set to `moment`."""
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(club_pages, "_now", lambda: moment)
        yield


def browser(client: TestClient, name: str) -> TestClient:
    """A browser of its own (cookies apart) for a new runner `name`, signed in."""
    make_runner(client, name)
    other = TestClient(client.app)
    form = other.get("/signin")
    answer = other.post(
        "/signin",
        data={"name": name, "password": PASSWORD, "csrf": form_token(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return other


def post(tab: TestClient, page: str, action: str, **fields: str) -> httpx.Response:
    """Send the form with `action` on the page at `page`, as a tap on its button would."""
    shown = tab.get(page).text
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', shown, re.S)
    assert form, f"no form for {action} on {page}"
    token = FORM_TOKEN.search(form.group(0))
    assert token
    return tab.post(action, data={"csrf": token.group(1), **fields}, follow_redirects=False)


def create(tab: TestClient, name: str = "Runners of Megara") -> int:
    answer = post(tab, "/clubs", "/clubs", name=name)
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/clubs/(\d+)", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


def code_of(tab: TestClient, club_id: int) -> str:
    found = re.search(
        r'<code class="club-code" id="club-code">(\w+)</code>', tab.get(f"/clubs/{club_id}").text
    )
    assert found
    return found.group(1)


def join(tab: TestClient, code: str) -> httpx.Response:
    return post(tab, "/clubs", "/clubs/join", code=code)


@pytest.fixture
def ann(client: TestClient) -> TestClient:
    return browser(client, "ann")


@pytest.fixture
def bob(client: TestClient) -> TestClient:
    return browser(client, "bob")


@pytest.fixture
def cy(client: TestClient) -> TestClient:
    return browser(client, "cy")


@pytest.fixture
def eve(client: TestClient) -> TestClient:
    return browser(client, "eve")


# --- signed out ------------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in_and_back_with_the_code(
    client: TestClient,
) -> None:
    make_runner(client, "ann")
    for path in ("/clubs", "/clubs/1"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/signin?next={path}"
    answer = client.get("/clubs/join?code=abc23", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Fclubs%2Fjoin%3Fcode%3Dabc23"
    signin = client.get(answer.headers["location"]).text
    assert 'value="/clubs/join?code=abc23"' in signin


# --- creating and joining --------------------------------------------------------------------


def test_a_runner_creates_a_club_and_sees_its_code_and_link(ann: TestClient) -> None:
    page = ann.get("/clubs")
    assert page.status_code == 200
    assert "Run together" in text_of(page.text)
    assert 'aria-current="page">Clubs</a>' in page.text
    club_id = create(ann)
    shown = ann.get(f"/clubs/{club_id}")
    assert shown.status_code == 200
    words = text_of(shown.text)
    assert "Runners of Megara" in words
    assert "1 member · owner ann" in words
    code = code_of(ann, club_id)
    assert re.fullmatch(r"[23456789abcdefghjkmnpqrstuvwxyz]{10}", code)
    assert f'value="http://testserver/clubs/join?code={code}"' in shown.text
    listed = text_of(ann.get("/clubs").text)
    assert "Runners of Megara 1 member · owner ann" in listed


@pytest.mark.parametrize(
    ("name", "said"),
    [("", "a club's name has 1 to 64 characters"), ("x" * 65, "1 to 64"), ("a\x07b", "control")],
)
def test_a_bad_club_name_is_refused_on_the_page(ann: TestClient, name: str, said: str) -> None:
    answer = post(ann, "/clubs", "/clubs", name=name)
    assert answer.status_code == 400
    assert said in text_of(answer.text).lower()
    assert ann.get("/clubs").text.count('class="card-title"') == 0


def test_a_stale_form_is_refused_and_nothing_is_made(ann: TestClient) -> None:
    answer = ann.post("/clubs", data={"name": "Late", "csrf": "00"}, follow_redirects=False)
    assert answer.status_code == 400
    assert "This form has expired" in answer.text
    assert "Late" not in text_of(ann.get("/clubs").text).replace("value", "")


def test_club_names_are_escaped(ann: TestClient) -> None:
    club_id = create(ann, "<script>alert(1)</script> & co")
    for path in (f"/clubs/{club_id}", "/clubs"):
        page = ann.get(path).text
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


def test_others_join_by_code_in_any_case_or_by_a_pasted_link(
    ann: TestClient, bob: TestClient, cy: TestClient
) -> None:
    club_id = create(ann)
    code = code_of(ann, club_id)
    answer = join(bob, f"  {code.upper()} ")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/clubs/{club_id}"
    answer = join(cy, f"http://192.168.1.20:8000/clubs/join?code={code}")
    assert answer.headers["location"] == f"/clubs/{club_id}"
    words = text_of(ann.get(f"/clubs/{club_id}").text)
    assert "3 members · owner ann" in words
    for name in ("bob", "cy"):
        assert name in words
    assert "Runners of Megara 3 members" in text_of(bob.get("/clubs").text)
    again = join(bob, code)  # already a member: nothing changes
    assert again.headers["location"] == f"/clubs/{club_id}"
    assert "3 members" in text_of(ann.get(f"/clubs/{club_id}").text)


def test_a_wrong_code_says_so_and_tells_nothing(ann: TestClient, bob: TestClient) -> None:
    create(ann)
    answer = join(bob, "zzzzzzzzzz")
    assert answer.status_code == 404
    words = text_of(answer.text)
    assert "No club has that code" in words
    assert "Runners of Megara" not in words
    assert 'value="zzzzzzzzzz"' in answer.text  # kept in the box, to correct


def test_wrong_codes_again_and_again_are_throttled(ann: TestClient, bob: TestClient) -> None:
    club_id = create(ann)
    code = code_of(ann, club_id)
    statuses = [join(bob, f"wrong{n}abcd").status_code for n in range(8)]
    assert statuses[0] == 404 and statuses[-1] == 429
    refused = join(bob, code)  # even the right one, for a while
    assert refused.status_code == 429
    assert "Too many wrong club codes" in text_of(refused.text)
    assert int(refused.headers["retry-after"]) > 0


def test_the_invite_link_asks_first_and_tells_nothing_of_the_club(
    ann: TestClient, bob: TestClient
) -> None:
    club_id = create(ann)
    code = code_of(ann, club_id)
    page = bob.get(f"/clubs/join?code={code}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert f"Join a club with code {code} ?" in words
    assert "Runners of Megara" not in words and "ann" not in words.replace("signed in as bob", "")
    answer = post(bob, f"/clubs/join?code={code}", "/clubs/join", code=code)
    assert answer.headers["location"] == f"/clubs/{club_id}"
    assert bob.get(f"/clubs/{club_id}").status_code == 200
    # Not a code at all: back to the clubs, where a code can be typed.
    odd = bob.get("/clubs/join?code=%00%00", follow_redirects=False)
    assert odd.status_code == 303 and odd.headers["location"] == "/clubs"


# --- privacy ---------------------------------------------------------------------------------


def test_a_club_is_a_404_to_anyone_not_in_it(ann: TestClient, eve: TestClient) -> None:
    club_id = create(ann)
    missing = eve.get("/clubs/99999")
    outsider = eve.get(f"/clubs/{club_id}")
    assert missing.status_code == outsider.status_code == 404
    assert text_of(missing.text) == text_of(outsider.text)
    assert "Runners of Megara" not in outsider.text
    assert eve.get("/clubs/abc").status_code == 404
    # Every form of the club's page, sent by the outsider with a good token of their own.
    token = form_token(eve.get("/clubs").text)
    for action, fields in (
        ("code", {}),
        ("leave", {}),
        ("remove", {"member": "ann"}),
        ("missions", {"mission": "team-road"}),
    ):
        answer = eve.post(
            f"/clubs/{club_id}/{action}", data={"csrf": token, **fields}, follow_redirects=False
        )
        assert answer.status_code == 404, action
        assert text_of(answer.text) == text_of(missing.text), action
    assert "2 members" not in text_of(ann.get(f"/clubs/{club_id}").text)


# --- the owner, and leaving ------------------------------------------------------------------


def test_the_owner_makes_a_new_code_and_the_old_one_stops_working(
    ann: TestClient, bob: TestClient, cy: TestClient
) -> None:
    club_id = create(ann)
    old = code_of(ann, club_id)
    join(bob, old)
    token = form_token(bob.get(f"/clubs/{club_id}").text)  # no button for him: sent by hand
    refused = bob.post(f"/clubs/{club_id}/code", data={"csrf": token}, follow_redirects=False)
    assert refused.status_code == 403
    assert "Only the club's owner can change the code." in text_of(refused.text)
    assert "New code" not in text_of(bob.get(f"/clubs/{club_id}").text)
    answer = post(ann, f"/clubs/{club_id}", f"/clubs/{club_id}/code")
    assert answer.status_code == 303 and answer.headers["location"] == f"/clubs/{club_id}"
    new = code_of(ann, club_id)
    assert new != old
    assert code_of(bob, club_id) == new  # members still in, and may share it
    assert join(cy, old).status_code == 404
    assert join(cy, new).status_code == 303


def test_the_owner_removes_a_member_who_is_then_shown_as_former(
    ann: TestClient, bob: TestClient
) -> None:
    club_id = create(ann)
    join(bob, code_of(ann, club_id))
    assert "Remove a member" not in text_of(bob.get(f"/clubs/{club_id}").text)
    assert "Remove a member" in text_of(ann.get(f"/clubs/{club_id}").text)
    refused = post(ann, f"/clubs/{club_id}", f"/clubs/{club_id}/remove", member="nobody")
    assert refused.status_code == 404
    assert "'nobody' is not a member of this club" in text_of(refused.text)
    answer = post(ann, f"/clubs/{club_id}", f"/clubs/{club_id}/remove", member="bob")
    assert answer.status_code == 303
    assert bob.get(f"/clubs/{club_id}").status_code == 404
    words = text_of(ann.get(f"/clubs/{club_id}").text)
    assert "1 member · owner ann" in words
    assert "Former members bob (left)" in words


def test_a_member_leaves_and_the_owner_leaving_hands_the_club_on(
    ann: TestClient, bob: TestClient, cy: TestClient
) -> None:
    club_id = create(ann)
    code = code_of(ann, club_id)
    join(bob, code)
    join(cy, code)
    answer = post(cy, f"/clubs/{club_id}", f"/clubs/{club_id}/leave")
    assert answer.status_code == 303 and answer.headers["location"] == "/clubs"
    assert cy.get(f"/clubs/{club_id}").status_code == 404
    assert "Runners of Megara" not in text_of(cy.get("/clubs").text)
    owner_leaves = ann.get(f"/clubs/{club_id}").text
    assert "The club passes to its longest-standing member." in text_of(owner_leaves)
    post(ann, f"/clubs/{club_id}", f"/clubs/{club_id}/leave")
    words = text_of(bob.get(f"/clubs/{club_id}").text)
    assert "1 member · owner bob" in words
    assert "You are its last member: the club ends." in words
    post(bob, f"/clubs/{club_id}", f"/clubs/{club_id}/leave")
    assert bob.get(f"/clubs/{club_id}").status_code == 404


# --- a team mission --------------------------------------------------------------------------


def upload(client: TestClient, name: str, km: float, days: float) -> None:
    """A run of `km` by `name`, `days` after ENROLLED, sent through the API."""
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == name))
        assert runner is not None
        token = accounts.create_token(session, runner, "phone")
        session.commit()
    data = gpx_of(a_track(km, ENROLLED + timedelta(days=days)))
    answer = client.post(
        "/api/runs", headers=bearer(token), files=[("files", (f"{name}-{days:g}.gpx", data))]
    )
    assert answer.status_code == 201, answer.text


def rows_of(page: str, caption: str) -> list[str]:
    """The rows of the leaderboard with this caption, as read."""
    table = re.search(rf"<caption[^>]*>{re.escape(caption)}</caption>(.*?)</table>", page, re.S)
    assert table, caption
    return [text_of(row) for row in re.findall(r"<tr.*?</tr>", table.group(1), re.S)][1:]


def section(page: str, mission_id: str) -> str:
    """The part of a club's page about one of its team missions."""
    found = re.search(
        rf'<section class="card team-mission" id="team-{mission_id}".*?</section>', page, re.S
    )
    assert found, mission_id
    return found.group(0)


def test_a_club_runs_a_team_journey_together(
    client: TestClient, ann: TestClient, bob: TestClient, cy: TestClient, eve: TestClient
) -> None:
    client.app.state.catalog = catalog_of(TEAM_ROAD, THREE, SOLO_ROAD, SOLO_TRIAL)  # type: ignore[attr-defined]
    with at(CLUBBED):
        club_id = create(ann)
        page = f"/clubs/{club_id}"
        join(bob, code_of(ann, club_id))
        offered = text_of(ann.get(page).text)
        assert "Team Road (2+ runners)" in offered
        assert "Three Road (3+ runners: you are 2)" in offered
        assert "Solo Road" in offered and "Solo Trial" not in offered
        too_few = post(ann, page, f"{page}/missions", mission="three-road")
        assert too_few.status_code == 400
        assert "needs a team of at least 3" in text_of(too_few.text)
        own = post(ann, page, f"{page}/missions", mission="solo-trial")
        assert own.status_code == 400
        assert "a runner's own challenge" in text_of(own.text)
        join(cy, code_of(ann, club_id))
    with at(ENROLLED):
        started = post(bob, page, f"{page}/missions", mission="team-road")
        assert started.status_code == 303
        assert started.headers["location"] == f"{page}#team-team-road"
        again = post(ann, page, f"{page}/missions", mission="solo-road")
        assert again.status_code == 303
    assert "Team missions: Solo Road, Team Road" in text_of(ann.get("/clubs").text)
    upload(client, "ann", 4.0, 1)
    upload(client, "bob", 3.0, 2)
    upload(client, "cy", 2.0, 3)

    with at(ENROLLED + timedelta(days=4)):
        cy.get(page)  # the chapters judged on the first view are written down with it
        shown = cy.get(page).text
    words = text_of(shown)
    team = section(shown, "team-road")
    assert "Distance 9 of 10 km" in text_of(team)
    assert "Chapters 2 of 3 unlocked" in text_of(team)
    assert "Next: The Neck of Land" in text_of(team)
    assert "1.0 km to Corinth" in text_of(team)
    # The map: a band for each member's stretch, in the order run; the team's marker.
    bands = re.findall(r'<polyline class="band (m\d|others)"', team)
    assert bands == ["m0", "m1", "m2"]
    assert ">Team</text>" in team
    assert "the team is at km 9.0 of 10.0, 1.0 km before Corinth" in team
    assert "ann 4.0 km bob 3.0 km cy 2.0 km" in text_of(team)
    # The mission's board and this week's, the reader's row marked.
    board = rows_of(team, "Leaderboard: Team Road")
    assert board == [
        "1. ann 4.0 1 0",
        "2. bob 3.0 1 1",
        "3. cy (you) 2.0 1 0",
    ]
    assert re.search(
        r'<tr class="me" aria-current="true">\s*<th scope="row"><span class="rank">3', team
    )
    week = rows_of(shown, "This week, all team missions")
    # A run counts once in the week, however many of the club's missions it moved; its
    # chapters, in each.
    assert week == ["1. ann 4.0 1 0", "2. bob 3.0 1 2", "3. cy (you) 2.0 1 0"]
    # The chapters: the one at km 0 with the start, Megara earned by bob, Corinth to come.
    assert "The story of beat 2. Earned by bob" in text_of(team)
    assert "Setting Out The story of beat 1. Unlocked as the team set out" in text_of(team)
    assert re.search(r'<li class="beat locked" value="3"><b>The Neck of Land</b>', team)
    # Lately: newest first.
    lately = re.findall(r'<ul class="club-activity">(.*?)</ul>', shown, re.S)[0]
    said = [text_of(item) for item in re.findall(r"<li>(.*?)</li>", lately, re.S)]
    assert any(item.endswith("bob ran 3.0 km: the team reached Megara") for item in said)
    assert said[0].endswith("cy ran 2.0 km for Solo Road") or said[0].endswith(
        "cy ran 2.0 km for Team Road"
    )
    assert "Team Road" not in text_of(shown[shown.index("Start a team mission") :])
    assert "Three Road" in words  # still to start

    # cy leaves: her km stay, her name marked.
    post(ann, page, f"{page}/remove", member="cy")
    with at(ENROLLED + timedelta(days=4)):
        after = ann.get(page).text
    assert "3. cy (left) 2.0 1 0" in rows_of(after, "Leaderboard: Team Road")
    assert "Distance 9 of 10 km" in text_of(after)
    # An outsider: nothing.
    assert eve.get(page).status_code == 404


def test_starting_a_mission_already_under_way_is_refused_politely(
    client: TestClient, ann: TestClient, bob: TestClient
) -> None:
    client.app.state.catalog = catalog_of(TEAM_ROAD, SOLO_ROAD)  # type: ignore[attr-defined]
    club_id = create(ann)
    join(bob, code_of(ann, club_id))
    page = f"/clubs/{club_id}"
    token = form_token(ann.get(page).text)
    first = ann.post(f"{page}/missions", data={"csrf": token, "mission": "team-road"})
    assert first.status_code == 200  # followed to the page
    twice = bob.post(
        f"{page}/missions",
        data={"csrf": form_token(bob.get(page).text), "mission": "team-road"},
        follow_redirects=False,
    )
    assert twice.status_code == 409
    assert "is already running 'Team Road'" in text_of(twice.text)
    nowhere = bob.post(
        f"{page}/missions",
        data={"csrf": form_token(bob.get(page).text), "mission": "no-such"},
        follow_redirects=False,
    )
    assert nowhere.status_code == 404
    assert "There is no mission 'no-such'" in text_of(nowhere.text)
    assert "Runners of Megara" in text_of(nowhere.text)  # said on the club's page


# --- the map's bands -------------------------------------------------------------------------


def test_bands_join_a_members_runs_in_a_row_and_the_others_share_a_colour() -> None:
    legs = club_maps.legs_of(
        [("ann", 2.0), ("ann", 1.0), ("bob", 1.5), ("zed", 0.5), ("yan", 0.5), ("ann", 1.0)],
        {"ann": 0, "bob": 1},
    )
    assert legs == [
        club_maps.Leg("ann", 0.0, 3.0, 0),
        club_maps.Leg("bob", 3.0, 4.5, 1),
        club_maps.Leg(club_maps.OTHERS, 4.5, 5.5, None),
        club_maps.Leg("ann", 5.5, 6.5, 0),
    ]


def test_a_long_history_is_drawn_in_a_few_bands_and_keeps_its_length() -> None:
    history = [("ann" if n % 2 else "bob", 1.0 + (n % 7) / 10) for n in range(5000)]
    legs = club_maps.legs_of(history, {"ann": 0, "bob": 1})
    assert len(legs) == club_maps.MOST_BANDS
    assert legs[0].start_km == 0.0
    assert legs[-1].end_km == pytest.approx(sum(km for _, km in history))
    assert all(a.end_km == b.start_km for a, b in itertools.pairwise(legs))


def test_the_team_map_draws_each_band_up_to_the_team(client: TestClient) -> None:
    from heroicrun.missions import routes

    line = routes.build(TEAM_ROAD.route)  # type: ignore[arg-type]
    legs = club_maps.legs_of([("ann", 4.0), ("bob", 3.0)], {"ann": 0, "bob": 1})
    svg = str(club_maps.team_map("Team Road", line, 7.0, legs))
    assert svg.startswith('<svg class="map team-map')
    assert re.findall(r'<polyline class="(band m\d|todo)"', svg) == ["todo", "band m0", "band m1"]
    assert 'aria-label="Map of the route of Team Road: the team is at km 7.0 of 10.0' in svg


def test_a_big_clubs_board_shows_the_first_ten_and_the_readers_row() -> None:
    members = [teams.TeamMember(f"r{n:02d}", 100.0 - n, 1, 0, True) for n in range(1, 13)]
    shown = team_views.board(members, "r12")
    assert [rank for rank, _ in shown.rows] == [*range(1, 11), 12]
    assert shown.rows[-1][1].name == "r12" and shown.apart and shown.more == 1
    near = team_views.board(members, "r03")
    assert [rank for rank, _ in near.rows] == list(range(1, 11))
    assert not near.apart and near.more == 2
