"""The bundled catalog: every mission is reachable, by runs a generator makes for each goal."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import get_args, get_type_hints

import pytest
from geopy.distance import geodesic

from heroicrun import measuring
from heroicrun.missions import catalog, describe, formats, progress
from heroicrun.missions.model import (
    EFFORT_DISTANCES_M,
    BestEffortGoal,
    BestOfGoal,
    ChaseGoal,
    ClimbGoal,
    DistanceGoal,
    FinishWithinGoal,
    Goal,
    Mission,
    MovingTimeGoal,
    NegativeSplitGoal,
    OutAndBackGoal,
    PaceGoal,
    ReachPlaceGoal,
    RelayGoal,
    RouteKmGoal,
    RunsGoal,
    StreakGoal,
    SurgesGoal,
    TimeOfDayGoal,
)
from heroicrun.missions.runs import CountedRun, RunFacts
from heroicrun.track import Track
from tests.factory import TrackBuilder

MISSIONS = catalog.bundled().missions
ENROLLED = datetime(2026, 3, 1, tzinfo=UTC)
HOME = (47.37, 8.54)
EASY_M_S = 3.0
LONGEST_RUN_M = 250_000.0  # a day's running for the generator: the journeys get long


class Runner:
    """Makes runs one day apart, each built to meet one goal."""

    def __init__(self) -> None:
        self.day = 0
        self.runs: list[CountedRun] = []
        self.counted_km = 0.0

    def start_s(self, minute_of_day: float = 6 * 60) -> float:
        return (ENROLLED + timedelta(days=self.day, minutes=minute_of_day)).timestamp()

    def add(self, track: Track) -> None:
        measures = measuring.measure(track)
        assert not any(flag.kind == "vehicle" for flag in measures.flags), "generator too fast"
        self.runs.append(CountedRun(f"day-{self.day}.gpx", track, measures))
        self.counted_km += measures.counted_distance_m / 1000
        self.day += 1

    def easy(self, distance_m: float) -> None:
        """An easy run from its facts: its points are built only if a goal reads them (the
        journeys' thousands of km are counted from the facts alone)."""
        start_s, step_s = self.start_s(), 1.0 if distance_m < 20_000 else 60.0

        def track() -> Track:
            builder = TrackBuilder(HOME, start_s)
            return builder.run(distance_m, distance_m / EASY_M_S, step_s=step_s).build()

        facts = RunFacts(
            datetime.fromtimestamp(start_s, UTC),
            distance_m / 1000,
            distance_m / EASY_M_S,
            sport="running",
            distance_km=distance_m / 1000,
            counted_moving_s=distance_m / EASY_M_S,
        )
        run = CountedRun(f"day-{self.day}.gpx", track, lambda: measuring.measure(run.track), facts)
        self.runs.append(run)
        self.counted_km += facts.counted_km
        self.day += 1

    def meet(self, goal: Goal) -> None:
        match goal:
            case DistanceGoal(km=km) | RunsGoal(km=km, count=1):
                self.easy(km * 1000 + 100)
            case MovingTimeGoal(minutes=minutes):
                self.easy((minutes * 60 + 60) * EASY_M_S)
            case FinishWithinGoal(km=km, within=within):
                distance = km * 1000 + 50
                self.add(TrackBuilder(HOME, self.start_s()).run(distance, within * 0.9).build())
            case PaceGoal(pace=pace, km=km):
                distance = km * 1000 + 100
                self.add(
                    TrackBuilder(HOME, self.start_s())
                    .run(distance, distance / 1000 * pace * 0.95)
                    .build()
                )
            case BestEffortGoal(distance=name, within=within):
                distance = EFFORT_DISTANCES_M[name]
                self.add(
                    TrackBuilder(HOME, self.start_s())
                    .run(500, 200)
                    .run(distance, within * 0.95)
                    .run(500, 200)
                    .build()
                )
            case ClimbGoal(metres=metres):
                distance = max(5000.0, metres * 15)
                self.add(
                    TrackBuilder(HOME, self.start_s(), elevation_m=100.0)
                    .run(distance, distance / 2.5, climb_m=metres * 1.3)
                    .build()
                )
            case NegativeSplitGoal(km=km):
                half = km * 500 + 100
                self.add(
                    TrackBuilder(HOME, self.start_s())
                    .run(half, half / 2.7)
                    .run(half, half / 3.2)
                    .build()
                )
            case SurgesGoal(count=count, boost=boost, hold=hold):
                builder = TrackBuilder(HOME, self.start_s()).run(750, 300)
                surge_m_s = 2.5 * (1 + boost) * 1.15
                for _ in range(count + 1):
                    builder.run(surge_m_s * (hold + 20), hold + 20).run(2.5 * 240, 240)
                self.add(builder.build())
            case ChaseGoal(at_minute=at_minute, metres=metres, within=within):
                lead_s = at_minute * 60 - 2
                builder = TrackBuilder(HOME, self.start_s())
                if lead_s > 0:
                    builder.run(2.5 * lead_s, lead_s)
                speed = metres * 1.04 / within
                builder.run(speed * (within + 4), within + 4).run(2.5 * 120, 120)
                self.add(builder.build())
            case ReachPlaceGoal(lat=lat, lon=lon, return_to_start=back):
                start = geodesic(meters=2000).destination((lat, lon), 180)
                builder = TrackBuilder((start.latitude, start.longitude), self.start_s())
                builder.run(2000, 700)
                if back:
                    builder.run(2000, 700, bearing_deg=180)
                self.add(builder.build())
            case OutAndBackGoal(km=km):
                out = km * 1000 + 100
                self.add(
                    TrackBuilder(HOME, self.start_s())
                    .run(out, out / EASY_M_S)
                    .run(out, out / EASY_M_S, bearing_deg=180)
                    .build()
                )
            case TimeOfDayGoal(start_after=start_after, km=km):
                # Local solar time at HOME runs lon/15 hours ahead of UTC.
                utc_minute = (start_after + 10 - HOME[1] * 4) % (24 * 60)
                distance = km * 1000 + 100
                self.add(
                    TrackBuilder(HOME, self.start_s(utc_minute))
                    .run(distance, distance / EASY_M_S)
                    .build()
                )
            case RouteKmGoal(km=km):
                while self.counted_km < km + 0.05:
                    needed = (km + 0.1 - self.counted_km) * 1000
                    self.easy(min(needed, LONGEST_RUN_M))
            case RunsGoal(km=km, count=count):
                for _ in range(count):
                    self.easy(max(km * 1000 + 100, 1100))
            case StreakGoal(km=km, days=days):
                for _ in range(days):
                    self.easy(max(km * 1000 + 100, 1100))
            case BestOfGoal(goal=inner):
                self.meet(inner)
            case RelayGoal(km=km):  # one runner runs every leg (a team's are in test_team_*)
                self.easy(max(km * 1000 + 100, 1100))
            case _:
                raise AssertionError(f"no generator for {goal.kind}")


@pytest.mark.parametrize("mission", MISSIONS, ids=lambda mission: mission.id)
def test_every_mission_can_be_completed(mission: Mission) -> None:
    runner = Runner()
    first, *rest = mission.beats
    # A first chapter a few km out is passed on the way to a deadline further on, in the same
    # run: the generator's runs are a day apart, and a day may be all there is.
    passed_on_the_way = (
        isinstance(first.goal, RouteKmGoal)
        and bool(rest)
        and isinstance(rest[0].goal, RouteKmGoal)
        and rest[0].goal.within_days is not None
    )
    for beat in rest if passed_on_the_way else mission.beats:
        runner.meet(beat.goal)
    now = ENROLLED + timedelta(days=runner.day)
    earned = progress.evaluate(mission, runner.runs, ENROLLED, now=now, base=catalog.directory())
    stuck = [beat for beat in earned.beats if not beat.met]
    assert earned.status == "completed", [(beat.beat, beat.detail) for beat in stuck]
    assert earned.unlocked == tuple(beat.id for beat in mission.beats)
    if mission.route:
        assert earned.progress_km == pytest.approx(mission.route.length_km)


# Missions played at real places (only runners there can meet their goals) are the exception.
FIRST_RUN = [
    mission
    for mission in MISSIONS
    if mission.route is not None
    or (
        mission.level in ("first steps", "steady")
        and not isinstance(mission.beats[0].goal, ReachPlaceGoal)
    )
]


@pytest.mark.parametrize("mission", FIRST_RUN, ids=lambda mission: mission.id)
def test_a_new_runners_first_run_unlocks_a_chapter(mission: Mission) -> None:
    # An ordinary first run: 5 km at 7:00 a km, at 07:34 local solar time, on enrolling day.
    start = ENROLLED + timedelta(hours=7)
    track = TrackBuilder(HOME, start.timestamp()).run(5000, 5 * 420).build()
    run = CountedRun("first.gpx", track, measuring.measure(track))
    earned = progress.evaluate(mission, [run], ENROLLED, base=catalog.directory())
    assert earned.unlocked, [(beat.beat, beat.detail) for beat in earned.beats[:1]]
    assert earned.beats[0].unlocked_by == "first.gpx"


def test_every_mission_opens_with_a_briefing_and_teases_every_chapter_without_numbers() -> None:
    counted = re.compile(
        r"\d[\d.,]*\s*(km|kilomet|metres|m\b|min|hours?\b|days?\b|weeks?\b|runs?\b)"
    )
    for mission in MISSIONS:
        assert mission.briefing and not counted.search(mission.briefing), mission.id
        assert len(formats.paragraphs(mission.briefing)) <= 3, mission.id
        for beat in mission.beats:
            assert beat.teaser and not counted.search(beat.teaser), (mission.id, beat.id)
            assert beat.teaser not in beat.text, (mission.id, beat.id)


def test_the_catalog_uses_every_goal_kind_and_both_deadlines() -> None:
    used = {kind for mission in MISSIONS for kind in mission.goal_kinds()}
    assert used == _all_kinds()
    goals = [beat.goal for mission in MISSIONS for beat in mission.beats]
    assert any(getattr(goal, "within_days", None) for goal in goals)
    assert any(getattr(goal, "within_running_hours", None) for goal in goals)


def test_there_is_a_mission_for_every_kind_of_runner() -> None:
    levels = {mission.level for mission in MISSIONS}
    assert levels == {"first steps", "steady", "hard", "epic"}
    assert any(mission.route and mission.route.length_km >= 1000 for mission in MISSIONS)
    assert sum(1 for mission in MISSIONS if mission.failure) >= 3


def test_every_mission_is_described_for_the_cli() -> None:
    for mission in MISSIONS:
        shown = describe.details(mission, spoilers=True)
        assert all(beat["text"] and beat["goal_words"] for beat in shown["beats"])
        assert shown["sources"]


def test_sparta_progress_names_the_places_on_the_road() -> None:
    sparta = catalog.bundled().get("reach-sparta")
    assert sparta is not None and sparta.route is not None
    runner = Runner()
    runner.easy(50_000)  # past Megara, short of Corinth
    earned = progress.evaluate(sparta, runner.runs, ENROLLED, base=catalog.directory())
    assert earned.position is not None
    assert earned.position.last_place.startswith("Megara")
    assert earned.progress_km == pytest.approx(50.1, abs=0.2)
    assert math.isfinite(earned.position.lat) and math.isfinite(earned.position.lon)


def _all_kinds() -> set[str]:
    """Every goal kind the format defines, read from the Goal union itself."""
    members = get_args(get_args(Goal)[0])
    return {get_args(get_type_hints(member)["kind"])[0] for member in members}
