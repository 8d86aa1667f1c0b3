"""The run page's head: a title (the runner's, or one from the local time, sport and place), the
start in the run's own time zone, three headline figures, cadence in steps a minute on foot, what
the run did for the missions, and the file's details tucked away."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

import heroicrun
from tests.conftest import bearer, make_runner
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
    signed_in(client)
    html = page(client, upload(client, ATHENS))
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
