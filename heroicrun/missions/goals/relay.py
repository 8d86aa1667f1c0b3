"""A relay: a chapter a team unlocks when every current member has run a leg of `km` (counted)
since the previous chapter unlocked, in whatever order and over as many runs as they like."""

from __future__ import annotations

from collections.abc import Collection

from heroicrun.missions.journeys import Outcome
from heroicrun.missions.model import RelayGoal
from heroicrun.missions.runs import CountedRun


def judge(
    goal: RelayGoal, runs: list[CountedRun], after: int | None, members: Collection[int] | None
) -> Outcome:
    """Met at the first run after `after` (the run that unlocked the previous chapter) with
    which every member of `members` has run `km` since; `members` None: one runner runs
    every leg (a relay judged outside a team)."""
    needed: dict[int | None, float] = (
        {None: 0.0} if members is None else dict.fromkeys(members, 0.0)
    )
    if not needed:
        return Outcome("next", "no current member to run a leg")
    first = 0 if after is None else after + 1
    for index in range(first, len(runs)):
        run = runs[index]
        who = None if members is None else run.member
        if who in needed:
            needed[who] += run.counted_km
        if all(km >= goal.km for km in needed.values()):
            return Outcome("unlocked", _words(goal, needed), index)
    return Outcome("next", _words(goal, needed))


def _words(goal: RelayGoal, legs: dict[int | None, float]) -> str:
    """ "2 of 3 legs of 5 km run since the last chapter"; one runner: "3.2 of 5.0 km run"."""
    if list(legs) == [None]:
        done = min(legs[None], goal.km)
        return f"{done:.1f} of {goal.km:.1f} km run since the last chapter"
    run = sum(1 for km in legs.values() if km >= goal.km)
    return f"{run} of {len(legs)} legs of {goal.km:g} km run since the last chapter"
