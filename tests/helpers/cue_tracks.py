"""Exact synthetic runs for the live coach (web/static/cues.js) and the goal engine alike: 1 Hz
fixes, "12 minutes at 2.5 m/s, then 400 m in 1:59", each with the verdicts both must reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from heroicrun.track import Track
from tests.factory import TrackBuilder, with_spike

STEADY_M_S = 2.5  # 6:40 /km
SURGE_M_S = 3.03  # +21 %: a surge by the default +20 %
NEAR_SURGE_M_S = 2.95  # +18 %: not one
CHASE = {"kind": "chase", "at_minute": 12, "metres": 400, "within": "2:00"}
CHASE_PLAN = {"at_s": 720.0, "metres": 400.0, "within_s": 120.0, "title": "Minute Twelve"}


def north_of_start(metres: float) -> tuple[float, float]:
    """The point `metres` due north of the factory's start (lat, lon)."""
    track = TrackBuilder().run(metres, 1).build()
    return float(track.lat_deg[-1]), float(track.lon_deg[-1])


def surges_goal(count: int) -> dict[str, Any]:
    return {"kind": "surges", "count": count}


def surges_plan(count: int) -> dict[str, Any]:
    """The plan's surges for a goal of `count` with the engine's defaults."""
    return {
        "count": count,
        "boost": 0.2,
        "baseline_s": 30.0,
        "hold_s": 100.0,
        "title": "Lock Gates",
    }


@dataclass
class CueCase:
    """A run, the goals it is judged by, and what the judge must find."""

    name: str
    track: Track
    goals: list[dict[str, Any]]
    surges: int | None = None  # surges found (the surges goal's count_surges)
    chase_met: bool | None = None
    chase_taken_s: float | None = None
    rules: dict[str, float] = field(default_factory=dict)  # RULES the coach runs with
    stops: list[tuple[float, float]] = field(default_factory=list)  # (from, to) s standing
    told: tuple[str, ...] = ()  # cues the coach must give, once each

    def plan(self) -> dict[str, Any]:
        """The live coach's plan for these goals, as heroicrun.missions.companion writes it."""
        chases = [CHASE_PLAN] if any(goal["kind"] == "chase" for goal in self.goals) else []
        counts = [goal["count"] for goal in self.goals if goal["kind"] == "surges"]
        surges = surges_plan(counts[0]) if counts else None
        return {"briefing": None, "places": [], "chapters": [], "chases": chases, "surges": surges}


def steady_with_surges(surge_m_s: float, *surges_s: float) -> Track:
    """A 40-minute run at a steady 2.5 m/s with surges of the given lengths 8 minutes apart."""
    builder = TrackBuilder().run(STEADY_M_S * 300, 300)
    elapsed = 300.0
    for surge_s in surges_s:
        builder.run(surge_m_s * surge_s, surge_s).run(STEADY_M_S * 480, 480)
        elapsed += surge_s + 480
    return builder.run(STEADY_M_S * (2400 - elapsed), 2400 - elapsed).build()


def chase_in(seconds: int) -> Track:
    """12 minutes steady, then the chase's 400 m in `seconds`, then 5 minutes steady."""
    return TrackBuilder().run(1800, 720).run(400, seconds).run(750, 300).build()


def cases() -> list[CueCase]:
    """Every run the agreement tests judge twice."""
    surges3 = [surges_goal(3)]
    return [
        CueCase("chase met by 1 s", chase_in(119), [CHASE], chase_met=True, chase_taken_s=119.0),
        CueCase(
            "chase missed by 1 s", chase_in(121), [CHASE], chase_met=False, chase_taken_s=121.0
        ),
        CueCase(
            "chase missed by 1 s, a GPS glitch 200 m off in it",
            with_spike(chase_in(121), 760, 200.0),
            [CHASE],
            chase_met=False,
            chase_taken_s=121.0,
        ),
        CueCase("three surges", steady_with_surges(SURGE_M_S, 100, 100, 100), surges3, surges=3),
        CueCase("a near-surge, +18 %", steady_with_surges(NEAR_SURGE_M_S, 100), surges3, surges=0),
        CueCase(
            "a chase met though the runner stood 20 s at a light",
            TrackBuilder().run(1800, 720).run(150, 50).stand(20).run(250, 49).run(750, 300).build(),
            [CHASE],
            chase_met=True,
            chase_taken_s=119.0,
            stops=[(770.0, 790.0)],
        ),
        CueCase(
            "a chase lost while the runner stood at a light",
            TrackBuilder().run(1800, 720).run(300, 110).stand(30).run(750, 300).build(),
            [CHASE],
            chase_met=False,
            chase_taken_s=180.0,  # the last 100 m at 2.5 m/s after the light
            stops=[(830.0, 860.0)],
        ),
        CueCase(
            "a strong surge at the prompt",
            TrackBuilder().run(STEADY_M_S * 300, 300).run(375, 100).run(750, 300).build(),
            [surges_goal(1)],
            surges=1,
            told=("surge-prompt", "surge-held"),
        ),
        CueCase(
            "a surge right after a light",
            surge_after_light(),
            [surges_goal(1)],
            surges=0,
            stops=[(300.0, 320.0)],
        ),
        CueCase(
            "a surge right after a light, were standing moving",
            surge_after_light(),
            [surges_goal(1)],
            surges=1,
            rules={"surge_min_moving_share": 0.0},
        ),
        CueCase(
            "a paused run",
            paused_run(),
            [surges_goal(2), CHASE],
            surges=2,
            chase_met=True,
            chase_taken_s=110.0,
        ),
    ]


def surge_after_light() -> Track:
    """Steady, 20 s at a red light, then 100 s at +21 % over the steady pace.

    From 18 s after the light the 30 s before averages 1.8 m/s or more, a baseline fast
    enough, and the next 100 s are fast enough over it; but the runner stood for 3 s or more of
    the 30 until 27 s after the light: only the 90 % moving rule says this is no surge.
    """
    return (
        TrackBuilder()
        .run(STEADY_M_S * 300, 300)
        .stand(20)
        .run(SURGE_M_S * 100, 100)
        .run(STEADY_M_S * 300, 300)
        .build()
    )


def paused_run() -> Track:
    """A surge of 50 s, the watch paused for 2 minutes, 50 s more of it; then at minute 12 of
    the run (pause included) 400 m in 110 s.

    The surge is one only if the pause stops the surges' clock; the chase is met only if the
    pause ticks on the chase's clock (from minute 12 of running it would be 300 m in 2:00). The
    chase's 110 s at 3.6 m/s is the second surge.
    """
    return (
        TrackBuilder()
        .run(STEADY_M_S * 300, 300)
        .run(SURGE_M_S * 50, 50)
        .pause(120)
        .run(SURGE_M_S * 50, 50)
        .run(STEADY_M_S * 200, 200)
        .run(400, 110)
        .run(STEADY_M_S * 300, 300)
        .build()
    )


# The cue sequence: a briefing, two prompted surges (one answered, one not), a red light held
# across the moment the second is missed, and places and a chapter on the way.
SEQUENCE_LIGHT_S = (740, 800)
SEQUENCE_PLAN: dict[str, Any] = {
    "briefing": "The dead are on the towpath. Okafor is on the radio.",
    "places": [{"name": "Megara", "km": 2.5}, {"name": "Eleusis", "km": 5.0}],
    "chapters": [{"km": 1.5, "title": "The Lock Gates", "text": "Two of them climb out."}],
    "chases": [],
    "surges": surges_plan(2),
}


def sequence_run() -> Track:
    """5 minutes steady, the 100 s surge the first prompt asks for, steady on past the second
    prompt (at 10 minutes) without surging, a minute at a red light, then 10 minutes steady."""
    light_s = SEQUENCE_LIGHT_S[1] - SEQUENCE_LIGHT_S[0]
    return (
        TrackBuilder()
        .run(STEADY_M_S * 300, 300)
        .run(SURGE_M_S * 100, 100)
        .run(STEADY_M_S * 340, 340)
        .stand(light_s)
        .run(STEADY_M_S * 600, 600)
        .build()
    )


def events(track: Track, start_ms: int | None = None) -> list[dict[str, Any]]:
    """The run as the page feeds the coach: start, a fix a second, Pause and Resume between
    segments, finish."""
    assert track.time_s is not None
    times_ms = [round(float(t) * 1000) for t in track.time_s]
    found: list[dict[str, Any]] = [{"call": "start", "t_ms": start_ms or times_ms[0]}]
    for index, t_ms in enumerate(times_ms):
        if index and track.segment[index] != track.segment[index - 1]:
            found.append({"call": "pause", "t_ms": times_ms[index - 1] + 500})
            found.append({"call": "resume", "t_ms": t_ms - 500})
        fix = {"t_ms": t_ms, "lat": float(track.lat_deg[index]), "lon": float(track.lon_deg[index])}
        found.append({"call": "fix", **fix, "accuracy_m": 5.0})
    found.append({"call": "finish", "t_ms": times_ms[-1] + 1000})
    return found
