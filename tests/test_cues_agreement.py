"""The live coach (web/static/cues.js) and the goal engine judge the same fixes alike: chases met
or missed by a second, surges and near-surges, red lights and Pause; and what the coach says, in
what order, on one run. One node process runs every case of this module."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter

from heroicrun import geodesy, measuring
from heroicrun.measuring import course as course_module
from heroicrun.missions import goals
from heroicrun.missions.goals import pacing
from heroicrun.missions.model import ChaseGoal, SingleRunGoal, SurgesGoal
from heroicrun.missions.runs import CountedRun
from heroicrun.track import Track
from tests.factory import T0
from tests.helpers import cue_tracks
from tests.helpers.cue_tracks import CueCase

NODE = shutil.which("node")
CUES_JS = Path(__file__).resolve().parents[1] / "web" / "static" / "cues.js"
GOALS: TypeAdapter[SingleRunGoal] = TypeAdapter(SingleRunGoal)

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (CI has it)")

# Feeds each run's events to a fresh coach; with "restore_after", a second coach is rebuilt
# from the first one's points and memo at that event (a page reload) and carries on. Measures
# the "pairs" of points too.
RUNNER = r"""
const cues = require(process.argv[1]);
const defaults = Object.assign({}, cues.RULES);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const asked = JSON.parse(input);
  const results = asked.runs.map((run) => {
    Object.assign(cues.RULES, defaults, run.rules || {});
    let coach = cues.createCoach(run.plan);
    const said = [];
    run.events.forEach((event, index) => {
      const given = event.call === "fix" ? coach.fix(event) : coach[event.call](event.t_ms);
      given.forEach((cue) => said.push(Object.assign({t_ms: event.t_ms}, cue)));
      if (index === run.restore_after) {
        const points = JSON.parse(JSON.stringify(coach.points()));
        const memo = JSON.parse(JSON.stringify(coach.memo()));
        coach = cues.createCoach(run.plan);
        coach.restore(points, run.memo === false ? undefined : memo);
      }
    });
    return {cues: said, verdicts: coach.verdicts(), state: coach.state(),
            points: coach.points()};
  });
  const distances = asked.pairs.map((p) => cues.distanceM(p[0], p[1], p[2], p[3]));
  process.stdout.write(JSON.stringify({runs: results, distances: distances}));
});
"""


def run_coach(runs: list[dict[str, Any]], pairs: list[list[float]]) -> dict[str, Any]:
    """Return what the coach said and found for each run, and the distances between the pairs
    of points (lat1, lon1, lat2, lon2), from one node process."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", RUNNER, str(CUES_JS)],
        input=json.dumps({"runs": runs, "pairs": pairs}),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def pairs_to_measure() -> np.ndarray:
    """Each step of a run with surges, then point pairs from 1 m to 100 km apart anywhere
    between 80 S and 80 N."""
    track = cue_tracks.steady_with_surges(cue_tracks.SURGE_M_S, 100)
    steps = np.column_stack(
        (track.lat_deg[:-1], track.lon_deg[:-1], track.lat_deg[1:], track.lon_deg[1:])
    )
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(-80, 80, 1000), rng.uniform(-180, 180, 1000)
    apart = 10.0 ** rng.uniform(-5, -0.1, (1000, 1)) * rng.uniform(-1, 1, (1000, 2))
    spread = np.column_stack((lat, lon, lat + apart[:, 0], lon + apart[:, 1]))
    return np.vstack((steps, spread))


# Fixes the coach must leave out: worse than 50 m, out of order, not numbers, while paused.
LEFT_OUT_PLAN = {"chases": [{"at_s": 10.0, "metres": 20.0, "within_s": 30.0, "title": "Dogs"}]}


def left_out_events() -> list[dict[str, Any]]:
    t0 = round(T0 * 1000)
    north = cue_tracks.north_of_start

    def fix(at_s: float, metres: float, **extra: Any) -> dict[str, Any]:
        lat, lon = north(metres)
        return {"call": "fix", "t_ms": t0 + round(at_s * 1000), "lat": lat, "lon": lon} | extra

    return [
        {"call": "start", "t_ms": t0},
        fix(0, 0, accuracy_m=8),
        fix(1, 3, accuracy_m=80),  # too vague
        fix(2, 5),
        fix(1.5, 4),  # older than the last
        fix(3, 8) | {"lat": "46.05"},  # not a number
        {"call": "tick", "t_ms": t0 + 10_000},  # the chase starts without a fix
        {"call": "pause", "t_ms": t0 + 11_000},
        fix(12, 30),  # the watch is paused
        {"call": "resume", "t_ms": t0 + 13_000},
        fix(14, 40),
        {"call": "finish", "t_ms": t0 + 15_000},
    ]


CASES = cue_tracks.cases()


@pytest.fixture(scope="module")
def coached() -> dict[str, dict[str, Any]]:
    """The coach's results for every agreement case and for the cue sequence, by name."""
    runs: list[dict[str, Any]] = [
        {"plan": case.plan(), "events": cue_tracks.events(case.track), "rules": case.rules}
        for case in CASES
    ]
    sequence = cue_tracks.sequence_run()
    sequence_events = cue_tracks.events(sequence)
    runs.append({"plan": cue_tracks.SEQUENCE_PLAN, "events": sequence_events})
    # A reload during the red light, with the second prompt's miss still to be told.
    reload_at = next(
        index
        for index, event in enumerate(sequence_events)
        if event["call"] == "fix" and event["t_ms"] - sequence_events[1]["t_ms"] >= 770_000
    )
    reloaded = {"plan": cue_tracks.SEQUENCE_PLAN, "events": sequence_events}
    runs.append(reloaded | {"restore_after": reload_at})
    runs.append(reloaded | {"restore_after": reload_at, "memo": False})
    # A reload while the watch is paused.
    paused = next(case for case in CASES if case.name == "a paused run")
    paused_events = cue_tracks.events(paused.track)
    pressed = next(index for index, event in enumerate(paused_events) if event["call"] == "pause")
    runs.append({"plan": paused.plan(), "events": paused_events, "restore_after": pressed})
    runs.append({"plan": LEFT_OUT_PLAN, "events": left_out_events()})
    found = run_coach(runs, pairs_to_measure().tolist())
    results = found["runs"]
    named = {case.name: result for case, result in zip(CASES, results, strict=False)}
    extra = ["sequence", "reloaded", "reloaded without a memo", "reloaded while paused"]
    named.update(zip([*extra, "left out"], results[len(CASES) :], strict=True))
    named["distances"] = found["distances"]
    return named


def counted(track: Track) -> CountedRun:
    return CountedRun("run.gpx", track, measuring.measure(track))


def engine_surges(run: CountedRun, goal: SurgesGoal, rules: dict[str, float]) -> int:
    """count_surges as the engine runs it, with the coach's RULES if the case changes them."""
    share = rules.get("surge_min_moving_share", pacing.MIN_BASELINE_MOVING_SHARE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pacing, "MIN_BASELINE_MOVING_SHARE", share)
        course = run.course
        assert course.time_s is not None
        ridden = run.ridden_steps()
        return pacing.count_surges(
            course, course.time_s, ridden, goal.boost, goal.baseline, goal.hold
        )


def engine_taken_s(run: CountedRun, goal: ChaseGoal) -> float:
    """The time the engine's chase() finds the metres covered in, from minute at_minute."""
    course = run.course
    assert course.time_s is not None
    start_s = goal.at_minute * 60.0
    from_m = float(np.interp(start_s, course.time_s, course.distance_m))
    reached = course_module.locate(course.distance_m, np.array([from_m + goal.metres]), "first")
    return float(reached.of(course.time_s)[0]) - start_s


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_coach_and_the_engine_agree(case: CueCase, coached: dict[str, Any]) -> None:
    found = coached[case.name]
    run = counted(case.track)
    # The engine drops GPS glitches from its course, and the coach the same fixes.
    assert len(found["points"]) == len(run.course)
    assert found["state"]["distance_m"] == pytest.approx(run.course.total_m, rel=1e-9)
    said = kinds(found)
    assert [said.count(kind) for kind in case.told] == [1] * len(case.told)
    for written in case.goals:
        goal = GOALS.validate_python(written)
        result = goals.check(goal, run)
        if isinstance(goal, SurgesGoal):
            engine = engine_surges(run, goal, case.rules)
            assert (engine, found["verdicts"]["surges"]) == (case.surges, case.surges)
            if not case.rules:
                assert result.met == (engine >= goal.count)
        elif isinstance(goal, ChaseGoal):
            (chase,) = found["verdicts"]["chases"]
            assert (result.met, chase["met"]) == (case.chase_met, case.chase_met)
            assert engine_taken_s(run, goal) == pytest.approx(case.chase_taken_s, abs=1e-6)
            assert chase["taken_s"] == pytest.approx(case.chase_taken_s, abs=1e-6)
            told = "chase-won" if case.chase_met else "chase-lost"
            assert [cue["kind"] for cue in found["cues"]].count(told) == 1


@pytest.mark.parametrize("case", [case for case in CASES if case.stops], ids=lambda case: case.name)
def test_no_runner_at_a_red_light_is_caught(case: CueCase, coached: dict[str, Any]) -> None:
    found = coached[case.name]
    events = cue_tracks.events(case.track)
    start_ms = events[0]["t_ms"]
    cues = [((cue["t_ms"] - start_ms) / 1000, cue["kind"]) for cue in found["cues"]]
    bad_news = ("chase-lost", "surge-missed", "chase-progress")
    for light_from, light_to in case.stops:
        assert not [
            (at, kind) for at, kind in cues if kind in bad_news and light_from < at <= light_to
        ]
    # The chase whose window closed at the light is lost once the runner runs on.
    lost = [at for at, kind in cues if kind == "chase-lost"]
    if case.chase_met is False:
        assert len(lost) == 1 and case.stops[0][1] < lost[0] <= case.stops[0][1] + 5


def test_distances_agree_with_the_engine_to_a_millionth(coached: dict[str, Any]) -> None:
    pairs = pairs_to_measure()
    engine_m = geodesy.distances_m(pairs[:, 0], pairs[:, 1], pairs[:, 2], pairs[:, 3])
    coach_m = np.array(coached["distances"])
    assert engine_m.min() < 2 and engine_m.max() > 50_000
    assert np.all(np.abs(coach_m - engine_m) <= 1e-6 * np.maximum(engine_m, 1.0))
    # A run's whole course, step by step: a sphere would be some metres off in these 6 km.
    steps = len(cue_tracks.steady_with_surges(cue_tracks.SURGE_M_S, 100)) - 1
    assert abs(coach_m[:steps].sum() - engine_m[:steps].sum()) < 1e-6


def test_the_fixes_the_coach_leaves_out(coached: dict[str, Any]) -> None:
    found = coached["left out"]
    kept = [
        (point["t_ms"] - found["points"][0]["t_ms"], point["segment"]) for point in found["points"]
    ]
    assert kept == [(0, 0), (2000, 0), (14_000, 1)]
    # Nothing is covered across the pause: the chase is lost, told as the run ends.
    assert kinds(found) == ["chase-start", "paused", "resumed", "chase-lost"]
    assert found["cues"][0]["t_ms"] - found["points"][0]["t_ms"] == 10_000
    assert found["state"]["distance_m"] == pytest.approx(5.0, abs=1e-6)
    assert found["verdicts"]["chases"] == [{"at_s": 10.0, "met": False, "taken_s": None}]


def kinds(found: dict[str, Any]) -> list[str]:
    return [cue["kind"] for cue in found["cues"]]


def test_the_cue_sequence_of_a_run(coached: dict[str, Any]) -> None:
    found = coached["sequence"]
    cues = found["cues"]
    start_ms = cues[0]["t_ms"]
    at_s = [(cue["t_ms"] - start_ms) / 1000 for cue in cues]
    said = kinds(found)
    assert said[0] == "briefing"
    prompts = [index for index, kind in enumerate(said) if kind == "surge-prompt"]
    assert len(prompts) == cue_tracks.SEQUENCE_PLAN["surges"]["count"] == 2
    assert [at_s[index] for index in prompts] == [300.0, 600.0]
    held = said.index("surge-held")
    missed = said.index("surge-missed")
    assert prompts[0] < held < prompts[1] < missed
    assert 395.0 <= at_s[held] <= 400.0  # once the 100 s hold is done
    assert found["verdicts"]["surges"] == 1
    light_from, light_to = cue_tracks.SEQUENCE_LIGHT_S
    # The miss fell due at 760 s, while the runner stood: it is told once they run again.
    assert light_to < at_s[missed] <= light_to + 5
    for kind, when in zip(said, at_s, strict=True):
        if kind in ("chase-lost", "surge-missed", "chase-progress"):
            assert not light_from < when <= light_to
    run = counted(cue_tracks.sequence_run())
    course = run.course
    assert course.time_s is not None
    kms = [(at_s[index], cue["text"]) for index, cue in enumerate(cues) if cue["kind"] == "km"]
    first_past = [
        float(course.time_s[np.searchsorted(course.distance_m, km * 1000.0)]) for km in (1, 2, 3)
    ]
    assert [when for when, _ in kms] == first_past
    assert [text for _, text in kms] == [
        "1 km. Megara in 1.5 km.",
        "2 km. Megara in 0.5 km.",
        "3 km. Eleusis in 2.0 km.",
    ]
    assert said.count("chapter") == 1 and said.count("place") == 1
    assert cues[said.index("place")]["text"] == "Megara."
    assert said.index("chapter") < said.index("km", said.index("chapter"))


@pytest.mark.parametrize(
    ("whole", "reloaded"),
    [
        ("sequence", "reloaded"),
        ("sequence", "reloaded without a memo"),
        ("a paused run", "reloaded while paused"),
    ],
)
def test_a_reload_repeats_no_cue_and_loses_none(
    whole: str, reloaded: str, coached: dict[str, Any]
) -> None:
    assert coached[reloaded] == coached[whole]
    assert len(coached[whole]["cues"]) > 8
