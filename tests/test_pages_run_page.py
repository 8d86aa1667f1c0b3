"""The run page's head: a title (the runner's, or one from the local time, sport and place), the
start in the run's own time zone, three headline figures, cadence in steps a minute on foot, what
the run did for the missions, and the file's details tucked away."""

from __future__ import annotations

import functools
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

import heroicrun
import heroicrun.measuring.profile
from heroicrun import measuring, summary
from heroicrun.db.schema import RunProfile
from heroicrun.measuring import profile
from heroicrun.play import courses, pool, recompute
from heroicrun.server.pages import run_charts
from tests.conftest import bearer, make_runner
from tests.factory import TrackBuilder
from tests.helpers import runfiles
from tests.helpers.enrolling import enrol
from tests.helpers.real import real
from tests.helpers.reference import distance_m
from tests.helpers.web import form_token

ATHENS = Path(heroicrun.__file__).parent / "samples" / "athens-dawn-run.gpx"
PASSWORD = "correct horse"


def signed_in(client: TestClient, name: str = "pheidippides") -> str:
    token = make_runner(client, name)
    answer = client.post("/api/session", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return token


def upload(client: TestClient, path: Path) -> int:
    answer = client.post("/api/runs", files=[("files", (path.name, path.read_bytes()))])
    assert answer.status_code == 201, answer.text
    run_id: int = answer.json()["runs"][0]["id"]
    return run_id


def page(client: TestClient, run_id: int) -> str:
    answer = client.get(f"/runs/{run_id}")
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_athens_run_starts_on_athens_time_under_its_default_title(client: TestClient) -> None:
    token = signed_in(client)
    run_id = upload(client, ATHENS)
    # Its zone is kept at upload: the list and the API title it as its page does.
    listed = client.get("/runs").text
    assert '<span class="run-title">Saturday morning run in Athens</span>' in listed
    assert "Sat 26 Sep 2026" in listed
    for answer in (
        client.get(f"/api/runs/{run_id}", headers=bearer(token)).json(),
        client.get("/api/runs", headers=bearer(token)).json()["runs"][0],
    ):
        assert answer["default_title"] == "Saturday morning run in Athens"
    html = page(client, run_id)
    # 05:00 UTC on 26 September: 08:00 on Athens summer time.
    assert '<h1 class="run-title">Saturday morning run in Athens</h1>' in html
    assert "<title>Saturday morning run in Athens · heroicrun</title>" in html
    assert "Saturday 26 September 2026, 08:00</time>" in html
    assert "EEST, Europe/Athens time" in html
    start = html.index('class="stats run-headline"')
    headline = html[start : html.index("</section>", start)]
    assert [label for label in re.findall(r"<span>([a-z ]+)", headline)] == [
        "distance ",
        "moving time",
        "pace ",
    ]
    assert "elapsed time" not in headline and "points" not in headline
    details = html[html.index('<details class="run-file">') :]
    assert "<dt>Format</dt><dd>GPX</dd>" in details and "athens-dawn-run.gpx" in details
    assert "<dt>Start</dt><dd>2026-09-26 05:00 UTC</dd>" in details


def test_a_title_and_notes_are_edited_on_the_page_with_its_form(client: TestClient) -> None:
    token = signed_in(client)
    run_id = upload(client, ATHENS)
    html = page(client, run_id)
    assert 'placeholder="Saturday morning run in Athens"' in html
    sent = {"title": "Up to the <Acropolis>", "notes": "Windy.\r\nNew shoes.", "csrf": ""}
    stale = client.post(f"/runs/{run_id}/about", data=sent, follow_redirects=False)
    assert stale.headers["location"] == f"/runs/{run_id}?form=expired"
    assert client.get(f"/api/runs/{run_id}", headers=bearer(token)).json()["title"] is None

    sent["csrf"] = form_token(html)
    saved = client.post(f"/runs/{run_id}/about", data=sent, follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, f"/runs/{run_id}?form=saved")
    html = client.get(saved.headers["location"]).text
    assert '<h1 class="run-title">Up to the &lt;Acropolis&gt;</h1>' in html
    assert '<p class="run-notes">Windy.\nNew shoes.</p>' in html and "Saved." in html
    stored = client.get(f"/api/runs/{run_id}", headers=bearer(token)).json()
    assert (stored["title"], stored["runner_notes"]) == (
        "Up to the <Acropolis>",
        "Windy.\nNew shoes.",
    )

    cleared = {"title": " ", "notes": "", "csrf": form_token(html)}
    client.post(f"/runs/{run_id}/about", data=cleared, follow_redirects=False)
    html = page(client, run_id)
    assert '<h1 class="run-title">Saturday morning run in Athens</h1>' in html
    assert 'class="run-notes"' not in html


def test_another_runners_run_takes_no_title_from_the_form(client: TestClient) -> None:
    signed_in(client, "ann")
    run_id = upload(client, ATHENS)
    other = TestClient(client.app)
    signed_in(other, "bob")
    sent = {"title": "Mine now", "csrf": form_token(page(other, upload(other, ATHENS)))}
    assert other.post(f"/runs/{run_id}/about", data=sent).status_code == 404
    assert "Mine now" not in page(client, run_id)


def test_cadence_on_foot_is_in_steps_a_minute(client: TestClient) -> None:
    token = signed_in(client)
    # The Athens sample writes 85.5 per leg on average (92 at most), as Garmin's running
    # cadence: 171 steps a minute.
    athens = upload(client, ATHENS)
    html = page(client, athens)
    assert "171 spm</b>" in html and "184 max" in html and " rpm" not in html
    # A walk recorded by a Garmin, in FitTrackee's test files: 50-57 per leg.
    walk = upload(client, real("fittrackee/gpx_file_with_gpxtpx_extensions.gpx"))
    found = re.search(r"<b>(\d+) spm</b>", page(client, walk))
    assert found and 100 <= int(found.group(1)) <= 114
    # A ride keeps its pedal cadence.
    client.patch(f"/api/runs/{athens}", headers=bearer(token), json={"sport": "cycling"})
    ridden = page(client, athens)
    assert "86 rpm</b>" in ridden and " spm" not in ridden
    assert '<h1 class="run-title">Saturday morning ride in Athens</h1>' in ridden


def test_what_the_run_did_for_the_missions_comes_before_the_figures(client: TestClient) -> None:
    token = signed_in(client)
    enrol(client, token, "original-marathon")
    path = runfiles.heart_rate_run()
    html = page(client, upload(client, path))
    strip = html[html.index('<p class="run-strip"') : html.index("</p>", html.index("run-strip"))]
    km = distance_m(path) / 1000
    assert '<a href="/missions/original-marathon">The Original Marathon</a>' in strip
    assert f": +{km:.1f} km, unlocked ‘The Mound on the Plain’ and ‘A Shield on the Hill’" in strip
    assert html.index("run-strip") < html.index("run-headline") < html.index("<h2>Missions</h2>")


# --- the pictures, drawn from the profile kept at upload ---------------------------------------

MOVE = "goldencheetah/Move_2014_01_17_09_33_11.gpx"  # a Suunto run with heart rate, 15.5 km
RIDE = "tcxreader/mapmyride_biking.tcx"  # a ride: stretches too fast to run


def never_read(*_args: object) -> None:
    raise AssertionError("the run page read the original file again")


def kept_profiles(client: TestClient) -> dict[int, str]:
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        rows = session.execute(select(RunProfile.run_id, RunProfile.made_with)).all()
        return {run_id: made_with for run_id, made_with in rows}


def test_a_run_page_is_drawn_from_the_profile_kept_at_upload(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(client)
    run_id = upload(client, real(MOVE))
    assert kept_profiles(client) == {run_id: profile.MADE_WITH}
    monkeypatch.setattr(pool, "read_outing", never_read)
    monkeypatch.setattr(courses, "course_of", never_read)
    html = page(client, run_id)
    assert '<svg class="map' in html and 'id="scrub-dot"' in html
    for chart in ("pace", "elevation", "heart-rate"):
        assert f'<svg class="chart {chart}"' in html
    # The scrubber's samples: along the distance, each with its place on the map.
    data = json.loads(re.search(r'id="scrub-data">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    assert data["axis"] == "distance" and len(data["km"]) == len(data["mx"]) <= 320
    assert data["km"][-1] == pytest.approx(15.5, abs=0.2)
    assert 100 < max(h for h in data["hr"] if h) < 200
    assert all(0 <= x <= 640 for x in data["mx"]) and all(0 <= y <= 400 for y in data["my"])
    # Every chart on the same axis: the same left and right ends, the same km ticks.
    ticks = {
        chart: re.findall(r'text-anchor="middle">([\d.]+)</text>', svg)
        for chart, svg in re.findall(r'<svg class="chart ([\w-]+)"(.*?)</svg>', html, re.S)
    }
    assert len(set(map(tuple, ticks.values()))) == 1 and "10" in ticks["pace"]
    # km marks along the track: every 1 km on a 15 km run.
    assert re.findall(r'<text class="tick"[^>]*>(\d+)</text>', html)[:3] == ["1", "2", "3"]


def test_a_run_stored_before_profiles_gets_one_at_its_first_view(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(client)
    run_id = upload(client, ATHENS)
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        session.execute(delete(RunProfile))
        session.commit()
    first = page(client, run_id)
    assert kept_profiles(client) == {run_id: profile.MADE_WITH}
    monkeypatch.setattr(pool, "read_outing", never_read)
    assert '<svg class="map' in page(client, run_id) and '<svg class="map' in first


def test_a_profile_made_another_way_is_made_again(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(client)
    run_id = upload(client, ATHENS)
    monkeypatch.setattr(profile, "MADE_WITH", "profile-next")
    assert '<svg class="chart pace"' in page(client, run_id)
    assert kept_profiles(client) == {run_id: "profile-next"}


def test_the_charts_follow_the_time_when_asked(client: TestClient) -> None:
    signed_in(client)
    run_id = upload(client, real(MOVE))
    html = client.get(f"/runs/{run_id}?axis=time").text
    assert 'href="?axis=time#charts" aria-current="true"' in html
    data = json.loads(re.search(r'id="scrub-data">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    assert data["axis"] == "time" and data["high"] == pytest.approx(data["t"][-1], abs=1)
    pace = html[html.index('<svg class="chart pace"') :]
    assert ">h:mm</text>" in pace[: pace.index("</svg>")]
    assert "0:30" in pace[: pace.index("</svg>")]


def test_a_ride_says_its_many_stretches_in_one_line(client: TestClient) -> None:
    signed_in(client)
    html = page(client, upload(client, real(RIDE)))
    summary = re.search(r'<p class="run-flags-summary">\s*(.*?)\s*</p>', html, re.S)
    assert summary is not None
    assert re.fullmatch(
        r"\d+ stretch(es)? too fast to run, [\d.]+ km in all, left out.*\.", summary.group(1)
    )
    # The list is there, tucked away, and the map comes right after the one line.
    assert html.index("run-flags-summary") < html.index('<details class="run-flags-list">')
    assert html.index('<details class="run-flags-list">') < html.index("<h2>Map</h2>")
    assert '<polyline class="vehicle-casing"' in html and '<polyline class="vehicle"' in html


def test_a_route_shows_no_splits(client: TestClient) -> None:
    signed_in(client)
    html = page(client, upload(client, runfiles.route_without_times()))
    assert "<h2>Splits</h2>" not in html and "1.00 · –" not in html
    assert '<svg class="map' in html and 'class="split-bars"' not in html


def test_a_short_run_has_a_bar_per_km_and_the_table_behind_details(client: TestClient) -> None:
    signed_in(client)
    html = page(client, upload(client, real(MOVE)))
    bars = html[html.index('<svg class="split-bars"') :]
    bars = bars[: bars.index("</svg>")]
    assert bars.count("<rect") == 16 and bars.count('class="bar fastest"') == 1
    assert "★" in bars and "/km" in bars
    assert html.index('class="split-bars"') < html.index('<details class="run-splits">')


@functools.cache  # read only: built once for both databases
def long_run() -> bytes:
    """246 km due north in 36 hours, a point every 2 s, with a heart rate: a GPX of 65,000
    points."""
    track = TrackBuilder(elevation_m=300.0).run(246_000, 36 * 3600, step_s=2, heart_rate_bpm=140)
    return runfiles.gpx(track.build(), "Spartathlon")


def test_a_36_hour_run_shows_hourly_bars_in_a_light_page(client: TestClient) -> None:
    signed_in(client)
    data = gzip.compress(long_run(), compresslevel=1)
    answer = client.post("/api/runs", files=[("files", ("spartathlon.gpx.gz", data))])
    html = page(client, answer.json()["runs"][0]["id"])
    assert len(html.encode()) < 100_000
    bars = html[html.index('<svg class="split-bars"') :]
    assert bars[: bars.index("</svg>")].count("<rect") == 36
    assert "Splits per hour, as a table" in html and "Splits per mile" not in html
    # km marks thinned: every 20 km on a 246 km run.
    marks = re.findall(r'<text class="tick"[^>]*>(\d+)</text>', html)
    assert marks[:2] == ["20", "40"]


def test_recompute_keeps_a_profile_for_every_run(client: TestClient) -> None:
    signed_in(client)
    first, second = upload(client, ATHENS), upload(client, real(MOVE))
    writers = client.app.state.writers  # type: ignore[attr-defined]
    with writers() as session:  # as a database from before profiles, and one made another way
        session.execute(delete(RunProfile).where(RunProfile.run_id == first))
        session.execute(
            update(RunProfile).where(RunProfile.run_id == second).values(made_with="profile-0")
        )
        session.commit()
    parser = pool.Parser(1, 60.0)
    try:
        with writers() as session:
            report = recompute.recompute(session, parser)
    finally:
        parser.close()
    assert report.problems == [] and len(report.remeasured) == 2
    assert kept_profiles(client) == {first: profile.MADE_WITH, second: profile.MADE_WITH}
    with writers() as session:
        sketches = session.scalars(select(RunProfile.sketch)).all()
    assert all(sketch and sketch.startswith("M") for sketch in sketches)


def drawn_map(track: Any) -> str:
    measured = measuring.profile.of(measuring.course_of(track), measuring.measure(track).flags)
    pictures = run_charts.pictures_of(measured)
    assert pictures.map is not None
    return str(pictures.map)


def test_a_loop_has_one_start_and_finish_and_an_out_and_back_two() -> None:
    # A 20 km square that stops 150 m short of where it began: one place on a map this size.
    loop = TrackBuilder()
    for side, bearing in enumerate((0.0, 90.0, 180.0, 270.0)):
        loop.run(5000 if side < 3 else 4850, 1500, step_s=5, bearing_deg=bearing)
    svg = drawn_map(loop.build())
    assert svg.count('<g class="marker start">') == 1 and 'class="marker finish"' not in svg
    assert svg.count(">Start · Finish</text>") == 2  # laid out for a phone and a wide screen
    # Out 2 km and back 1 km: two places, named apart.
    there = TrackBuilder().run(2000, 600).run(1000, 300, bearing_deg=180.0).build()
    svg = drawn_map(there)
    assert svg.count(">Start</text>") == 2 and svg.count(">Finish</text>") == 2
    assert 'class="marker start"' in svg and 'class="marker finish"' in svg


def test_km_marks_follow_a_run_across_the_antimeridian() -> None:
    # Taveuni, Fiji: 3 km east across 180°.
    track = TrackBuilder(start=(-16.8, 179.99)).run(3000, 900, bearing_deg=90.0).build()
    svg = drawn_map(track)
    marks = re.findall(r'<text class="tick" x="([\d.]+)"[^>]*>(\d)</text>', svg)
    assert sorted({number for _, number in marks}) == ["1", "2"]
    assert all(0 <= float(x) <= 640 for x, _ in marks)


def test_a_journey_of_days_has_a_bar_every_few_hours() -> None:
    # 1,500 km in a week (166 h 40 min), a point every 10 minutes.
    track = TrackBuilder().run(1_500_000, 600_000, step_s=600).build()
    measured = measuring.measure(track)
    drawn = measuring.profile.of(measuring.course_of(track), measured.flags)
    bars = run_charts.split_bars(
        summary.describe(track, measured), measuring.profile.to_bytes(drawn)
    )
    assert bars is not None and bars.words == "per 4 hours"
    assert len(bars.bars) == 42 and bars.bars[0].label == "0–4 h"
    assert bars.bars[0].distance_m == pytest.approx(1_500_000 / 600_000 * 4 * 3600, rel=0.01)
    svg = str(bars.svg)
    # Every name fits left of its bar.
    assert min(float(x) for x in re.findall(r'class="bar-label" x="([\d.]+)"', svg)) > 60
