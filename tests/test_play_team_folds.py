"""A team judged from its fold, as uploads leave it, stands exactly as judged from every run:
whatever its members send (runs in order, an old run sent late, a ride), take back (a run
deleted, re-marked) or do (leave, join), on both databases; and judging reads only the runs
after the fold."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from heroicrun import __version__
from heroicrun.db.schema import Club, Run, Runner, TeamEnrolment, TeamFold
from heroicrun.play import accounts, clubs, team_folds, team_judging, teams
from tests.factory import START
from tests.helpers.stored_runs import ENROLLED, add_run, catalog_of, story_mission

ROUTE = {
    "waypoints": [
        {"name": "Athens", "lat": START[0], "lon": START[1], "km": 0},
        {"name": "Sparta", "lat": START[0] + 1.8, "lon": START[1], "km": 200},
    ]
}
LONG_ROAD = story_mission(
    "long-road",
    {"kind": "route_km", "km": 0},
    {"kind": "route_km", "km": 12},
    {"kind": "relay", "km": 4},
    {"kind": "route_km", "km": 40, "within_days": 60},
    {"kind": "route_km", "km": 75},
    {"kind": "relay", "km": 6},
    {"kind": "route_km", "km": 130, "within_running_hours": 40},
    {"kind": "route_km", "km": 200},
    team=True,
    route=ROUTE,
    failure={"title": "Too late", "text": "The pass was held without you."},
)
CATALOG = catalog_of(LONG_ROAD)


class Club3:
    """Three members of one club, its team on the long road, and a run to copy rows from."""

    def __init__(self, session: Session, ann: Runner) -> None:
        self.session = session
        self.members = [ann] + [accounts.add_runner(session, name, None) for name in ("bob", "cy")]
        self.club = clubs.create(session, ann, "Runners of Sparta", ENROLLED - timedelta(days=2))
        for member in self.members[1:]:
            clubs.join(session, member, self.club.code, ENROLLED - timedelta(days=1))
        teams.enrol(session, CATALOG, ann, self.club.id, LONG_ROAD.id, ENROLLED)
        self.template = add_run(session, ann, 5, -10)  # before enrolment: credited to no team
        session.commit()
        self.outing = 100
        self.last = ENROLLED

    @property
    def team(self) -> TeamEnrolment:
        found = self.session.scalar(select(TeamEnrolment))
        assert found is not None
        return found

    def run(self, runner: Runner, km: float, start: datetime, now: datetime) -> int:
        """A run's row, credited and judged as an upload does (its own time between `start`
        and its end)."""
        self.outing += 1
        row = Run(
            runner_id=runner.id,
            sha256=self.template.sha256,
            outing=self.outing,
            file_name=f"{runner.name}-{self.outing}.gpx",
            format="gpx",
            kind="run",
            start_time=start,
            distance_m=km * 1000,
            counted_distance_m=km * 1000,
            elapsed_s=km * 360 + 30,
            moving_s=km * 360,
            summary_json=self.template.summary_json,
            measured_with=__version__,
            uploaded_at=now,
        )
        self.session.add(row)
        self.session.flush()
        teams.credit_run(self.session, row.id)
        teams.uploaded(self.session, CATALOG, runner, [row.id], now)
        self.session.commit()
        return row.id


def as_kept(session: Session, runner: Runner, club: Club, now: datetime) -> Any:
    """The team's standing as a member's upload leaves it: judged from the fold, kept."""
    standing = teams.standing(session, CATALOG, runner, club.id, LONG_ROAD.id, now, session)
    session.commit()
    return standing


def from_every_run(session: Session, team: TeamEnrolment, now: datetime) -> Any:
    """The team judged from every one of its runs: no fold."""
    with session.begin_nested() as nested:
        session.execute(delete(TeamFold))
        judged, _, _ = team_judging.judge(session, CATALOG, LONG_ROAD, team, now, {})
        nested.rollback()
    return judged


def fold_of(session: Session, team: TeamEnrolment) -> team_folds.Fold:
    return team_folds.read(session, team, LONG_ROAD).fold


@pytest.mark.parametrize("seed", [1, 2])
def test_a_team_judged_from_its_fold_stands_as_judged_from_every_run(
    session: Session, ann: Runner, seed: int
) -> None:
    rng = random.Random(seed)
    made = Club3(session, ann)
    team = made.team
    now = ENROLLED
    live = list(made.members)
    run_ids: list[int] = []
    done: dict[str, int] = {}
    for step in range(70):
        now += timedelta(hours=rng.uniform(2, 20))
        what = rng.choices(
            ["run", "late", "delete", "ride", "leave", "join"], [12, 1.5, 1, 1, 0.5, 0.5]
        )[0]
        if what in ("delete", "ride") and not run_ids:
            what = "run"
        if what == "run":
            run_ids.append(made.run(rng.choice(live), rng.uniform(2, 14), now, now))
        elif what == "late":  # recorded days ago, before runs the fold already sums
            start = max(ENROLLED, now - timedelta(days=rng.uniform(1, 6)))
            run_ids.append(made.run(rng.choice(live), rng.uniform(2, 14), start, now))
        elif what == "delete":
            gone = run_ids.pop(rng.randrange(len(run_ids)))
            session.execute(delete(Run).where(Run.id == gone))
            session.commit()
        elif what == "ride":
            session.get(Run, rng.choice(run_ids)).marked_sport = "cycling"  # type: ignore[union-attr]
            session.commit()
        elif what == "leave" and len(live) > 1:
            leaving = live.pop(rng.randrange(1, len(live)))
            clubs.leave(session, leaving, made.club.id, now)
            session.commit()
        elif what == "join":
            for member in made.members:
                if member not in live:
                    clubs.join(session, member, made.club.code, now)
                    live.append(member)
                    session.commit()
                    break
        done[what] = done.get(what, 0) + 1
        kept = as_kept(session, ann, made.club, now)
        whole = from_every_run(session, team, now)
        assert kept.progress == whole.progress, f"step {step}: {what}"
        assert [(m.name, m.km, m.runs, m.chapters) for m in kept.members] == [
            (m.name, m.km, m.runs, m.chapters) for m in whole.members
        ], f"step {step}: {what}"
        assert kept.legs == whole.legs, f"step {step}: {what}"
    assert done.get("late", 0) and done.get("delete", 0) and done.get("ride", 0), done
    fold = fold_of(session, team)
    assert fold.through is not None and fold.carried is not None
    assert fold.carried.runs > 20  # most runs are summed, not read again


def test_judging_reads_only_theruns_after_the_fold_until_an_old_run_comes_in(
    session: Session, ann: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = Club3(session, ann)
    now = ENROLLED
    for day in range(40):  # three runs a day, 8 km each: 960 km, the road done by day 9
        for member in made.members:
            now = ENROLLED + timedelta(days=day, hours=2 + made.members.index(member))
            made.run(member, 8, now, now)
    read: list[int] = []
    real = team_judging.runs_after

    def counting(*args: Any) -> Any:
        found = real(*args)
        read.append(len(found))
        return found

    monkeypatch.setattr(team_judging, "runs_after", counting)
    later = now + timedelta(hours=5)
    made.run(made.members[1], 8, later, later)
    assert read == [1]  # every chapter unlocked: all the runs before are in the fold
    old = ENROLLED + timedelta(days=3, hours=12)
    made.run(made.members[2], 5, old, later)  # sent late: the fold no longer holds
    assert read[1] == 122  # judged from every run, and folded again
    made.run(made.members[0], 8, later + timedelta(hours=1), later + timedelta(hours=1))
    assert read[2] == 1
    standing = as_kept(session, ann, made.club, later + timedelta(hours=2))
    assert standing.progress.status == "completed"
    assert sum(m.runs for m in standing.members) == 123
