"""The upload's answer as a page: the status line, refusals first with how to export a GPX, per
journey the marker sliding along a map of the stretch run and "+8.0 km · km 83.6 → 91.6 · 31.1
km to Nemea", chapters sealed (first lines and "Read"), a medal for a finished mission, and a
line for each run that does not count; short, whatever the number of files."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import make_runner
from tests.factory import T0, TrackBuilder
from tests.helpers import runfiles
from tests.helpers.enrolling import enrol
from tests.helpers.runfiles import day_run as run_file
from tests.helpers.web import post_upload as post
from tests.helpers.web import sign_in

DAY_S = 86_400.0
SPARTA = "reach-sparta"


def ride_file(day: int) -> bytes:
    """A 20 km ride (the file says cycling) at 25 km/h, then 5 km downhill at 45 km/h, a
    vehicle's speed."""
    builder = TrackBuilder(start_time_s=T0 + day * DAY_S, elevation_m=100.0)
    builder.run(20_000.0, 2880.0, 10.0).run(5000.0, 400.0, 10.0)
    return runfiles.gpx(builder.build(), "Evening ride", "cycling")


def signed_in_runner(client: TestClient, *missions: str) -> str:
    """Ann, signed in and enrolled in `missions`; the form token of the upload page."""
    token = make_runner(client, "ann")
    for mission_id in missions:
        enrol(client, token, mission_id)
    return sign_in(client)


def title(page: str) -> str:
    found = re.search(r'<h2 id="result-title">(.*?)</h2>', page, re.S)
    assert found, page
    return " ".join(found.group(1).split())


def text(page: str) -> str:
    """The page's words, tags and spacing taken out."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_an_8_km_run_moves_the_marker_and_says_how_far_to_the_next_place(
    client: TestClient,
) -> None:
    form_token = signed_in_runner(client, SPARTA)
    post(client, form_token, ("long.gpx", run_file(1, 83.6, "Long run")))
    page = post(client, form_token, ("eight.gpx", run_file(2, 8.0)))
    assert title(page) == "1 run stored"
    words = text(page)
    assert "+8.0 km · km 83.6 → 91.6 · 31.1 km to Nemea" in words
    reward = page[page.index('class="card reward"') :]
    svg = reward[reward.index("<svg") : reward.index("</svg>")]
    assert 'class="map reward-map' in svg and '<g class="land"' in svg
    assert "<animateMotion" in svg and 'fill="freeze"' in svg
    assert 'class="marker you"' in svg  # the marker at its end, for reduced motion
    assert "Nemea" in svg and "Corinth" in svg  # the last place passed and the next
    assert "No new chapter" not in words


def test_a_chapter_is_sealed_with_its_first_lines_and_a_link_to_read_it(
    client: TestClient,
) -> None:
    form_token = signed_in_runner(client, SPARTA)
    page = post(client, form_token, ("twenty-five.gpx", run_file(1, 25.0)))
    assert title(page) == "1 run stored · 2 new chapters unlocked"
    chapters = page.split('class="beat unlocked-chapter sealed')[1:]
    assert len(chapters) == 2
    assert "The Potters&#39; Quarter" in chapters[0]
    assert 'href="/missions/reach-sparta#chapter-1"' in chapters[0]
    assert 'href="/missions/reach-sparta#chapter-2"' in chapters[1]
    for chapter in chapters:
        opening = re.search(r'<p class="opening">(.*?)</p>', chapter, re.S)
        assert opening and 20 < len(opening.group(1)) <= 180, chapter


def test_on_a_long_upload_only_the_newest_chapter_opens(client: TestClient) -> None:
    form_token = signed_in_runner(client, SPARTA)
    page = post(client, form_token, ("long.gpx", run_file(1, 83.6)))
    chapters = page.split('class="beat unlocked-chapter sealed')[1:]
    assert [part.startswith(" compact") for part in chapters] == [True, True, True, False]
    assert [part.count('class="opening"') for part in chapters] == [0, 0, 0, 1]
    assert all("Read<span" in part for part in chapters)


def test_a_five_file_upload_stays_short(client: TestClient) -> None:
    form_token = signed_in_runner(client, SPARTA, "original-marathon")
    files = [(f"run-{day}.gpx", run_file(day, 10.0, f"Run {day}")) for day in range(1, 6)]
    page = post(client, form_token, *files)
    assert title(page).startswith("5 runs stored · ")
    # Two missions, each one card with one map, however many runs and chapters.
    assert page.count('class="card reward"') == 2
    assert page.count('<svg class="map') == 2
    assert page.count('class="uploaded-run"') == 5
    # Chapters sealed: no chapter's whole story on the page.
    assert "one hundred and ninety-two" not in page  # deep in the marathon's first chapter
    assert len(text(page)) < 6000


def test_refusals_come_first_and_the_status_line_tells_the_truth(client: TestClient) -> None:
    form_token = signed_in_runner(client, SPARTA)
    first = run_file(1, 5.0)
    post(client, form_token, ("first.gpx", first))
    page = post(
        client,
        form_token,
        ("again.gpx", first),
        ("broken.gpx", b"not a run"),
        ("new.gpx", run_file(2, 6.0)),
    )
    assert title(page) == "1 run stored · 1 already here · 1 refused"
    assert page.index('class="card refused"') < page.index('class="card reward"')
    assert "How to export a GPX from your app" in page
    apps = ("Strava", "Garmin Connect", "Apple Health", "Coros", "Polar", "Suunto", "OpenTracks")
    for app in apps:
        assert f"<b>{app}" in page
    assert "Already here, as run 1: it counts once." in text(page)


def test_a_duplicate_alone_is_not_called_stored(client: TestClient) -> None:
    form_token = signed_in_runner(client, SPARTA)
    data = run_file(1, 5.0)
    post(client, form_token, ("first.gpx", data))
    page = post(client, form_token, ("again.gpx", data), fragment=True)
    assert title(page) == "1 already here"
    assert 'class="card reward"' not in page


def test_a_ride_says_why_it_does_not_count(client: TestClient) -> None:
    form_token = signed_in_runner(client, SPARTA)
    page = post(client, form_token, ("ride.gpx", ride_file(1)))
    assert title(page) == "1 run stored"
    words = text(page)
    assert "Does not count: a ride" in words
    assert "count for missions: a stretch" not in words  # none of a ride counts, fast or not
    assert "No mission moved this time" in words
    assert 'class="card reward"' not in page


def test_nothing_refused_but_everything_refused_says_nothing_stored(client: TestClient) -> None:
    form_token = signed_in_runner(client, SPARTA)
    page = post(client, form_token, ("broken.gpx", b"not a run"), ("bad.gpx", b"<gpx"))
    assert title(page) == "Nothing stored"
    assert "2 files refused" in page


def test_finishing_a_mission_shows_a_medal(client: TestClient) -> None:
    form_token = signed_in_runner(client, "original-marathon")
    page = post(client, form_token, ("marathon.gpx", run_file(1, 43.0, "Marathon")))
    assert "Mission complete" in page and 'class="medal"' in page
    assert "the end of the road" in text(page)
