"""Mission progress: beats in order, journeys summed across runs, deadlines, attempts, the map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from geopy.distance import geodesic

from heroicrun import measuring
from heroicrun.missions import progress
from heroicrun.missions.model import Mission
from heroicrun.missions.runs import CountedRun
from tests.factory import TrackBuilder
from tests.helpers.missions import a_mission, north_of_start

ENROLLED = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
FAILURE = {"title": "Too late", "text": "The train has gone."}


def a_run(
    km: float,
    days: float = 0.0,
    minutes: float | None = None,
    name: str | None = None,
    bearing_deg: float = 0.0,
) -> CountedRun:
    """km due north (by default) at 6:00 /km, starting `days` after enrolment."""
    start = ENROLLED + timedelta(days=days)
    duration_s = (minutes * 60) if minutes is not None else km * 360
    track = (
        TrackBuilder(start_time_s=start.timestamp())
        .run(km * 1000, duration_s, step_s=max(duration_s / 600, 1.0), bearing_deg=bearing_deg)
        .build()
    )
    return CountedRun(name or f"{km:g} km on day {days:g}", track, measuring.measure(track))


def statuses(result: progress.MissionProgress) -> list[str]:
    return [beat.status for beat in result.beats]


# --- journeys summed across runs -----------------------------------------------------------------


def test_two_runs_together_reach_a_waypoint_neither_reaches_alone() -> None:
    mission = a_mission({"kind": "route_km", "km": 10}, route_km=[0, 10, 20])
    first, second = a_run(6, days=0), a_run(6, days=1)

    halfway = progress.evaluate(mission, [first], ENROLLED)
    assert statuses(halfway) == ["next"]
    assert halfway.beats[0].detail == "km 6.0 of 10.0 (B)"

    both = progress.evaluate(mission, [second, first], ENROLLED)  # any order: by start time
    assert both.status == "completed"
    assert both.beats[0].unlocked_by == second.name
    unlocked_at = both.beats[0].unlocked_at
    assert unlocked_at is not None
    arrival = ENROLLED + timedelta(days=1, minutes=36)
    assert unlocked_at.timestamp() == pytest.approx(arrival.timestamp())
    assert both.progress_km == pytest.approx(12.0)


def test_a_car_ride_does_not_carry_the_runner_along_the_route() -> None:
    mission = a_mission({"kind": "route_km", "km": 10}, route_km=[0, 10])
    start = ENROLLED.timestamp()
    track = TrackBuilder(start_time_s=start).run(2000, 720, 5).run(15000, 900, 5).run(2000, 720, 5)
    ride = CountedRun("with-car.gpx", track.build(), measuring.measure(track.build()))
    assert ride.measures.distance_m > 18_000
    result = progress.evaluate(mission, [ride], ENROLLED)
    assert statuses(result) == ["next"]
    assert result.progress_km == pytest.approx(4.0, abs=0.3)


def test_runs_recorded_over_a_day_before_enrolment_do_not_count() -> None:
    mission = a_mission({"kind": "route_km", "km": 10}, route_km=[0, 10])
    before = a_run(20, days=-1.05)
    result = progress.evaluate(mission, [before], ENROLLED)
    assert statuses(result) == ["next"]
    assert result.progress_km == 0.0
    # The runner's weekly distance is theirs, enrolled or not.
    assert result.weekly_km == pytest.approx(5.0)


def test_a_run_recorded_within_a_day_before_enrolment_counts() -> None:
    # Enrol, then upload this morning's run.
    mission = a_mission({"kind": "route_km", "km": 10}, route_km=[0, 10])
    this_morning = a_run(12, days=-0.95)
    result = progress.evaluate(mission, [this_morning], ENROLLED)
    assert result.status == "completed"
    assert result.beats[0].unlocked_by == this_morning.name


def test_routes_without_times_never_count() -> None:
    mission = a_mission({"kind": "route_km", "km": 10}, route_km=[0, 10])
    track = TrackBuilder().run(20_000, 7200, 10).build(timed=False)
    planned = CountedRun("plan.gpx", track, measuring.measure(track))
    assert progress.evaluate(mission, [planned], ENROLLED).progress_km == 0.0


def test_one_long_run_passes_two_waypoints() -> None:
    mission = a_mission(
        {"kind": "route_km", "km": 10}, {"kind": "route_km", "km": 20}, route_km=[0, 10, 20]
    )
    long_run = a_run(21)
    result = progress.evaluate(mission, [long_run], ENROLLED)
    assert result.status == "completed"
    assert result.unlocked == ("beat-1", "beat-2")
    assert [beat.unlocked_by for beat in result.beats] == [long_run.name] * 2
    assert result.progress_km == 20.0  # capped at the route's end
    assert result.position is not None
    assert (result.position.last_place, result.position.next_place) == ("C", None)
    assert result.eta is None


def test_a_count_of_runs() -> None:
    mission = a_mission({"kind": "runs", "count": 3, "km": 5})
    runs = [a_run(5.5, days=0), a_run(3, days=1), a_run(6, days=2)]
    result = progress.evaluate(mission, runs, ENROLLED)
    assert result.beats[0].detail == "2 of 3 runs of 5 km or more"
    assert result.progress_km is None and result.position is None
    done = progress.evaluate(mission, [*runs, a_run(5.1, days=3)], ENROLLED)
    assert done.status == "completed"


def test_a_streak_broken_by_a_day() -> None:
    mission = a_mission({"kind": "streak", "days": 3, "km": 2})
    runs = [a_run(3, days=0), a_run(3, days=1), a_run(3, days=3), a_run(3, days=4)]
    broken = progress.evaluate(mission, runs, ENROLLED)
    assert statuses(broken) == ["next"]
    assert broken.beats[0].detail == "streak 2 of 3 days"
    third = a_run(3, days=5)
    kept = progress.evaluate(mission, [*runs, third], ENROLLED)
    assert kept.status == "completed"
    assert kept.beats[0].unlocked_by == third.name


def test_a_streak_day_needs_one_run_of_its_km_not_two_short_ones() -> None:
    # A step-by-step plan counts one run a day: two short runs are not a day's step.
    mission = a_mission({"kind": "streak", "days": 2, "km": 5})
    runs = [a_run(6, days=0), a_run(3, days=1), a_run(3, days=1.2)]
    assert progress.evaluate(mission, runs, ENROLLED).status == "in_progress"
    assert progress.evaluate(mission, [*runs, a_run(5, days=1.4)], ENROLLED).status == "completed"


def test_a_count_of_runs_counts_one_run_a_day() -> None:
    # Five files of one morning are one step of a five-run plan.
    mission = a_mission({"kind": "runs", "count": 5, "km": 1})
    morning = [a_run(2, days=hour / 24) for hour in range(5)]
    result = progress.evaluate(mission, morning, ENROLLED)
    assert result.beats[0].detail == "1 of 5 runs of 1 km or more"
    week = [a_run(2, days=day) for day in range(5)]
    done = progress.evaluate(mission, [*morning, *week[1:]], ENROLLED)
    assert done.status == "completed"
    assert done.beats[0].unlocked_by == week[4].name


def test_a_streak_lives_on_until_the_day_is_over() -> None:
    mission = a_mission({"kind": "streak", "days": 5, "km": 1})
    runs = [a_run(2, days=day) for day in range(3)]
    next_day = ENROLLED + timedelta(days=3, hours=12)
    assert progress.evaluate(mission, runs, ENROLLED, now=next_day).beats[0].detail == (
        "streak 3 of 5 days"
    )
    too_late = ENROLLED + timedelta(days=4, hours=1)
    assert progress.evaluate(mission, runs, ENROLLED, now=too_late).beats[0].detail == (
        "streak 0 of 5 days"
    )


# --- deadlines -----------------------------------------------------------------------------------


def deadline_mission() -> Mission:
    return a_mission(
        {"kind": "route_km", "km": 10, "within_days": 2}, route_km=[0, 10], failure=FAILURE
    )


def test_a_deadline_in_days_met_by_a_whisker() -> None:
    # 10.5 km in 63 min, ending one minute before the two days are up.
    run = a_run(10.5, days=2 - 64 / 1440, minutes=63)
    result = progress.evaluate(deadline_mission(), [run], ENROLLED)
    assert result.status == "completed"
    assert result.beats[0].detail == "km 10.5 of 10.0 (B), 1 min to spare"


def test_a_deadline_in_days_missed_by_a_whisker() -> None:
    run = a_run(10.5, days=2 - 62 / 1440, minutes=63)  # ends one minute late
    result = progress.evaluate(deadline_mission(), [run], ENROLLED)
    assert result.status == "failed"
    assert statuses(result) == ["failed"]
    assert result.beats[0].detail == "km 10.5 of 10.0 (B); the 2 days ran out"
    assert result.failure is not None and result.failure.title == "Too late"
    assert result.eta is None


def test_a_deadline_in_days_shows_the_time_left_and_passes_with_the_clock() -> None:
    run = a_run(4, days=0)
    soon = progress.evaluate(deadline_mission(), [run], ENROLLED, now=ENROLLED + timedelta(hours=6))
    assert soon.beats[0].detail == "km 4.0 of 10.0 (B), 42 h left"
    assert soon.status == "in_progress"
    late = progress.evaluate(deadline_mission(), [run], ENROLLED, now=ENROLLED + timedelta(days=3))
    assert late.status == "failed"
    assert late.failure is not None


def spartathlon() -> Mission:
    return a_mission(
        {"kind": "route_km", "km": 246, "within_running_hours": 36},
        route_km=[0, 82, 164, 246],
        failure=FAILURE,
    )


def test_running_hours_spartathlon_mode_made() -> None:
    # Three 82 km stages of 11 h 30 min, days apart: 34.5 h of running, inside the 36.
    stages = [a_run(82, days=day, minutes=690) for day in (0, 3, 7)]
    result = progress.evaluate(spartathlon(), stages, ENROLLED)
    assert result.status == "completed"
    assert result.beats[0].detail == "km 246.0 of 246.0 (D), 90 min of running to spare"


def test_running_hours_spartathlon_mode_missed() -> None:
    stages = [a_run(82, days=day, minutes=750) for day in (0, 3, 7)]  # 37.5 h
    result = progress.evaluate(spartathlon(), stages, ENROLLED)
    assert result.status == "failed"
    assert result.beats[0].detail == "km 246.0 of 246.0 (D); the 36 h of running ran out"


def test_running_hours_left_after_two_stages() -> None:
    stages = [a_run(82, days=day, minutes=690) for day in (0, 3)]
    result = progress.evaluate(spartathlon(), stages, ENROLLED)
    assert result.beats[0].detail == "km 164.0 of 246.0 (D), 13 h of running left"


# --- best of N -----------------------------------------------------------------------------------


def lola() -> Mission:
    return a_mission(
        {"kind": "distance", "km": 1},
        {"kind": "best_of", "attempts": 3, "goal": {"kind": "distance", "km": 5}},
        {"kind": "distance", "km": 1},
        failure=FAILURE,
    )


def test_best_of_three_met_on_the_second_attempt() -> None:
    # The 6 km run that unlocks beat 1 is no attempt: attempts are fresh runs.
    warm_up, miss, hit = a_run(6, days=0), a_run(4.1, days=1), a_run(5.5, days=2)
    result = progress.evaluate(lola(), [warm_up, miss], ENROLLED)
    assert statuses(result) == ["unlocked", "next", "locked"]
    assert result.beats[1].detail == "4.1 of 5.0 km at best; attempt 1 of 3 used"
    result = progress.evaluate(lola(), [warm_up, miss, hit], ENROLLED)
    assert result.beats[1].status == "unlocked"
    assert result.beats[1].detail == "5.5 of 5.0 km (attempt 2 of 3)"
    assert result.beats[1].unlocked_by == hit.name
    assert result.status == "completed"  # beat 3 unlocked by the same run


def test_best_of_three_missed_three_times() -> None:
    runs = [a_run(1.5, days=0), a_run(4.1, days=1), a_run(4.6, days=2), a_run(3, days=3)]
    result = progress.evaluate(lola(), [*runs, a_run(8, days=4)], ENROLLED)
    assert result.status == "failed"
    assert statuses(result) == ["unlocked", "failed", "locked"]
    assert result.beats[1].detail == "4.6 of 5.0 km at best; all 3 attempts missed"
    assert result.failure == lola().failure


def test_best_of_before_any_attempt() -> None:
    result = progress.evaluate(lola(), [a_run(1.5)], ENROLLED)
    assert result.beats[1].detail == "3 attempts left"


# --- beats in order ------------------------------------------------------------------------------


def test_a_later_beat_met_first_waits_for_the_earlier_one() -> None:
    mission = a_mission({"kind": "distance", "km": 10}, {"kind": "distance", "km": 8})
    eight, ten = a_run(9, days=0), a_run(10.5, days=1)
    early = progress.evaluate(mission, [eight], ENROLLED)
    assert statuses(early) == ["next", "locked"]
    assert early.beats[0].detail == "9.0 of 10.0 km"
    assert early.beats[1].detail == ""
    later = progress.evaluate(mission, [eight, ten], ENROLLED)
    assert later.unlocked == ("beat-1", "beat-2")
    assert [beat.unlocked_by for beat in later.beats] == [ten.name, ten.name]


def test_the_next_beat_shows_the_best_run_so_far() -> None:
    mission = a_mission({"kind": "distance", "km": 5})
    result = progress.evaluate(mission, [a_run(3), a_run(4.1, days=1), a_run(2, days=2)], ENROLLED)
    assert result.beats[0].detail == "4.1 of 5.0 km"
    assert progress.evaluate(mission, [], ENROLLED).beats[0].detail == "no run yet"


# --- the map and the ETA -------------------------------------------------------------------------


def test_the_position_is_interpolated_between_waypoints() -> None:
    mission = a_mission({"kind": "route_km", "km": 10}, route_km=[0, 10, 30])
    result = progress.evaluate(mission, [a_run(2.5), a_run(2.5, days=1)], ENROLLED)
    position = result.position
    assert position is not None
    assert position.km == pytest.approx(5.0)
    assert geodesic((position.lat, position.lon), north_of_start(5.0)).meters < 5.0
    assert (position.last_place, position.next_place) == ("A", "B")
    assert position.to_next_km == pytest.approx(5.0)
    assert position.share == pytest.approx(5 / 30)


def test_the_eta_follows_the_weekly_distance() -> None:
    mission = a_mission({"kind": "route_km", "km": 100}, route_km=[0, 100])
    runs = [a_run(10, days=7 * week) for week in range(4)]
    now = ENROLLED + timedelta(days=27)
    result = progress.evaluate(mission, runs, ENROLLED, now=now)
    assert result.weekly_km == pytest.approx(10.0)
    assert result.eta is not None
    assert (result.eta - now).total_seconds() == pytest.approx(6 * 7 * 86400, rel=1e-4)


def test_no_eta_without_recent_running() -> None:
    mission = a_mission({"kind": "route_km", "km": 100}, route_km=[0, 100])
    result = progress.evaluate(mission, [a_run(10)], ENROLLED, now=ENROLLED + timedelta(days=40))
    assert result.weekly_km == 0.0
    assert result.eta is None
    untouched = progress.evaluate(mission, [], ENROLLED)
    assert untouched.weekly_km is None and untouched.eta is None
    assert untouched.position is not None and untouched.position.last_place == "A"


def test_a_beat_at_km_0_unlocks_on_enrolment() -> None:
    mission = a_mission(
        {"kind": "route_km", "km": 0}, {"kind": "route_km", "km": 10}, route_km=[0, 10]
    )
    result = progress.evaluate(mission, [], ENROLLED)
    assert statuses(result) == ["unlocked", "next"]
    assert result.beats[0].unlocked_at == ENROLLED and result.beats[0].unlocked_by is None
    assert result.beats[0].detail == "km 0.0 of 0.0 (A)"


def test_a_store_can_judge_goals_itself_and_load_runs_lazily() -> None:
    # A store keeps verdicts: evaluate must ask its checker, and never touch a run's points
    # or measures when the facts answer the journey questions.
    from heroicrun.missions.checks import GoalCheck
    from heroicrun.missions.runs import RunFacts

    mission = Mission.model_validate(
        {
            "id": "lazy",
            "title": "Lazy",
            "inspired_by": "a test",
            "summary": "s",
            "level": "steady",
            "sources": [{"fact": "f", "source": "s"}],
            "beats": [
                {"id": "one", "title": "One", "text": "t", "goal": {"kind": "distance", "km": 5}}
            ],
        }
    )
    start = datetime(2026, 5, 1, 7, tzinfo=UTC)

    def untouchable() -> Any:
        raise AssertionError("loaded a run the verdict cache should have answered")

    stored = CountedRun("stored.gpx", untouchable, untouchable, RunFacts(start, 5.2, 1800.0))
    asked: list[str] = []

    def remembered(goal: Any, run: CountedRun) -> GoalCheck:
        asked.append(run.name)
        return GoalCheck(True, "5.2 of 5.0 km", 1.0)

    earned = progress.evaluate(mission, [stored], start, check=remembered)
    assert asked == ["stored.gpx"]
    assert earned.status == "completed" and earned.beats[0].detail == "5.2 of 5.0 km"


def test_a_run_counts_by_when_it_was_recorded_not_when_it_was_handed_in() -> None:
    # Handed in after enrolling or not, a run recorded a day or more before it plays no part;
    # one from this morning does.
    from heroicrun.missions.runs import RunFacts

    mission = Mission.model_validate(
        {
            "id": "late",
            "title": "Late",
            "inspired_by": "a test",
            "summary": "s",
            "level": "steady",
            "sources": [{"fact": "f", "source": "s"}],
            "beats": [
                {"id": "one", "title": "One", "text": "t", "goal": {"kind": "runs", "count": 2}}
            ],
        }
    )
    enrolled = datetime(2026, 5, 1, 9, tzinfo=UTC)

    def run(name: str, start: datetime) -> CountedRun:
        facts = RunFacts(start, 5.0, 1800.0)
        return CountedRun(name, lambda: None, lambda: None, facts)  # type: ignore[arg-type,return-value]

    years_ago = run("2014.gpx", datetime(2014, 3, 2, 7, tzinfo=UTC))
    this_morning = run("dawn.gpx", enrolled - timedelta(hours=3))
    tomorrow = run("tomorrow.gpx", enrolled + timedelta(days=1))
    soon = enrolled + timedelta(hours=1)

    earned = progress.evaluate(mission, [years_ago, this_morning], enrolled, now=soon)
    assert earned.beats[0].detail == "1 of 2 runs of 1 km or more"
    earned = progress.evaluate(mission, [years_ago, this_morning, tomorrow], enrolled)
    assert earned.status == "completed"
    assert earned.beats[0].unlocked_by == "tomorrow.gpx"


# --- the ledger ----------------------------------------------------------------------------------


def with_ref(run: CountedRun, ref: int) -> CountedRun:
    run.ref = ref
    return run


def test_an_unlock_in_the_ledger_keeps_its_credit_when_an_earlier_run_arrives() -> None:
    mission = a_mission({"kind": "distance", "km": 5}, {"kind": "distance", "km": 5})
    tuesday = with_ref(a_run(6, days=1, name="tuesday.gpx"), 2)
    first = progress.evaluate(mission, [tuesday], ENROLLED)
    granted = progress.newly_unlocked(first, {})
    assert [(entry.beat, entry.run, entry.by) for entry in granted] == [
        ("beat-1", 2, "tuesday.gpx"),
        ("beat-2", 2, "tuesday.gpx"),
    ]
    ledger = {"beat-1": granted[0]}
    # Monday's run, handed in afterwards, would have earned beat 1 first: the ledger says not.
    monday = with_ref(a_run(7, days=0, name="monday.gpx"), 3)

    result = progress.evaluate(mission, [monday, tuesday], ENROLLED, ledger=ledger)

    assert [beat.unlocked_by for beat in result.beats] == ["tuesday.gpx", "tuesday.gpx"]
    assert [beat.run for beat in result.beats] == [2, 2]
    assert result.beats[0].unlocked_at == granted[0].at
    assert progress.newly_unlocked(result, ledger) == granted[1:]
    # Without the ledger, the runs decide by when they were run.
    assert progress.evaluate(mission, [monday, tuesday], ENROLLED).beats[0].run == 3


def test_the_next_beat_is_judged_from_the_run_the_ledger_credits() -> None:
    mission = a_mission({"kind": "distance", "km": 5}, {"kind": "distance", "km": 10})
    ten = with_ref(a_run(10.5, days=0, name="ten.gpx"), 1)
    six = with_ref(a_run(6, days=1, name="six.gpx"), 2)
    ledger = {
        "beat-1": progress.Unlocked("beat-1", 2, "six.gpx", ENROLLED + timedelta(days=1), "6 km")
    }
    # Beat 2 needs a run from six.gpx on: ten.gpx was run before it.
    result = progress.evaluate(mission, [ten, six], ENROLLED, ledger=ledger)
    assert statuses(result) == ["unlocked", "next"]
    assert result.beats[0].detail == "6 km"
    later = with_ref(a_run(11, days=2, name="eleven.gpx"), 3)
    done = progress.evaluate(mission, [ten, six, later], ENROLLED, ledger=ledger)
    assert done.status == "completed" and done.beats[1].run == 3


def test_a_chapter_whose_run_left_the_ledger_is_judged_again() -> None:
    # The store removes a deleted (or re-marked) run's entries; what the remaining runs earn
    # is judged afresh, and later chapters keep their own credit.
    mission = a_mission(
        {"kind": "route_km", "km": 5}, {"kind": "distance", "km": 8}, route_km=[0, 5, 10]
    )
    three = with_ref(a_run(3, days=0, name="three.gpx"), 1)
    nine = with_ref(a_run(9, days=1, name="nine.gpx"), 2)
    four = with_ref(a_run(4, days=2, name="four.gpx"), 3)
    ledger = {
        entry.beat: entry
        for entry in progress.newly_unlocked(
            progress.evaluate(mission, [three, nine], ENROLLED), {}
        )
    }
    assert {entry.beat: entry.run for entry in ledger.values()} == {"beat-1": 2, "beat-2": 2}
    # nine.gpx is deleted: its entries go, and the road is walked again with what is left.
    result = progress.evaluate(mission, [three, four], ENROLLED, ledger={})
    assert result.beats[0].run == 3 and result.beats[1].status == "next"
    # A chapter granted by another run stays, even ahead of one that is no longer met.
    kept = {"beat-2": ledger["beat-2"]}
    result = progress.evaluate(mission, [three], ENROLLED, ledger=kept)
    assert statuses(result) == ["next", "unlocked"]
    assert result.status == "in_progress"


def test_a_ledger_entry_for_a_beat_no_longer_in_the_mission_is_left_aside() -> None:
    mission = a_mission({"kind": "distance", "km": 5})
    gone = progress.Unlocked("edited-out", 1, "old.gpx", ENROLLED, "5 km")
    result = progress.evaluate(mission, [], ENROLLED, ledger={"edited-out": gone})
    assert statuses(result) == ["next"]
