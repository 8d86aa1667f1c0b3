"""Running added up by day, week, month and year, over all runs on foot, in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner
from heroicrun.play import accounts, totals
from tests.helpers.year_of_runs import stored


def at(year: int, month: int, day: int, hour: int = 7, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_year_by_day_month_and_week_with_every_year(session: Session, ann: Runner) -> None:
    stored(session, ann, 5, at(2025, 12, 31, 23, 30), 300)  # late on New Year's Eve, UTC
    stored(session, ann, 10, at(2026, 1, 5), 360)  # a Monday
    stored(session, ann, 3, at(2026, 1, 5, 18), 300)  # the same day again
    march = stored(session, ann, 8, at(2026, 3, 11), 330)
    ride = stored(session, ann, 20, at(2026, 3, 12), 150)
    ride.marked_sport = "cycling"  # a ride adds nothing
    twice = stored(session, ann, 8, at(2026, 3, 11, 7, 1), 330)
    twice.overlaps_run_id = march.id  # the same outing again: once only
    bob = accounts.add_runner(session, "bob", None)
    stored(session, bob, 42, at(2026, 3, 1), 300)
    session.flush()

    found = totals.calendar(session, ann, 2026, date(2026, 12, 7))

    assert sorted(found.days) == [date(2026, 1, 5), date(2026, 3, 11)]
    january = found.days[date(2026, 1, 5)]
    assert january.runs == 2 and january.distance_m == pytest.approx(13_000, abs=1)
    assert january.moving_s == pytest.approx(3600 + 900, abs=2)
    assert [month.runs for month in found.months] == [2, 0, 1] + [0] * 9
    assert found.months[2].distance_m == pytest.approx(8000, abs=1)
    assert found.total.runs == 3 and found.total.distance_m == pytest.approx(21_000, abs=2)
    # Twelve weeks up to the last run of the year (the week of 11 March), oldest first.
    assert [week.start for week in found.weeks][-1] == date(2026, 3, 9)
    assert len(found.weeks) == totals.WEEKS and found.weeks[0].start == date(2025, 12, 22)
    new_year = [week for week in found.weeks if week.start == date(2025, 12, 29)]
    assert new_year[0].runs == 1 and new_year[0].distance_m == pytest.approx(5000, abs=1)
    assert [(year.start.year, year.runs) for year in found.years] == [(2026, 3), (2025, 1)]


def test_a_year_without_runs_is_empty_and_ends_today(session: Session, ann: Runner) -> None:
    found = totals.calendar(session, ann, 2026, date(2026, 5, 20))

    assert found.days == {} and found.total.runs == 0 and found.years == []
    assert found.weeks[-1].start == date(2026, 5, 18)  # this week, a Monday


def test_the_weeks_and_months_of_some_runs_are_whole(session: Session, ann: Runner) -> None:
    first = stored(session, ann, 2, at(2026, 4, 29), 360)  # a Wednesday
    stored(session, ann, 4, at(2026, 5, 2), 360)
    stored(session, ann, 6, at(2026, 5, 20), 360)
    assert first.start_time is not None

    weeks, months = totals.period_totals(session, ann, [at(2026, 5, 2)])

    assert [(week.start, week.runs) for week in weeks] == [(date(2026, 4, 27), 2)]
    assert [(month.start, month.runs) for month in months] == [(date(2026, 5, 1), 2)]
    assert months[0].distance_m == pytest.approx(10_000, abs=1)
