"""Single-run goals against exact synthetic runs: met by a whisker, missed by a whisker."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from geopy.distance import geodesic
from pydantic import TypeAdapter

from heroicrun import measuring, units
from heroicrun.missions import goals
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.goals import pacing, words
from heroicrun.missions.model import SingleRunGoal
from heroicrun.missions.runs import CountedRun
from heroicrun.track import Track
from tests.factory import START, TrackBuilder, as_route, with_spike
from tests.helpers import cue_tracks

GOALS: TypeAdapter[SingleRunGoal] = TypeAdapter(SingleRunGoal)
NO_TIMES = "no timestamps in this file"


def counted(track: Track) -> CountedRun:
    return CountedRun("run.gpx", track, measuring.measure(track))


def check(track: Track | CountedRun, **goal: Any) -> GoalCheck:
    """Check the goal written as in a mission file against the run."""
    run = track if isinstance(track, CountedRun) else counted(track)
    return goals.check(GOALS.validate_python(goal), run)


def missed_by_a_whisker(result: GoalCheck) -> bool:
    return not result.met and 0.99 < result.closeness < 1.0


def point_from(origin: tuple[float, float], metres: float, bearing_deg: float = 0.0) -> Any:
    """The point metres along the geodesic from origin (due north unless told)."""
    return geodesic(meters=metres).destination(origin, bearing_deg)


@pytest.fixture(scope="module")
def car_ride() -> CountedRun:
    """12 minutes of running, 10 km in a car at 51 km/h, 12 more minutes of running."""
    return counted(TrackBuilder().run(1800, 720).run(10000, 700).run(1800, 720).build())


# --- distance, moving time, finish time, pace ------------------------------------------------


def test_distance_met_by_a_metre() -> None:
    result = check(TrackBuilder().run(5001, 1800).build(), kind="distance", km=5)
    assert result == GoalCheck(True, "5.0 of 5.0 km", 1.0)


def test_distance_missed_by_a_metre_never_reads_as_met() -> None:
    result = check(TrackBuilder().run(4999, 1800).build(), kind="distance", km=5)
    assert result.detail == "4.999 of 5.0 km"
    assert missed_by_a_whisker(result)


def test_distance_closeness_is_the_share_done() -> None:
    result = check(TrackBuilder().run(4100, 1500).build(), kind="distance", km=5)
    assert (result.met, result.detail) == (False, "4.1 of 5.0 km")
    assert result.closeness == pytest.approx(0.82)


def test_moving_time_at_its_boundaries() -> None:
    met = check(TrackBuilder().run(8000, 2701).build(), kind="moving_time", minutes=45)
    missed = check(TrackBuilder().run(8000, 2699).build(), kind="moving_time", minutes=45)
    assert (met.met, met.detail) == (True, "45 of 45 minutes moving")
    assert missed.detail == "44.98 of 45 minutes moving"
    assert missed_by_a_whisker(missed)


def test_standing_still_is_not_moving_time() -> None:
    track = TrackBuilder().run(5000, 1800).stand(900).build()
    result = check(track, kind="moving_time", minutes=45)
    assert (result.met, result.detail) == (False, "30 of 45 minutes moving")


def test_finish_within_at_its_boundaries() -> None:
    met = check(TrackBuilder().run(5001, 1799).build(), kind="finish_within", km=5, within="30:00")
    late = check(TrackBuilder().run(5001, 1801).build(), kind="finish_within", km=5, within="30:00")
    short = check(
        TrackBuilder().run(4999, 1700).build(), kind="finish_within", km=5, within="30:00"
    )
    assert met == GoalCheck(True, "5.0 km in 29:59, needed 5.0 km within 30:00", 1.0)
    assert late.detail == "5.0 km in 30:01, needed 5.0 km within 30:00"
    assert missed_by_a_whisker(late)
    assert short.detail == "4.999 km in 28:20, needed 5.0 km within 30:00"
    assert missed_by_a_whisker(short)


def test_finish_within_counts_the_stops() -> None:
    track = TrackBuilder().run(2500, 880).pause(200).run(2501, 880).build()
    result = check(track, kind="finish_within", km=5, within="30:00")
    assert (result.met, result.detail) == (False, "5.0 km in 32:40, needed 5.0 km within 30:00")


def test_pace_at_its_boundaries() -> None:
    met = check(TrackBuilder().run(1200, 1.2 * 329.9).build(), kind="pace", pace="5:30")
    slow = check(TrackBuilder().run(1200, 1.2 * 330.1).build(), kind="pace", pace="5:30")
    assert met == GoalCheck(True, "pace 5:30 /km over 1.2 km, needed 5:30", 1.0)
    assert slow.detail == "pace 5:30.1 /km over 1.2 km, needed 5:30"
    assert missed_by_a_whisker(slow)


def test_a_fast_pace_over_too_short_a_run() -> None:
    result = check(TrackBuilder().run(1200, 300).build(), kind="pace", pace="5:30", km=2)
    assert result.detail == "pace 4:10 /km over 1.2 km, needed 5:30 over 2.0 km"
    assert not result.met
    assert result.closeness == pytest.approx(0.6)


# --- best effort, climb ------------------------------------------------------------------------


def test_best_effort_at_its_boundaries() -> None:
    met = check(
        TrackBuilder().run(6000, 6000 * 1499 / 5000).build(),
        kind="best_effort",
        distance="5 km",
        within="25:00",
    )
    slow = check(
        TrackBuilder().run(6000, 6000 * 1501 / 5000).build(),
        kind="best_effort",
        distance="5 km",
        within="25:00",
    )
    assert met == GoalCheck(True, "best 5 km 24:59, needed 25:00", 1.0)
    assert slow.detail == "best 5 km 25:01, needed 25:00"
    assert missed_by_a_whisker(slow)


def test_no_best_effort_in_a_short_run() -> None:
    result = check(
        TrackBuilder().run(3000, 900).build(), kind="best_effort", distance="5 km", within="25:00"
    )
    assert (result.met, result.detail) == (False, "no 5 km in 3.0 km, needed 25:00")
    assert result.closeness == pytest.approx(0.6)


CLIMB = {"kind": "climb", "metres": 300}


def test_climb_at_its_boundaries() -> None:
    met = check(TrackBuilder(elevation_m=100.0).run(5000, 1800, climb_m=301).build(), **CLIMB)
    missed = check(TrackBuilder(elevation_m=100.0).run(5000, 1800, climb_m=299).build(), **CLIMB)
    assert met == GoalCheck(True, "climbed 301 of 300 m", 1.0)
    assert missed.detail == "climbed 299 of 300 m"
    assert missed.closeness == pytest.approx(299 / 300)


def test_climb_without_elevation() -> None:
    result = check(TrackBuilder().run(5000, 1800).build(), **CLIMB)
    assert result == GoalCheck(False, "no elevation in this file", 0.0)


# --- negative split ----------------------------------------------------------------------------


def test_negative_split_by_a_second() -> None:
    met = check(TrackBuilder().run(1600, 480).run(1600, 479).build(), kind="negative_split")
    slower = check(TrackBuilder().run(1600, 480).run(1600, 481).build(), kind="negative_split")
    assert met == GoalCheck(True, "second half 0.2% faster", 1.0)
    assert slower.detail == "second half 0.2% slower, needed faster"
    assert slower.closeness == pytest.approx(480 / 481)


def test_negative_split_compares_moving_time() -> None:
    # Five minutes at a crossing in the second half: the legs were faster all the same.
    track = TrackBuilder().run(1600, 480).run(800, 239).stand(300).run(800, 240).build()
    result = check(track, kind="negative_split")
    assert (result.met, result.detail) == (True, "second half 0.2% faster")


def test_negative_split_needs_the_distance() -> None:
    track = TrackBuilder().run(1000, 300).run(1000, 250).build()
    result = check(track, kind="negative_split", km=3)
    assert (result.met, result.detail) == (False, "second half 17% faster; 2.0 of 3.0 km")


# --- surges ------------------------------------------------------------------------------------

SURGE_M_S = 3.03  # +21 %: held 100 s a surge, held 90 s (then back to steady) not quite


def steady_with_surges(*surges_s: float) -> Track:
    """A 40-minute run at a steady 2.5 m/s with surges at SURGE_M_S 8 minutes apart."""
    return cue_tracks.steady_with_surges(SURGE_M_S, *surges_s)


def test_three_surges_hidden_in_a_steady_run() -> None:
    result = check(steady_with_surges(100, 100, 100), kind="surges", count=3)
    assert result == GoalCheck(True, "3 of 3 surges", 1.0)


def test_a_surge_held_90_s_is_not_held_100_s() -> None:
    result = check(steady_with_surges(100, 90, 100), kind="surges", count=3)
    assert result.detail == "2 of 3 surges"
    assert result.closeness == pytest.approx(2 / 3)


def test_a_steady_run_has_no_surge() -> None:
    result = check(steady_with_surges(), kind="surges", count=1)
    assert (result.met, result.detail) == (False, "0 of 1 surge")


def test_setting_off_from_a_standstill_is_no_surge() -> None:
    running_off = TrackBuilder().stand(60).run(2500, 1000).build()
    walking_off = TrackBuilder().stand(60).run(1400, 1000).build()  # 1.4 m/s
    assert check(running_off, kind="surges", count=1).detail == "0 of 1 surge"
    assert check(walking_off, kind="surges", count=1).detail == "0 of 1 surge"


def test_setting_off_again_after_a_traffic_light_is_no_surge() -> None:
    track = TrackBuilder().run(750, 300).stand(10).run(750, 300).build()
    assert check(track, kind="surges", count=1).detail == "0 of 1 surge"


def test_the_clock_stops_while_the_watch_is_paused() -> None:
    # A surge of 50 s, the watch paused for two minutes, 50 s more: one surge of 100 s.
    track = (
        TrackBuilder()
        .run(750, 300)
        .run(SURGE_M_S * 50, 50)
        .pause(120)
        .run(SURGE_M_S * 50, 50)
        .run(750, 300)
        .build()
    )
    assert check(track, kind="surges", count=1).met


def test_surges_go_by_the_goals_boost_and_times() -> None:
    track = steady_with_surges(100, 100, 100)
    assert check(track, kind="surges", count=3, boost=0.25).detail == "0 of 3 surges"
    assert check(track, kind="surges", count=3, hold="1:30").met


# --- chase -------------------------------------------------------------------------------------

CHASE = {"kind": "chase", "at_minute": 12, "metres": 400, "within": "2:00"}


def test_a_chase_met_by_a_metre() -> None:
    track = TrackBuilder().run(1800, 720).run(401, 120).run(750, 300).build()
    assert check(track, **CHASE) == GoalCheck(True, "at minute 12: 400 m in 2:00, needed 2:00", 1.0)


def test_a_chase_missed_by_a_metre() -> None:
    result = check(TrackBuilder().run(1800, 720).run(399, 120).run(750, 300).build(), **CHASE)
    # 399 m in the two minutes, and the last metre at the steady 2.5 m/s that follows.
    assert result.detail == "at minute 12: 400 m in 2:00.4, needed 2:00"
    assert missed_by_a_whisker(result)


def test_a_chase_after_the_run_ended() -> None:
    result = check(TrackBuilder().run(1500, 600).build(), **CHASE)
    assert result == GoalCheck(False, "the run ended before minute 12", 0.0)


def test_a_run_that_ends_inside_the_chase() -> None:
    stopped_short = check(TrackBuilder().run(1800, 720).run(250, 60).build(), **CHASE)
    escaped = check(TrackBuilder().run(1800, 720).run(410, 100).build(), **CHASE)
    assert stopped_short.detail == "at minute 12: 250 m before the run ended, needed 400 m in 2:00"
    assert stopped_short.closeness == pytest.approx(250 / 400)
    assert (escaped.met, escaped.detail) == (True, "at minute 12: 400 m in 1:38, needed 2:00")


def test_a_chase_never_finished() -> None:
    track = TrackBuilder().run(1800, 720).run(300, 120).stand(300).build()
    result = check(track, **CHASE)
    assert result.detail == "at minute 12: 300 m in 2:00, needed 400 m"


# --- places ------------------------------------------------------------------------------------

PLACE_AT_1_KM = point_from(START, 1000)


def passing_place(off_m: float, **extra: Any) -> dict[str, Any]:
    """A goal for Megara, off_m east of the 1 km mark of a run due north."""
    place = point_from((PLACE_AT_1_KM.latitude, PLACE_AT_1_KM.longitude), off_m, 90.0)
    goal = {"kind": "reach_place", "place": "Megara", "lat": place.latitude}
    return goal | {"lon": place.longitude, "radius_m": 150} | extra


def test_a_place_passed_at_140_m_is_reached() -> None:
    result = check(TrackBuilder().run(2000, 800).build(), **passing_place(140))
    assert result == GoalCheck(True, "reached Megara, came within 140 m", 1.0)


def test_a_place_passed_at_160_m_is_not() -> None:
    result = check(TrackBuilder().run(2000, 800).build(), **passing_place(160))
    assert result.detail == "came within 160 m of Megara, needed 150 m"
    assert result.closeness == pytest.approx(150 / 160, abs=1e-4)


def test_a_place_between_sparse_points_is_judged_by_the_line() -> None:
    # A route with a point every kilometre; Megara lies 100 m off it, half-way between two.
    route = TrackBuilder().run(3000, 3).build(timed=False)
    place = point_from(point_from(START, 1500)[:2], 100, 90.0)
    goal = {"kind": "reach_place", "place": "Megara", "lat": place.latitude, "lon": place.longitude}
    assert check(route, **goal) == GoalCheck(True, "reached Megara, came within 100 m", 1.0)


def test_a_gps_glitch_does_not_reach_a_place() -> None:
    track = with_spike(TrackBuilder().run(2000, 800).build(), 400, 300.0)
    result = check(track, **passing_place(300))
    assert result.detail == "came within 300 m of Megara, needed 150 m"


def out_and_back(back_m: float, out_m: float = 2001) -> Track:
    return TrackBuilder().run(out_m, 800).run(back_m, back_m / 2.5, bearing_deg=180.0).build()


TURN = point_from(START, 2000)
FETCH = {
    "kind": "reach_place",
    "place": "the doctor's",
    "lat": TURN.latitude,
    "lon": TURN.longitude,
    "return_to_start": True,
}


def test_fetching_the_doctor_and_coming_back() -> None:
    result = check(out_and_back(2001), **FETCH)
    assert result == GoalCheck(True, "reached the doctor's and finished 0 m from the start", 1.0)


def test_fetching_the_doctor_but_stopping_1_km_short() -> None:
    result = check(out_and_back(1000), **FETCH)
    assert result.detail == "reached the doctor's, but finished 1.0 km from the start"
    assert 0.5 < result.closeness < 1.0


def test_coming_back_within_200_m_is_back() -> None:
    assert check(out_and_back(1811), **FETCH).met
    assert not check(out_and_back(1791), **FETCH).met


OUT = {"kind": "out_and_back", "km": 2}


def test_out_and_back_without_a_place() -> None:
    far = check(out_and_back(1951), **OUT)
    near = check(out_and_back(1999, out_m=1999), **OUT)
    assert far == GoalCheck(True, "went 2.0 km out and finished 50 m from the start", 1.0)
    assert near.detail == "went 1.999 of 2.0 km out and finished 0 m from the start"
    assert missed_by_a_whisker(near)


def test_out_and_back_must_come_back() -> None:
    result = check(out_and_back(1501), **OUT)
    assert result.detail == "went 2.0 km out, but finished 500 m from the start"


# --- time of day -------------------------------------------------------------------------------

NIGHT = {"kind": "time_of_day", "start_after": "21:00", "finish_before": "05:00", "km": 5}


def run_at(utc: datetime, lon: float, distance_m: float, duration_s: float) -> Track:
    builder = TrackBuilder(start=(46.05, lon), start_time_s=utc.timestamp())
    return builder.run(distance_m, duration_s, step_s=10).build()


def test_a_night_run_starting_at_21_05_local_solar_time() -> None:
    # At 15 degrees east the sun's time is UTC + 1 h.
    track = run_at(datetime(2024, 5, 1, 20, 5, tzinfo=UTC), 15.0, 5100, 1800)
    result = check(track, **NIGHT)
    expected = "started 21:05, finished 21:35 (local solar time), needed 21:00–05:00"
    assert result == GoalCheck(True, expected, 1.0)


def test_a_night_run_starting_at_20_55_is_too_early() -> None:
    track = run_at(datetime(2024, 5, 1, 19, 55, tzinfo=UTC), 15.0, 5100, 1800)
    result = check(track, **NIGHT)
    assert result.detail == "started 20:55, finished 21:25 (local solar time), needed 21:00–05:00"
    assert result.closeness == pytest.approx(25 / 30)


def test_the_night_passes_midnight_and_ends_at_five() -> None:
    through = run_at(datetime(2024, 5, 1, 22, 30, tzinfo=UTC), 15.0, 20000, 7200)
    into_day = run_at(datetime(2024, 5, 2, 3, 0, tzinfo=UTC), 15.0, 20000, 7200)
    assert check(through, **NIGHT).detail.startswith("started 23:30, finished 01:30")
    assert check(through, **NIGHT).met
    assert not check(into_day, **NIGHT).met


def test_local_solar_time_follows_the_longitude() -> None:
    # New York, 75 degrees west: UTC - 5 h. 02:05 UTC is 21:05 there.
    track = run_at(datetime(2024, 5, 2, 2, 5, tzinfo=UTC), -75.0, 5100, 1800)
    assert check(track, **NIGHT).met


def test_a_night_run_too_short() -> None:
    track = run_at(datetime(2024, 5, 1, 20, 5, tzinfo=UTC), 15.0, 4000, 1800)
    result = check(track, **NIGHT)
    assert result.detail.endswith("needed 21:00–05:00; 4.0 of 5.0 km")
    assert not result.met


# --- a car ride meets nothing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "detail"),
    [
        ({"kind": "distance", "km": 10}, "3.6 of 10.0 km (10.0 km by vehicle not counted)"),
        (
            {"kind": "pace", "pace": "3:00"},
            "pace 6:40 /km over 3.6 km, needed 3:00 (10.0 km by vehicle not counted)",
        ),
        (CHASE, "at minute 12: a vehicle stretch, which does not count"),
        ({"kind": "surges", "count": 1}, "0 of 1 surge"),
        (
            {"kind": "reach_place", "place": "Megara", "lat": point_from(START, 6800).latitude}
            | {"lon": START[1]},
            "came within 5.0 km of Megara, needed 150 m",
        ),
        (
            {"kind": "out_and_back", "km": 5, "radius_m": 5000},
            "went 13.6 km out, but ran only 3.6 km of it (vehicle stretches do not count)",
        ),
    ],
)
def test_a_car_ride_meets_no_goal(car_ride: CountedRun, goal: dict[str, Any], detail: str) -> None:
    result = check(car_ride, **goal)
    assert (result.met, result.detail) == (False, detail)
    assert result.closeness < 1.0


def test_the_car_ride_would_have_met_them(car_ride: CountedRun) -> None:
    run = car_ride
    assert run.measures.distance_m > 10_000
    assert run.measures.moving_s is not None
    assert run.measures.moving_s / (run.measures.distance_m / 1000) < 180
    course = run.course
    assert course.time_s is not None
    nothing_ridden = np.zeros(len(course) - 1, dtype=bool)
    assert pacing.count_surges(course, course.time_s, nothing_ridden, 0.2, 30, 100) >= 1


# --- a route file ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "goal",
    [
        {"kind": "moving_time", "minutes": 10},
        {"kind": "finish_within", "km": 1, "within": "30:00"},
        {"kind": "pace", "pace": "6:00"},
        {"kind": "best_effort", "distance": "1 km", "within": "10:00"},
        {"kind": "negative_split", "km": 1},
        {"kind": "surges", "count": 1},
        CHASE,
        NIGHT,
    ],
)
def test_a_route_meets_no_time_goal(goal: dict[str, Any]) -> None:
    route = as_route(steady_with_surges(100))
    assert check(route, **goal) == GoalCheck(False, NO_TIMES, 0.0)


def test_a_route_still_meets_distance_and_place_goals() -> None:
    route = as_route(TrackBuilder().run(2001, 800).build())
    assert check(route, kind="distance", km=2).met
    assert check(route, **passing_place(140)).met


# --- words -------------------------------------------------------------------------------------


def test_a_value_is_never_rounded_onto_the_other_side() -> None:
    assert words.honest(4.96, 5.0, False, True, words.number, 1) == "4.96"
    assert words.honest(4.99999, 5.0, False, True, words.number, 1) == "4.999"
    assert words.honest(330.001, 330, False, False, units.clock) == "5:30.01"
    assert words.honest(5.25, 5.25, True, True, words.number, 1) == "5.25"
