"""Judging from a carry gives, to the last bit, what judging every run gives: random teams' runs
arrive a few at a time, each time judged both ways, the carry moved on as a team's fold moves
(up to the run that unlocked the latest chapter); and a carry refuses what it cannot answer."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from heroicrun.missions import progress
from heroicrun.missions.carried import WEEKLY_WINDOW, Carried, Uncarried, carry
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.model import Mission, SingleRunGoal
from heroicrun.missions.progress import MissionProgress, Unlocked
from heroicrun.missions.runs import CountedRun, RunFacts
from heroicrun.play import team_folds
from tests.factory import START
from tests.helpers.stored_runs import ENROLLED, story_mission

ROUTE = {
    "waypoints": [
        {"name": "Athens", "lat": START[0], "lon": START[1], "km": 0},
        {"name": "Sparta", "lat": START[0] + 1.8, "lon": START[1], "km": 200},
    ]
}
MEMBERS = (1, 2, 3, 4)


def facts_only(goal: SingleRunGoal, run: CountedRun) -> GoalCheck:
    """A one-run goal judged from a run's facts: met by a run of at least the goal's km."""
    wanted = float(getattr(goal, "km", 5.0))
    return GoalCheck(run.counted_km >= wanted, f"{run.counted_km:.1f} km", run.counted_km)


def a_mission(rng: random.Random) -> Mission:
    """Beats along a 200 km route: marks (some with deadlines), relays, one-run goals, best-of."""
    goals: list[dict[str, Any]] = [{"kind": "route_km", "km": 0}]
    mark = 0.0
    for _ in range(rng.randint(3, 8)):
        kind = rng.choice(["route_km", "route_km", "relay", "distance", "best_of"])
        if kind == "route_km":
            mark = min(mark + rng.uniform(5, 60), 200)
            goal: dict[str, Any] = {"kind": "route_km", "km": round(mark, 1)}
            if rng.random() < 0.3:
                goal["within_days"] = rng.choice([10, 40, 90])
            if rng.random() < 0.2:
                goal["within_running_hours"] = rng.choice([20, 60])
        elif kind == "relay":
            goal = {"kind": "relay", "km": rng.choice([3, 8, 15])}
        elif kind == "distance":
            goal = {"kind": "distance", "km": rng.choice([8, 12, 17])}
        else:
            goal = {
                "kind": "best_of",
                "attempts": rng.randint(3, 8),
                "goal": {"kind": "distance", "km": rng.choice([6, 10])},
            }
        goals.append(goal)
    extra: dict[str, Any] = {"team": True, "route": ROUTE}
    if any("within" in key or key == "attempts" for goal in goals for key in goal):
        extra["failure"] = {"title": "Too late", "text": "The gates have shut."}
    return story_mission(f"carried-{rng.randrange(10**6)}", *goals, **extra)


def some_runs(rng: random.Random, count: int) -> list[CountedRun]:
    """A team's runs in judging's order: starts that sometimes tie, now and then a ride or a run
    from before enrolment's grace, each with its member."""
    runs = []
    at = ENROLLED - timedelta(days=2)
    for ref in range(1, count + 1):
        if rng.random() > 0.1:  # one in ten starts with the run before
            at += timedelta(hours=rng.uniform(0.5, 30))
        km = rng.uniform(1, 18)
        sport = "cycling" if rng.random() < 0.08 else "running"
        facts = RunFacts(
            at,
            km,
            km * rng.uniform(280, 480),
            sport=sport,
            distance_km=km,
            member=rng.choice(MEMBERS),
        )
        runs.append(CountedRun(f"run {ref}", _no_points, _no_points, facts, ref=ref))
    return runs


def _no_points() -> Any:
    raise AssertionError("judged from facts only")


def evaluate(
    mission: Mission,
    runs: list[CountedRun],
    now: datetime,
    ledger: dict[str, Unlocked],
    carried: Carried | None = None,
) -> MissionProgress:
    return progress.evaluate(
        mission,
        runs,
        ENROLLED,
        now=now,
        check=facts_only,
        ledger=ledger,
        members=MEMBERS[:3],  # the fourth member has left: their runs count, no leg is owed
        carried=carried,
    )


def test_judging_from_the_carry_gives_what_judging_every_run_gives() -> None:
    carried_judgings = refusals = 0
    for seed in range(60):
        judged, refused = judged_both_ways(seed)
        carried_judgings += judged
        refusals += refused
    # Most judgings were from a carry, and a fold reaching no further than judging allows, none
    # had to go back to every run.
    assert carried_judgings > 500, carried_judgings
    assert refusals == 0


def judged_both_ways(seed: int) -> tuple[int, int]:
    """A random mission and team's runs, arriving a few at a time; each time judged from every
    run and from the fold, which must agree. How many judgings were from a non-empty carry,
    and how many were refused."""
    rng = random.Random(seed)
    mission = a_mission(rng)
    runs = some_runs(rng, rng.randint(20, 160))
    ledger: dict[str, Unlocked] = {}
    fold = team_folds.empty(mission)
    given = 0  # runs arrived so far
    carried_judgings = refusals = 0
    now = ENROLLED
    while given < len(runs):
        given = min(len(runs), given + rng.randint(1, 12))
        last = max(run.start for run in runs[:given] if run.start is not None)
        now = max(now, last) + timedelta(hours=rng.uniform(0, 50))
        whole = evaluate(mission, runs[:given], now, ledger)
        folded = len(fold.km) and fold.through is not None
        after = [run for run in runs[:given] if fold.through is None or _key(run) > fold.through]
        try:
            from_fold = evaluate(mission, after, now, ledger, fold.carried)
        except Uncarried:
            refusals += 1
            fold, after = team_folds.empty(mission), runs[:given]
        else:
            carried_judgings += 1 if folded else 0
            assert from_fold == whole, f"seed {seed}, after {given} runs"
        for entry in progress.newly_unlocked(whole, ledger):
            ledger[entry.beat] = entry
        chapter_runs = {entry.run for entry in ledger.values() if entry.run is not None}
        fold = team_folds.moved_on(
            fold, after, mission, whole, chapter_runs, ENROLLED, now - WEEKLY_WINDOW
        )
        whole_fold = team_folds.add(team_folds.empty(mission), runs[:given], ENROLLED, now)
        rest = [run for run in after if fold.through is None or _key(run) > fold.through]
        assert team_folds.add(fold, rest, ENROLLED, now).km == whole_fold.km
    return carried_judgings, refusals


def _key(run: CountedRun) -> tuple[datetime, int]:
    assert run.start is not None and run.ref is not None
    return (run.start, run.ref)


def test_a_fold_sums_the_members_shares_and_stretches_as_one_pass_over_every_run() -> None:
    rng = random.Random(7)
    mission = a_mission(rng)
    runs = some_runs(rng, 300)
    window = runs[-1].start
    assert window is not None
    whole = team_folds.add(team_folds.empty(mission), runs, ENROLLED, window)
    pieces = team_folds.empty(mission)
    for first in range(0, 300, 37):
        pieces = team_folds.add(pieces, runs[first : first + 37], ENROLLED, window)
    assert pieces == whole
    counted = [run for run in runs if run.counts_for(ENROLLED)]
    assert sum(whole.runs.values()) == len(counted) < len(runs)  # rides and old runs left out
    assert sum(km for _, km in whole.legs) == pytest.approx(200)  # the route's end: no further
    assert whole.left_km == 0


def test_a_carry_refuses_what_only_the_runs_themselves_can_answer() -> None:
    rng = random.Random(3)
    runs = some_runs(rng, 30)
    late = runs[-1].start
    assert late is not None
    carried = carry(None, runs[:20], ENROLLED, late - WEEKLY_WINDOW)
    plan = story_mission("plan", {"kind": "runs", "count": 40, "km": 1}, team=True)
    with pytest.raises(Uncarried):  # a plan counts days
        progress.evaluate(plan, runs[20:], ENROLLED, now=late, carried=carried)
    reached = story_mission("reached", {"kind": "route_km", "km": 5}, team=True, route=ROUTE)
    assert carried.km > 5
    with pytest.raises(Uncarried):  # the mark was reached within the runs carried
        progress.evaluate(reached, runs[20:], ENROLLED, now=late, carried=carried)
    one_run = story_mission("one-run", {"kind": "distance", "km": 5}, team=True)
    with pytest.raises(Uncarried):  # judged from enrolment, with no chapter run after the carry
        progress.evaluate(one_run, runs[20:], ENROLLED, now=late, check=facts_only, carried=carried)
    with pytest.raises(Uncarried):  # a weekly window reaching before what the carry kept
        progress.evaluate(
            story_mission("far", {"kind": "route_km", "km": 190}, team=True, route=ROUTE),
            runs[20:],
            ENROLLED,
            now=late - timedelta(days=1),
            carried=carried,
        )
    far = story_mission("far", {"kind": "route_km", "km": 190}, team=True, route=ROUTE)
    both = progress.evaluate(far, runs, ENROLLED, now=late)
    assert progress.evaluate(far, runs[20:], ENROLLED, now=late, carried=carried) == both
    assert replace(both, weekly_km=None) != both  # the weekly distance was worked out
