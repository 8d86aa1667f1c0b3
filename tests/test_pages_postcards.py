"""Postcards: one for each named place reached and for a finished mission, derived from the runs
and the ledger; drawn as SVG (the route's map with land and sea, the place, the km, the date, a
line of the story) and PNG; listed on the mission page with Share and a download link, shown by
the upload that earned them; the runner's own only."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from heroicrun.server.pages import postcards as postcard_pages
from tests.conftest import make_runner
from tests.factory import T0
from tests.helpers.enrolling import enrol
from tests.helpers.runfiles import day_run as run_file
from tests.helpers.web import post_upload as post
from tests.helpers.web import sign_in

SPARTA = "reach-sparta"
DAY_S = 86_400.0


def run_ended(day: int, km: float) -> datetime:
    """When runfiles.day_run(day, km) ends: 5:00/km from 7 in the morning."""
    return datetime.fromtimestamp(T0 + day * DAY_S, UTC) + timedelta(seconds=km * 300.0)


def postcards_of(client: TestClient, mission_id: str = SPARTA) -> list[str]:
    """The postcard links of the mission page, in order."""
    page = client.get(f"/missions/{mission_id}").text
    return [
        part.split('"', 1)[0]
        for part in page.split('<a href="')[1:]
        if "/postcards/" in part.split('"', 1)[0]
    ]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_rows(data: bytes) -> bytes:
    """The PNG's pixel bytes (filtered), from its IDAT chunks."""
    at, found = 8, b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        if kind == b"IDAT":
            found += data[at + 8 : at + 8 + length]
        at += 12 + length
    return zlib.decompress(found)


def test_each_place_passed_is_a_postcard_with_the_map_the_km_the_date_and_a_line(
    client: TestClient,
) -> None:
    token = make_runner(client, "ann")
    enrol(client, token, SPARTA)
    form_token = sign_in(client)
    post(client, form_token, ("first.gpx", run_file(1, 30.0)))
    post(client, form_token, ("second.gpx", run_file(2, 15.0)))
    # Kerameikos (km 1.2) and Eleusis (24.2) by the first run, Megara (42.5) by the second.
    assert postcards_of(client) == [f"/missions/{SPARTA}/postcards/{n}.svg" for n in (1, 2, 3)]
    answer = client.get(f"/missions/{SPARTA}/postcards/3.svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    svg = answer.text
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert '<g class="land"' in svg
    assert ">Megara</text>" in svg and ">km 42.5</text>" in svg
    ended = run_ended(2, 15.0)
    assert f">{ended.day} {ended:%B %Y}</text>" in svg
    assert "Past Eleusis the road finds the sea" in svg  # the chapter unlocked there
    assert "<style>" in svg  # it stands alone: its colours come with it


def test_the_png_is_a_png_of_the_card_and_not_blank(client: TestClient) -> None:
    token = make_runner(client, "ann")
    enrol(client, token, SPARTA)
    post(client, sign_in(client), ("first.gpx", run_file(1, 5.0)))
    answer = client.get(f"/missions/{SPARTA}/postcards/1.png")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    width, height = png_size(answer.content)
    assert (width, height) == (
        postcard_pages.PNG_WIDTH,
        postcard_pages.PNG_WIDTH * postcard_pages.HEIGHT // postcard_pages.WIDTH,
    )
    pixels = png_rows(answer.content)
    assert len(set(pixels)) > 100  # paper, sea, land, route, text: many colours, not one


def test_the_text_renders_with_the_bundled_font() -> None:
    blank = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"/>'
    worded = blank.replace(
        "/>", '><text x="10" y="40" font-size="30" font-family="Lato">Nemea</text></svg>'
    )
    assert png_rows(postcard_pages.png(worded)) != png_rows(postcard_pages.png(blank))


def test_finishing_a_mission_is_a_postcard_too(client: TestClient) -> None:
    token = make_runner(client, "ann")
    enrol(client, token, "original-marathon")
    post(client, sign_in(client), ("marathon.gpx", run_file(1, 43.0)))
    links = postcards_of(client, "original-marathon")
    assert links
    last = client.get(links[-1]).text
    assert "MISSION COMPLETE" in last and "Panathenaic Stadium" in last


def test_the_mission_page_offers_share_and_download(client: TestClient) -> None:
    token = make_runner(client, "ann")
    enrol(client, token, SPARTA)
    post(client, sign_in(client), ("first.gpx", run_file(1, 5.0)))
    page = client.get(f"/missions/{SPARTA}").text
    section = page[page.index('id="postcards"') :]
    assert f'data-png="/missions/{SPARTA}/postcards/1.png"' in section
    assert "hidden>Share</button>" in section  # shown by share.js where files can be shared
    assert f'href="/missions/{SPARTA}/postcards/1.png" download=' in section
    assert "/static/share.js" in page


def test_the_upload_shows_the_postcard_it_earned(client: TestClient) -> None:
    token = make_runner(client, "ann")
    enrol(client, token, SPARTA)
    form_token = sign_in(client)
    first = post(client, form_token, ("first.gpx", run_file(1, 5.0)))
    assert f'src="/missions/{SPARTA}/postcards/1.svg"' in first  # Kerameikos
    second = post(client, form_token, ("second.gpx", run_file(2, 5.0)))
    assert "/postcards/" not in second  # no place passed: no card, the old one not shown again
    third = post(client, form_token, ("third.gpx", run_file(3, 16.0)))
    assert f'src="/missions/{SPARTA}/postcards/2.svg"' in third  # Eleusis
    assert "postcards/1.svg" not in third


def test_postcards_are_their_runner_s_own(client: TestClient) -> None:
    token = make_runner(client, "ann")
    enrol(client, token, SPARTA)
    post(client, sign_in(client), ("first.gpx", run_file(1, 5.0)))
    assert client.get(f"/missions/{SPARTA}/postcards/1.svg").status_code == 200
    assert client.get(f"/missions/{SPARTA}/postcards/2.svg").status_code == 404
    assert client.get("/missions/no-such-mission/postcards/1.svg").status_code == 404
    client.cookies.clear()
    make_runner(client, "bob")
    sign_in(client, "bob")
    for suffix in ("svg", "png"):
        assert client.get(f"/missions/{SPARTA}/postcards/1.{suffix}").status_code == 404
