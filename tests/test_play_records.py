"""Records across runs: the best at each distance over counted runs, the best it beat, the best
of the year, and one run's standing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from heroicrun.db.schema import Run, Runner
from heroicrun.play import accounts, records
from heroicrun.summary import RunSummary
from tests.helpers.real import real
from tests.helpers.year_of_runs import a_year_of_runs, stored, stored_file, year_plan

TODAY = date(2026, 6, 1)


def on(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC)


def by_name(found: list[records.Record]) -> dict[str, records.Record]:
    return {record.name: record for record in found}


def test_records_over_the_years_with_the_best_they_beat_and_this_years(
    session: Session, ann: Runner
) -> None:
    june = stored(session, ann, 5, on(date(2025, 6, 1)), 350)  # 5 km in 29:10
    september = stored(session, ann, 5, on(date(2025, 9, 1)), 320)  # 26:40: the record
    january = stored(session, ann, 5, on(date(2026, 1, 10)), 360)
    march = stored(session, ann, 5, on(date(2026, 3, 1)), 330)  # the best of 2026
    april = stored(session, ann, 10, on(date(2026, 4, 1)), 340)
    ride = stored(session, ann, 5, on(date(2026, 5, 1)), 200)
    ride.marked_sport = "cycling"  # no record on a bike
    twice = stored(session, ann, 5, on(date(2026, 5, 2)), 250)
    twice.overlaps_run_id = march.id  # the same outing on a second device: once only
    session.flush()

    found = by_name(records.records(session, ann, TODAY))

    five = found["5 km"]
    assert five.best.run_id == september.id
    assert five.best.elapsed_s == pytest.approx(1600, abs=0.5)
    assert five.best.pace_s_per_km == pytest.approx(320, abs=0.1)
    assert five.best.start_time == on(date(2025, 9, 1))
    assert five.previous is not None and five.previous.run_id == june.id
    assert five.beaten_by_s == pytest.approx(150, abs=0.5)
    assert five.this_year is not None and five.this_year.run_id == march.id
    assert [effort.run_id for effort in five.history] == [june.id, september.id]
    ten = found["10 km"]
    assert (ten.best.run_id, ten.previous, ten.this_year) == (april.id, None, ten.best)
    assert ten.best.elapsed_s == pytest.approx(3400, abs=0.5)
    assert found["1 km"].best.run_id == september.id
    assert list(found)[:3] == ["400 m", "1/2 mile", "1 km"]  # shortest first
    assert "15 km" not in found and january.id not in {r.best.run_id for r in found.values()}


def test_a_runs_standing_at_each_distance_in_words(session: Session, ann: Runner) -> None:
    june = stored(session, ann, 5, on(date(2025, 6, 1)), 350)
    september = stored(session, ann, 5, on(date(2025, 9, 1)), 320)
    stored(session, ann, 5, on(date(2026, 1, 10)), 360)
    march = stored(session, ann, 5, on(date(2026, 3, 1)), 330)
    april = stored(session, ann, 10, on(date(2026, 4, 1)), 340)
    ride = stored(session, ann, 5, on(date(2026, 5, 1)), 200)
    ride.marked_sport = "cycling"
    bob = accounts.add_runner(session, "bob", None)
    bobs = stored(session, bob, 5, on(date(2026, 5, 3)), 250)
    session.flush()

    def words(run: Run) -> dict[str, str | None]:
        return {rank.name: rank.words(TODAY) for rank in records.ranks_of(session, ann, run.id)}

    assert words(september)["5 km"] == "Personal record"
    assert words(march)["5 km"] == "Best this year"
    assert words(april)["5 km"] == "2nd best this year"
    assert words(april)["10 km"] == "Personal record"
    assert words(june)["5 km"] == "2nd best of 2025"
    [five] = [rank for rank in records.ranks_of(session, ann, june.id) if rank.name == "5 km"]
    assert (five.overall, five.in_year, five.year, five.was_record) == (2, 2, 2025, True)
    assert records.ranks_of(session, ann, ride.id) == []  # a ride stands nowhere
    assert records.ranks_of(session, ann, bobs.id) == []  # nor does another runner's run
    assert [rank.name for rank in records.ranks_of(session, bob, bobs.id)][-1] == "5 km"


def test_a_real_runs_fastest_km_is_the_record(session: Session, ann: Runner) -> None:
    suunto = stored_file(session, ann, real("goldencheetah/Move_2014_01_17_09_33_11.gpx"))
    measured = RunSummary.model_validate_json(suunto.summary_json)
    [fastest_km] = [effort for effort in measured.best_efforts if effort.name == "1 km"]
    assert fastest_km.elapsed_s == pytest.approx(214.5, abs=0.1)  # 3:34, measured from its points
    for month in (2, 3, 4):
        stored(session, ann, 8, on(date(2014, month, 1)), 300)  # 5:00 a km: slower

    found = by_name(records.records(session, ann, date(2014, 12, 31)))

    assert found["1 km"].best.run_id == suunto.id
    assert found["1 km"].best.elapsed_s == fastest_km.elapsed_s
    assert found["1 km"].this_year == found["1 km"].best and found["1 km"].previous is None
    assert found["5 km"].best.run_id == suunto.id  # 15.6 km at a good clip


def test_no_runs_no_records(session: Session, ann: Runner) -> None:
    assert records.records(session, ann, TODAY) == []


def test_a_year_of_runs_keeps_the_first_of_equal_bests(session: Session, ann: Runner) -> None:
    runs = a_year_of_runs(session, ann, TODAY)
    plan = year_plan(TODAY)

    found = by_name(records.records(session, ann, TODAY))

    for name, distance_m in (("1 km", 1000), ("5 km", 5000), ("10 km", 10000)):
        # The fastest pace over runs at least that long; of equals, the first run holds it.
        able = [(pace, n) for n, (_, km, pace) in enumerate(plan) if km * 1000 >= distance_m]
        pace, first = min(able)
        assert found[name].best.run_id == runs[first].id, name
        assert found[name].best.elapsed_s == pytest.approx(pace * distance_m / 1000, rel=1e-3)
    assert "15 km" not in found
    this_year = [n for n, (start, _, _) in enumerate(plan) if start.year == TODAY.year]
    five = found["5 km"].this_year
    assert five is not None and five.start_time.year == TODAY.year
    assert runs.index(next(r for r in runs if r.id == five.run_id)) in this_year
