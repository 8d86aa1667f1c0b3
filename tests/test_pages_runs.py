"""The run page: figures, flags, splits, best efforts, map and charts, missions, delete; owners
only, and everything from a file shown as text."""

from __future__ import annotations

import gzip
import html
import math
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import select

from heroicrun import units
from heroicrun.db.schema import Run, Runner, RunProfile
from heroicrun.server.pages import drawing, formats
from tests.conftest import bearer, make_runner
from tests.helpers import runfiles
from tests.helpers.enrolling import FIRST_MORNING, enrol
from tests.helpers.reference import distance_m
from tests.helpers.web import form_token, sign_in
from tests.helpers.year_of_runs import a_year_of_runs, year_plan

WITH_HEART_RATE = runfiles.heart_rate_run()
WITH_CAR = runfiles.car_ride()
ROUTE = runfiles.partly_timed_route()
SMALL = runfiles.short_run()
PASSWORD = "correct horse"


def signed_in(client: TestClient, name: str = "pheidippides") -> str:
    """A runner signed in on the client (its cookie kept); their API token."""
    token = make_runner(client, name)
    answer = client.post("/api/session", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return token


def upload(client: TestClient, path: Path, name: str | None = None, token: str = "") -> int:
    """Upload one file (with the token, else the client's cookie); the new run's id."""
    headers = bearer(token) if token else {}
    files = [("files", (name or path.name, path.read_bytes()))]
    answer = client.post("/api/runs", headers=headers, files=files)
    assert answer.status_code == 201, answer.text
    run_id: int = answer.json()["runs"][0]["id"]
    return run_id


def page(client: TestClient, run_id: int) -> str:
    answer = client.get(f"/runs/{run_id}")
    assert answer.status_code == 200, answer.text
    return answer.text


def section(html: str, heading: str) -> str:
    """The HTML from an <h2> to the next one."""
    start = html.index(f"<h2>{heading}</h2>")
    end = html.find("<h2>", start + 1)
    return html[start : end if end > 0 else len(html)]


def test_a_run_with_heart_rate_shows_figures_tables_map_and_charts(client: TestClient) -> None:
    token = signed_in(client)
    html = page(client, upload(client, WITH_HEART_RATE, token=token))
    total_m = distance_m(WITH_HEART_RATE)
    legs = runfiles.HEART_RATE_LEGS
    moving_s = sum(duration_s for _, duration_s, _ in legs)  # never slower than a walk
    title = html[html.index("<title>") + 7 : html.index(" · heroicrun</title>")]
    assert title == "Friday morning run in Ljubljana"
    assert f'<h1 class="run-title">{title}</h1>' in html
    assert f"<dd>{WITH_HEART_RATE.name}" in html  # the file's name, among its details
    assert f"{total_m / 1000:.2f} km" in html and f"{total_m / units.MILE_M:.2f} mi" in html
    assert units.clock(moving_s) in html
    per_km = units.clock(moving_s / total_m * 1000)
    per_mile = units.clock(moving_s / total_m * units.MILE_M)
    assert f"{per_km} /km" in html and f"{per_mile} /mi" in html
    assert f"{runfiles.HEART_RATE_BPM:.0f} bpm" in html
    splits = section(html, "Splits")
    rows = math.ceil(total_m / 1000) + math.ceil(total_m / units.MILE_M)
    assert splits.count('<th scope="row">') == rows
    assert "Splits per mile" in splits
    assert "Pace /km" in splits and "Pace /mi" in splits
    first_m, first_s, first_climb_m = legs[0]
    km_s, km_climb = units.clock(first_s / first_m * 1000), round(first_climb_m / first_m * 1000)
    first = (
        rf'<th scope="row">1</th>\s*<td>1.00</td>\s*<td>{km_s}</td>\s*<td>{km_s}</td>'
        rf"\s*<td>{km_climb:+d} m</td>"
    )
    assert re.search(first, splits)  # the first km, inside the first leg
    efforts = section(html, "Best efforts")
    fastest_s_per_m = min(duration_s / leg_m for leg_m, duration_s, _ in legs if leg_m >= 5000)
    assert re.search(rf"5 km</th>\s*<td>{units.clock(5000 * fastest_s_per_m)}</td>", efforts)
    assert "15 km" in efforts
    assert html.count('<svg class="map') == 1
    assert '<polyline class="track"' in html and "Start" in html
    for chart in ("pace", "elevation", "heart-rate"):
        assert f'<svg class="chart {chart}"' in html
    assert "What looked wrong" not in html
    assert 'href="/api/runs/' in html and "/original" in html


def test_charts_stay_small_and_read_as_a_runner_reads_them(client: TestClient) -> None:
    signed_in(client)
    html = page(client, upload(client, WITH_HEART_RATE))
    pace = html[html.index('<svg class="chart pace"') :]
    pace = pace[: pace.index("</svg>")]
    ticks = re.findall(r'text-anchor="end">(\d+:\d\d)</text>', pace)
    assert len(ticks) >= 2  # m:ss labels on the pace axis
    seconds = [int(m) * 60 + int(s) for m, s in (tick.split(":") for tick in ticks)]
    heights = [float(y) for y in re.findall(r'<line class="grid" x1="\d+" y1="([\d.]+)"', pace)]
    # Faster (fewer seconds) is drawn higher (a smaller y).
    assert sorted(zip(seconds, heights, strict=True)) == sorted(
        zip(seconds, heights, strict=True), key=lambda pair: pair[1]
    )
    points = re.findall(r'<polyline class="series" points="([^"]*)"', pace)
    assert 0 < sum(len(line.split()) for line in points) <= 1500


def test_a_ride_in_a_car_is_flagged_and_drawn_apart(client: TestClient) -> None:
    signed_in(client)
    html = page(client, upload(client, WITH_CAR))
    flags = section(html, "What looked wrong")
    rides, on_foot_m, far_m, then_s = [], 0.0, 0.0, 0.0
    for ridden, leg_m, leg_s in runfiles.CAR_LEGS:
        if ridden:
            rides.append((far_m, far_m + leg_m, then_s, then_s + leg_s))
        else:
            on_foot_m += leg_m
        far_m, then_s = far_m + leg_m, then_s + leg_s
    assert flags.count("Too fast to run") == len(rides) == 2
    for from_m, to_m, from_s, to_s in rides:
        assert f"{(to_m - from_m) / (to_s - from_s) * 3.6:.0f} km/h" in flags
        assert f"from km {from_m / 1000:.2f} to km {to_m / 1000:.2f}" in flags
        assert f"{units.clock(from_s)}–{units.clock(to_s)} into the run" in flags
    assert '<polyline class="vehicle"' in html and '<polyline class="track"' in html
    assert f"<b>{on_foot_m / 1000:.2f} km</b><span>counts for missions</span>" in html
    assert "<circle" in html and "GPS spike" not in html


def test_a_route_shows_distance_and_shape_but_no_pace(client: TestClient) -> None:
    signed_in(client)
    html = page(client, upload(client, ROUTE))
    data = ROUTE.read_bytes()
    assert f"{distance_m(ROUTE) / 1000:.2f} km" in html
    points, timed = data.count(b"<trkpt "), data.count(b"<time>")
    assert f"has times on only {timed} of {points} points: read as a route" in html
    assert "A route: no times" in html
    assert '<svg class="map' in html
    assert '<svg class="chart pace"' not in html
    assert "/km" not in html.replace("per km", "")
    assert "A route has no times, so it counts for no mission." in html


def long_run_gpx(hours: float = 36.0) -> bytes:
    """A run recorded every second for `hours`, weaving west at 7 to 10 km/h, with elevation and
    heart rate: 130,000 points for 36 hours."""
    seconds = np.arange(int(hours * 3600))
    speed_m_s = 2.2 + 0.5 * np.sin(seconds / 900)
    heading = np.radians(240 + 20 * np.sin(seconds / 5000))
    lat = 37.97 + np.cumsum(speed_m_s * np.cos(heading)) / 111_132
    lon = 23.72 + np.cumsum(speed_m_s * np.sin(heading)) / (111_320 * np.cos(np.radians(38)))
    elevation = 200 + 150 * np.sin(seconds / 7000)
    heart_rate = 140 + 10 * np.sin(seconds / 600)
    start = datetime(2024, 9, 27, 5, 0, tzinfo=UTC).timestamp()
    points = "".join(
        f'<trkpt lat="{la:.7f}" lon="{lo:.7f}"><ele>{el:.1f}</ele><time>'
        f"{datetime.fromtimestamp(start + t, UTC):%Y-%m-%dT%H:%M:%SZ}</time><extensions>"
        f"<gpxtpx:TrackPointExtension><gpxtpx:hr>{hr:.0f}</gpxtpx:hr>"
        "</gpxtpx:TrackPointExtension></extensions></trkpt>"
        for t, la, lo, el, hr in zip(seconds, lat, lon, elevation, heart_rate, strict=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="tests" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>Spartathlon</name><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def test_a_36_hour_run_page_stays_light(client: TestClient) -> None:
    # How fast it renders is benchmarks/run_page.py's business: a timing here fails on a busy
    # machine. What it holds must not grow with the run.
    signed_in(client)
    data = gzip.compress(long_run_gpx(), compresslevel=1)
    answer = client.post("/api/runs", files=[("files", ("spartathlon.gpx.gz", data))])
    assert answer.status_code == 201, answer.text
    run_id = answer.json()["runs"][0]["id"]
    html = page(client, run_id)
    # The same page again, but for its form tokens, masked afresh for every page.
    unmasked = re.compile(r'name="csrf" value="[0-9a-f]+"')
    assert unmasked.sub("", page(client, run_id)) == unmasked.sub("", html)
    assert "129,600" in html and len(html) < 400_000
    for chart in ("pace", "elevation", "heart-rate"):
        svg = html[html.index(f'<svg class="chart {chart}"') :]
        svg = svg[: svg.index("</svg>")]
        lines = re.findall(r'<polyline class="series" points="([^"]*)"', svg)
        assert 100 < sum(len(line.split()) for line in lines) <= 1500, chart
    svg = html[html.index('<svg class="map') :]
    svg = svg[: svg.index("</svg>")]
    assert sum(len(line.split()) for line in re.findall(r'points="([^"]*)"', svg)) <= 1600


def test_what_the_run_counted_for_in_each_mission(client: TestClient) -> None:
    token = signed_in(client)
    enrol(client, token, "original-marathon")
    html = page(client, upload(client, WITH_HEART_RATE))
    missions = section(html, "Missions")
    assert '<a href="/missions/original-marathon">The Original Marathon</a>' in missions
    km = distance_m(WITH_HEART_RATE) / 1000  # past the beats at km 5 and 9, short of km 20
    unlocked = "unlocked ‘The Mound on the Plain’ and ‘A Shield on the Hill’"
    assert f"(+{km:.1f} km, {unlocked})" in missions
    # A second run counts too, and unlocks nothing the first one did.
    second = page(client, upload(client, SMALL))
    assert "Counted for" in second and "unlocked" not in section(second, "Missions")


def test_a_run_recorded_long_before_enrolling_counts_for_nothing(client: TestClient) -> None:
    # Handed in before enrolling or after, what counts is when it was recorded.
    token = signed_in(client)
    run_id = upload(client, WITH_HEART_RATE)
    enrol(client, token, "reach-sparta", FIRST_MORNING + timedelta(days=30))
    missions = section(page(client, run_id), "Missions")
    assert "Not counted for" in missions and "Reach Sparta" in missions
    assert "recorded 4 weeks before you enrolled" in missions
    assert "Counted for" not in missions
    later = page(client, upload(client, WITH_CAR))
    assert "recorded 3 weeks before you enrolled" in section(later, "Missions")


def test_no_mission_yet(client: TestClient) -> None:
    signed_in(client)
    html = page(client, upload(client, SMALL))
    assert "You are in no mission yet" in section(html, "Missions")


def test_another_runners_run_or_a_missing_one_is_not_found(client: TestClient) -> None:
    other = make_runner(client, "legolas")
    theirs = upload(client, SMALL, token=other)
    signed_in(client)
    for path in (f"/runs/{theirs}", "/runs/999999", "/runs/abc", "/runs/99999999999", "/runs/0"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "No such run" in answer.text
        assert SMALL.name not in answer.text
    mine = page(client, upload(client, WITH_CAR))
    refused = client.post(f"/runs/{theirs}/delete", data={"csrf": form_token(mine)})
    assert refused.status_code == 404
    assert client.get(f"/api/runs/{theirs}", headers=bearer(other)).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/runs/1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/runs/1"
    answer = client.post("/runs/1/delete", follow_redirects=False)
    assert answer.status_code == 303


def test_deleting_a_run(client: TestClient) -> None:
    signed_in(client)
    run_id = upload(client, SMALL)
    html = page(client, run_id)
    assert f'<form method="post" action="/runs/{run_id}/delete"' in html
    assert "<summary" in html  # the confirm step opens by keyboard, no script needed
    answer = client.post(
        f"/runs/{run_id}/delete", data={"csrf": form_token(html)}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/runs"
    assert client.get(f"/runs/{run_id}").status_code == 404
    assert client.get(f"/api/runs/{run_id}").status_code == 404


def test_a_form_without_its_token_deletes_nothing(client: TestClient) -> None:
    signed_in(client)
    run_id = upload(client, SMALL)
    for data in ({}, {"csrf": "0" * 64}):
        answer = client.post(f"/runs/{run_id}/delete", data=data, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/runs/{run_id}?form=expired"
    again = client.get(f"/runs/{run_id}?form=expired")
    assert again.status_code == 200 and "nothing was changed" in again.text


def test_names_from_files_stay_text(client: TestClient) -> None:
    signed_in(client)
    data = SMALL.read_bytes().replace(b"<name>", b"<name>&lt;script&gt;alert(1)&lt;/script&gt;", 1)
    for name, shown in [
        # The name's last path part is kept: "script>.gpx".
        ("<script>alert(1)</script>.gpx", "script&gt;.gpx"),
        ("<img src=x onerror=alert(1)>.gpx", "&lt;img src=x onerror=alert(1)&gt;.gpx"),
    ]:
        answer = client.post("/api/runs", files=[("files", (name, data))])
        assert answer.status_code == 201, answer.text
        html = page(client, answer.json()["runs"][0]["id"])
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the track's own name
        assert f"<dd>{shown}" in html  # among the file's details, the heading being the title
        run_id = answer.json()["runs"][0]["id"]
        client.post(f"/runs/{run_id}/delete", data={"csrf": form_token(html)})


def test_formats_write_what_the_terminal_writes() -> None:
    assert formats.km(15557.2) == "15.56 km"
    assert formats.miles(15557.2) == "9.67 mi"
    assert formats.speed(3.45) == "12.4 km/h"
    assert formats.metres(23.0, signed=True) == "+23 m"
    assert formats.moment("2014-01-17T08:33:11.150000Z") == "2014-01-17 08:33 UTC"


def test_a_pace_chart_has_clock_ticks_with_faster_higher() -> None:
    xs = np.linspace(0, 10, 200).tolist()
    ys = (300 + 30 * np.sin(np.linspace(0, 6, 200))).tolist()
    svg = str(
        drawing.chart_svg(
            drawing.Series(xs, ys, "pace", "Pace", invert=True, tick_format=units.duration)
        )
    )
    ticks = re.findall(r'y="([\d.]+)" text-anchor="end">(\d+):(\d\d)</text>', svg)
    assert len(ticks) >= 3
    by_height = sorted((float(y), int(m) * 60 + int(s)) for y, m, s in ticks)
    assert [seconds for _, seconds in by_height] == sorted(s for _, s in by_height)
    assert all(seconds % 10 == 0 for _, seconds in by_height)  # 4:40, 5:00, 5:20


def test_the_descent_reads_as_metres_down_without_a_minus(client: TestClient) -> None:
    signed_in(client)
    html = page(client, upload(client, runfiles.short_run()))
    climb = re.search(r"climb · (\S+) m down", html)
    # "20 m down", not "−20 m down" (the word says which way), nor "−0 m down" on the flat.
    assert climb is not None and climb.group(1).isdigit(), html


# --- the runs list ---------------------------------------------------------------------------

YEAR_END = date(2026, 6, 30)  # the last day of the year of runs below


def a_year_listed(client: TestClient, last_day: date = YEAR_END) -> list[Run]:
    """Ann signed in, with a year of runs (tests.helpers.year_of_runs) up to `last_day`."""
    make_runner(client, "ann")
    sign_in(client, "ann")
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == "ann"))
        assert runner is not None
        runs = a_year_of_runs(session, runner, last_day)
        session.commit()
        for run in runs:
            session.expunge(run)
    return runs


def words_of(page: str) -> str:
    """What a reader sees of a page: tags dropped, entities read, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def rows_of(page: str) -> list[int]:
    """The run ids the list's rows link to, in order."""
    return [int(found) for found in re.findall(r'<a class="run-row" href="/runs/(\d+)">', page)]


def test_the_runs_list_shows_titles_rows_and_pages_that_end(client: TestClient) -> None:
    runs = a_year_listed(client)
    newest_first = runs[::-1]

    page = client.get("/runs").text

    shown = words_of(page)
    assert "150 runs · page 1 of 6" in shown
    assert rows_of(page) == [run.id for run in newest_first[:25]]
    # Each run under its title (the default one: 07:00 UTC on its day), not the file's name.
    newest = newest_first[0]
    title = f"{YEAR_END:%A} dawn run"
    assert f'<span class="run-title">{title}</span>' in page
    assert shown.count("dawn run") == 25 and "Synthetic run" not in shown
    assert f"{YEAR_END:%a} {YEAR_END.day} {YEAR_END:%b %Y} · {newest.file_name}" in shown
    assert "3.00 km · 16:30 · 5:30 /km" in shown  # the newest: 3 km at 5:30 a km
    # Pages by number around this one, the last, and never past the end.
    assert 'rel="next" href="/runs?page=2"' in page and 'href="/runs?page=6"' in page
    assert 'aria-current="page">1<' in page and 'rel="prev"' not in page
    last = client.get("/runs?page=6").text
    assert len(rows_of(last)) == 150 - 5 * 25 and "page 6 of 6" in words_of(last)
    assert 'rel="next"' not in last and 'href="/runs"' in last  # the first page
    past = client.get("/runs?page=50", follow_redirects=False)
    assert past.status_code == 303 and past.headers["location"] == "/runs?page=6"


def test_the_list_and_the_api_give_a_run_its_title(client: TestClient) -> None:
    runs = a_year_listed(client)
    token = make_runner(client, "bob")
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        named = session.get(Run, runs[-1].id)
        assert named is not None
        named.title = "Up to <Lycabettus>"
        session.commit()
    page = client.get("/runs").text
    assert '<span class="run-title">Up to &lt;Lycabettus&gt;</span>' in page

    listed = client.get("/api/runs?limit=2").json()["runs"]
    assert listed[0]["title"] == "Up to <Lycabettus>"
    assert listed[0]["default_title"] == f"{YEAR_END:%A} dawn run"
    assert listed[1]["title"] is None and listed[1]["default_title"].endswith(" dawn run")
    one = client.get(f"/api/runs/{runs[0].id}").json()
    assert one["default_title"] == listed[1]["default_title"].replace(
        listed[1]["default_title"].split()[0], f"{runs[0].start_time:%A}"
    )
    assert client.get("/api/runs", headers=bearer(token)).json()["runs"] == []


def test_filters_by_sport_and_year_keep_to_their_runs_across_pages(client: TestClient) -> None:
    runs = a_year_listed(client)
    walks = runs[:40:2]  # twenty of the oldest runs, marked as walks
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        for walk in walks:
            row = session.get(Run, walk.id)
            assert row is not None
            row.marked_sport = "walking"
        session.commit()

    page = client.get("/runs?sport=walking").text
    assert "20 runs · page 1 of 1" in words_of(page)
    assert sorted(rows_of(page)) == sorted(walk.id for walk in walks)
    assert '<option value="walking" selected>Walking</option>' in page
    assert '<option value="undeclared">Not declared</option>' in page
    assert 'aria-label="Walking"' in page and "Walk" in words_of(page)

    in_2025 = [run for run in runs if run.start_time and run.start_time.year == 2025]
    page = client.get("/runs?year=2025").text
    assert f"{len(in_2025)} runs · page 1 of 3" in words_of(page)
    assert 'href="/runs?year=2025&amp;page=2"' in page  # the filter kept across pages
    assert '<option value="2025" selected>2025</option>' in page
    past = client.get("/runs?year=2025&page=9", follow_redirects=False)
    assert past.headers["location"] == "/runs?year=2025&page=3"
    both = client.get("/runs?sport=undeclared&year=2026").text
    in_2026 = [run for run in runs if run.start_time and run.start_time.year == 2026]
    assert f"{len(in_2026)} runs" in words_of(both)  # no walk in 2026
    assert "No runs here" in client.get("/runs?sport=cycling").text


def test_a_month_is_a_jump_away(client: TestClient) -> None:
    runs = a_year_listed(client)
    newest_first = runs[::-1]
    march = [n for n, run in enumerate(newest_first) if f"{run.start_time:%Y-%m}" == "2026-03"]

    answer = client.get("/runs?month=2026-03", follow_redirects=False)

    assert answer.status_code == 303
    landing = march[0] // 25 + 1
    assert answer.headers["location"] == f"/runs?page={landing}#m2026-03"
    page = client.get(f"/runs?page={landing}").text
    assert (
        f'<li id="m2026-03">\n    <a class="run-row" href="/runs/{newest_first[march[0]].id}"'
        in page
    )
    assert '<option value="2026-03">March 2026 (' in page
    assert client.get("/runs?month=2026-13").status_code == 400
    assert client.get("/runs?year=twenty").status_code == 400
    assert client.get("/runs?sport=%3Cscript%3E").status_code == 400


def test_a_calendar_of_the_year_and_totals_over_all_runs(client: TestClient) -> None:
    a_year_listed(client)
    plan = year_plan(YEAR_END)

    page = client.get("/runs?year=2026").text

    heatmap = page[page.index('<svg class="heatmap"') : page.index("</svg>", page.index("heatmap"))]
    assert heatmap.count("<rect") == 365  # every day of 2026
    days_2026 = [(start, km, pace) for start, km, pace in plan if start.year == 2026]
    assert heatmap.count("<title>") == len(days_2026)
    start, km, pace = days_2026[-1]
    moving = formats.hours(km * pace)
    assert f"<title>{formats.day(start)}: {km:.1f} km, 1 run, {moving} moving</title>" in heatmap
    assert 'class="l2"' in heatmap and 'class="l3"' in heatmap  # 8 km and 12 km days
    shown = words_of(page)
    km_2026 = sum(km for _, km, _ in days_2026)
    assert f"2026: {len(days_2026)} runs, {km_2026:.1f} km" in shown
    # Years: every year, whatever the filter.
    km_2025 = sum(km for start, km, _ in plan if start.year == 2025)
    runs_2025 = sum(1 for start, _, _ in plan if start.year == 2025)
    assert (
        f"2026 {len(days_2026)} {km_2026:.1f}" in shown
        and f"2025 {runs_2025} {km_2025:.1f}" in shown
    )
    # Months of the year shown, all twelve, and the twelve weeks up to its last run.
    may = [km for start, km, _ in plan if (start.year, start.month) == (2026, 5)]
    assert f"May {len(may)} {sum(may):.1f}" in shown and "December 0 0.0 0 min" in shown
    monday = YEAR_END - timedelta(days=YEAR_END.weekday())
    this_week = [km for start, km, _ in plan if start.date() >= monday]
    assert f"{monday.day} {monday:%b %Y} {len(this_week)} {sum(this_week):.1f}" in shown


def test_rows_carry_a_mini_map_a_sport_icon_and_their_flags(client: TestClient) -> None:
    runs = a_year_listed(client)
    newest, ride, repeat, driven = runs[-1], runs[-2], runs[-3], runs[-4]
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        session.add(RunProfile(run_id=newest.id, made_with="t", sketch="M0 0L100 100", content=b""))
        ride_row, repeat_row, driven_row = (session.get(Run, r.id) for r in (ride, repeat, driven))
        assert ride_row and repeat_row and driven_row
        ride_row.marked_sport = "cycling"
        repeat_row.overlaps_run_id = newest.id
        driven_row.counted_distance_m = driven_row.distance_m - 2500
        session.commit()

    page = client.get("/runs").text

    rows = page.split('<a class="run-row"')[1:5]
    assert '<svg class="sketch"' in rows[0] and '<path d="M0 0L100 100"/>' in rows[0]
    assert all('<svg class="sketch"' not in row for row in rows[1:])
    assert 'aria-label="Run, sport not declared"' in rows[0]
    assert 'aria-label="Cycling"' in rows[1] and "does not count" in rows[1]
    assert f"repeat of run {newest.id}" in rows[2]
    assert "2.5 km at vehicle speed" in rows[3]
    assert "does not count" not in rows[0] and "vehicle" not in rows[0]


def test_the_totals_follow_a_run_re_marked_or_deleted(client: TestClient) -> None:
    runs = a_year_listed(client)
    newest = runs[-1]
    before = words_of(client.get("/runs?year=2026").text)
    in_2026 = [run for run in runs if run.start_time and run.start_time.year == 2026]
    km = sum(run.counted_distance_m for run in in_2026) / 1000
    assert f"2026: {len(in_2026)} runs, {km:.1f} km" in before

    answer = client.patch(
        f"/api/runs/{newest.id}", json={"sport": "cycling"}, headers={"Origin": "http://testserver"}
    )
    assert answer.status_code == 200, answer.text
    after = words_of(client.get("/runs?year=2026").text)
    ridden_km = km - newest.counted_distance_m / 1000
    assert f"2026: {len(in_2026) - 1} runs, {ridden_km:.1f} km" in after
    assert "does not count" in after

    client.delete(f"/api/runs/{runs[-2].id}", headers={"Origin": "http://testserver"})
    gone = words_of(client.get("/runs?year=2026").text)
    left_km = ridden_km - runs[-2].counted_distance_m / 1000
    assert f"2026: {len(in_2026) - 2} runs, {left_km:.1f} km" in gone
