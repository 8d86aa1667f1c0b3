"""The records page, and the badges a run page shows for the records a run holds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from heroicrun.db.schema import Runner
from heroicrun.play import records
from heroicrun.server.pages import templates
from tests.conftest import make_runner
from tests.helpers.web import sign_in
from tests.helpers.year_of_runs import a_year_of_runs, stored


def signed_in_runner(client: TestClient, name: str = "ann") -> None:
    make_runner(client, name)
    sign_in(client, name)


def text_of(html: str) -> str:
    """The page's words, tags gone and spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_no_records_yet_says_how_they_appear(client: TestClient) -> None:
    signed_in_runner(client)

    page = client.get("/records")

    assert page.status_code == 200
    shown = text_of(page.text)
    assert "No records yet" in shown and "fastest 400 m, 1 km, mile, 5 km" in shown
    assert 'href="/upload"' in page.text


def test_the_records_page_after_a_year_of_runs(client: TestClient) -> None:
    signed_in_runner(client)
    today = datetime.now(UTC).date()
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == "ann"))
        assert runner is not None
        runs = a_year_of_runs(session, runner, today)
        session.commit()
        expected = records.records(session, runner, today)

    page = client.get("/records")

    assert page.status_code == 200
    html = page.text
    assert len(expected) == 7  # 400 m to 10 km: no run was longer than 12 km
    assert html.count('<li class="record">') == 7
    names = re.findall(r"<h2>([^<]+)</h2>", html)
    assert names == ["400 m", "1/2 mile", "1 km", "1 mile", "2 miles", "5 km", "10 km"]
    five = html[html.index("<h2>5 km</h2>") : html.index("<h2>10 km</h2>")]
    [record] = [found for found in expected if found.name == "5 km"]
    assert '<span class="record-time">25:00</span>' in five  # 5:00 a km, the year's fastest
    assert "5:00 /km" in five
    holder = next(run for run in runs if run.id == record.best.run_id)
    assert holder.start_time is not None
    title = f"{holder.start_time:%A} dawn run"  # its default title: 07:00 UTC
    assert f'<a href="/runs/{record.best.run_id}">{title}</a>' in five
    if record.previous is not None:
        assert f"Beat {_clock(record.previous.elapsed_s)}" in text_of(five)
    assert 'href="/runs"' in html  # back to the list


def test_records_are_for_signed_in_runners(client: TestClient) -> None:
    answer = client.get("/records", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")


def test_records_leave_out_other_runners(client: TestClient) -> None:
    signed_in_runner(client, "ann")
    make_runner(client, "bob")
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        bob = session.scalar(select(Runner).where(Runner.name == "bob"))
        assert bob is not None
        stored(session, bob, 5, datetime.now(UTC) - timedelta(days=3), 300)
        session.commit()

    assert "No records yet" in client.get("/records").text


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


METRES = {"400 m": 400.0, "1 km": 1000.0, "1 mile": 1609.344, "5 km": 5000.0, "10 km": 10000.0}


def rank(name: str, overall: int, in_year: int, year: int = 2026) -> records.Rank:
    return records.Rank(
        name, METRES.get(name, 21097.5), 300.0, overall, in_year, year, overall == 1
    )


def test_a_run_page_badge_names_the_record_and_links_to_the_records() -> None:
    partial = templates.get_template("_run_records.html")
    ranks = [rank("1 km", 3, 2), rank("5 km", 1, 1), rank("10 km", 5, 4)]

    html = partial.render(ranks=ranks)

    # One line: the record, and a count of the rest (the 1 km, second best of its year).
    badges = re.findall(r'<a class="badge" href="/records">([^<]+)</a>', html)
    assert badges == ["Personal record · 5 km · 5:00"]
    assert '<a class="more" href="/records" aria-label="and 1 more">+1</a>' in html
    placed = partial.render(ranks=[rank("1 km", 3, 2), rank("10 km", 3, 3)])
    this_year = datetime.now(UTC).year
    third = "3rd best this year" if this_year == 2026 else "3rd best of 2026"
    assert re.findall(r'class="badge" href="/records">([^<]+)<', placed) == [
        f"{third} · 10 km · 5:00"
    ]
    assert partial.render().strip() == ""  # a page without ranks shows nothing
    assert partial.render(ranks=[rank("1 km", 9, 9)]).strip() == ""


def test_a_long_runs_many_records_show_the_longest_and_a_count() -> None:
    names = ["400 m", "1 km", "1 mile", "5 km", "10 km", "half marathon"]
    html = templates.get_template("_run_records.html").render(
        ranks=[rank(name, 1, 1) for name in names]
    )
    assert html.count('class="badge"') == 1 and "Personal record · half marathon" in html
    assert 'aria-label="and 5 more">+5</a>' in html


def test_ranks_words_for_this_year_and_other_years() -> None:
    assert rank("5 km", 2, 2, 2026).words(date(2026, 3, 1)) == "2nd best this year"
    assert rank("5 km", 4, 3, 2025).words(date(2026, 3, 1)) == "3rd best of 2025"
    assert rank("5 km", 4, 1, 2026).words(date(2026, 3, 1)) == "Best this year"
    assert rank("5 km", 9, 9, 2026).words(date(2026, 3, 1)) is None


def test_the_records_page_follows_a_faster_run(client: TestClient) -> None:
    signed_in_runner(client)
    started = datetime.now(UTC) - timedelta(days=10)
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == "ann"))
        assert runner is not None
        stored(session, runner, 5, started, 360)
        session.commit()
    assert '<span class="record-time">30:00</span>' in client.get("/records").text

    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == "ann"))
        assert runner is not None
        faster = stored(session, runner, 5, started + timedelta(days=2), 300).id
        session.commit()

    five = client.get("/records").text
    five = five[five.index("<h2>5 km</h2>") :]
    assert '<span class="record-time">25:00</span>' in five
    assert f'href="/runs/{faster}"' in five and "by 5:00" in five
